"""A reading's text as the files and pages show it: sections with their book numbers, numbered paragraphs, notes.

Pure data. Numbers are the book's own, the ones the bot cites ("§3 ¶9" is section position 3, paragraph
position 9), so an anchor built by `paragraph_anchor` is where a citation leads in every format.
"""

from __future__ import annotations

from dataclasses import dataclass


def paragraph_anchor(section: int, paragraph: int) -> str:
    """The id of §section ¶paragraph in pages and files: ``p-3-9``."""
    return f"p-{section}-{paragraph}"


def section_anchor(section: int) -> str:
    return f"s-{section}"


def note_anchor(section: int, note: int) -> str:
    return f"n-{section}-{note}"


@dataclass(frozen=True)
class TextParagraph:
    number: int  # position in its section, 1-based: the ¶ of a citation
    text: str


@dataclass(frozen=True)
class TextSection:
    number: int  # position in its book, 1-based: the § of a citation
    heading: str | None
    level: int
    paragraphs: tuple[TextParagraph, ...]
    notes: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return self.heading or ("Opening" if self.number == 1 else f"Section {self.number}")

    @property
    def anchor(self) -> str:
        return section_anchor(self.number)

    def paragraph_id(self, paragraph: TextParagraph) -> str:
        return paragraph_anchor(self.number, paragraph.number)

    def note_id(self, index: int) -> str:
        """Id of the section's note ``index`` (1-based)."""
        return note_anchor(self.number, index)


@dataclass(frozen=True)
class ReadingText:
    """One reading: a run of sections of one book."""

    identifier: str  # stable across exports of the same text (EPUB dc:identifier)
    title: str
    book_title: str
    authors: tuple[str, ...]
    sections: tuple[TextSection, ...]
    number: int | None = None  # the plan's reading number, when it is one
    language: str = "en"

    @property
    def byline(self) -> str:
        return ", ".join(self.authors) if self.authors else "unknown author"

    @property
    def has_notes(self) -> bool:
        return any(s.notes for s in self.sections)

    @property
    def words(self) -> int:
        return sum(len(p.text.split()) for s in self.sections for p in s.paragraphs)

    def file_stem(self) -> str:
        """A safe file name stem: reading-3 or the identifier."""
        return f"reading-{self.number}" if self.number is not None else self.identifier
