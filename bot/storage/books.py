"""The library: books and their sections (the readings a plan is made of)."""

from __future__ import annotations

import difflib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.storage import search
from bot.storage.db import Executor, Row, placeholders
from bot.timeutil import from_db, to_db


@dataclass(frozen=True)
class NewParagraph:
    text: str
    sentences: tuple[tuple[int, int], ...] = ()  # (start, end) offsets of each sentence in text


@dataclass(frozen=True)
class NewSection:
    heading: str | None
    level: int
    paragraphs: tuple[NewParagraph, ...]
    words: int
    minutes: int
    notes: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return "\n\n".join(p.text for p in self.paragraphs)


@dataclass(frozen=True)
class NewBook:
    title: str
    authors: tuple[str, ...]
    date: str | None
    source_name: str
    source_format: str
    source_sha256: str
    sections: tuple[NewSection, ...]
    provenance: tuple[str, ...] = ()  # editors', publishers', translators' notes, out of the readings (#13)


@dataclass(frozen=True)
class Book:
    id: int
    title: str
    authors: tuple[str, ...]
    date: str | None
    source_name: str
    source_format: str
    words: int
    added_at: datetime
    section_count: int
    minutes: int
    provenance: tuple[str, ...] = ()  # editors', publishers', translators' notes, in book order

    @classmethod
    def from_row(cls, row: Row) -> Book:
        return cls(
            id=row["id"],
            title=row["title"],
            authors=tuple(json.loads(row["authors"])),
            date=row["date"],
            source_name=row["source_name"],
            source_format=row["source_format"],
            words=row["words"],
            added_at=from_db(row["added_at"]),
            section_count=row["section_count"],
            minutes=row["minutes"],
            provenance=tuple(json.loads(row["provenance"])),
        )

    @property
    def byline(self) -> str:
        return ", ".join(self.authors) if self.authors else "unknown author"


@dataclass(frozen=True)
class Section:
    id: int
    book_id: int
    position: int
    heading: str | None
    level: int
    text: str
    words: int
    minutes: int
    notes: tuple[str, ...]

    @classmethod
    def from_row(cls, row: Row) -> Section:
        return cls(
            id=row["id"],
            book_id=row["book_id"],
            position=row["position"],
            heading=row["heading"],
            level=row["level"],
            text=row["text"],
            words=row["words"],
            minutes=row["minutes"],
            notes=tuple(json.loads(row["notes"])),
        )

    @property
    def label(self) -> str:
        return self.heading or ("Opening" if self.position == 1 else f"Section {self.position}")

    def first_words(self, count: int = 12) -> str:
        words = self.text.split()
        return " ".join(words[:count]) + ("…" if len(words) > count else "")


class DuplicateBook(Exception):
    def __init__(self, existing: Book) -> None:
        super().__init__(existing.title)
        self.existing = existing


_BOOK_SELECT = (
    "SELECT b.id, b.title, b.authors, b.date, b.source_name, b.source_format, b.words, b.added_at, b.provenance, "
    "(SELECT count(*) FROM sections s WHERE s.book_id = b.id) AS section_count, "
    "(SELECT coalesce(sum(s.minutes), 0) FROM sections s WHERE s.book_id = b.id) AS minutes FROM books b"
)
_SECTION_SELECT = "SELECT id, book_id, position, heading, level, text, words, minutes, notes FROM sections"


async def insert(db: Executor, book: NewBook, now: datetime) -> int:
    """Store a book and all its sections; call inside a transaction so nothing is half-imported."""
    existing = await db.fetchone(_BOOK_SELECT + " WHERE b.source_sha256 = ?", (book.source_sha256,))
    if existing:
        raise DuplicateBook(Book.from_row(existing))
    book_id = await db.insert(
        "INSERT INTO books (title, authors, date, source_name, source_format, source_sha256, words, added_at, "
        "provenance) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            book.title,
            json.dumps(list(book.authors), ensure_ascii=False),
            book.date,
            book.source_name,
            book.source_format,
            book.source_sha256,
            sum(s.words for s in book.sections),
            to_db(now),
            json.dumps(list(book.provenance), ensure_ascii=False),
        ),
    )
    # four statements for the whole book, not two per section: sections in one batch, their ids read back
    # in order, every paragraph in one batch, then the FTS index of them all in one statement
    await db.executemany(
        "INSERT INTO sections (book_id, position, heading, level, text, words, minutes, notes) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                book_id,
                position,
                s.heading,
                s.level,
                s.text,
                s.words,
                s.minutes,
                json.dumps(list(s.notes), ensure_ascii=False),
            )
            for position, s in enumerate(book.sections, start=1)
        ],
    )
    ids = [
        r["id"] for r in await db.fetchall("SELECT id FROM sections WHERE book_id = ? ORDER BY position", (book_id,))
    ]
    await db.executemany(
        "INSERT INTO paragraphs (section_id, position, text, sentences) VALUES (?, ?, ?, ?)",
        [
            (section_id, number, p.text, json.dumps([list(span) for span in p.sentences]))
            for section_id, s in zip(ids, book.sections, strict=True)
            for number, p in enumerate(s.paragraphs, start=1)
        ],
    )
    await search.index_book(db, book_id)
    return book_id


async def with_source(db: Executor, source_sha256: str) -> Book | None:
    """The book stored from a file with these bytes, if any (checked before the work of adding it again)."""
    row = await db.fetchone(_BOOK_SELECT + " WHERE b.source_sha256 = ?", (source_sha256,))
    return Book.from_row(row) if row else None


async def paragraph_ids(db: Executor, book_id: int) -> list[tuple[int, list[int]]]:
    """Each section's id with its paragraphs' ids, in book order: one read, to store what was computed by
    position (quotes, argument models) against the rows just inserted."""
    found: dict[int, list[int]] = {}
    for row in await db.fetchall(
        "SELECT s.id AS section_id, p.id FROM sections s LEFT JOIN paragraphs p ON p.section_id = s.id "
        "WHERE s.book_id = ? ORDER BY s.position, p.position",
        (book_id,),
    ):
        ids = found.setdefault(row["section_id"], [])
        if row["id"] is not None:
            ids.append(row["id"])
    return list(found.items())


async def all_books(db: Executor) -> list[Book]:
    return [Book.from_row(r) for r in await db.fetchall(_BOOK_SELECT + " ORDER BY b.id")]


async def get(db: Executor, book_id: int) -> Book | None:
    row = await db.fetchone(_BOOK_SELECT + " WHERE b.id = ?", (book_id,))
    return Book.from_row(row) if row else None


async def count(db: Executor) -> int:
    row = await db.fetchone("SELECT count(*) FROM books")
    return int(row[0]) if row else 0


async def sections(db: Executor, book_id: int) -> list[Section]:
    rows = await db.fetchall(_SECTION_SELECT + " WHERE book_id = ? ORDER BY position", (book_id,))
    return [Section.from_row(r) for r in rows]


async def section(db: Executor, book_id: int, position: int) -> Section | None:
    row = await db.fetchone(_SECTION_SELECT + " WHERE book_id = ? AND position = ?", (book_id, position))
    return Section.from_row(row) if row else None


@dataclass(frozen=True)
class Paragraph:
    id: int
    section_id: int
    position: int
    text: str
    sentences: tuple[tuple[int, int], ...]

    @classmethod
    def from_row(cls, row: Row) -> Paragraph:
        spans = tuple((int(a), int(b)) for a, b in json.loads(row["sentences"]))
        return cls(row["id"], row["section_id"], row["position"], row["text"], spans)


async def paragraphs(db: Executor, section_id: int) -> list[Paragraph]:
    rows = await db.fetchall(
        "SELECT id, section_id, position, text, sentences FROM paragraphs WHERE section_id = ? ORDER BY position",
        (section_id,),
    )
    return [Paragraph.from_row(r) for r in rows]


async def sections_with_paragraphs(
    db: Executor, book_id: int, section_ids: Sequence[int]
) -> list[tuple[Section, list[Paragraph]]]:
    """The book's sections among `section_ids`, in book order, each with its paragraphs: two reads whatever the
    number of sections (a reading page's text), and none of the book's other sections."""
    if not section_ids:
        return []
    ids = list(dict.fromkeys(section_ids))
    marks = placeholders(ids)
    rows = await db.fetchall(
        _SECTION_SELECT + f" WHERE book_id = ? AND id IN ({marks}) ORDER BY position", (book_id, *ids)
    )
    found = [Section.from_row(r) for r in rows]
    by_section: dict[int, list[Paragraph]] = {s.id: [] for s in found}
    for row in await db.fetchall(
        f"SELECT id, section_id, position, text, sentences FROM paragraphs WHERE section_id IN ({marks}) "
        "ORDER BY section_id, position",
        ids,
    ):
        if row["section_id"] in by_section:
            by_section[row["section_id"]].append(Paragraph.from_row(row))
    return [(s, by_section[s.id]) for s in found]


async def delete(db: Executor, book_id: int) -> bool:
    return await db.execute("DELETE FROM books WHERE id = ?", (book_id,)) > 0


@dataclass(frozen=True)
class Resolution:
    """A lookup result: exactly one book, or the candidates to offer the member."""

    book: Book | None
    candidates: Sequence[Book]
    ambiguous: bool = False  # the candidates all contain the fragment; otherwise they are spelling guesses


async def resolve(db: Executor, ref: str) -> Resolution:
    """Find a book by id or by a title/author fragment, tolerating small misspellings."""
    books = await all_books(db)
    needle = ref.strip().lower().lstrip("#")
    if needle.isascii() and needle.isdigit():  # "²" passes isdigit() and int() refuses it
        number = int(needle) if len(needle) <= 18 else -1  # int() refuses 4,300+ digits
        match = [b for b in books if b.id == number]
        return Resolution(match[0] if match else None, ())
    exact = [b for b in books if b.title.lower() == needle]
    if len(exact) == 1:
        return Resolution(exact[0], ())
    contains = [b for b in books if needle in b.title.lower() or any(needle in a.lower() for a in b.authors)]
    if len(contains) == 1:
        return Resolution(contains[0], ())
    if contains:
        return Resolution(None, contains, ambiguous=True)
    words = {b.id: b.title.lower().split() + [w for a in b.authors for w in a.lower().split()] for b in books}
    close = [b for b in books if any(difflib.get_close_matches(needle, words[b.id], n=1, cutoff=0.75))]
    if not close:
        titles = {b.title.lower(): b for b in books}
        close = [titles[t] for t in difflib.get_close_matches(needle, list(titles), n=3, cutoff=0.5)]
    return Resolution(None, close)
