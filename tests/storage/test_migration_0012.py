"""Migration 0012: paragraphs enter the full-text index in one statement per book, not through a per-row trigger.
A database indexed by the old trigger keeps its index; books added after it are found once each, and deleting a
book still takes its paragraphs out of the index."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.storage import books as book_store
from bot.storage.books import NewBook, NewParagraph, NewSection
from bot.storage.db import Database
from bot.storage.search import search_paragraphs

T = "2026-11-02T09:00:00Z"


def _book(sha: str, *paragraphs: str) -> NewBook:
    section = NewSection("One", 1, tuple(NewParagraph(p) for p in paragraphs), words=10, minutes=1)
    return NewBook("New", (), None, "new.txt", "txt", sha, (section,))


async def _found(db: Database, words: str) -> list[int]:
    return sorted(hit.paragraph_id for hit in await search_paragraphs(db, words))


async def test_old_index_kept_new_books_indexed_once_and_deletes_still_leave(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "old.sqlite3", migrate=False)
    try:
        assert await db.migrate(squashed=False, target=11) == 11
        async with db.transaction() as tx:  # a book stored while the trigger indexed each row
            await tx.execute(
                "INSERT INTO books (id, title, source_name, source_format, source_sha256, words, added_at) "
                "VALUES (1, 'Old', 'old.txt', 'txt', 'sha-old', 10, ?)",
                (T,),
            )
            await tx.execute(
                "INSERT INTO sections (id, book_id, position, text, words, minutes) VALUES (1, 1, 1, 't', 10, 1)"
            )
            await tx.execute(
                "INSERT INTO paragraphs (id, section_id, position, text) VALUES (1, 1, 1, 'The kestrel hovered.')"
            )
        assert await db.migrate(squashed=False) == 12
        assert await db.fetchone("SELECT 1 FROM sqlite_master WHERE name = 'paragraphs_fts_insert'") is None

        async with db.transaction() as tx:
            new_id = await book_store.insert(
                tx, _book("sha-new", "A kestrel over the mill.", "The miller slept."), datetime.now(UTC)
            )
        new_ids = [row["id"] for row in await db.fetchall("SELECT id FROM paragraphs WHERE id != 1 ORDER BY id")]
        assert await _found(db, "kestrel") == [1, new_ids[0]]  # the old row and the new one, each once
        assert await _found(db, "miller") == [new_ids[1]]
        assert (await db.fetchone("SELECT count(*) FROM paragraphs_fts"))[0] == 3  # type: ignore[index]

        assert await book_store.delete(db, new_id)
        assert await _found(db, "kestrel") == [1]
        assert await _found(db, "miller") == []
        async with db.transaction() as tx:  # the integrity check fails if index and table disagree
            await tx.execute("INSERT INTO paragraphs_fts (paragraphs_fts) VALUES ('integrity-check')")
    finally:
        await db.close()


async def test_a_fresh_database_indexes_every_paragraph_of_a_new_book(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "fresh.sqlite3")
    try:
        async with db.transaction() as tx:
            await book_store.insert(tx, _book("sha-a", "Ravens at dawn.", "Herons at dusk."), datetime.now(UTC))
            await book_store.insert(tx, _book("sha-b", "Herons again."), datetime.now(UTC))
        assert len(await _found(db, "herons")) == 2
        assert len(await _found(db, "ravens")) == 1
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO paragraphs_fts (paragraphs_fts) VALUES ('integrity-check')")
    finally:
        await db.close()
