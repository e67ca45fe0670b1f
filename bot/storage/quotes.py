"""Quote candidates of the library and which of them each group has been shown."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.storage.db import Executor, Row, placeholders
from bot.timeutil import from_db, to_db


@dataclass(frozen=True)
class NewQuote:
    section_id: int
    paragraph_id: int
    paragraph_position: int
    first_sentence: int
    last_sentence: int
    start: int
    end: int
    text: str
    speaker: str | None
    score: float
    rank: int  # 1 = the section's best


@dataclass(frozen=True)
class Quote:
    id: int
    book_id: int
    book_title: str
    authors: tuple[str, ...]
    section_id: int
    section_position: int
    heading: str | None
    paragraph_position: int
    first_sentence: int
    last_sentence: int
    text: str
    speaker: str | None  # the person quoted; None: the book's author
    score: float
    rank: int
    shown_count: int = 0  # for the group asked about (0 without one)
    last_shown_at: datetime | None = None

    @classmethod
    def from_row(cls, row: Row) -> Quote:
        keys = row.keys()
        return cls(
            id=row["id"],
            book_id=row["book_id"],
            book_title=row["title"],
            authors=tuple(json.loads(row["authors"])),
            section_id=row["section_id"],
            section_position=row["section_position"],
            heading=row["heading"],
            paragraph_position=row["paragraph_position"],
            first_sentence=row["first_sentence"],
            last_sentence=row["last_sentence"],
            text=row["text"],
            speaker=row["speaker"],
            score=row["score"],
            rank=row["rank"],
            shown_count=row["shown_count"] if "shown_count" in keys and row["shown_count"] is not None else 0,
            last_shown_at=from_db(row["last_shown_at"]) if "last_shown_at" in keys and row["last_shown_at"] else None,
        )

    @property
    def byline(self) -> str:
        return ", ".join(self.authors) if self.authors else "unknown author"


_SELECT = (
    "SELECT q.id, q.book_id, b.title, b.authors, q.section_id, s.position AS section_position, s.heading, "
    "q.paragraph_position, q.first_sentence, q.last_sentence, q.text, q.speaker, q.score, q.rank"
)
_FROM = " FROM quotes q JOIN sections s ON s.id = q.section_id JOIN books b ON b.id = q.book_id"


async def insert_many(db: Executor, book_id: int, quotes: Sequence[NewQuote]) -> None:
    await db.executemany(
        "INSERT INTO quotes (book_id, section_id, paragraph_id, paragraph_position, first_sentence, last_sentence, "
        "start_offset, end_offset, text, speaker, score, rank) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                book_id,
                q.section_id,
                q.paragraph_id,
                q.paragraph_position,
                q.first_sentence,
                q.last_sentence,
                q.start,
                q.end,
                q.text,
                q.speaker,
                q.score,
                q.rank,
            )
            for q in quotes
        ],
    )


async def of_book(db: Executor, book_id: int, *, section_position: int | None = None, limit: int = 20) -> list[Quote]:
    """A book's (or one section's) quotes, best first."""
    where, params = "q.book_id = ?", [book_id]
    if section_position is not None:
        where += " AND s.position = ?"
        params.append(section_position)
    rows = await db.fetchall(_SELECT + _FROM + f" WHERE {where} ORDER BY q.score DESC, q.id LIMIT ?", (*params, limit))
    return [Quote.from_row(r) for r in rows]


async def texts_of_books(db: Executor) -> list[str]:
    """Every stored quote's text, to keep near-duplicates out of a new book."""
    return [r["text"] for r in await db.fetchall("SELECT text FROM quotes ORDER BY id")]


async def pool(
    db: Executor, group_id: int | None, section_ids: Sequence[int] | None, *, max_rank: int = 10
) -> list[Quote]:
    """The good quotes (a section's best `max_rank`) of the given sections (None: all), with the group's views."""
    params: list[object] = [group_id or 0, max_rank]
    where = "q.rank <= ?"
    if section_ids is not None:
        if not section_ids:
            return []
        where += f" AND q.section_id IN ({placeholders(section_ids)})"
        params.extend(section_ids)
    rows = await db.fetchall(
        _SELECT + ", v.shown_count, v.last_shown_at" + _FROM + " LEFT JOIN quote_views v ON v.quote_id = q.id "
        f"AND v.group_id = ? WHERE {where} ORDER BY q.id",
        params,
    )
    return [Quote.from_row(r) for r in rows]


async def get(db: Executor, quote_id: int) -> Quote | None:
    row = await db.fetchone(_SELECT + _FROM + " WHERE q.id = ?", (quote_id,))
    return Quote.from_row(row) if row else None


async def containing(db: Executor, paragraph_ids: Sequence[int]) -> dict[int, list[Quote]]:
    """Quotes of these paragraphs, by paragraph id (for `quote search`)."""
    if not paragraph_ids:
        return {}
    rows = await db.fetchall(
        _SELECT + ", q.paragraph_id" + _FROM + f" WHERE q.paragraph_id IN ({placeholders(paragraph_ids)}) "
        "ORDER BY q.score DESC",
        list(paragraph_ids),
    )
    found: dict[int, list[Quote]] = {}
    for row in rows:
        found.setdefault(row["paragraph_id"], []).append(Quote.from_row(row))
    return found


async def mark_shown(db: Executor, group_id: int, quote_id: int, now: datetime) -> None:
    await db.execute(
        "INSERT INTO quote_views (group_id, quote_id, shown_count, last_shown_at) VALUES (?, ?, 1, ?) "
        "ON CONFLICT (group_id, quote_id) DO UPDATE SET shown_count = quote_views.shown_count + 1, "
        "last_shown_at = excluded.last_shown_at",
        (group_id, quote_id, to_db(now)),
    )


async def count(db: Executor, book_id: int | None = None) -> int:
    if book_id is None:
        row = await db.fetchone("SELECT count(*) FROM quotes")
    else:
        row = await db.fetchone("SELECT count(*) FROM quotes WHERE book_id = ?", (book_id,))
    return int(row[0]) if row else 0
