"""Heading F1 on the held-out books (run: python bench/headings_f1.py).

tests/fixtures/ingest/heldout/ holds Gutenberg-style books written after the heading rules, with the
headings each should give (expected.json). Each is read as it is and with its paragraphs run together
(for Markdown and HTML that joins the source lines; an EPUB is a folder `NAME.epub/` zipped here, each
XHTML file's lines joined). A heading counts when its words match (case and punctuation aside); levels
are reported apart. An optional absent.json lists, per book, text that must not reach any reading
(licence, page numbers, editors' notes); `leaks` counts those found. Not part of the test run: the point
is a number to watch, not a threshold to tune against.

First scores, before any rule was changed for the set (later scores are tuned and no longer held out;
heldout6–9 rescored with each expected heading matched once, the rule since 89a33d1):
heldout 0.74 run together (1.00 as written); heldout2 mean 0.585; heldout3 mean 0.30; heldout4 mean 0.91;
heldout5 mean 0.67; heldout6 (three .txt, .md, .html, .epub: essays, a two-part novel, a play, letters, a
two-level history, a novel in staves) as written 1.00 0.40 0.00 1.00 0.67 0.86 (mean 0.65), run together
0.40 0.14 0.00 0.86 0.67 0.86 (mean 0.49), 13 leaks (mean F1 0.571); heldout7 (sonnets numbered alone
over verse, Plato's dialogues with speakers in capitals, Markdown with setext volumes and chapters,
Standard Ebooks HTML with <hgroup> numerals and titles), written after heldout6 was tuned: as written
0.89 0.80 1.00 0.00, run together 0.00 0.00 0.44 0.00 (mean 0.392), 9 leaks; heldout8 (Alice with signs
in capitals and a poem, Aesop's fables under title-case titles, Carlyle's lectures in Markdown with dated
lines, an EPUB 2 of letters then chapters), written after heldout7 was tuned: as written 1.00 1.00 1.00
0.89, run together 1.00 0.00 refused 0.89 (mean 0.722), 0 leaks; heldout9 (Sherlock Holmes: titled
stories with bare-numeral parts; The Scarlet Letter: an introduction before Roman-numbered chapters and
an imprint; War and Peace in HTML with <p class="chapter"> headings), written after heldout8 was tuned:
as written 1.00 0.86 0.80, run together 0.25 0.67 0.80 (mean 0.729), 2 leaks; heldout10 (Gulliver in parts
and chapters over synopsis paragraphs, Walden in old Gutenberg HTML with the licence in <pre>, Moby-Dick
in Markdown with Etymology and Extracts before the chapters), written after heldout9 was tuned: as
written 1.00 1.00 1.00, run together 0.89 1.00 0.80 (mean 0.948), 2 leaks; heldout11 (Poe's poems under
titles in capitals with a full stop, Jane Eyre with a preface and a 'NOTE TO THE THIRD EDITION', Emerson's
essays in HTML with verse epigraphs), written after heldout10 was tuned: as written 0.00 0.86 1.00, run
together 0.00 0.00 1.00 (mean 0.476), 3 leaks; heldout12 (Marcus Aurelius in ordinal books with
numbered paragraphs, Paine's Common Sense under long capitals titles with commas and a pamphlet title
page, Butler's Odyssey in HTML with a subtitle <h3>, a contents table and synopsis lines), written after
heldout11 was tuned and NOT tuned on — the set still held out: as written 1.00 0.75 0.67, run together
1.00 0.00 0.67 (mean 0.681), 5 leaks; heldout13 (Common Sense again, its title page listing "I. Of the
Origin…" to "IV. …" while the text's headings are unnumbered capitals; Pride and Prejudice ch. 1–7 under
"Chapter 1"; Douglass's Narrative under "CHAPTER I"; the novel and the pamphlet again with every line break
of the body removed, sentences and headings joined by one space), written from memory of the real
Gutenberg texts after heldout12 and NOT tuned on: essays 0.36 0.36, essays_runon 0.00 0.00, novel 1.00 0.93,
novel_runon 0.00 0.00, history 1.00 0.44 (as written, run together; mean 0.411), 13 leaks. A refused book
scores 0.

Now (tuned; heldout12 and heldout13 were tuned on after their first scores, so no set is held out any
more): every set 1.00 both ways and 0 leaks, except heldout6 run together 0.988 (treasure 0.93: the
front-matter poem's title, its verse run into one paragraph, is too little to tell from a cast list).
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.ingest import IngestError, ingest_bytes  # noqa: E402
from tests.ingest.helpers import held_out_bytes  # noqa: E402

HELDOUT = ROOT / "tests" / "fixtures" / "ingest" / (sys.argv[1] if len(sys.argv) > 1 else "heldout")


def key(text: str) -> str:
    return re.sub(r"[\W_]+", " ", text).strip().lower()


def score(found: list[tuple[str, int]], expected: list[tuple[str, int]]) -> tuple[float, float, float, int]:
    """Each expected heading is matched once: a book with two "CHAPTER I" must find both."""
    got = Counter(key(h) for h, _ in found)
    want = Counter(key(h) for h, _ in expected)
    hits = sum((got & want).values())
    precision = hits / sum(got.values()) if got else 0.0
    recall = hits / sum(want.values())
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    levels = dict((key(h), lv) for h, lv in found)
    level_ok = sum(1 for h, lv in expected if levels.get(key(h)) == lv)
    return precision, recall, f1, level_ok


def forms(name: str) -> list[tuple[str, bytes]]:
    path = HELDOUT / name
    return [("as written", held_out_bytes(path, False)), ("run together", held_out_bytes(path, True))]


def main() -> None:
    expected = json.loads((HELDOUT / "expected.json").read_text())
    absent_file = HELDOUT / "absent.json"
    absent: dict[str, list[str]] = json.loads(absent_file.read_text()) if absent_file.exists() else {}
    print(f"{'book':<22}{'form':<14}{'P':>6}{'R':>6}{'F1':>6}{'levels':>8}{'leaks':>7}")
    f1s = []
    for name, want in expected.items():
        for form, data in forms(name):
            try:
                book = ingest_bytes(data, name)
            except IngestError as exc:  # a refused book scores nothing, and says why
                f1s.append(0.0)
                print(f"{name:<22}{form:<14}   refused: {exc}")
                continue
            found = [(s.heading, s.level) for s in book.sections if s.heading and s.part == 1]
            p, r, f1, level_ok = score(found, [(h, lv) for h, lv in want])
            f1s.append(f1)
            text = "\n".join(s.text for s in book.sections)
            leaks = [a for a in absent.get(name, []) if re.search(a, text)]
            print(f"{name:<22}{form:<14}{p:>6.2f}{r:>6.2f}{f1:>6.2f}{level_ok:>5}/{len(want):<3}{len(leaks):>5}")
            if f1 < 1 or level_ok < len(want):
                print("   found:", found)
            if leaks:
                print("   leaks:", leaks)
    print(f"mean F1 {sum(f1s) / len(f1s):.3f}")


if __name__ == "__main__":
    main()
