"""Progress through the chat: done/undo, the member's card, the group view, private nudges, forget and export."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from bot.clock import ManualClock
from bot.storage import plans as plan_store
from tests.cogs.plans.test_plans import group_id, start_plan
from tests.cogs.support import start_sunday_plan
from tests.conftest import Room
from tests.scheduling.support import RecordingAdapter, add_book, run_until


@pytest.fixture
async def planned(room: Room, clock: ManualClock) -> RecordingAdapter:
    """A three-reading plan, Tuesdays 19:00 Berlin from 3 November 2026, with a recording adapter."""
    recorder = RecordingAdapter(clock)
    room.app.adapters["test"] = recorder
    await add_book(room.app)
    await start_plan(room)
    await room.app.tick()  # the first reading opens
    return recorder


async def test_without_a_plan_progress_says_how_to_start(room: Room) -> None:
    reply = await room.say("done", who="bob")
    assert reply.text == "This group has no study plan yet; a moderator can make one with `plan create`."


async def test_done_undo_and_the_members_card(room: Room, planned: RecordingAdapter, clock: ManualClock) -> None:
    first = await room.say("done", who="bob")
    assert first.ephemeral
    assert first.text.startswith("✓ 1. *Chapter 1* marked as read. You have finished 1 of 3 readings")
    again = await room.say("done 1", who="bob")
    assert again.text.startswith("You had already marked 1. *Chapter 1* as read.")
    third = await room.say("done chapter 3", who="bob")
    assert third.text.startswith("✓ 3. *Chapter 3* marked as read. You have finished 2 of 3")

    card = await room.say("progress", who="bob")
    assert card.title == "Your progress" and card.ephemeral
    assert "2 of 3 readings finished" in card.text
    assert "Next for you: 2. *Chapter 2*" in card.text

    undone = await room.say("undo", who="bob")
    assert undone.text == "3. *Chapter 3* is no longer marked as read."
    nothing = await room.say("undo", who="carol")
    assert "nothing to undo" in nothing.text

    bad = await room.say("done 9", who="bob")
    assert bad.text == "The plan has readings 1 to 3; there is no reading 9."

    # after the first meeting, a reading finished in time counts towards the streak
    await run_until(room.app, clock, datetime(2026, 11, 4, 9, tzinfo=UTC))
    card = await room.say("progress", who="bob")
    assert "Streak: 1 meeting in a row" in card.text
    late = await room.say("progress", who="carol")
    assert "Still to catch up: 1" in late.text


async def test_group_view_counts_without_names_and_has_a_chart(room: Room, planned: RecordingAdapter) -> None:
    await room.say("done", who="bob")
    await room.say("done", who="carol")
    view = await room.say("progress group", who="dave")
    assert view.title == "Group progress"
    assert "2/4 — Chapter 1" in view.text  # alice, bob, carol and dave are members
    assert "bob" not in view.text and "carol" not in view.text
    [chart] = view.files
    assert chart.filename == "progress.png" and chart.data.startswith(b"\x89PNG")

    summary = await room.say("progress summary", who="bob")
    assert summary.text == "Only moderators can use `progress summary`."
    summary = await room.say("progress summary", who="alice")
    assert "Current reading: 1. *Chapter 1* — 2 of 4 members have finished it." in summary.text


async def test_nudges_are_private_and_only_for_members_behind(
    room: Room, planned: RecordingAdapter, clock: ManualClock
) -> None:
    on = await room.say("nudge on 6", who="bob")
    assert on.ephemeral and "6 h before a meeting" in on.text
    await room.say("nudge on", who="carol")
    await room.say("done", who="carol")
    await room.say("nudge on 200", who="dave")  # refused: out of range
    await run_until(room.app, clock, datetime(2026, 11, 3, 18, tzinfo=UTC))  # the first meeting starts
    private = [s for s in planned.sent if s.room_id.startswith("dm:")]
    assert [s.room_id for s in private] == ["dm:bob"]
    nudge = private[0]
    assert nudge.at == datetime(2026, 11, 3, 12, tzinfo=UTC)  # 19:00 CET − 6 h
    assert "Still to read for *Test group*: 1. Chapter 1" in nudge.reply.text

    await room.say("nudge off", who="bob")
    await run_until(room.app, clock, datetime(2026, 11, 10, 18, tzinfo=UTC))
    private = [s for s in planned.sent if s.room_id.startswith("dm:")]
    assert [s.room_id for s in private] == ["dm:bob", "dm:carol"]  # carol is behind on reading 2 now
    assert private[1].at == datetime(2026, 11, 10, 6, tzinfo=UTC)  # 12 h before


async def test_forget_me_and_export_cover_progress(room: Room, planned: RecordingAdapter) -> None:
    await room.say("done", who="bob")
    await room.say("nudge on", who="bob")
    export = await room.say("export", who="alice")
    data = json.loads(next(f for f in export.files if f.filename.endswith(".json")).data)
    assert data["progress"][0]["finished"] == 1
    progress_csv = next(f for f in export.files if f.filename == "progress.csv").data.decode()
    assert "bob" in progress_csv

    await room.say("forget me", who="bob")
    gid = await group_id(room.app)
    readings = await plan_store.readings(room.app.db, gid)
    view = await room.say("progress group", who="alice")
    assert view.text.splitlines()[0].endswith("0/1 — Chapter 1")  # bob is forgotten, membership included
    assert readings  # the plan itself stays
    assert await room.app.db.fetchone("SELECT 1 FROM nudges") is None


async def test_a_plan_change_moves_pending_nudges(room: Room, planned: RecordingAdapter, clock: ManualClock) -> None:
    await room.say("nudge on 6", who="bob")
    shifted = await room.say("plan shift -1d", who="alice")
    assert shifted.kind != "error", shifted.text
    # the first meeting moved from Tue 3 Nov 19:00 CET to Mon 2 Nov 19:00 CET, so the nudge comes a day earlier
    await run_until(room.app, clock, datetime(2026, 11, 2, 18, tzinfo=UTC))
    private = [s for s in planned.sent if s.room_id == "dm:bob"]
    assert [s.at for s in private] == [datetime(2026, 11, 2, 12, tzinfo=UTC)]


async def test_nudge_hours_out_of_range_names_the_option(room: Room) -> None:
    reply = await room.say("nudge on hours:0")
    assert reply.kind == "error" and reply.text.startswith("`hours` should be between 1 and 168")


async def test_a_nudge_says_to_answer_in_the_groups_room(
    room: Room, adapter: RecordingAdapter, clock: ManualClock
) -> None:
    await add_book(room.app)
    await start_sunday_plan(room)
    await room.say("nudge on 6", who="bob")
    await run_until(room.app, clock, datetime(2026, 11, 8, 13, tzinfo=UTC))
    [nudge] = [s for s in adapter.sent if s.room_id == "dm:bob"]
    assert nudge.reply.text.endswith(
        "In the *Test group* room, `done` marks a reading as finished and `nudge off` stops these messages."
    )
