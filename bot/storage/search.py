"""Full-text search over paragraphs: the one function that knows the index is SQLite's FTS5."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.storage.db import Executor

_WORD = re.compile(r"[\w’']+", re.UNICODE)


@dataclass(frozen=True)
class Hit:
    book_id: int
    book_title: str
    section_id: int
    section_position: int
    heading: str | None
    paragraph_id: int
    paragraph_position: int
    text: str
    snippet: str


def fts_query(words: str) -> str | None:
    """Every word must appear (prefix match on the last), quoted so FTS5 syntax in input is just text."""
    tokens = [t.replace("’", "'").replace('"', "") for t in _WORD.findall(words)]
    tokens = [t for t in tokens if t.strip("'")]
    if not tokens:
        return None
    quoted = [f'"{t}"' for t in tokens]
    quoted[-1] += "*"
    return " ".join(quoted)


async def search_paragraphs(
    db: Executor, words: str, *, limit: int = 10, book_id: int | None = None, max_section_id: int | None = None
) -> list[Hit]:
    """Best matches first; `book_id` narrows to one book."""
    query = fts_query(words)
    if query is None:
        return []
    where = ["paragraphs_fts MATCH ?"]
    params: list[object] = [query]
    if book_id is not None:
        where.append("s.book_id = ?")
        params.append(book_id)
    rows = await db.fetchall(
        "SELECT b.id AS book_id, b.title, s.id AS section_id, s.position AS section_position, s.heading, "
        "p.id AS paragraph_id, p.position AS paragraph_position, p.text, "
        "snippet(paragraphs_fts, 0, '**', '**', '…', 24) AS snippet "
        "FROM paragraphs_fts JOIN paragraphs p ON p.id = paragraphs_fts.rowid "
        "JOIN sections s ON s.id = p.section_id JOIN books b ON b.id = s.book_id "
        f"WHERE {' AND '.join(where)} ORDER BY bm25(paragraphs_fts) LIMIT ?",
        (*params, limit),
    )
    return [
        Hit(
            r["book_id"],
            r["title"],
            r["section_id"],
            r["section_position"],
            r["heading"],
            r["paragraph_id"],
            r["paragraph_position"],
            r["text"],
            r["snippet"],
        )
        for r in rows
    ]
