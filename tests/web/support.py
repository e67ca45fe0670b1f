"""Groups with a plan, opened readings and web pages, built through the real chat commands and dispatcher."""

from __future__ import annotations

from datetime import UTC, datetime

from aiohttp.test_utils import TestClient, TestServer

from bot.adapters.web import RUNNER_ARGS, create_app
from bot.app import App
from bot.clock import ManualClock
from bot.config import WebSettings
from bot.storage import books as book_store
from bot.storage import plans as plan_store
from bot.storage import web as web_store
from bot.storage.books import NewBook, NewParagraph, NewSection
from tests.conftest import Room
from tests.scheduling.support import RecordingAdapter, run_until

HOSTILE = '<script>alert("x")</script>'
HOSTILE_TITLE = f"Night {HOSTILE} & Day"


def paragraph(section: int, number: int) -> str:
    return f"Paragraph {number} of section {section}, with words enough to read <b>as text</b> & nothing more."


async def add_hostile_book(app: App, sections: int = 4, paragraphs: int = 10) -> int:
    """A book whose title, headings, paragraphs and notes carry markup that must come out as text."""
    book = NewBook(
        HOSTILE_TITLE,
        ("A. <i>Author</i>",),
        None,
        "hostile.txt",
        "txt",
        "sha-hostile",
        tuple(
            NewSection(
                heading=f"Chapter {s} {HOSTILE}" if s > 1 else None,
                level=1,
                paragraphs=tuple(NewParagraph(paragraph(s, p)) for p in range(1, paragraphs + 1)),
                words=600,
                minutes=20,
                notes=(f"Note one of §{s} <img src=x onerror=alert(1)>", f"Note two of §{s}."),
            )
            for s in range(1, sections + 1)
        ),
    )
    async with app.db.transaction() as tx:
        return await book_store.insert(tx, book, app.clock.now())


async def group_id(app: App) -> int:
    row = await app.db.fetchone("SELECT id FROM groups WHERE room_id = 'room-1'")
    assert row is not None
    return int(row[0])


async def plan_and_open(room: Room, clock: ManualClock, book: int | str, until: datetime) -> None:
    """`plan create` + confirm (one section per Tuesday meeting), then run the dispatcher to `until`."""
    room.app.adapters["test"] = RecordingAdapter(clock)
    preview = await room.say(f'plan create {book} start:2026-11-03 every:"tuesday 19:00" per-meeting:"1 section"')
    assert preview.kind != "error", preview.text
    confirmed = await room.say(preview.choices[0].command)
    assert confirmed.kind != "error", confirmed.text
    await run_until(room.app, clock, until)


async def opened_numbers(app: App) -> list[int]:
    return [r.number for r in await plan_store.readings(app.db, await group_id(app)) if r.opened]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


async def web_client(app: App, settings: WebSettings | None = None) -> TestClient:
    """aiohttp's test client on a real loopback socket, with the same runner arguments `serve` uses."""
    server = TestServer(create_app(app.db, app.clock, settings or WebSettings(enabled=True)))
    await server.start_server(**RUNNER_ARGS)  # the runner's arguments: no access log, header limits
    client = TestClient(server)
    await client.start_server()
    return client


async def enable_pages(app: App) -> str:
    access = await web_store.enable(app.db, await group_id(app), app.clock.now())
    return access.token
