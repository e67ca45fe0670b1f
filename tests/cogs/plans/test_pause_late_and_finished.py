"""Issue #16, plans: a pause stops everything, late posts are worded for when they go out (or dropped), and a
finished plan stays visible with a closing post."""

from __future__ import annotations

import asyncio
import contextlib
import io
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.__main__ import main
from bot.adapters.base import DIRECT_PREFIX
from bot.app import App
from bot.clock import ManualClock
from bot.config import Settings
from bot.replies import Upload
from bot.storage import jobs as job_store
from bot.storage import plans as plan_store
from bot.storage import schedules as schedule_store
from cogs import all_features
from cogs.quotes import DAILY_KIND
from tests.conftest import Room
from tests.scheduling.support import RecordingAdapter, add_book, run_until

CREATE = 'plan create "Test Book" start:{start} every:"tuesday 19:00" per-meeting:"1 section"'


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


@pytest.fixture
async def adapter(room: Room, clock: ManualClock) -> RecordingAdapter:
    recorder = RecordingAdapter(clock)
    room.app.adapters["test"] = recorder
    return recorder


async def start_plan(room: Room, start: str = "2026-11-03") -> None:
    preview = await room.say(CREATE.format(start=start))
    assert preview.kind != "error", preview.text
    assert (await room.say(preview.choices[0].command)).kind != "error"


async def test_a_paused_plan_sends_no_private_nudge(room: Room, adapter: RecordingAdapter, clock: ManualClock) -> None:
    await add_book(room.app)
    await start_plan(room)
    await room.app.tick()
    assert (await room.say("nudge on hours:12", who="bob")).kind != "error"
    await room.say("plan pause")
    await run_until(room.app, clock, utc(2026, 11, 20))
    assert [s for s in adapter.sent if s.room_id.startswith(DIRECT_PREFIX)] == []
    await room.say("plan resume")  # next meeting Tue 24 Nov: bob is nudged 12 h before it
    await run_until(room.app, clock, utc(2026, 11, 24, 7))
    nudges = [s for s in adapter.sent if s.room_id.startswith(DIRECT_PREFIX)]
    assert [(s.room_id, s.at) for s in nudges] == [(DIRECT_PREFIX + "bob", utc(2026, 11, 24, 6))]


async def test_plan_show_while_paused_counts_only_meetings_held(
    room: Room, adapter: RecordingAdapter, clock: ManualClock
) -> None:
    await add_book(room.app)
    await start_plan(room)
    await room.app.tick()
    await room.say("plan pause")
    await run_until(room.app, clock, utc(2026, 11, 12))  # the meetings of 3 and 10 Nov fell in the pause
    shown = await room.say("plan show", who="bob")
    assert "0 of 3 readings met" in shown.text
    assert "1. date to follow when the plan resumes — Chapter 1 (~20 min) (open)" in shown.text
    assert "2. date to follow when the plan resumes — Chapter 2 (~20 min)" in shown.text
    assert "3. Tue 17 Nov 2026, 19:00 CET — Chapter 3 (~20 min)" in shown.text
    nxt = await room.say("plan next", who="bob")
    assert nxt.title == "Next meeting: when the plan resumes" and "Reading 1 of 3: Chapter 1" in nxt.text


async def test_a_blackout_stays_on_its_date_when_the_meetings_shift(room: Room, adapter: RecordingAdapter) -> None:
    await add_book(room.app, minutes=(20,) * 6)
    await start_plan(room, start="2026-12-01")
    assert (await room.say("plan blackout 2026-12-15")).kind != "error"
    assert (await room.say("plan shift +3d")).kind != "error"
    plan = await plan_store.live(room.app.db, 1)
    assert plan is not None and plan.blackouts == {date(2026, 12, 15)}
    meetings = [r.meeting_at for r in await plan_store.plan_readings(room.app.db, plan.id)]
    assert utc(2026, 12, 18, 18) in meetings  # Fri 18 Dec is not a holiday
    assert meetings == [utc(2026, 12, d, 18) for d in (4, 11, 18, 25)] + [utc(2027, 1, 1, 18), utc(2027, 1, 8, 18)]


async def test_a_restart_half_an_hour_before_a_meeting_posts_one_reminder_with_the_time_left(
    room: Room, adapter: RecordingAdapter, clock: ManualClock
) -> None:
    await add_book(room.app)
    await start_plan(room)
    await room.app.tick()  # reading 1 opens; its reminders are due Mon 2 Nov 18:00 and Tue 3 Nov 17:00 UTC
    clock.set(utc(2026, 11, 3, 17, 30))  # the bot was down across both
    await room.app.tick()
    reminders = [s.reply.title for s in adapter.sent if s.reply.kind == "reminder"]
    assert reminders == ["⏰ Meeting in 30m: Chapter 1"]


async def test_a_quote_of_the_day_six_days_late_is_recorded_missed_not_posted(room: Room, clock: ManualClock) -> None:
    book = b"# Notes\n\nBy Ada Example\n\n## One\n\n" + (
        b"Revolutions are not defeated only by armies; they are also worn down by exhaustion and scarcity.\n\n"
        b"A bureaucracy rises when the masses withdraw from political life after years of sacrifice.\n"
    )
    assert (await room.say("library add", uploads=(Upload("notes.md", book),))).kind != "error"
    await room.say("quote daily on 08:30")
    (job,) = await job_store.pending(room.app.db, 1)
    clock.set(job.fire_at + timedelta(days=6))
    await room.app.tick()
    rows = await room.app.db.fetchall("SELECT key FROM outbox")
    assert rows == []
    missed = await schedule_store.missed(room.app.db, 1)
    assert [(m.kind, m.due_at) for m in missed] == [(DAILY_KIND, job.fire_at)]
    (following,) = await job_store.pending(room.app.db, 1)
    assert following.fire_at > clock.now()  # tomorrow's is armed and will be posted on time


async def test_a_finished_plan_stays_visible_and_closes_with_an_invitation(
    room: Room, adapter: RecordingAdapter, clock: ManualClock
) -> None:
    await add_book(room.app)
    await start_plan(room)
    await run_until(room.app, clock, utc(2026, 11, 18))
    closing = adapter.sent[-1]
    assert closing.at == utc(2026, 11, 17, 18)
    assert closing.reply.title == "🏁 The study plan is finished: Test Book"
    assert "`poll next-book`" in closing.reply.text
    plan = await plan_store.latest(room.app.db, 1, ("finished",))
    assert plan is not None
    assert await schedule_store.of_owner(room.app.db, f"plan:{plan.id}") != []  # the opens row, now idle
    assert await room.app.next_wakeup() is None or await room.app.next_wakeup() > utc(2027, 1, 1)
    shown = await room.say("plan show", who="bob")
    assert shown.title == "Study plan: Test Book — finished"
    assert "All 3 readings met; the last meeting was Tue 17 Nov 2026, 19:00 CET." in shown.text
    assert "1. Tue 03 Nov 2026, 19:00 CET — Chapter 1 (~20 min)" in shown.text
    assert "`poll next-book`" in shown.text
    ics = await room.say("plan ics", who="bob")
    assert ics.files and ics.files[0].data.decode().count("BEGIN:VEVENT") == 3
    assert "DESCRIPTION:Reading 1: Chapter 1 from Test Book (about 20 min)." in ics.files[0].data.decode()
    assert "no more meetings" in (await room.say("plan next")).text
    # a new plan can start after a finished one
    preview = await room.say(CREATE.format(start="2026-11-24"))
    assert preview.kind != "error", preview.text


def test_cli_plan_ics_without_a_plan_exits_2_with_a_sentence(settings: Settings, capsys: pytest.CaptureFixture) -> None:
    async def prepare() -> None:
        app = await App.open(settings, clock=ManualClock(utc(2026, 11, 2, 9)), features=all_features())
        try:
            await Room(app).setup()
        finally:
            await app.close()

    asyncio.run(prepare())
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        assert main(["plan", "ics", "1", "--db", str(settings.bot.database)]) == 2
    assert buffer.getvalue() == ""
    assert capsys.readouterr().err.strip() == (
        "readalong: The group “Test group” has no study plan, so there is no calendar to export."
    )


async def test_calendar_uids_carry_the_installation_id(room: Room, settings: Settings) -> None:
    await add_book(room.app)
    await start_plan(room)
    first = (await room.say("plan ics")).files[0].data.decode()
    again = (await room.say("plan ics")).files[0].data.decode()
    uids = sorted(line for line in first.splitlines() if line.startswith("UID:"))
    assert uids == sorted(line for line in again.splitlines() if line.startswith("UID:"))  # stable
    assert all(uid.endswith(".readalong") and not uid.endswith("@readalong") for uid in uids)
    other = await App.open(
        Settings().with_database(settings.bot.database.with_name("other.sqlite3")),
        clock=room.app.clock,
        features=all_features(),
    )
    try:
        other_room = Room(other)
        await other_room.setup()
        await add_book(other)
        await start_plan(other_room)
        theirs = (await other_room.say("plan ics")).files[0].data.decode()
    finally:
        await other.close()
    assert not set(uids) & {line for line in theirs.splitlines() if line.startswith("UID:")}


async def test_poll_results_are_posted_however_late(room: Room, clock: ManualClock) -> None:
    await room.say('poll create "Lunch?" "soup" "salad" closes:1d')
    await room.say("vote 1 A", who="bob")
    clock.set(clock.now() + timedelta(days=4))  # down across the deadline
    await room.app.tick()
    rows = await room.app.db.fetchall("SELECT key, late FROM outbox")
    assert len(rows) == 1 and rows[0]["late"]  # the results, marked late, not recorded missed
    assert await schedule_store.missed(room.app.db, 1) == []
