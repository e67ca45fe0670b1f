"""The shapes the rest of the app consumes: a `Book` made of `Section`s made of `Paragraph`s.

Everything is frozen so a book can be shared between the storage layer, cogs and tests without anyone
mutating it behind another's back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")


@lru_cache(maxsize=8192)
def count_words(text: str) -> int:
    """Words as a reader counts them: runs of letters/digits, with inner hyphens and apostrophes.

    Cached: a paragraph is counted by the sections, the book, the section's minutes and the store, and a
    string's hash is cached by Python, so asking again costs nothing."""
    return len(_WORD.findall(text))


def estimate_minutes(words: int, words_per_minute: int) -> int:
    """Reading time rounded to whole minutes; a non-empty text never shows as 0 minutes."""
    if words <= 0:
        return 0
    return max(1, round(words / max(1, words_per_minute)))


class IngestError(Exception):
    """A problem with the uploaded file; `str(error)` is one sentence shown to the member as is."""


@dataclass(frozen=True)
class Paragraph:
    text: str
    sentences: tuple[tuple[int, int], ...]  # (start, end) char offsets into text


@dataclass(frozen=True)
class Section:
    """One reading. Split parts keep the heading; later parts carry a " (part 2/3)" suffix."""

    heading: str | None  # None = untitled
    level: int  # 1 = top level
    paragraphs: tuple[Paragraph, ...]
    notes: tuple[str, ...] = ()  # footnote texts attached to this section
    part: int = 1  # 1-based index when a long section was split into parts
    parts: int = 1  # how many parts the original section was split into

    @property
    def words(self) -> int:
        return sum(count_words(p.text) for p in self.paragraphs)

    @property
    def text(self) -> str:
        return "\n\n".join(p.text for p in self.paragraphs)

    def minutes(self, words_per_minute: int = 150) -> int:
        return estimate_minutes(self.words, words_per_minute)


@dataclass(frozen=True)
class Book:
    title: str
    authors: tuple[str, ...]
    date: str | None  # ISO "YYYY-MM-DD", "YYYY-MM" or "YYYY" when the text gives a date, else None
    sections: tuple[Section, ...]
    source_format: str  # "txt" | "md" | "html" | "epub" | "pdf"
    removed: tuple[str, ...]  # boilerplate and metadata lines removed from the reading (audit/tests)
    subtitle: str | None = None
    # editors', publishers' and translators' matter taken out of the readings (also listed in `removed`)
    provenance: tuple[str, ...] = ()

    @property
    def words(self) -> int:
        return sum(s.words for s in self.sections)


@dataclass(frozen=True)
class IngestOptions:
    words_per_minute: int = 150
    target_minutes: int = 40
    max_bytes: int = 20_000_000
    title: str | None = None
    author: str | None = None
    date: str | None = None
