"""The library: adding books (files and uploads), listing them and showing their readings.

The service functions here (`add_book`, `load_default_library`, `find_book`) are what the CLI calls too, so
the terminal and the chat rooms import a book the same way.
"""

from __future__ import annotations

import hashlib
import logging
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot import ingest
from bot.commands import BookRef, Invocation, Permission, Text, command, completer
from bot.config import Settings
from bot.ingest.worker import prepare_in_worker
from bot.replies import Reply, UserError
from bot.storage import books as book_store
from bot.storage import meta
from bot.storage.books import Book, DuplicateBook, NewBook, NewParagraph, NewSection
from bot.storage.db import Database
from bot.storage.groups import Group
from bot.storage.search import Hit, fts_query, search_paragraphs
from bot.text import plural
from cogs.quotes import index_book_quotes

if TYPE_CHECKING:
    from bot.app import App

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
    )


async def add_book(
    db: Database,
    settings: Settings,
    data: bytes,
    filename: str,
    now_fn: Now,
    overrides: Overrides = Overrides(),
) -> Book:
    """Ingest a file's bytes and store the book in one transaction; UserError when it cannot be read."""
    options = _options(settings, overrides)
    try:
        parsed = (await prepare_in_worker(data, filename, options)).book  # a process: the bot keeps answering
    except ingest.IngestError as exc:
        raise UserError(f"I couldn't add {filename}: {exc}") from None
    if not parsed.sections:
        raise UserError(f"I couldn't add {filename}: I found no readable text in it.")
    new_book = to_new_book(parsed, source_name=filename, data=data, words_per_minute=options.words_per_minute)
    try:
        async with db.transaction() as tx:
            book_id = await book_store.insert(tx, new_book, now_fn())
            await index_book_quotes(tx, book_id)  # quote candidates (#5), stored with the book or not at all
    except DuplicateBook as dup:
        raise UserError(f"That file is already in the library as #{dup.existing.id} “{dup.existing.title}”.") from None
    book = await book_store.get(db, book_id)
    assert book is not None
    log.info("added book %s %r (%d sections)", book.id, book.title, book.section_count)
    return book


async def load_default_library(db: Database, settings: Settings, now_fn: Now) -> list[Book]:
    """Load the shipped texts into a database that has never had them; later calls do nothing."""
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
    for path in sorted(folder.iterdir()):
        if path.name == "sources.toml" or path.name.startswith(".") or not path.is_file():
            continue
        info = sources.get(path.name, {})
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
    beside_code = Path(__file__).resolve().parent.parent / configured
    if not configured.is_absolute() and beside_code.is_dir():
        return beside_code
    return None


def _read_sources(folder: Path) -> dict[str, dict]:
    path = folder / "sources.toml"
    if not path.exists():
        return {}
    texts: dict[str, dict] = tomllib.loads(path.read_text(encoding="utf-8")).get("texts", {})
    return texts


async def find_book(db: Database, ref: str) -> Book:
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


@completer(BookRef)
async def complete_books(app: App, group: Group | None, typed: str) -> list[tuple[str, str]]:
    needle = typed.strip().lower()
    books = await book_store.all_books(app.db)
    matching = [b for b in books if not needle or needle in b.title.lower() or needle == str(b.id)]
    return [(f"#{b.id} {b.title}"[:100], str(b.id)) for b in matching]


@command("library list", help="List the books in the library.")
async def library_list(inv: Invocation) -> Reply:
    books = await book_store.all_books(inv.db)
    if not books:
        return Reply(text="The library is empty; a moderator can add a book with `library add`.")
    return Reply(title="Library", text="\n".join(book_line(b) for b in books))


@command(
    "library show",
    help="Show a book's readings: headings, length and first words.",
    params={"book": "Book number or part of its title"},
)
async def library_show(inv: Invocation, book: BookRef) -> Reply:
    found = await find_book(inv.db, book)
    sections = await book_store.sections(inv.db, found.id)
    lines = [f"{s.position}. {s.label} — {s.words} words, ~{s.minutes} min — “{s.first_words(8)}”" for s in sections]
    return Reply(title=f"{found.title} — {found.byline}", text="\n".join(lines), kind="reading")


def citation(hit: Hit) -> str:
    """Where a passage stands: book, section and paragraph, the way quotes and prompts cite too."""
    name = hit.heading or ("Opening" if hit.section_position == 1 else f"Section {hit.section_position}")
    return f"*{hit.book_title}*, “{name}” (§{hit.section_position}), paragraph {hit.paragraph_position}"


@command(
    "library search",
    help="Search the library's text; every hit is cited by book, section and paragraph.",
    params={"words": "Words to look for"},
)
async def library_search(inv: Invocation, words: Text) -> Reply:
    if fts_query(words) is None:
        raise UserError("Give me some words to look for, for example `library search Kronstadt`.")
    hits = await search_paragraphs(inv.db, words, limit=8)
    if not hits:
        raise UserError(f"Nothing in the library matches “{words}”.")
    lines = [f"• {citation(h)}\n  {h.snippet}" for h in hits]
    return Reply(title=f"Search: {words}", text="\n".join(lines))


@command(
    "library add",
    help="Add the attached file (txt, md, html, epub, pdf) to the library.",
    params={"title": "Use this title instead of the detected one"},
    permission=Permission.MODERATOR,
)
async def library_add(inv: Invocation, title: Text | None = None) -> Reply:
    uploads = inv.context.uploads
    if not uploads:
        raise UserError("Attach the book's file (txt, md, html, epub or pdf) to the command.")
    limit = inv.app.settings.library.max_upload_mb
    added = []
    for upload in uploads:
        if len(upload.data) > limit * 1024 * 1024:
            raise UserError(f"{upload.filename} is larger than the {limit} MB limit.")
        overrides = Overrides(title=str(title) if title else None)
        added.append(await add_book(inv.db, inv.app.settings, upload.data, upload.filename, inv.now, overrides))
    return Reply(title="Added to the library", text="\n".join(book_line(b) for b in added))
