"""A book whose every line break was removed: one line, its sentences and headings joined by one space.

Nothing marks a paragraph any more, and a heading sits between two sentences with a space on each side
("…a good one. OF MONARCHY AND HEREDITARY SUCCESSION Mankind being…", "…By Jane Austen Chapter 1 It is
a truth…"). Only the book's own pattern cuts such a line: chapter labels whose numbers count up, Roman-
numbered entries counting up (a contents list), and lines in capitals after a sentence end. The pieces
between are paragraphs; the heading rules decide later what a capitals line is (a title or a shout).
Every scan is one regex pass over the line.
"""

from __future__ import annotations

import itertools
import re

from bot.ingest.clean.model import Block

_MIN_LENGTH = 10_000  # a whole book, or a long part of one, on a single line; a paragraph is far shorter

_SENTENCE_END = re.compile(r"[.!?][\"”’')\]]*\s$")
_LABEL = re.compile(
    r"(?<!\S)(?P<label>(?:CHAPTER|Chapter|BOOK|Book|PART|Part|LETTER|Letter|STAVE|Stave|SECTION|Section)"
    r"\s+(?P<num>\d{1,3}|[IVXLC]{1,7}))\.?(?=\s+[\"“‘']?[A-Z])"
)
_ENTRY = re.compile(r"(?<=[.!?]\s)(?P<num>[IVXLC]{1,7})\.\s+(?=[A-Z])")
_CAPS = re.compile(
    r"(?:(?<=[.!?]\s)|(?<=[.!?][\"”’)]\s))"
    r"(?P<caps>[A-Z][A-Z'’-]+(?:,?\s[A-Z][A-Z'’-]*)*)(?=\s(?:[A-Z][a-z]|[AI]\s|[\"“‘][A-Z]))"
)
_FIRST_SENTENCE_END = re.compile(r"[.!?](?=\s+[A-Z\"“‘])")
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


def is_flattened(line: str) -> bool:
    """A line long enough to be a whole book run into one (a sentence end and a space between paragraphs)."""
    return len(line) >= _MIN_LENGTH


def _value(numeral: str) -> int:
    if numeral.isdigit():
        return int(numeral)
    total = 0
    for i, c in enumerate(numeral):
        v = _ROMAN[c]
        total += -v if i + 1 < len(numeral) and _ROMAN[numeral[i + 1]] > v else v
    return total


def _counting(values: list[int]) -> bool:
    """Two numbers at least, mostly one more than the one before (a restart at 1 allowed)."""
    if len(values) < 2:
        return False
    ups = sum(1 for a, b in itertools.pairwise(values) if b == a + 1 or b == 1)
    return any(b == a + 1 for a, b in itertools.pairwise(values)) and ups >= (len(values) - 1) / 2


def _after_end(line: str, at: int, opening: int = 400) -> bool:
    """After a sentence end, or on the title page at the line's start ("…By Jane Austen Chapter 1")."""
    return at < opening or bool(_SENTENCE_END.search(line[max(0, at - 6) : at]))


def split_flattened(line: str) -> list[Block]:
    """Cut a flattened book at its headings, by the pattern it shows; the text between stays paragraphs."""
    labels = [m for m in _LABEL.finditer(line) if _after_end(line, m.start())]
    by_word: dict[str, list[re.Match[str]]] = {}
    for m in labels:
        by_word.setdefault(m.group("label").split()[0].lower(), []).append(m)
    cuts: dict[int, tuple[int, str]] = {}  # start → (end, kind)
    for found in by_word.values():
        if _counting([_value(m.group("num")) for m in found]):
            cuts.update({m.start(): (m.end(), "label") for m in found})
    entries = list(_ENTRY.finditer(line))
    if _counting([_value(m.group("num")) for m in entries]):
        for m in entries:
            title_end = _FIRST_SENTENCE_END.search(line, m.end(), m.end() + 300)
            if title_end is not None:
                cuts.setdefault(m.start(), (title_end.end(), "para"))  # "II. Of Monarchy…Succession." a contents entry
    for m in _CAPS.finditer(line):
        caps = m.group("caps")
        if sum(c.isalpha() for c in caps) >= 4 and len(caps.split()) <= 16:
            cuts.setdefault(m.start(), (m.end(), "para"))
    blocks: list[Block] = []
    cursor = 0
    for start in sorted(cuts):
        end, kind = cuts[start]
        if start < cursor:
            continue
        if line[cursor:start].strip():
            blocks.append(Block("para", line[cursor:start].strip()))
        blocks.append(Block("heading" if kind == "label" else "para", line[start:end].strip(), strong=kind == "label"))
        cursor = end
    if line[cursor:].strip():
        blocks.append(Block("para", line[cursor:].strip()))
    return blocks
