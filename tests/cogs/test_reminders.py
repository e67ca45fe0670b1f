"""Reminders before meetings (cogs/reminders.py): the same wall-clock time across DST, strictly after the cursor;
`reminders set` and `reminders show` through a chat room."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from cogs.reminders import describe_before, next_reminder
from tests.conftest import Room

BERLIN = ZoneInfo("Europe/Berlin")
TUE, FRI, SUN = 1, 4, 6


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def test_24h_before_is_the_same_wall_clock_time_the_day_before_across_dst() -> None:
    sunday = utc(2027, 3, 28, 17)  # Sun 28 Mar 2027, 19:00 CEST: the clocks went forward that night
    readings = [sunday]
    day_before = next_reminder(readings, timedelta(hours=24), BERLIN, utc(2027, 3, 1))
    assert day_before == utc(2027, 3, 27, 18)  # Sat 19:00 CET: 23 real hours before
    assert next_reminder(readings, timedelta(hours=1), BERLIN, utc(2027, 3, 1)) == utc(2027, 3, 28, 16)
    autumn = utc(2026, 10, 25, 18)  # Sun 25 Oct 2026, 19:00 CET, the day the clocks went back
    assert next_reminder([autumn], timedelta(days=1), BERLIN, utc(2026, 10, 1)) == utc(2026, 10, 24, 17)


def test_next_reminder_is_strictly_after_the_cursor() -> None:
    meetings = [utc(2026, 11, 3, 18), utc(2026, 11, 10, 18)]
    readings = meetings
    first = next_reminder(readings, timedelta(hours=1), BERLIN, utc(2026, 11, 1))
    assert first == utc(2026, 11, 3, 17)
    assert next_reminder(readings, timedelta(hours=1), BERLIN, first) == utc(2026, 11, 10, 17)
    assert next_reminder(readings, timedelta(hours=1), BERLIN, utc(2026, 11, 10, 17)) is None


def test_describe_before() -> None:
    assert describe_before(timedelta(days=1)) == "tomorrow"
    assert describe_before(timedelta(days=2)) == "in 2 days"
    assert describe_before(timedelta(hours=1, minutes=30)) == "in 1h 30m"


async def test_reminders_show_explains_whole_days_only_when_there_are_any(room: Room) -> None:
    whole_days = "Whole days mean the same clock time that many days before"
    assert whole_days in (await room.say("reminders show")).text  # the default: 24h and 1h
    await room.say("reminders set 2h 30m")
    assert whole_days not in (await room.say("reminders show")).text
    await room.say("reminders set off")
    shown = await room.say("reminders show")
    assert shown.text == "Reminders: no reminders before meetings, plus the post when each reading opens."
