"""Meetings mirrored as Guild Scheduled Events."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from bot.adapters.base import MeetingEvent
from bot.adapters.discord.events import WINDOW
from bot.app import App
from bot.clock import ManualClock
from bot.replies import Reply
from bot.storage import groups as group_store
from tests.adapters.discord.support import (
    add_book,
    bind_channel,
    button_ids,
    enqueue_post,
    group_id_of,
    running,
    start_plan,
)
from tests.fakes.discord_server import FakeDiscord


async def test_meetings_become_scheduled_events(app: App, fake_discord: FakeDiscord, clock: ManualClock) -> None:
    async with running(app):
        await bind_channel(fake_discord)
        group = await group_id_of(app)
        bound = await group_store.get(app.db, group)
        assert bound is not None
        start = clock.now() + timedelta(days=7)
        first = MeetingEvent("reading:1", "Meeting: The Sisters", start, start + timedelta(hours=1), "Reading 1")
        second = MeetingEvent(
            "reading:2", "Meeting: Araby", start + timedelta(days=7), start + timedelta(days=7, hours=1)
        )
        await app.sync_meetings(bound, [first, second])
        events = {e["name"]: e for e in fake_discord.scheduled_events()}
        assert set(events) == {"Meeting: The Sisters", "Meeting: Araby"}
        sisters = events["Meeting: The Sisters"]
        assert sisters["entity_type"] == 3 and sisters["entity_metadata"] == {"location": "#general"}
        assert sisters["scheduled_start_time"].startswith(start.strftime("%Y-%m-%dT%H:%M:%S"))

        moved = replace(first, starts_at=start + timedelta(hours=2), ends_at=start + timedelta(hours=3))
        await app.sync_meetings(bound, [moved, second])
        await app.sync_meetings(bound, [moved, second])  # nothing changed: no request
        edits = [r for r in fake_discord.requests.items if r.method == "PATCH" and "/scheduled-events/" in r.path]
        assert len(edits) == 1 and edits[0].path.endswith(sisters["id"])
        [updated] = [e for e in fake_discord.scheduled_events() if e["id"] == sisters["id"]]
        assert updated["scheduled_start_time"].startswith(moved.starts_at.strftime("%Y-%m-%dT%H:%M:%S"))

        await app.sync_meetings(bound, [second])
        assert [e["name"] for e in fake_discord.scheduled_events()] == ["Meeting: Araby"]
        assert await app.recall("discord", str(fake_discord.channel_id), "event", "reading:1") is None


@pytest.mark.parametrize("closed_by", ["deadline", "moderator"])
async def test_a_next_book_poll_closing_adds_the_winner_to_the_calendar(
    app: App, fake_discord: FakeDiscord, clock: ManualClock, closed_by: str
) -> None:
    first = await add_book(app, "Dubliners")
    winner = await add_book(app, "Middlemarch")
    await add_book(app, "Ulysses")
    async with running(app):
        mod = await bind_channel(fake_discord)
        await start_plan(fake_discord, mod, first)
        [planned] = fake_discord.scheduled_events()
        assert planned["name"] == "Tuesday readers: The Sisters"
        created = await fake_discord.slash_command("poll-admin next-book", {"closes": "1h"}, user_id=mod).callback()
        [vote] = [i for i in button_ids(created) if i.endswith(" A")]  # A: Middlemarch, the first unplanned book
        assert (await fake_discord.click_button(vote).callback()).ephemeral
        if closed_by == "deadline":  # the dispatcher closes it and appends the winner inside its transaction
            clock.advance(timedelta(hours=1))
            await app.tick()
        else:
            poll_id = vote.split()[1]
            closed = await fake_discord.slash_command("poll-admin close", {"poll": poll_id}, user_id=mod).callback()
            assert not closed.ephemeral, closed.json
        [results] = [
            e for m in fake_discord.channel_messages() for e in m["embeds"] if " results: " in e.get("title", "")
        ]
        assert "*Middlemarch* is added to the end of the group's plan." in results["description"]
        events = sorted(fake_discord.scheduled_events(), key=lambda e: e["scheduled_start_time"])
        assert len(events) == 2, events
        assert events[1]["name"] == "Tuesday readers: The Sisters" and events[1]["id"] != planned["id"]
        assert events[1]["scheduled_start_time"].startswith("2026-11-10T18:00:00")
    row = await app.db.fetchone("SELECT count(*) FROM plan_readings WHERE book_id = ?", (winner,))
    assert row is not None and row[0] == 1


async def test_a_window_of_the_next_meetings_is_mirrored_and_topped_up_as_meetings_pass(
    app: App, fake_discord: FakeDiscord, clock: ManualClock
) -> None:
    start = clock.now() + timedelta(days=1)
    meetings = [
        MeetingEvent(f"reading:{i}", f"Meeting {i}", start + timedelta(weeks=i), start + timedelta(weeks=i, hours=1))
        for i in range(WINDOW + 5)
    ]
    async with running(app):
        await bind_channel(fake_discord)
        bound = await group_store.get(app.db, await group_id_of(app))
        assert bound is not None
        await app.sync_meetings(bound, meetings)
        names = {e["name"] for e in fake_discord.scheduled_events()}
        assert names == {m.title for m in meetings[:WINDOW]}

        # Two meetings passed and the third is under way; the room's next post tops the window up.
        clock.advance(timedelta(days=1, weeks=2, minutes=30))
        await enqueue_post(app, "post:during-the-third-meeting", Reply(text="Reading 3 is open."))
        assert await app.tick() == 1
        names = {e["name"] for e in fake_discord.scheduled_events()}
        assert {m.title for m in meetings[3 : WINDOW + 3]} <= names  # the next twenty
        assert meetings[2].title in names  # the meeting under way keeps its event
        assert meetings[WINDOW + 3].title not in names
