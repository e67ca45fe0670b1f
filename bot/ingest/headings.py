"""Headings in a text without structure, judged by the book's own pattern, never by shortness alone.

Over 400 lines: the line shapes and the book-pattern rules that weigh them make one decision, read together.

A false heading cuts a reading in two and shows the group a sentence as a title, which is worse than a
missed one. So a line is first given a *kind* by its shape — a label ("CHAPTER IV", "Book the First--…"),
a Roman numeral standing alone, a Roman-numbered title ("II. The Mail"), a numbered title, a line in
capitals, a short title-like line — and then the book decides: where its headings are labelled or
numbered, a line in capitals or a short line between paragraphs is prose (a shout, a notice, a
signature), except the front- and back-matter words every book uses (PREFACE, EPILOGUE…). Lines that read
like a letter's signature (after "Your loving,"), a dateline ("PARIS, 1909") or an edition line ("TENTH
IMPRESSION") are never headings. Levels follow the labels: a volume above a book above a part above a
chapter, and a numbered heading below a labelled chapter.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import replace

from bot.ingest.clean import LIST_ITEM, Block, ends_sentence, is_date_line, is_title_case
from bot.ingest.clean.front_matter import roman_value as _roman_value

_NUMERAL = (
    r"(?:[ivxlcdm]+|\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|[a-z]+teen|twenty|the\s+\w+)"
)
_LABEL_WORDS = r"chapter|book|part|section|letter|lecture|appendix|volume|canto|act|scene|stave|fit|epistle"
_CHAPTER = re.compile(rf"^(?P<label>{_LABEL_WORDS})\s+{_NUMERAL}\b(?:[.:—–-]{{0,2}}\s*(?P<title>.{{1,90}}))?$", re.I)
_ROMAN = re.compile(r"^(?=[IVXLC])M*(?:C[MD]|D?C{0,3})(?:X[CL]|L?X{0,3})(?:I[XV]|V?I{0,3})\.?$")
_ROMAN_TITLED = re.compile(r"^(?P<num>[IVXLC]{1,7})\.\s+(?P<title>[A-Z‘“\"'].{0,100})$")
_NUMBERED = re.compile(r"^(\d{1,3})\.\s+(\S.{0,100})$")
_FUNCTION_END = re.compile(r"\b(?:the|a|an|and|or|of|to|in|on|for|with|by|at|from|that|which)$", re.I)
_ORDINAL_WORDS = r"first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|last|final"
# the ordinal before the label word: "FIRST ACT", "The Second Book", "Third Part: The Town"
_ORDINAL_LABEL = re.compile(
    rf"^(?:the\s+)?(?:{_ORDINAL_WORDS})\s+(?P<label>{_LABEL_WORDS})\b"
    rf"(?:[.:—–-]{{1,2}}\s*(?P<title>.{{1,90}}))?\.?$",
    re.I,
)
_LABEL_ONLY = re.compile(
    rf"^(?:(?:{_LABEL_WORDS})\s+(?:the\s+)?\S+|[IVXLC]+|(?:the\s+)?(?:{_ORDINAL_WORDS})\s+(?:{_LABEL_WORDS}))\.?$", re.I
)
_MATTER = re.compile(
    r"^(?:preface|foreword|introduction|prologue|prelude|epilogue|afterword|conclusion|postscript|appendix|"
    r"notes?|dedication|to the reader|author'?s note|translator'?s note|glossary|index|bibliography)\b.{0,60}$",
    re.I,
)
_YEAR = (
    r"(?:1[5-9]\d\d|20\d\d|"
    r"M{1,2}(?:CM|DCCC|DCC|DC|D|CD|CCC|CC|C)?(?:XC|LXXX|LXX|LX|L|XL|XXX|XX|X)?(?:IX|VIII|VII|VI|V|IV|III|II|I)?)"
)
_DATELINE = re.compile(
    rf"^[A-Z][\w .'’-]{{1,40}},\s*(?:\d{{1,2}}(?:st|nd|rd|th)?\s+)?(?:[A-Za-z]+\.?\s+)?"
    rf"(?:\d{{1,2}}(?:st|nd|rd|th)?,?\s+)?{_YEAR}\.?$"
)
_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?"
)
_DIARY_DATE = re.compile(
    rf"^(?:(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday),?\s+)?"
    rf"(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH})(?:,?\s+\d{{4}})?\.?$"
)
_EDITION = re.compile(r"\b(?:impression|edition|printing|reprinted|printed|copyright|published|thousand)\b", re.I)
_RANK = {"volume": 0, "book": 1, "part": 2, "act": 2}  # every other label word is a chapter (rank 3)


def _label(text: str) -> re.Match[str] | None:
    """A chapter-style label, unless the line is a sentence that happens to start with "Part two of…"."""
    m = _CHAPTER.match(text) or _ORDINAL_LABEL.match(text)
    if m is None:
        return None
    title = (m.group("title") or "").strip()
    if title and title[0].islower() and len(title.split()) >= 3 and title.endswith((".", "!", "?", ",")):
        return None
    return m


def kind_of(text: str) -> str | None:
    """The shape of a line that could be a heading: label, roman, roman-titled, numbered, caps, weak or None."""
    t = text.strip()
    if not t or "\n" in t or len(t) > 120 or len(t.split()) > 16:
        return None
    if _label(t):
        return "label"
    if _ROMAN.match(t):
        return "roman"
    m = _ROMAN_TITLED.match(t)
    if m and len(t.split()) <= 14 and not t.endswith((",", ";", ":")):
        return "roman-titled"
    m = _NUMBERED.match(t)
    if (m and not t.endswith((".", ",", ";", ":"))) or (m and t.endswith("...")):
        return "numbered" if len(t.split()) <= 12 else None
    letters = [c for c in t if c.isalpha()]
    if len(letters) >= 4 and all(not c.islower() for c in letters) and len(t.split()) <= 16:
        return None if t.endswith((",", ";", ":")) else "caps"
    return "weak" if _weak_shape(t) else None


def _weak_shape(t: str) -> bool:
    """A short title-like line; context and the book's pattern decide whether it is a heading."""
    if len(t) > 90:
        return False
    words = t.split()
    if not words or len(words) > 12:
        return False
    if not (t[0].isupper() or t[0].isdigit() or t[0] in "‘“\"'"):
        return False
    bare = t.rstrip("\"”’')]")
    if bare.endswith((".", ",", ";", ":", "…", "-", "–", "—")) and not bare.endswith(". . ."):
        return False
    if t.endswith("?") and not is_title_case(t):
        return False
    if LIST_ITEM.match(t) or "http" in t or t.count(",") >= 2 or is_date_line(t):
        return False
    if t[0] in '“"' and re.search(r"[.!?,]", t[1:-1]):
        return False  # a line of dialogue
    return not _FUNCTION_END.search(t)


def is_matter(text: str) -> bool:
    """A front- or back-matter word every book may use as a heading: PREFACE, INTRODUCTION, NOTES…"""
    return bool(_MATTER.match(text.strip()))


def subtitle_heading(b: Block, title_level: int, nxt: Block) -> bool:
    """A heading under the title's, one level down or more, with no text of its own before the next heading,
    which is no deeper (so not its child), and no label's shape: the title page's subtitle ("Rendered into
    English prose for the use of…" in an <h3> over the <h2> sections)."""
    t = b.text.strip()
    return (
        b.kind == "heading"
        and b.level > title_level
        and nxt.kind == "heading"
        and nxt.level <= b.level
        and kind_of(t) not in ("label", "roman", "roman-titled", "numbered")
        and not is_matter(t)
        and not re.fullmatch(r"(?:table\s+of\s+)?contents\s*[.:]?", t, re.I)
    )


def _never_heading(t: str, prev: Block | None) -> bool:
    """Signatures, datelines and edition lines: short, often in capitals, and never headings."""
    t = t.strip()
    if prev is not None and prev.kind == "para" and prev.text.rstrip().endswith(","):
        return True  # "Your loving," / "MOTHER": a letter's signature
    if _MATTER.match(t):
        return False  # "PREFACE TO THE SECOND EDITION."
    if _DATELINE.match(t) or _EDITION.search(t):
        return True
    if t.endswith("!"):  # "Lost, utterly lost!" is dialogue; "So you are saying Lenin led to Stalin!" a title
        return "," in t or len(t.split()) < 4
    return t.endswith(".") and not _label(t) and not _ROMAN.match(t) and not _ROMAN_TITLED.match(t)


def _title_line(t: str) -> bool:
    """The title line under a bare label ("CHAPTER THE FIRST." / "IN WHICH THE LAMPS ARE LIT."): short,
    capitals or title-like, and allowed the full stop old books print after it."""
    bare = t.rstrip(".")
    if not bare or len(bare) > 100 or len(bare.split()) > 14 or _DATELINE.match(t) or _EDITION.search(t):
        return False
    if "," in bare or ". " in bare:
        return False  # "To Mrs. Saville, England.": an address or a sentence, not a title
    if re.search(r"[A-Z]{2}(?=[A-Z][a-z])", bare):
        return False  # "SCENEThe quay at dusk.": two lines glued in a run-together text, no title
    if re.fullmatch(_LABEL_WORDS, bare.strip(), re.I):
        return False  # "FIRST ACT" / "SCENE": a label word alone introduces the setting, it is no title
    return kind_of(bare) in ("caps", "weak")


def prev_is_end(prev: Block | None) -> bool:
    """What comes before a heading: nothing, a heading, or a finished paragraph."""
    return prev is None or prev.kind == "heading" or (prev.kind == "para" and ends_sentence(prev.text))


def _is_prose(b: Block) -> bool:
    return b.kind == "para" and (ends_sentence(b.text) or len(b.text.split()) >= 12)


def _numbered_run(blocks: list[Block], i: int) -> bool:
    """Is the numbered line at i part of a numbered list (its neighbour numbered one more or one less)?"""
    num = _NUMBERED.match(blocks[i].text.strip())
    if num is None:
        return False
    for j, step in ((i + 1, 1), (i - 1, -1)):
        if 0 <= j < len(blocks) and blocks[j].kind == "para":
            other = _NUMBERED.match(blocks[j].text.strip())
            if other and int(other.group(1)) == int(num.group(1)) + step:
                return True
    return False


def _roman_sequence(values: list[int]) -> bool:
    """Roman-numbered titles are the book's headings when they count up (restarting at I is allowed)."""
    if len(values) < 2:
        return False
    steps = sum(1 for a, b in itertools.pairwise(values) if b == a + 1 or b == 1)
    return steps >= (len(values) - 1) / 2


_WORD_NUMERAL = re.compile(r"^([A-Z][A-Za-z]{2,15})\s+([IVXLC]{1,7}|\d{1,3})\.?$")


def _own_labels(blocks: list[Block]) -> set[str]:
    """Words a book uses as its own labels: a capitalised word and a numeral standing alone, at least twice,
    counting up (SERMON I, SERMON II; Essay 1, Essay 2)."""
    seen: dict[str, list[str]] = {}
    for b in blocks:
        if b.kind == "para" and len(b.text) < 30:
            m = _WORD_NUMERAL.match(b.text.strip())
            if m:
                seen.setdefault(m.group(1).lower(), []).append(m.group(2))
    own = set()
    for word, numerals in seen.items():
        values = [int(x) if x.isdigit() else _roman_value(x) for x in numerals]
        if len(values) >= 2 and _roman_sequence(values):
            own.add(word)
    return own


def detect_headings(blocks: list[Block]) -> list[Block]:
    """Mark headings in a text that has no structural ones, then give them levels."""
    out = list(blocks)
    n = len(out)
    kinds = [kind_of(b.text) if b.kind == "para" else None for b in out]
    own = _own_labels(out)
    if own:  # "SERMON I.", "SERMON II.": a label word of this book's own, used like CHAPTER
        kinds = [
            "label"
            if b.kind == "para" and (m := _WORD_NUMERAL.match(b.text.strip())) and m.group(1).lower() in own
            else k
            for b, k in zip(out, kinds, strict=True)
        ]
    for i in _numbers_over_titles(out):  # "1" / "The Old Sea-dog" / prose: a chapter number standing alone
        kinds[i] = "label"
    entries, listed = listed_titles(out)
    for i in entries:
        kinds[i] = None  # the contents list on the title page: "I. Of Monarchy and Hereditary Succession."
    for i in listed:
        kinds[i] = "listed"  # …and the heading it announces: "OF MONARCHY AND HEREDITARY SUCCESSION"
    roman_titled = [
        _roman_value(m.group("num"))
        for b, k in zip(out, kinds, strict=True)
        if k == "roman-titled" and (m := _ROMAN_TITLED.match(b.text.strip()))
    ]
    accept_roman_titled = _roman_sequence(roman_titled)
    glued = [b for b in out if b.kind == "heading"]
    labelled = sum(1 for k in kinds if k in ("label", "roman", "listed")) + len(roman_titled) * accept_roman_titled
    labelled += sum(1 for b in glued if kind_of(b.text) in ("label", "roman", "roman-titled", "numbered"))
    titled_caps = _caps_titles_with_stops(out, kinds)
    caps_candidates = sum(
        1
        for i, k in enumerate(kinds)
        if k == "caps"
        and (i in titled_caps or not _never_heading(out[i].text, out[i - 1] if i else None))
        and not _MATTER.match(out[i].text)
    )
    dates = [i for i, b in enumerate(out) if b.kind == "para" and _DIARY_DATE.match(b.text.strip())]
    if labelled < 2 and len(dates) >= 3:  # a diary: its dated entries are its sections
        for i in dates:
            if i + 1 < n and _is_prose(out[i + 1]):
                out[i] = replace(out[i], kind="heading", strong=True, text=out[i].text.strip().rstrip("."))
    shapes = ("label", "roman", "roman-titled", "numbered")
    first_label = next(
        (k for k, b in enumerate(out) if kinds[k] in shapes or (b.kind == "heading" and kind_of(b.text) in shapes)), n
    )
    for i, b in enumerate(out):
        kind = kinds[i]
        prev = out[i - 1] if i > 0 else None
        nxt = out[i + 1] if i + 1 < n else None
        if b.kind != "para" or nxt is None:
            continue
        t = b.text.strip()
        after_label = prev is not None and prev.kind == "heading" and _label_only(prev.text, own)
        if after_label and _title_line(t) and _is_prose(nxt):
            out[i] = replace(b, kind="heading", strong=kind == "caps")  # the label's title line: merged below
            continue
        if kind is None:
            continue
        strong = (
            kind in ("label", "roman", "listed")
            or (kind == "roman-titled" and accept_roman_titled)
            or (kind == "numbered" and not _numbered_run(out, i))
            or (
                kind == "caps"
                and (i in titled_caps or not _never_heading(t, prev))
                and (
                    _MATTER.match(t)
                    or (labelled < 2 and caps_candidates >= 2)
                    or (
                        labelled >= 2
                        and i < first_label
                        and (prev is None or prev.kind != "heading")  # under a heading: its subtitle
                        and _front_piece(out, i, first_label)
                    )
                )
            )
        )
        if strong and kind == "caps" and _caps_block(out, i):
            strong = False  # a dedication or title page in capitals, several lines long: not a title
        if strong:
            out[i] = replace(b, kind="heading", strong=True)
            continue
        if kind != "weak" or _never_heading(t, prev):
            continue
        above_part = kind_of(nxt.text) in ("roman", "label")
        if labelled >= 2 and not after_label and not _MATTER.match(t) and not above_part:
            continue  # the book numbers its headings: a short line between paragraphs is prose
        if above_part and prev_is_end(prev):
            out[i] = replace(b, kind="heading", strong=False)  # a story's title above its part "I"
            continue
        prev_ok = (
            prev is None
            or (prev.kind == "heading" and prev.strong)
            or (prev.kind == "para" and ends_sentence(prev.text) and not prev.text.rstrip().endswith(":"))
        )
        if prev is not None and prev.kind == "heading" and not after_label:
            continue  # two headings in a row: the second is a short opening line, not a heading
        if prev_ok and _is_prose(nxt) and kind_of(nxt.text) != "weak":
            out[i] = replace(b, kind="heading", strong=False)
    return assign_levels(_merge_labels(_lists_of_labels(out), own))


def _label_style(text: str) -> tuple[str, bool] | None:
    """A label's word and whether its ordinal comes first: ("act", False) for "ACT II.", ("act", True) for
    "SECOND ACT" — a book numbers its own headings one way."""
    m = _label(text)
    return (m.group("label").lower(), m.re is _ORDINAL_LABEL) if m else None


def _lists_of_labels(blocks: list[Block]) -> list[Block]:
    """Labels of one word in a row with no text between them ("ACT I. A Flat", "ACT II. The Garden") that the
    book never repeats as headings are a list (a play's scenes, a summary), not empty sections. A contents
    list the text repeats is left for drop_contents."""
    keys = [re.sub(r"[\W_]+", " ", b.text).strip().lower() if b.kind == "heading" else "" for b in blocks]
    out = list(blocks)
    i = 0
    while i < len(blocks):
        style = _label_style(blocks[i].text) if blocks[i].kind == "heading" else None
        j = i + 1
        while style and j < len(blocks) and blocks[j].kind == "heading" and _label_style(blocks[j].text) == style:
            j += 1
        run = range(i, j)
        if j - i >= 2 and not any(keys[k] in keys[j:] for k in run):
            for k in run:
                out[k] = replace(blocks[k], kind="para", strong=False)
        i = j
    return out


_BARE_NUMBER = re.compile(r"^(\d{1,3})\.?$")
LISTED_ENTRY = re.compile(r"^(?:[IVXLC]{1,7}|\d{1,3})\.\s+(?P<title>\S.{2,240})$")


def entry_key(text: str) -> str:
    """A title's words, case, punctuation and a leading list number aside: "II. Of Monarchy…" ~ "OF MONARCHY…"."""
    m = LISTED_ENTRY.match(text.strip())
    return re.sub(r"[\W_]+", " ", m.group("title") if m else text).strip().lower()


def listed_titles(blocks: list[Block]) -> tuple[set[int], set[int]]:
    """A numbered list in the book's first quarter ("I. Of the Origin and Design of Government…", "II. Of
    Monarchy…") whose titles come back later as lines of their own, unnumbered and perhaps in capitals
    ("OF MONARCHY AND HEREDITARY SUCCESSION"), is the book's contents: the later lines are its headings,
    however long. Two such at least. Returns (the list's matched entries, the headings); one pass each way."""
    entries: dict[str, int] = {}
    for i, b in enumerate(blocks[: len(blocks) // 4 + 1]):
        if b.kind == "para" and len(b.text) <= 250 and LISTED_ENTRY.match(b.text.strip()):
            entries.setdefault(entry_key(b.text), i)
    if len(entries) < 2:
        return set(), set()
    found: dict[str, int] = {}
    for j in range(min(entries.values()) + 1, len(blocks)):
        b = blocks[j]
        if b.kind != "para" or len(b.text) > 250 or kind_of(b.text) not in ("caps", "weak"):
            continue  # a title's shape: in capitals or title-like, never a sentence ("Yes.") nor numbered
        k = re.sub(r"[\W_]+", " ", b.text).strip().lower()
        if k in entries and entries[k] < j and k not in found:
            found[k] = j
    if len(found) < 2:
        return set(), set()
    return {entries[k] for k in found}, set(found.values())


def _numbers_over_titles(blocks: list[Block]) -> list[int]:
    """Chapter numbers printed alone over a title line ("1" / "The Old Sea-dog at the Admiral Benbow" /
    prose), counting up through the book (restarting at 1 is allowed). A page number also stands alone,
    but inside the text, never over a title line with prose under it."""
    found = [
        i
        for i, b in enumerate(blocks[:-2])
        if b.kind == "para"
        and _BARE_NUMBER.match(b.text.strip())
        and (prev_is_end(blocks[i - 1] if i else None) or kind_of(blocks[i - 1].text) == "label")
        and blocks[i + 1].kind == "para"
        and _title_line(blocks[i + 1].text.strip())
        and _is_prose(blocks[i + 2])
    ]
    values = [int(_BARE_NUMBER.match(blocks[i].text.strip()).group(1)) for i in found]  # type: ignore[union-attr]
    return found if len(found) >= 2 and _roman_sequence(values) else []


def _caps_block(blocks: list[Block], i: int) -> bool:
    nxt = blocks[i + 1] if i + 1 < len(blocks) else None
    if nxt is None or nxt.kind != "para" or len(nxt.text.split()) < 10:
        return False
    letters = [c for c in nxt.text if c.isalpha()]
    return bool(letters) and not any(c.islower() for c in letters)


def _caps_titles_with_stops(blocks: list[Block], kinds: list[str | None]) -> set[int]:
    """Lines in capitals ending in a full stop ("THE RAVEN.") are signatures when they close a text, but
    titles when they open one: after a finished paragraph (or nothing) and over a paragraph of eight words
    or more. Two such at least make it the book's pattern."""
    found = {
        i
        for i, k in enumerate(kinds)
        if k == "caps"
        and blocks[i].text.rstrip().endswith(".")
        and not _DATELINE.match(blocks[i].text.strip())
        and prev_is_end(blocks[i - 1] if i else None)
        and i + 1 < len(blocks)
        and blocks[i + 1].kind == "para"
        and kinds[i + 1] != "caps"
        and _words_under(blocks, i) >= 8
    }
    return found if len(found) >= 2 else set()


def _words_under(blocks: list[Block], i: int) -> int:
    """Words in the (up to three) paragraphs under a line, up to the next line in capitals."""
    words = 0
    for b in blocks[i + 1 : i + 4]:
        if b.kind != "para" or kind_of(b.text) == "caps":
            break
        words += len(b.text.split())
    return words


def _front_piece(blocks: list[Block], i: int, end: int) -> bool:
    """Before a labelled book's first label, a line in capitals over prose is the title of a piece of its
    own ("THE CUSTOM-HOUSE", a preface poem's "TO THE HESITATING PURCHASER"): two paragraphs at least, of
    twenty words on average, up to the next line in capitals or the first label. A cast list or a list of
    scenes under "DRAMATIS PERSONAE" is short lines, and stays text."""
    paras: list[str] = []
    for b in blocks[i + 1 : end]:
        if b.kind != "para" or (kind_of(b.text) == "caps" and len(paras) >= 1):
            break
        if kind_of(b.text) != "caps":
            paras.append(b.text)
    words = sum(len(p.split()) for p in paras)
    return len(paras) >= 2 and words >= 20 * len(paras)


def _label_only(text: str, own: set[str]) -> bool:
    """A label with no title: "CHAPTER IV", "XII.", or one of the book's own ("SERMON II.")."""
    t = text.strip()
    m = _WORD_NUMERAL.match(t)
    return bool(_LABEL_ONLY.match(t) or _BARE_NUMBER.match(t)) or bool(m and m.group(1).lower() in own)


def _merge_labels(blocks: list[Block], own: set[str]) -> list[Block]:
    """ "CHAPTER IV" followed by its title line is one heading; "CHAPTER I." alone is "CHAPTER I"."""
    merged: list[Block] = []
    for b in blocks:
        if (
            merged
            and b.kind == "heading"
            and merged[-1].kind == "heading"
            and _label_only(merged[-1].text, own)
            and not _label_only(b.text, own)
            and kind_of(b.text) not in ("label", "roman-titled", "numbered")
        ):
            merged[-1] = replace(merged[-1], text=f"{merged[-1].text.strip().rstrip('.')}: {b.text.strip()}")
            continue
        merged.append(b)
    return [
        replace(b, text=b.text.strip().rstrip("."))
        if b.kind == "heading" and b.strong and b.text.strip().endswith(".") and _label_only(b.text, own)
        else b
        for b in merged
    ]


def _rank(text: str) -> int | None:
    """How high a heading sits: 0 volume, 1 book, 2 part, 3 chapter, 4 a numbered heading; None: unranked."""
    t = text.strip()
    m = _label(t)
    if m:
        return _RANK.get(m.group("label").lower(), 3)
    if _ROMAN.match(t) or _ROMAN_TITLED.match(t) or _NUMBERED.match(t) or re.match(r"\d{1,3}(?::\s|\.?$)", t):
        return 4
    return None


def assign_levels(blocks: list[Block]) -> list[Block]:
    """Levels from the labels the book uses: its highest rank is level 1, the next level 2, and so on.
    A numbered heading is a chapter when the book has no chapter labels; unranked headings (PREFACE, a
    title in capitals) sit at the top level."""
    ranks = [_rank(b.text) if b.kind == "heading" else None for b in blocks]
    bare = [b.kind == "heading" and bool(_ROMAN.match(b.text.strip())) for b in blocks]
    if any(bare) and any(r == 4 and not is_bare for r, is_bare in zip(ranks, bare, strict=True)):
        ranks = [5 if is_bare else r for r, is_bare in zip(ranks, bare, strict=True)]  # "I." parts of "I. A TITLE"
    titles_above = [
        i
        for i, b in enumerate(blocks[:-1])
        if b.kind == "heading" and ranks[i] is None and not _MATTER.match(b.text) and ranks[i + 1] is not None
    ]
    if titles_above and all(
        r is not None or i in titles_above or _MATTER.match(blocks[i].text) or blocks[i].kind != "heading"
        for i, r in enumerate(ranks)
    ):
        top = min(r for r in ranks if r is not None) - 1
        ranks = [top if i in titles_above else r for i, r in enumerate(ranks)]
    present = {r for r in ranks if r is not None}
    if 4 in present and 3 not in present:
        ranks = [3 if r == 4 else r for r in ranks]
        present = (present - {4}) | {3}
    if len(present) < 2:
        return blocks
    level_of = {r: k + 1 for k, r in enumerate(sorted(present))}
    return [
        replace(b, level=level_of[r] if r is not None else 1) if b.kind == "heading" else b
        for b, r in zip(blocks, ranks, strict=True)
    ]
