"""Full-text search over paragraphs: the one function that knows the index is SQLite's FTS5."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.storage.db import Executor

_WORD = re.compile(r"[\w’']+", re.UNICODE)
_OPEN, _CLOSE = "\x02", "\x03"  # where highlight() marks a match; ingestion strips control characters
BOLD = "**"  # how matches are shown, in snippets and excerpts alike


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
    marked: str = ""  # `text` with every match between _OPEN and _CLOSE (FTS5 highlight())

    def excerpt(self, start: int, end: int) -> str:
        """The paragraph's characters start..end with the matched words in bold, as in `snippet`."""
        return bold_span(self.marked or self.text, start, end)


async def index_book(db: Executor, book_id: int) -> None:
    """Add a newly stored book's paragraphs to the full-text index in one statement (migration 0012): a trigger
    fired per row cost about four times as much. Deleting a paragraph still takes it out through its trigger."""
    await db.execute(
        "INSERT INTO paragraphs_fts (rowid, text) SELECT p.id, p.text FROM paragraphs p "
        "JOIN sections s ON s.id = p.section_id WHERE s.book_id = ? ORDER BY p.id",
        (book_id,),
    )


def bold_span(marked: str, start: int, end: int) -> str:
    """Characters start..end of the unmarked text, with the marked matches inside them in bold."""
    out: list[str] = []
    position = 0
    opened = False
    for char in marked:
        if char == _OPEN:
            if start <= position < end:
                out.append(BOLD)
                opened = True
        elif char == _CLOSE:
            if opened:
                out.append(BOLD)
                opened = False
        else:
            if start <= position < end:
                out.append(char)
            position += 1
    if opened:
        out.append(BOLD)
    return "".join(out)


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
        f"snippet(paragraphs_fts, 0, '{BOLD}', '{BOLD}', '…', 24) AS snippet, "
        f"highlight(paragraphs_fts, 0, '{_OPEN}', '{_CLOSE}') AS marked "
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
            r["marked"],
        )
        for r in rows
    ]
