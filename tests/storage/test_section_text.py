"""Reading a run of sections with their paragraphs in two reads (what a reading page and `read` show)."""

from __future__ import annotations

from bot.app import App
from bot.storage import books as book_store
from bot.web import content
from tests.web.support import add_hostile_book, paragraph


async def test_only_the_asked_sections_in_book_order_with_their_paragraphs(app: App) -> None:
    book = await add_hostile_book(app, sections=4, paragraphs=3)
    ids = [s.id for s in await book_store.sections(app.db, book)]
    read = await book_store.sections_with_paragraphs(app.db, book, [ids[2], ids[1], ids[2]])
    assert [(s.position, [p.position for p in ps]) for s, ps in read] == [(2, [1, 2, 3]), (3, [1, 2, 3])]
    assert read[1][1][2].text == paragraph(3, 3)
    assert await book_store.sections_with_paragraphs(app.db, book, []) == []
    assert await book_store.sections_with_paragraphs(app.db, book + 1, ids) == []  # another book's ids: nothing
    text = await content.sections_text(app.db, book, [ids[3], ids[0]], "Two sections")
    assert [s.number for s in text.sections] == [4, 1]  # the order asked for
    assert text.identifier == f"book-{book}-sections-4-1"
