"""A plain-text book's own title page and table of contents, before the text begins."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

_CONTENTS_LINE = re.compile(r"^\s*(?:table\s+of\s+)?contents\s*[.:]?\s*$", re.I)
_OPENING_HEADING = re.compile(
    r"^\s*(?:(?:chapter|book|part|volume|letter|canto|act|scene|section|stave|lecture|epistle)\s+"
    r"(?:[ivxlcdm]+|\d{1,3}|[a-z]+)\b.*|"
    r"[IVXLC]{1,7}\.?|\d{1,3}\.?|\d{1,3}\.\s+[A-Z].{0,80}|"  # a bare Roman numeral or number, a numbered title
    r"[a-z]{3,15}\s+(?:[ivxlc]{1,7}|\d{1,3})\.?|"  # any word the book may use as a label: "SERMON I."
    r"[_*]{0,2}(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday),?\s.{0,40}|"  # a diary's first entry
    r"[_*]{0,2}(?:january|february|march|april|may|june|july|august|september|october|november|december)\s+\d{1,2}"
    r"(?:st|nd|rd|th)?\b.{0,30}|"
    r"preface|foreword|introduction|prologue|prelude|dedication|to the reader|author'?s note)\s*[.:]?\s*$",
    re.I,
)
_TOC_PAGE = re.compile(r"[\s.·…_-]*\d{0,4}\s*$")  # dot leaders and a page number after a contents entry
_YEAR_LINE = re.compile(r"^\s*(1[5-9]\d\d|20\d\d)\.?\s*$")


_ROMAN_YEAR = re.compile(
    r"M{1,2}(?:CM|DCCC|DCC|DC|D|CD|CCC|CC|C)(?:XC|LXXX|LXX|LX|L|XL|XXX|XX|X)?(?:IX|VIII|VII|VI|V|IV|III|II|I)?"
)


def roman_value(numeral: str) -> int:
    """The value of a Roman numeral in capitals ("XIV" → 14); subtractive pairs read as usual."""
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
    total = 0
    for i, c in enumerate(numeral):
        v = values[c]
        total += -v if i + 1 < len(numeral) and values[numeral[i + 1]] > v else v
    return total


def roman_year(text: str) -> str | None:
    """A year printed in Roman numerals on a title page ("MCMIX" → "1909"), between 1500 and 2099."""
    for m in _ROMAN_YEAR.finditer(text):
        value = roman_value(m.group())
        if 1500 <= value <= 2099:
            return str(value)
    return None


def _toc_key(line: str) -> str:
    return re.sub(r"[\W_]+", " ", _TOC_PAGE.sub("", line.strip())).strip().lower()


def _same_entry(line: str, entry: str) -> bool:
    """A heading in the text that a contents entry announces ("CHAPTER I." ~ "CHAPTER I. THE HARBOUR")."""
    a, b = _toc_key(line), _toc_key(entry)
    return bool(a and b) and (a == b or a.startswith(b + " ") or b.startswith(a + " "))


def _blocks_of_lines(lines: list[str], start: int) -> Iterator[tuple[int, int]]:
    """(first, end) line ranges of the blank-line separated blocks from `start` on."""
    i = start
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        j = i
        while j < len(lines) and lines[j].strip():
            j += 1
        yield i, j
        i = j


def strip_contents(lines: list[str], removed: list[str]) -> list[str]:
    """Drop a table of contents: a "Contents" line and the short entries after it.

    The contents end where the text repeats its first entry as a heading, or where prose begins (then the
    last short block before the prose is given back: it is that first heading). Only the first quarter
    of the text is searched, so a chapter that mentions its contents is safe.
    """
    limit = max(40, len(lines) // 4)
    at = next((i for i, line in enumerate(lines[:limit]) if _CONTENTS_LINE.match(line)), None)
    if at is None:
        return lines
    entries: list[str] = []
    end = at + 1
    last_block: tuple[int, int] | None = None
    for first, stop in _blocks_of_lines(lines, at + 1):
        block = [x.strip() for x in lines[first:stop]]
        if entries and any(_same_entry(x, entries[0]) for x in block[:1]):
            break  # the text itself begins
        if any(len(x) > 80 for x in block) or (len(block) > 1 and not all(_toc_entry(x) for x in block)):
            if last_block is not None and last_block[1] - last_block[0] == 1 and len(entries) > 1:
                entries = entries[:-1]
                end = last_block[0]
            break
        if not all(_toc_entry(x) for x in block):
            break
        entries.extend(block)
        end = stop
        last_block = (first, stop)
    if len(entries) < 2:
        return lines
    removed.extend(x.strip() for x in lines[at:end] if x.strip())
    return lines[:at] + lines[end:]


def _toc_entry(line: str) -> bool:
    words = line.split()
    return 0 < len(words) <= 14 and len(line) <= 80 and not line.rstrip().endswith((",", ";", "!", "?"))


def _prose_line(line: str) -> bool:
    return len(line) > 60 or (line.endswith((".", "!", "?")) and len(line.split()) > 6)


_IMPRINT = re.compile(
    r"\b(?:translated|edited|illustrated|introduction|press|publish(?:ers?|ed)|printed|sons|co\.|company|"
    r"london|new york|boston|edinburgh|paris|edition|impression)\b",
    re.I,
)


def _names_known(line: str, known: set[str]) -> bool:
    """A title-page line that names the book or its author as the header does, or begins to: "GULLIVER'S
    TRAVELS" for a longer title, "BY JONATHAN SWIFT, D.D.," for the author."""
    key = _toc_key(re.sub(r"^by\s+", "", line, flags=re.I))
    return bool(key) and any(key == k or k.startswith(key + " ") or key.startswith(k + " ") for k in known)


_DEDICATION = re.compile(r"^(?:to|for|dedicated|inscribed)\b", re.I)  # "TO MY MOTHER": the page's dedication


def strip_title_page(lines: list[str], hints: dict[str, str], removed: list[str]) -> list[str]:
    """A Gutenberg book's own title page (title, "by", author, publisher, year) before the text begins.

    Dropped only when it repeats the title or author the Gutenberg header stated, and only up to the
    first heading, contents line or prose block; a year standing alone on it becomes the date hint.
    """
    known = {_toc_key(v) for k, v in hints.items() if k in ("title", "author") and v}
    if not known:
        return lines
    end = page_end = 0
    seen_known = False
    spans = list(itertools.islice(_blocks_of_lines(lines, 0), 40))
    for k, (first, stop) in enumerate(spans):
        block = [x.strip() for x in lines[first:stop]]
        if stop - first > 5 or any(len(x) > 60 for x in block):
            break
        if any(_CONTENTS_LINE.match(x) or _OPENING_HEADING.match(x) for x in block):
            break
        following = lines[spans[k + 1][0]].strip() if k + 1 < len(spans) else ""
        known_here = any(_names_known(x, known) for x in block)
        heading_above = _OPENING_HEADING.match(following) or _prose_line(following)
        imprint = bool(_IMPRINT.search(block[0]))
        if (
            seen_known
            and not known_here
            and not imprint
            and not _YEAR_LINE.match(block[0])
            and len(block) == 1
            and (heading_above)
        ):
            break  # a title right above "I", "CHAPTER I" or prose is the first heading, not the book's
        indented = all(lines[j][:1] in " \t" for j in range(first, stop))  # a verse epigraph, set in
        if not indented and any(
            x.endswith((".", "!", "?")) and len(x.split()) > 6 and not _IMPRINT.search(x) for x in block
        ):
            break  # prose ends the title page; an indented epigraph or "Printed, and Sold, by R. BELL…" does not
        seen_known = seen_known or known_here
        end = stop
        if (
            known_here
            or any(_IMPRINT.search(x) or _YEAR_LINE.match(x) or roman_year(x) for x in block)
            or (_DEDICATION.match(block[0]))
        ):
            page_end = stop  # the title page ends with its last line that names the book, a person or the press
    if not seen_known:
        return lines
    end = page_end  # a line in capitals after it ("EUTHYPHRO") is the first heading
    page = [x.strip() for x in lines[:end] if x.strip()]
    removed.extend(page)
    for x in page:
        year = _YEAR_LINE.match(x)
        if year:
            hints.setdefault("date", year.group(1))
        elif re.fullmatch(r"\s*[MDCLXVI]{4,}\.?\s*", x) and roman_year(x):
            hints.setdefault("date", roman_year(x) or "")
    return lines[end:]
