"""Typed events: in-transaction ones keep the change atomic, after-commit ones see what was committed."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.app import APOLOGY, App
from bot.clock import ManualClock
from bot.config import Settings
from bot.events import MeetingsChanged, PlanChanged, ZoneChanged
from bot.features import Feature
from bot.services import Services
from cogs import all_features
from tests.conftest import Room
from tests.scheduling.support import add_book

CREATE = 'plan create "Test Book" start:2026-11-03 every:"tuesday 19:00" per-meeting:"1 section"'


class Seen:
    """What the test feature's listeners saw."""

    def __init__(self, database: str) -> None:
        self.database = database
        self.committed_readings: list[int] = []
        self.in_transaction: list[str] = []
        self.fail_meetings = False

    def readings_on_disk(self, group_id: int) -> int:
        """Read through a second connection: it sees only what is committed (WAL)."""
        with sqlite3.connect(self.database) as other:
            (count,) = other.execute(
                "SELECT count(*) FROM plan_readings JOIN plans ON plans.id = plan_readings.plan_id "
                "WHERE plans.group_id = ? AND plans.status = 'active'",
                (group_id,),
            ).fetchone()
        return int(count)


@pytest.fixture
async def seen(settings: Settings) -> Seen:
    return Seen(str(settings.bot.database))


@pytest.fixture
async def room(settings: Settings, clock: ManualClock, seen: Seen) -> AsyncIterator[Room]:
    async def on_plan_changed(services: Services, event: PlanChanged) -> None:
        seen.committed_readings.append(seen.readings_on_disk(event.group_id))

    async def on_meetings(services: Services, event: MeetingsChanged) -> None:
        seen.in_transaction.append(f"meetings {event.group.id} {event.tx.__class__.__name__}")
        if seen.fail_meetings:
            raise RuntimeError("listener broke")

    async def on_zone(services: Services, event: ZoneChanged) -> None:
        seen.in_transaction.append(f"zone {event.group.timezone}")

    watcher = Feature(
        name="watcher",
        listeners=((PlanChanged, on_plan_changed), (MeetingsChanged, on_meetings), (ZoneChanged, on_zone)),
    )
    app = await App.open(settings, clock=clock, features=[*all_features(), watcher])
    try:
        room = Room(app)
        await room.setup()
        yield room
    finally:
        await app.close()


async def start_plan(room: Room) -> None:
    await add_book(room.app, "Test Book", minutes=(20, 20, 20))
    await add_book(room.app, "Other", minutes=(20,))
    await add_book(room.app, "Third", minutes=(20,))
    await add_book(room.app, "Fourth", minutes=(20,))
    preview = await room.say(CREATE)
    assert (await room.say(preview.choices[0].command)).kind != "error"


async def test_plan_changed_is_dispatched_after_commit(room: Room, seen: Seen, clock: ManualClock) -> None:
    await start_plan(room)
    await room.say("poll next-book")  # Other, Third, Fourth (Test Book is planned)
    await room.say("vote 1 A", who="bob")
    closed = await room.say("poll close 1")
    assert "is added to the end of the group's plan" in closed.text
    assert seen.committed_readings == [4]  # the listener already saw the appended reading on disk
    assert (await room.say("poll next-book closes:1d")).kind == "poll"  # Third, Fourth
    await room.say("vote 2 A", who="bob")
    clock.advance(timedelta(days=1, minutes=1))
    await room.app.tick()  # the deadline job closes the poll; the event follows its COMMIT
    assert seen.committed_readings == [4, 5]


async def test_in_transaction_events_reach_listeners_and_a_failure_rolls_the_change_back(
    room: Room, seen: Seen
) -> None:
    await start_plan(room)
    assert seen.in_transaction and seen.in_transaction[-1].startswith("meetings ")
    assert seen.in_transaction[-1].endswith("Transaction")
    before = await room.app.db.fetchall("SELECT id, meeting_at FROM plan_readings ORDER BY id")
    seen.fail_meetings = True
    assert (await room.say("plan skip 2026-11-10")).text == APOLOGY
    after = await room.app.db.fetchall("SELECT id, meeting_at FROM plan_readings ORDER BY id")
    assert [tuple(r) for r in after] == [tuple(r) for r in before]  # the skip was rolled back with the listener
    seen.fail_meetings = False
    seen.in_transaction.clear()
    assert (await room.say("group timezone America/New_York")).kind != "error"
    assert seen.in_transaction[-1] == "zone America/New_York"  # after the plan moved (meetings first)
    assert seen.in_transaction[0].startswith("meetings ")
