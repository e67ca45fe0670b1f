"""Shared helpers for the scheduler and plan tests: a small book, a recording adapter, a clock driver."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.adapters.base import MeetingEvent
from bot.app import App
from bot.clock import ManualClock
from bot.replies import Reply
from bot.storage import books as book_store
from bot.storage.books import NewBook, NewParagraph, NewSection


async def add_book(
    app: App, title: str = "Test Book", minutes: Sequence[int] = (20, 20, 20), now: datetime | None = None
) -> int:
    """A book with one section per entry of `minutes`, stored directly (no ingestion)."""
    sections = tuple(
        NewSection(
            heading=f"Chapter {i}",
            level=1,
            paragraphs=(NewParagraph(f"Text of chapter {i} of {title}."),),
            words=m * 150,
            minutes=m,
        )
        for i, m in enumerate(minutes, start=1)
    )
    book = NewBook(title, ("A. Author",), None, f"{title}.txt", "txt", f"sha-{title}", sections)
    async with app.db.transaction() as tx:
        return await book_store.insert(tx, book, now or app.clock.now())


@dataclass
class Sent:
    at: datetime
    room_id: str
    reply: Reply
    key: str
    thread_key: str | None
    starts_thread: bool


class RecordingAdapter:
    """The "test" platform: records every post with the clock's time, and every calendar sync."""

    platform = "test"

    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock
        self.sent: list[Sent] = []
        self.calendars: list[list[MeetingEvent]] = []

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def send(
        self, room_id: str, reply: Reply, *, key: str, thread_key: str | None = None, starts_thread: bool = False
    ) -> str:
        self.sent.append(Sent(self.clock.now(), room_id, reply, key, thread_key, starts_thread))
        return f"m{len(self.sent)}"

    async def sync_meetings(self, room_id: str, meetings: Sequence[MeetingEvent]) -> None:
        self.calendars.append(list(meetings))


async def run_until(app: App, clock: ManualClock, target: datetime) -> None:
    """Move the clock to `target`, stopping at every wake-up, exactly as the console's /clock advance does."""
    while (wake := await app.next_wakeup()) is not None and wake <= target:
        if wake > clock.now():
            clock.set(wake)
        await app.tick()
    if target > clock.now():
        clock.set(target)
    await app.tick()
