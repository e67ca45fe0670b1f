"""Heading F1 on the held-out books (run: python bench/headings_f1.py).

tests/fixtures/ingest/heldout/ holds Gutenberg-style books written after the heading rules, with the
headings each should give (expected.json). Each is read as it is and with its paragraphs run together.
A heading counts when its words match (case and punctuation aside); levels are reported apart. Not part
of the test run: the point is a number to watch, not a threshold to tune against.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.ingest import ingest_bytes  # noqa: E402
from bot.ingest.clean import lines_to_paragraphs  # noqa: E402

HELDOUT = ROOT / "tests" / "fixtures" / "ingest" / (sys.argv[1] if len(sys.argv) > 1 else "heldout")


def key(text: str) -> str:
    return re.sub(r"[\W_]+", " ", text).strip().lower()


def score(found: list[tuple[str, int]], expected: list[tuple[str, int]]) -> tuple[float, float, float, int]:
    got = [key(h) for h, _ in found]
    want = [key(h) for h, _ in expected]
    hits = sum(1 for h in got if h in want)
    precision = hits / len(got) if got else 0.0
    recall = sum(1 for h in want if h in got) / len(want)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    levels = dict((key(h), lv) for h, lv in found)
    level_ok = sum(1 for h, lv in expected if levels.get(key(h)) == lv)
    return precision, recall, f1, level_ok


def main() -> None:
    expected = json.loads((HELDOUT / "expected.json").read_text())
    print(f"{'book':<22}{'form':<14}{'P':>6}{'R':>6}{'F1':>6}{'levels':>8}")
    f1s = []
    for name, want in expected.items():
        text = (HELDOUT / name).read_text()
        for form, data in (
            ("as written", text.encode()),
            ("run together", "".join(lines_to_paragraphs(text)).encode()),
        ):
            book = ingest_bytes(data, name)
            found = [(s.heading, s.level) for s in book.sections if s.heading and s.part == 1]
            p, r, f1, level_ok = score(found, [(h, lv) for h, lv in want])
            f1s.append(f1)
            print(f"{name:<22}{form:<14}{p:>6.2f}{r:>6.2f}{f1:>6.2f}{level_ok:>5}/{len(want):<3}")
            if f1 < 1:
                print("   found:", [h for h, _ in found])
    print(f"mean F1 {sum(f1s) / len(f1s):.3f}")


if __name__ == "__main__":
    main()
