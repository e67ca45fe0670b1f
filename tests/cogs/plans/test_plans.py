"""Study plans through the chat commands, with the ManualClock driving the real dispatcher and outbox."""

from __future__ import annotations

import asyncio
import contextlib
import io
from datetime import UTC, datetime, timedelta

import pytest

from bot.__main__ import main
from bot.app import App
from bot.clock import ManualClock
from bot.config import Settings
from bot.events import ReadingOpening
from bot.features import Feature
from bot.replies import Field, Reply
from bot.services import Services
from bot.services.plans import append_book, installation_id, planned_book_ids
from bot.storage import plans as plan_store
from bot.storage import schedules as schedule_store
from cogs import all_features
from tests.cogs.support import SUNDAY_PLAN, start_sunday_plan
from tests.conftest import Room
from tests.scheduling.support import RecordingAdapter, Sent, add_book, run_until

CREATE = 'plan create "Test Book" start:{start} every:"{every}" per-meeting:"1 section"'


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


async def group_id(app: App) -> int:
    row = await app.db.fetchone("SELECT id FROM groups WHERE room_id = 'room-1'")
    assert row is not None
    return int(row[0])


async def start_plan(room: Room, start: str = "2026-11-03", every: str = "tuesday 19:00", extra: str = "") -> Reply:
    preview = await room.say(CREATE.format(start=start, every=every) + extra)
    assert preview.kind != "error", preview.text
    confirm = preview.choices[0].command
    reply = await room.say(confirm)
    assert reply.kind != "error", reply.text
    return reply


def kinds(sent: list[Sent]) -> list[tuple[datetime, str]]:
    """(instant, what) for each post: "open 2" or "remind 1d 1" / "remind 1h 1"."""
    result = []
    for post in sent:
        title = post.reply.title or ""
        number = post.thread_key.split(":")[1] if post.thread_key else "?"
        if title.startswith("📖"):
            result.append((post.at, f"open {number}"))
        elif title.startswith("🏁"):
            result.append((post.at, "close"))
        else:
            when = "1d" if "tomorrow" in title else title.split(" in ")[-1].split(":")[0]
            result.append((post.at, f"remind {when} {number}"))
    return result


# ---------------------------------------------------------------- create, confirm, discard
async def test_create_previews_then_confirm_starts_the_plan(room: Room, adapter: RecordingAdapter) -> None:
    app = room.app
    await add_book(app)
    preview = await room.say(CREATE.format(start="2026-11-03", every="tuesday 19:00"))
    assert preview.title == "Plan preview: Test Book"
    assert "3 meetings every Tuesday at 19:00 (Europe/Berlin) from 2026-11-03, 1 section each." in preview.text
    assert "1. Tue 03 Nov 2026, 19:00 CET — Chapter 1 (~20 min)" in preview.text
    assert "3. Tue 17 Nov 2026, 19:00 CET — Chapter 3 (~20 min)" in preview.text
    confirm, discard = preview.choices
    assert confirm.command.startswith("plan confirm ") and discard.command.startswith("plan discard ")
    gid = await group_id(app)
    assert await plan_store.readings(app.db, gid) == []  # a draft is not a plan yet
    assert await schedule_store.all_schedules(app.db) == []

    refused = await room.say(confirm.command, who="bob")
    assert refused.text == "Only moderators can use `plan confirm`."
    reply = await room.say(confirm.command)
    assert reply.title == "The study plan is on"
    assert "The first reading opens now" in reply.text
    again = await room.say(confirm.command)
    assert again.text == "That plan preview is no longer waiting; start again with `plan create`."

    readings = await plan_store.readings(app.db, gid)
    assert [(r.position, r.title, r.meeting_at) for r in readings] == [
        (0, "Chapter 1", utc(2026, 11, 3, 18)),
        (1, "Chapter 2", utc(2026, 11, 10, 18)),
        (2, "Chapter 3", utc(2026, 11, 17, 18)),
    ]
    assert await plan_store.group_position(app.db, gid) == -1
    await app.tick()
    assert await plan_store.group_position(app.db, gid) == 0
    opened = adapter.sent[0]
    assert opened.starts_thread and opened.thread_key == f"reading:{readings[0].id}"
    assert opened.reply.title == "📖 Reading 1 of 3 opens: Chapter 1"
    assert Field("In the book", "section 1 of *Test Book*") in opened.reply.fields
    assert Field("Length", "about 20 min", inline=True) in opened.reply.fields
    assert "posted late" not in opened.reply.text
    assert [e.starts_at for e in adapter.calendars[-1]] == [r.meeting_at for r in readings]


async def test_discard_stores_nothing_and_a_new_preview_replaces_an_old_one(room: Room) -> None:
    await add_book(room.app)
    first = await room.say(CREATE.format(start="2026-11-03", every="tuesday 19:00"))
    second = await room.say(CREATE.format(start="2026-11-04", every="wednesday 19:00"))
    stale = await room.say(first.choices[0].command)
    assert stale.text == "That plan preview is no longer waiting; start again with `plan create`."
    discarded = await room.say(second.choices[1].command)
    assert discarded.text == "The plan preview is discarded; nothing was scheduled."
    assert (await room.say("plan show")).text.startswith("This group has no study plan yet")
    assert await schedule_store.all_schedules(room.app.db) == []


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (CREATE.format(start="2026-11-03", every="tuesday at 7"), "I couldn't read the time in “tuesday at 7”"),
        (CREATE.format(start="2026-11-03", every="someday 19:00"), "I don't understand “someday”"),
        (CREATE.format(start="2026-11-03", every="tuesday 19:00") + " tz:Mars/Olympus", "I don't know the time zone"),
        (CREATE.format(start="2026-10-01", every="tuesday 19:00"), "The start date 2026-10-01 is in the past"),
        (CREATE.format(start="2026-11-03", every="sunday 19:00") + " until:2026-11-07", "No meeting every Sunday"),
        (
            CREATE.format(start="2026-11-03", every="tuesday 19:00") + " until:2026-11-12",
            "The readings need 3 meetings but only 2 fit before 2026-11-12",
        ),
        ('plan create Empty start:2026-11-03 every:"tuesday 19:00" per-meeting:"1 section"', "*Empty* has no sections"),
        ('plan create "Test Book" start:2026-11-03 every:"tuesday 19:00" per-meeting:lots', "I couldn't read “lots”"),
        ('plan create Nosuch start:2026-11-03 every:"tuesday 19:00" per-meeting:"1 section"', "I don't know a book"),
    ],
)
async def test_bad_input_is_one_sentence_and_stores_nothing(room: Room, line: str, expected: str) -> None:
    await add_book(room.app)
    await add_book(room.app, "Empty", minutes=())
    reply = await room.say(line)
    assert reply.kind == "error"
    assert expected in reply.text
    sentence = reply.text.split("\n")[0]
    assert sentence.endswith((".", "?")) and sentence.count(". ") == 0
    row = await room.app.db.fetchone("SELECT count(*) FROM plans")
    assert row is not None and row[0] == 0


async def test_a_second_plan_is_refused_with_how_to_cancel(room: Room, adapter: RecordingAdapter) -> None:
    await add_book(room.app)
    await start_plan(room)
    reply = await room.say(CREATE.format(start="2026-11-04", every="wednesday 19:00"))
    assert (
        reply.text == "This group already has a study plan (active); a moderator can end it with `plan cancel` first."
    )
    row = await room.app.db.fetchone("SELECT count(*) FROM plans")
    assert row is not None and row[0] == 1


# ---------------------------------------------------------------- the plan running by itself
async def test_posts_go_out_at_the_right_utc_instants_across_the_berlin_dst_change(
    room: Room, adapter: RecordingAdapter, clock: ManualClock
) -> None:
    clock.set(utc(2027, 3, 13, 9))  # Saturday; the clocks go forward on Sunday 28 March 2027
    await add_book(room.app)
    await start_plan(room, start="2027-03-14", every="sunday 19:00")
    await run_until(room.app, clock, utc(2027, 4, 1))
    assert kinds(adapter.sent) == [
        (utc(2027, 3, 13, 9), "open 1"),  # at confirmation: the first meeting is less than a week away
        (utc(2027, 3, 13, 18), "remind 1d 1"),  # Sat 19:00 CET
        (utc(2027, 3, 14, 17), "remind 1h 1"),
        (utc(2027, 3, 14, 18), "open 2"),  # at meeting 1, Sun 19:00 CET
        (utc(2027, 3, 20, 18), "remind 1d 2"),
        (utc(2027, 3, 21, 17), "remind 1h 2"),
        (utc(2027, 3, 21, 18), "open 3"),
        (utc(2027, 3, 27, 18), "remind 1d 3"),  # Sat 19:00 CET: 23 real hours before the meeting
        (utc(2027, 3, 28, 16), "remind 1h 3"),  # Sun 18:00 CEST
        (utc(2027, 3, 28, 17), "close"),  # the last meeting started: the plan is finished
    ]
    readings = await plan_store.readings(room.app.db, await group_id(room.app))
    assert readings[2].meeting_at == utc(2027, 3, 28, 17)  # Sun 19:00 CEST
    assert all(not s.reply.text.endswith("_") for s in adapter.sent)  # none marked late
    keys = [s.key for s in adapter.sent]
    assert len(set(keys)) == len(keys)
    plan_id = readings[0].plan_id
    assert f"plan:{plan_id}:remind:86400@2027-03-27T18:00:00Z" in keys
    reminders = [s for s in adapter.sent if s.reply.kind == "reminder"]
    assert all(s.thread_key == f"reading:{readings[int(s.thread_key[8:]) - readings[0].id].id}" for s in reminders)
    assert await room.app.next_wakeup() is None


@pytest.mark.parametrize(
    ("now", "start", "meeting", "day_before", "hour_before"),
    [
        # 02:30 does not exist on 28 Mar 2027: the meeting is at 03:00 CEST, the first valid instant after it, and
        # "24 h before" is the meeting's own wall-clock time (03:00) the day before
        (utc(2027, 3, 26, 9), "2027-03-28", utc(2027, 3, 28, 1), utc(2027, 3, 27, 2), utc(2027, 3, 28, 0)),
        # 02:30 happens twice on 25 Oct 2026: the meeting is the first one (CEST) and fires once
        (
            utc(2026, 10, 23, 9),
            "2026-10-25",
            utc(2026, 10, 25, 0, 30),
            utc(2026, 10, 24, 0, 30),
            utc(2026, 10, 24, 23, 30),
        ),
    ],
)
async def test_gap_and_overlap_times(
    room: Room,
    adapter: RecordingAdapter,
    clock: ManualClock,
    now: datetime,
    start: str,
    meeting: datetime,
    day_before: datetime,
    hour_before: datetime,
) -> None:
    clock.set(now)
    await add_book(room.app, minutes=(20,))
    await start_plan(room, start=start, every="sunday 02:30")
    await run_until(room.app, clock, now + timedelta(days=4))
    readings = await plan_store.readings(room.app.db, await group_id(room.app))
    assert [r.meeting_at for r in readings] == [meeting]
    assert kinds(adapter.sent) == [
        (now, "open 1"),
        (day_before, "remind 1d 1"),
        (hour_before, "remind 1h 1"),
        (meeting, "close"),
    ]


async def test_pause_and_resume(room: Room, adapter: RecordingAdapter, clock: ManualClock) -> None:
    await add_book(room.app)
    await start_plan(room)
    await room.app.tick()
    assert (await room.say("plan pause")).text.startswith("The plan is paused.")
    assert (await room.say("plan pause")).kind == "error"
    await run_until(room.app, clock, utc(2026, 11, 20, 9))
    assert kinds(adapter.sent) == [(utc(2026, 11, 2, 9), "open 1")]
    assert adapter.calendars[-1] == []
    assert "paused" in (await room.say("plan show", who="bob")).title  # type: ignore[operator]
    resumed = await room.say("plan resume")
    assert resumed.text == "The plan is running again; the next meeting is Tue 24 Nov 2026, 19:00 CET."
    readings = await plan_store.readings(room.app.db, await group_id(room.app))
    assert [r.meeting_at for r in readings] == [utc(2026, 11, 24, 18), utc(2026, 12, 1, 18), utc(2026, 12, 8, 18)]
    await run_until(room.app, clock, utc(2026, 11, 25))
    assert kinds(adapter.sent)[1:] == [
        (utc(2026, 11, 23, 18), "remind 1d 1"),
        (utc(2026, 11, 24, 17), "remind 1h 1"),
        (utc(2026, 11, 24, 18), "open 2"),
    ]


async def test_skip_moves_the_readings_on_and_keeps_calendar_uids(
    room: Room, adapter: RecordingAdapter, clock: ManualClock
) -> None:
    await add_book(room.app)
    await start_plan(room)
    gid = await group_id(room.app)
    before = await plan_store.readings(room.app.db, gid)
    ics_before = (await room.say("plan ics")).files[0].data.decode()
    reply = await room.say("plan skip 2026-11-10")
    assert reply.text == (
        "No meeting on Tue 10 Nov 2026; the readings move on and the last meeting is now Tue 24 Nov 2026, 19:00 CET."
    )
    after = await plan_store.readings(room.app.db, gid)
    assert [r.meeting_at for r in after] == [utc(2026, 11, 3, 18), utc(2026, 11, 17, 18), utc(2026, 11, 24, 18)]
    assert [r.id for r in after] == [r.id for r in before]
    assert after[2].opens_at == utc(2026, 11, 17, 18)
    ics = (await room.say("plan ics")).files[0].data.decode()
    installation = await installation_id(room.app.db)
    uid = f"UID:group-{gid}-reading-{after[1].id}@{installation}.readalong"
    assert uid in ics_before and uid in ics
    assert "DTSTART;TZID=Europe/Berlin:20261117T190000" in ics and "SEQUENCE:1" in ics
    assert (await room.say("plan skip 2026-11-11")).text == (
        "There is no upcoming meeting on Wednesday 11 November 2026, so there is nothing to skip."
    )
    assert (
        await room.say("plan skip 2026-10-27")
    ).text == "2026-10-27 is in the past; pick a date that is still to come."
    await run_until(room.app, clock, utc(2026, 11, 18))
    assert (utc(2026, 11, 9, 18), "remind 1d 2") not in kinds(adapter.sent)
    assert (utc(2026, 11, 16, 18), "remind 1d 2") in kinds(adapter.sent)


async def test_blackout_and_shift(room: Room, adapter: RecordingAdapter) -> None:
    await add_book(room.app)
    await start_plan(room)
    gid = await group_id(room.app)
    assert (await room.say("plan blackout 2026-11-11")).kind != "error"  # no meeting that day: nothing moves
    assert (await room.say("plan blackout 2026-11-17")).text.endswith("the last meeting is Tue 24 Nov 2026, 19:00 CET.")
    shifted = await room.say("plan shift +3d")
    assert shifted.text == (
        "Meetings moved by 3d: now every Friday at 19:00; the next one is Fri 06 Nov 2026, 19:00 CET."
    )
    readings = await plan_store.readings(room.app.db, gid)
    # blackouts are dates: the one on Tuesday the 17th stays there and keeps no Friday free
    assert [r.meeting_at for r in readings] == [utc(2026, 11, 6, 18), utc(2026, 11, 13, 18), utc(2026, 11, 20, 18)]
    assert (await room.say("plan shift -5d")).text == "That would move the next meeting into the past; shift by less."
    assert (await room.say("plan shift +1h")).text.endswith("the next one is Fri 06 Nov 2026, 20:00 CET.")


async def test_add_appends_a_book_and_cancel_stops_everything(
    room: Room, adapter: RecordingAdapter, clock: ManualClock
) -> None:
    await add_book(room.app, minutes=(20, 20))
    second = await add_book(room.app, "Second Book", minutes=(30, 30))
    await start_plan(room)
    added = await room.say('plan add "Second Book"')
    assert added.text == "Added *Second Book* as 2 readings; the plan now ends Tue 24 Nov 2026, 19:00 CET."
    gid = await group_id(room.app)
    readings = await plan_store.readings(room.app.db, gid)
    assert [(r.position, r.book_id) for r in readings][2:] == [(2, second), (3, second)]
    assert len(adapter.calendars[-1]) == 4
    assert await planned_book_ids(room.app.db, gid) == {readings[0].book_id, second}
    await run_until(room.app, clock, utc(2026, 11, 4))
    posted = len(adapter.sent)
    assert (await room.say("plan cancel", who="bob")).kind == "error"
    assert (await room.say("plan cancel")).text.startswith("The study plan is cancelled")
    assert await schedule_store.all_schedules(room.app.db) == []
    assert adapter.calendars[-1] == []
    await run_until(room.app, clock, utc(2026, 12, 31))
    assert len(adapter.sent) == posted
    assert (await room.say("plan next")).text.startswith("This group has no study plan yet")
    assert (await room.say(CREATE.format(start="2027-01-05", every="tuesday 19:00"))).title == "Plan preview: Test Book"


async def test_show_and_next_for_members(room: Room, adapter: RecordingAdapter, clock: ManualClock) -> None:
    await add_book(room.app)
    await start_plan(room)
    await run_until(room.app, clock, utc(2026, 11, 4))
    shown = await room.say("plan show", who="bob")
    assert shown.title == "Study plan: Test Book"
    assert "Meetings every Tuesday at 19:00 (Europe/Berlin); 1 of 3 readings met." in shown.text
    assert "2. Tue 10 Nov 2026, 19:00 CET — Chapter 2 (~20 min) (open)" in shown.text
    nxt = await room.say("plan next", who="bob")
    assert nxt.title == "Next meeting: Tue 10 Nov 2026, 19:00 CET"
    assert nxt.text == "Reading 2 of 3: Chapter 2 from *Test Book*, about 20 min."
    assert (await room.say("plan")).title == "Study plan: Test Book"


# ---------------------------------------------------------------- catch-up after downtime
async def test_reading_post_missed_for_an_hour_is_sent_once_marked_late(
    room: Room, adapter: RecordingAdapter, clock: ManualClock
) -> None:
    await add_book(room.app)
    await start_plan(room)
    await run_until(room.app, clock, utc(2026, 11, 3, 17, 30))
    clock.set(utc(2026, 11, 3, 19))  # the bot was down from 17:30 to 19:00; reading 2 opened at 18:00
    await room.app.tick()
    await room.app.tick()
    late = [s for s in adapter.sent if s.reply.title and s.reply.title.startswith("📖 Reading 2")]
    assert len(late) == 1
    assert late[0].reply.text.endswith("_(posted late: I was offline when this was due)_")
    row = await room.app.db.fetchone("SELECT late FROM outbox WHERE key = ?", (late[0].key,))
    assert row is not None and row[0] == 1
    assert await schedule_store.missed(room.app.db) == []


async def test_reading_post_three_hours_late_is_recorded_missed(
    room: Room, adapter: RecordingAdapter, clock: ManualClock
) -> None:
    await add_book(room.app)
    await start_plan(room)
    await run_until(room.app, clock, utc(2026, 11, 3, 17, 30))
    sent = len(adapter.sent)
    clock.set(utc(2026, 11, 3, 21))  # down for 3.5 h
    await room.app.tick()
    assert len(adapter.sent) == sent
    gid = await group_id(room.app)
    plan_id = (await plan_store.readings(room.app.db, gid))[0].plan_id
    missed = await schedule_store.missed(room.app.db, gid)
    assert [(m.key, m.kind) for m in missed] == [(f"plan:{plan_id}:opens@2026-11-03T18:00:00Z", "reading-opens")]
    assert "Reading 2 of 3 opens" in (missed[0].payload or "")
    assert await plan_store.group_position(room.app.db, gid) == 1  # the reading is open all the same
    await run_until(room.app, clock, utc(2026, 11, 10, 18, 30))
    assert kinds(adapter.sent)[sent:] == [
        (utc(2026, 11, 9, 18), "remind 1d 2"),
        (utc(2026, 11, 10, 17), "remind 1h 2"),
        (utc(2026, 11, 10, 18), "open 3"),
    ]


async def test_a_reminder_is_sent_late_only_before_its_meeting(
    room: Room, adapter: RecordingAdapter, clock: ManualClock
) -> None:
    await add_book(room.app)
    await start_plan(room)
    await run_until(room.app, clock, utc(2026, 11, 3, 16, 30))
    clock.set(utc(2026, 11, 3, 17, 30))  # the 1 h reminder (17:00) is 30 min late, the meeting is at 18:00
    await room.app.tick()
    assert adapter.sent[-1].reply.title == "⏰ Meeting in 30m: Chapter 1"  # worded for when it is sent
    assert "posted late" in adapter.sent[-1].reply.text
    await run_until(room.app, clock, utc(2026, 11, 10, 16, 30))
    clock.set(utc(2026, 11, 10, 18, 10))  # down across the next 1 h reminder and the meeting's start
    await room.app.tick()
    gid = await group_id(room.app)
    missed = await schedule_store.missed(room.app.db, gid)
    assert [(m.kind, m.due_at) for m in missed] == [("reminder", utc(2026, 11, 10, 17))]
    assert adapter.sent[-1].reply.title == "📖 Reading 3 of 3 opens: Chapter 3"  # 10 min late, within grace
    assert not any(s.reply.title == "⏰ Meeting in 1h: Chapter 2" for s in adapter.sent)


# ---------------------------------------------------------------- reminders, hooks, calendar
async def test_reminder_offsets_can_be_changed(room: Room, adapter: RecordingAdapter, clock: ManualClock) -> None:
    await add_book(room.app)
    await start_plan(room)
    assert (await room.say("reminders set 2h 30m", who="bob")).kind == "error"
    reply = await room.say("reminders set 2h 30m")
    assert reply.text == "Reminders: 2h, 30m before each meeting, plus the post when each reading opens."
    assert (await room.say("reminders set 0m")).kind == "error"
    assert (await room.say("reminders set soon")).kind == "error"
    shown = await room.say("reminders show", who="bob")
    assert "Next reminder: Tue 03 Nov 2026, 17:00 CET." in shown.text
    await run_until(room.app, clock, utc(2026, 11, 3, 18))
    assert kinds(adapter.sent) == [
        (utc(2026, 11, 2, 9), "open 1"),
        (utc(2026, 11, 3, 16), "remind 2h 1"),
        (utc(2026, 11, 3, 17, 30), "remind 30m 1"),
        (utc(2026, 11, 3, 18), "open 2"),
    ]
    assert (await room.say("reminders set off")).text.startswith("Reminders: no reminders before meetings")
    await run_until(room.app, clock, utc(2026, 11, 10, 18, 30))
    assert kinds(adapter.sent)[4:] == [(utc(2026, 11, 10, 18), "open 3")]


async def test_reading_opening_listeners_add_fields_and_a_broken_one_is_skipped(
    settings: Settings, clock: ManualClock
) -> None:
    async def prompt(services: Services, event: ReadingOpening) -> None:
        event.extras.append(Field("Prompt", f"What surprised you in {event.reading.title}?"))

    async def broken(services: Services, event: ReadingOpening) -> None:
        raise RuntimeError("boom")

    extra = Feature(name="test-extras", listeners=((ReadingOpening, broken), (ReadingOpening, prompt)))
    app = await App.open(settings, clock=clock, features=[*all_features(), extra])
    try:
        adapter = RecordingAdapter(clock)
        app.adapters["test"] = adapter
        room = Room(app)
        await room.setup()
        await add_book(app)
        await start_plan(room)
        await app.tick()
    finally:
        await app.close()
    assert Field("Prompt", "What surprised you in Chapter 1?") in adapter.sent[0].reply.fields


def test_plan_ics_command_and_cli(settings: Settings) -> None:
    async def prepare() -> int:
        app = await App.open(settings, clock=ManualClock(utc(2026, 11, 2, 9)), features=all_features())
        try:
            room = Room(app)
            await room.setup()
            await add_book(app)
            await start_plan(room)
            reply = await room.say("plan ics", who="bob")
            (file,) = reply.files
            assert file.filename == "readalong-plan.ics" and file.content_type == "text/calendar"
            return await group_id(app)
        finally:
            await app.close()

    gid = asyncio.run(prepare())
    for ref in (str(gid), "room-1"):
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            assert main(["plan", "ics", ref, "--db", str(settings.bot.database)]) == 0
        text = buffer.getvalue()
        assert text.count("BEGIN:VEVENT") == 3
        assert "DTSTART;TZID=Europe/Berlin:20261103T190000" in text
        assert "SUMMARY:Test group: Chapter 1" in text


async def test_cadence_change_and_append_hook_for_votes(room: Room, adapter: RecordingAdapter) -> None:
    await add_book(room.app)
    other = await add_book(room.app, "Other", minutes=(25,))
    await start_plan(room)
    reply = await room.say('plan cadence "thursday 18:00"')
    assert reply.text == "The group now meets every Thursday at 18:00; the next meeting is Thu 05 Nov 2026, 18:00 CET."
    gid = await group_id(room.app)
    async with room.app.db.transaction() as tx:
        laid = await append_book(room.app, tx, gid, other)
    assert [r.meeting_at for r in laid][-1] == utc(2026, 11, 26, 17)


async def test_heading_only_sections_are_not_readings(room: Room, adapter: RecordingAdapter) -> None:
    await add_book(room.app, minutes=(0, 20, 20))  # "Chapter 1" is a part heading without text
    await start_plan(room)
    readings = await plan_store.readings(room.app.db, await group_id(room.app))
    assert [r.title for r in readings] == ["Chapter 2", "Chapter 3"]


async def test_changing_the_group_zone_moves_the_plan_keeping_local_times(
    room: Room, adapter: RecordingAdapter
) -> None:
    await add_book(room.app)
    await start_sunday_plan(room)
    reply = await room.say("group timezone America/New_York")
    assert reply.text.startswith("The group's time zone is now America/New_York.")
    assert "next meeting is Sun 08 Nov 2026, 19:00 EST" in reply.text
    shown = await room.say("plan show")
    assert "(America/New_York)" in shown.text
    assert "Sun 08 Nov 2026, 19:00 EST" in shown.text  # 19:00 where the group now is, not 13:00 (Berlin's 19:00)
    (plan,) = [p for p in [await plan_store.live(room.app.db, 1)] if p]
    assert plan.timezone == "America/New_York"
    readings = await plan_store.plan_readings(room.app.db, plan.id)
    assert readings[0].meeting_at == datetime(2026, 11, 9, 0, 0, tzinfo=UTC)
    same = await room.say("group timezone America/New_York")
    assert same.text == "The group's time zone is already America/New_York."


@pytest.mark.default_library
async def test_untitled_first_section_is_called_opening_as_in_library_show(room: Room) -> None:
    listing = await room.say("library show jacobins")
    assert listing.text.splitlines()[0].startswith("1. Opening — ")
    preview = await room.say(SUNDAY_PLAN.format(book="jacobins"))
    assert "1. Sun 08 Nov 2026, 19:00 CET — Opening (~3 min)" in preview.text


async def test_plan_show_lists_books_in_syllabus_order_and_add_counts_readings(
    room: Room, adapter: RecordingAdapter
) -> None:
    await add_book(room.app, "Zeta Book")
    await add_book(room.app, "Alpha Book", minutes=(30,))
    await start_sunday_plan(room, "Zeta Book")
    added = await room.say("plan add Alpha Book")
    assert "as 1 reading;" in added.text
    shown = await room.say("plan show")
    assert shown.title == "Study plan: Zeta Book, Alpha Book"


async def test_plan_add_refuses_a_book_already_in_the_plan(room: Room, adapter: RecordingAdapter) -> None:
    await add_book(room.app)
    await start_sunday_plan(room)
    again = await room.say("plan add Test Book")
    assert again.kind == "error"
    assert "*Test Book* is already in the plan (readings 1–3)" in again.text
    plan = await plan_store.live(room.app.db, 1)
    assert plan is not None and len(await plan_store.plan_readings(room.app.db, plan.id)) == 3


async def test_plan_shift_by_more_than_a_year_is_refused(room: Room, adapter: RecordingAdapter) -> None:
    await add_book(room.app)
    await start_sunday_plan(room)
    reply = await room.say("plan shift +100000d")
    assert reply.kind == "error" and "`by` should be at most 366 days" in reply.text
    assert "Sun 08 Nov 2026" in (await room.say("plan next")).title  # type: ignore[operator]


@pytest.mark.parametrize(
    ("every", "described"),
    [
        ("every day 19:00", "every day at 19:00"),
        ("weekdays 7pm", "every weekday at 19:00"),
        ("saturday and sunday 10:00", "every weekend day at 10:00"),
        ("every 2 weeks on weekdays 19:00", "every 2 weeks on weekdays at 19:00"),
    ],
)
async def test_day_sets_are_described_by_name(room: Room, every: str, described: str) -> None:
    await add_book(room.app)
    preview = await room.say(f'plan create "Test Book" start:2026-11-03 every:"{every}" per-meeting:"1 section"')
    assert preview.kind != "error", preview.text
    assert f"meetings {described} (Europe/Berlin)" in preview.text
    assert "Monday" not in preview.text
