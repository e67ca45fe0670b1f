"""Finding and adding books: the one way the chat commands, the CLI and other features import and name a book."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import tomllib
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot import ingest
from bot.config import Settings
from bot.ingest.worker import analyse_in_worker, prepare_in_worker
from bot.replies import UserError
from bot.services.links import NO_LINKS, GroupLinks, linked
from bot.services.prompts import store_book_claims
from bot.services.quotes import store_book_quotes
from bot.storage import books as book_store
from bot.storage import meta
from bot.storage import quotes as quote_store
from bot.storage.books import Book, DuplicateBook, NewBook, NewParagraph, NewSection
from bot.storage.db import Database, Executor
from bot.storage.search import Hit
from bot.text import plural, section_label

log = logging.getLogger(__name__)

DEFAULT_LIBRARY_KEY = "default_library_loaded"
Now = Callable[[], datetime]


@dataclass(frozen=True)
class Overrides:
    title: str | None = None
    author: str | None = None
    date: str | None = None


def _options(settings: Settings, overrides: Overrides) -> ingest.IngestOptions:
    library = settings.library
    return ingest.IngestOptions(
        words_per_minute=library.words_per_minute,
        target_minutes=library.target_minutes,
        max_bytes=library.max_upload_mb * 1024 * 1024,
        title=overrides.title,
        author=overrides.author,
        date=overrides.date,
    )


def to_new_book(parsed: ingest.Book, *, source_name: str, data: bytes, words_per_minute: int) -> NewBook:
    """The storage shape of an ingested book."""
    return NewBook(
        title=parsed.title,
        authors=parsed.authors,
        date=parsed.date,
        source_name=source_name,
        source_format=parsed.source_format,
        source_sha256=hashlib.sha256(data).hexdigest(),
        sections=tuple(
            NewSection(
                heading=s.heading,
                level=s.level,
                paragraphs=tuple(NewParagraph(p.text, p.sentences) for p in s.paragraphs),
                words=s.words,
                minutes=ingest.estimate_minutes(s.words, words_per_minute),
                notes=s.notes,
            )
            for s in parsed.sections
        ),
        provenance=parsed.provenance,
    )


async def add_book(
    db: Database,
    settings: Settings,
    data: bytes,
    filename: str,
    now_fn: Now,
    overrides: Overrides = Overrides(),
) -> Book:
    """Ingest a file's bytes and store the book in one transaction; UserError when it cannot be read.

    Other commands answer meanwhile (#13): reading the file, its quote candidates and its argument models are
    CPU work done in the worker process before the transaction, which only writes what was computed. One add at a
    time per database, so the library the analysis saw is the one the book joins."""
    options = _options(settings, overrides)
    try:
        parsed = (await prepare_in_worker(data, filename, options)).book  # a process: the bot keeps answering
    except ingest.IngestError as exc:
        raise UserError(f"I couldn't add {filename}: {exc}") from None
    if not parsed.sections:
        raise UserError(f"I couldn't add {filename}: I found no readable text in it.")
    new_book = to_new_book(parsed, source_name=filename, data=data, words_per_minute=options.words_per_minute)
    async with _adding(db):
        existing = await book_store.with_source(db, new_book.source_sha256)
        if existing is not None:
            raise _duplicate(existing)
        books = await book_store.all_books(db)
        library = [(b.id, s.text) for b in books for s in await book_store.sections(db, b.id)]
        book_id = max((b.id for b in books), default=0) + 1  # SQLite's next rowid: the index must name the book
        try:
            analysis = await analyse_in_worker(
                [s.paragraphs for s in new_book.sections],
                new_book.authors,
                book_id,
                library,
                await quote_store.texts_of_books(db),
            )
        except ingest.IngestError as exc:
            raise UserError(f"I couldn't add {filename}: {exc}") from None
        try:
            async with db.transaction() as tx:  # short: only writes
                if [b.id for b in await book_store.all_books(tx)] != [b.id for b in books]:
                    raise UserError(f"The library changed while I read {filename}; please add it again.")
                stored_id = await book_store.insert(tx, new_book, now_fn())
                assert stored_id == book_id, (stored_id, book_id)
                ids = await book_store.paragraph_ids(tx, book_id)
                await store_book_quotes(tx, book_id, analysis.quotes, ids)  # quote candidates (#5)
                await store_book_claims(tx, book_id, analysis.models, [i for i, _ in ids])  # argument models (#14)
        except DuplicateBook as dup:
            raise _duplicate(dup.existing) from None
    book = await book_store.get(db, book_id)
    assert book is not None
    log.info("added book %s %r (%d sections)", book.id, book.title, book.section_count)
    return book


_ADDING: weakref.WeakKeyDictionary[Database, asyncio.Lock] = weakref.WeakKeyDictionary()


def _adding(db: Database) -> asyncio.Lock:
    """One add at a time per database (the worker process runs one job at a time anyway)."""
    return _ADDING.setdefault(db, asyncio.Lock())


def _duplicate(existing: Book) -> UserError:
    return UserError(f"That file is already in the library as #{existing.id} “{existing.title}”.")


async def load_default_library(
    db: Database, settings: Settings, now_fn: Now, progress: Callable[[str], None] | None = None
) -> list[Book]:
    """Load the shipped texts into a database that has never had them; later calls do nothing. `progress` hears
    one line per text (the first start takes a while; the CLI shows them)."""
    if await meta.get(db, DEFAULT_LIBRARY_KEY):
        return []
    folder = _library_folder(settings.library.texts)
    if folder is None:
        log.warning(
            "the default library folder %s does not exist; starting with an empty library",
            settings.library.texts,
        )
        return []
    sources = _read_sources(folder)
    added = []
    paths = [
        p for p in sorted(folder.iterdir()) if p.name != "sources.toml" and not p.name.startswith(".") and p.is_file()
    ]
    for number, path in enumerate(paths, start=1):
        info = sources.get(path.name, {})
        if progress is not None:
            name = info.get("title") or path.name
            progress(f"Loading the default library (first start only): {number} of {len(paths)}, {name}…")
        authors = info.get("authors") or []
        overrides = Overrides(title=info.get("title"), author=", ".join(authors) or None, date=info.get("date"))
        try:
            added.append(await add_book(db, settings, path.read_bytes(), path.name, now_fn, overrides))
        except UserError as exc:
            log.warning("default library: %s", exc)
    await meta.put(db, DEFAULT_LIBRARY_KEY, "yes")
    return added


def _library_folder(configured: Path) -> Path | None:
    """The configured folder, or the same relative path inside the checkout when run from elsewhere."""
    if configured.is_dir():
        return configured
    beside_code = Path(__file__).resolve().parents[2] / configured
    if not configured.is_absolute() and beside_code.is_dir():
        return beside_code
    return None


def _read_sources(folder: Path) -> dict[str, dict]:
    path = folder / "sources.toml"
    if not path.exists():
        return {}
    try:
        loaded = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        log.warning("%s cannot be read (%s); the default library takes titles from the files themselves", path, exc)
        return {}
    texts = loaded.get("texts", {})
    if not isinstance(texts, dict) or not all(isinstance(v, dict) for v in texts.values()):
        log.warning("%s: [texts] should be tables by file name; the default library ignores it", path)
        return {}
    return texts


async def find_book(db: Executor, ref: str) -> Book:
    """Resolve a member's book reference or explain what they could have meant."""
    found = await book_store.resolve(db, ref)
    if found.book:
        return found.book
    options = " or ".join(f"#{b.id} *{b.title}*" for b in found.candidates[:3])
    if found.ambiguous:
        raise UserError(f"“{ref}” matches several books: {options}. Use the number or more of the title.")
    if found.candidates:
        raise UserError(f"I don't know a book called “{ref}” — did you mean {options}?")
    raise UserError(f"I don't know a book called “{ref}”; `library list` shows the books.")


def book_line(book: Book) -> str:
    date = f", {book.date}" if book.date else ""
    sections = plural(book.section_count, "section")
    return f"#{book.id} *{book.title}* — {book.byline}{date} · {sections} · about {book.minutes} min"


def citation(hit: Hit, links: GroupLinks = NO_LINKS) -> str:
    """Where a passage stands: book, section and paragraph, the way quotes and prompts cite too; the paragraph
    links to its place on the group's pages when there is one."""
    name = section_label(hit.heading, hit.section_position)
    url = links.paragraph(hit.section_id, hit.section_position, hit.paragraph_position)
    paragraph = linked(f"paragraph {hit.paragraph_position}", url)
    return f"*{hit.book_title}*, “{name}” (§{hit.section_position}), {paragraph}"
