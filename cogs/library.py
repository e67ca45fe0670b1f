"""The library: adding books (files and uploads), listing them and showing their readings.

Adding and finding a book are services (bot/services/books.py) the CLI calls too, so the terminal and the chat
rooms import a book the same way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.commands import BookRef, Invocation, Permission, Text, command
from bot.features import Feature
from bot.replies import Reply, UserError
from bot.services.books import Overrides, add_book, book_line, citation, find_book
from bot.services.links import group_links
from bot.services.readings import reading_gate
from bot.storage import books as book_store
from bot.storage.groups import Group
from bot.storage.search import fts_query, search_paragraphs

if TYPE_CHECKING:
    from bot.services import Services


async def complete_books(services: Services, group: Group | None, typed: str) -> list[tuple[str, str]]:
    needle = typed.strip().lower()
    books = await book_store.all_books(services.db)
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
    # the editors', publishers' and translators' notes taken out of the readings (#13): not the author's words
    lines += [f"From the editors/publishers: {note}" for note in found.provenance]
    return Reply(title=f"{found.title} — {found.byline}", text="\n".join(lines), kind="reading")


@command(
    "library search",
    help="Search the library's text; every hit is cited by book, section and paragraph.",
    params={"words": "Words to look for"},
)
async def library_search(inv: Invocation, words: Text) -> Reply:
    if fts_query(words) is None:
        raise UserError("Give me some words to look for, for example `library search Kronstadt`.")
    # gated like `quote search`: a planned reading the group has not opened is no search result (spoilers)
    gate = await reading_gate(inv.db, inv.group.id if inv.group else None)
    hits = [h for h in await search_paragraphs(inv.db, words, limit=50) if gate.shows(h.section_id)][:8]
    if not hits:
        if gate.reached is not None:
            raise UserError(f"Nothing the group has opened so far (or outside its plan) matches “{words}”.")
        raise UserError(f"Nothing in the library matches “{words}”.")
    links = await group_links(inv.db, inv.app.settings.web, inv.group.id if inv.group else None, inv.now())
    lines = [f"• {citation(h, links)}\n  {h.snippet}" for h in hits]
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


FEATURE = Feature(
    name="library",
    commands=(library_list, library_show, library_search, library_add),
    completers={BookRef: complete_books},
)
