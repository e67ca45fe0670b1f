"""One resolver for every documented form of a reading reference: "3", "book:3" and a heading fragment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.replies import UserError
from bot.services.books import find_book, load_default_library
from bot.services.readings import resolve_reading
from bot.storage import books as book_store
from bot.storage import plans as plan_store
from tests.conftest import Room
from tests.scheduling.support import add_book

CREATE = 'plan create "{book}" start:2026-11-03 every:"sunday 19:00" per-meeting:"1 section"'


async def plan(room: Room, book: str) -> list[plan_store.PlanReading]:
    preview = await room.say(CREATE.format(book=book))
    assert preview.choices, preview.text
    confirmed = await room.say(preview.choices[0].command)
    assert confirmed.kind != "error", confirmed.text
    row = await room.app.db.fetchone("SELECT id FROM groups WHERE room_id = 'room-1'")
    assert row is not None
    return await plan_store.readings(room.app.db, int(row[0]))


async def test_done_jacobins_3_marks_the_reading_that_holds_section_3(room: Room) -> None:
    await load_default_library(room.app.db, room.app.settings, room.app.clock.now)
    await room.setup()
    readings = await plan(room, "jacobins")
    book = await find_book(room.app.db, "jacobins")
    section = await book_store.section(room.app.db, book.id, 3)
    assert section is not None
    (target,) = [r for r in readings if section.id in r.section_ids]
    reply = await room.say("done jacobins:3", who="bob")
    assert reply.kind != "error", reply.text
    assert reply.text.startswith(f"✓ {target.number}. *{target.title}* marked as read.")


async def test_every_documented_form_names_the_same_reading(room: Room) -> None:
    await add_book(room.app, "Test Book", minutes=(20, 20, 20))
    other = await add_book(room.app, "Other Book", minutes=(10,))
    await room.setup()
    readings = await plan(room, "Test Book")
    db = room.app.db
    second = readings[1]
    for ref in ("2", "#2", "test book:2", "Test Book #2", "chapter 2"):
        assert (await resolve_reading(db, readings, ref)).planned == second, ref
    for ref in ("2", "test book:2", "chapter 2"):
        reply = await room.say("undo", who="bob") if ref != "2" else None
        assert reply is None or reply.kind != "error"
        done = await room.say(f"done {ref}", who="bob")
        assert done.text.startswith(f"✓ 2. *{second.title}* marked as read."), (ref, done.text)
    outside = await resolve_reading(db, readings, f"{other}:1")  # a book's section outside the plan
    assert outside.planned is None and outside.section_ids
    refused = await room.say(f"done {other}:1", who="bob")
    assert refused.kind == "error" and "is not part of the group's plan" in refused.text
    with pytest.raises(UserError, match="has sections 1 to 3, not 9"):
        await resolve_reading(db, readings, "test book:9")
    with pytest.raises(UserError, match=r"The plan has readings 1 to 3; there is no reading 9\."):
        await resolve_reading(db, readings, "9")


async def test_reading_references(room: Room) -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    readings = [
        plan_store.PlanReading(i + 10, 1, i, 1, (i,), title, 20, now + timedelta(days=7 * i), now, None, 0)
        for i, title in enumerate(["The October Revolution", "The Counter-Revolution", "Party Democracy"])
    ]
    db = room.app.db
    assert (await resolve_reading(db, readings, "2")).planned == readings[1]
    assert readings[1].title == "The Counter-Revolution"
    assert (await resolve_reading(db, readings, "democracy")).planned == readings[2]
    with pytest.raises(Exception, match="matches several readings"):
        await resolve_reading(db, readings, "revolution")
