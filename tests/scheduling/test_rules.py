"""Pure scheduling maths: catch-up decisions, when readings open, reminders across DST, shifting a rule."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.layout import PlanRule, next_meetings, opening_times, shifted_rule
from bot.domain.plans import DateListCadence, PlanError, WeeklyCadence
from bot.scheduling import DEFAULT_CATCH_UP, CatchUp, catch_up_decision, occurrence_key
from cogs.plans.opens import READING_OPENS
from cogs.reminders import REMINDER, describe_before, next_reminder

# each kind's own policy; "prompt" stands for a kind declared without one (the default)
CATCH_UP = {"reading-opens": READING_OPENS.policy, "prompt": DEFAULT_CATCH_UP, "reminder": REMINDER.policy}

BERLIN = ZoneInfo("Europe/Berlin")
TUE, FRI, SUN = 1, 4, 6


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


DUE = utc(2026, 11, 3, 18, 0)


@pytest.mark.parametrize(
    ("kind", "late_by", "meeting_in", "expected"),
    [
        ("reading-opens", timedelta(seconds=30), None, "on-time"),
        ("reading-opens", timedelta(hours=1), None, "late"),
        ("reading-opens", timedelta(hours=2), None, "late"),
        ("reading-opens", timedelta(hours=2, seconds=1), None, "missed"),
        ("reading-opens", timedelta(hours=3), None, "missed"),
        ("prompt", timedelta(hours=1), None, "late"),
        ("reminder", timedelta(minutes=30), timedelta(hours=1), "late"),  # meeting not started yet
        ("reminder", timedelta(minutes=30), timedelta(minutes=10), "missed"),  # meeting started 20 min ago
        ("reminder", timedelta(hours=20), timedelta(hours=24), "late"),  # a 24 h reminder, still before the meeting
        ("reminder", timedelta(0), timedelta(0), "missed"),  # due exactly as the meeting starts
    ],
)
def test_catch_up_policy_per_kind(kind: str, late_by: timedelta, meeting_in: timedelta | None, expected: str) -> None:
    meeting = DUE + meeting_in if meeting_in is not None else None
    assert catch_up_decision(CATCH_UP[kind], DUE, DUE + late_by, meeting) == expected


def test_catch_up_policy_is_configurable() -> None:
    strict = CatchUp(grace=timedelta(minutes=5))
    assert catch_up_decision(strict, DUE, DUE + timedelta(minutes=10)) == "missed"
    lenient = CatchUp(grace=None)
    assert catch_up_decision(lenient, DUE, DUE + timedelta(days=3)) == "late"


def test_occurrence_keys_are_schedule_at_fire_time() -> None:
    assert occurrence_key("plan:7:opens", DUE) == "plan:7:opens@2026-11-03T18:00:00Z"
    assert occurrence_key("plan:7:opens", DUE, 1) == "plan:7:opens@2026-11-03T18:00:00Z#1"


def test_a_reading_opens_at_the_previous_meeting_and_the_first_a_week_before() -> None:
    meetings = [utc(2027, 3, 21, 18), utc(2027, 3, 28, 17), utc(2027, 4, 4, 17)]  # Sundays 19:00, DST on the 28th
    opens = opening_times(meetings, BERLIN)
    assert opens == [utc(2027, 3, 14, 18), meetings[0], meetings[1]]
    # the first one is a week before in wall-clock time: 19:00 CET on the 14th for 19:00 CEST on the 28th
    assert opening_times([meetings[1]], BERLIN) == [utc(2027, 3, 21, 18)]


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


def rule(cadence: WeeklyCadence | DateListCadence, start: date, **kw: object) -> PlanRule:
    return PlanRule(cadence, BERLIN, start, kw.get("until"), frozenset(kw.get("blackouts", ())))  # type: ignore[arg-type]


def test_next_meetings_explains_what_does_not_fit() -> None:
    tuesday = WeeklyCadence((TUE,), time(19, 0))
    after = utc(2026, 11, 2, 9)
    assert next_meetings(rule(tuesday, date(2026, 11, 3)), 2, after) == [utc(2026, 11, 3, 18), utc(2026, 11, 10, 18)]
    with pytest.raises(PlanError, match="No meeting every Tuesday at 19:00 falls between 2026-11-04 and 2026-11-09"):
        next_meetings(rule(tuesday, date(2026, 11, 4), until=date(2026, 11, 9)), 1, after)
    with pytest.raises(PlanError, match="need 3 meetings but only 2 fit before 2026-11-12"):
        next_meetings(rule(tuesday, date(2026, 11, 3), until=date(2026, 11, 12)), 3, after)
    # blackouts and the "after" cursor
    skipped = rule(tuesday, date(2026, 11, 3), blackouts={date(2026, 11, 10)})
    assert next_meetings(skipped, 2, after) == [utc(2026, 11, 3, 18), utc(2026, 11, 17, 18)]
    assert next_meetings(skipped, 1, utc(2026, 11, 3, 18)) == [utc(2026, 11, 17, 18)]


def test_shifting_moves_weekdays_time_dates_and_blackouts_in_wall_clock_time() -> None:
    tuesday = rule(WeeklyCadence((TUE,), time(19, 0)), date(2026, 11, 3), blackouts={date(2026, 11, 17)})
    moved, first = shifted_rule(tuesday, utc(2026, 11, 10, 18), timedelta(days=3))
    assert moved.cadence == WeeklyCadence((FRI,), time(19, 0))
    assert moved.start == date(2026, 11, 13) and first == utc(2026, 11, 13, 18)
    assert moved.blackouts == {date(2026, 11, 20)}
    later, first = shifted_rule(tuesday, utc(2026, 11, 10, 18), timedelta(hours=5))  # 19:00 + 5 h = Wed 00:00
    assert later.cadence == WeeklyCadence((2,), time(0, 0)) and first == utc(2026, 11, 10, 23)
    # across DST: a Sunday 19:00 CET meeting moved by a week is 19:00 CEST (an hour earlier in UTC)
    sunday = rule(WeeklyCadence((SUN,), time(19, 0), every_weeks=2), date(2027, 3, 21))
    moved, first = shifted_rule(sunday, utc(2027, 3, 21, 18), timedelta(days=7))
    assert first == utc(2027, 3, 28, 17) and moved.cadence.every_weeks == 2  # type: ignore[union-attr]
    assert next_meetings(moved, 2, utc(2027, 3, 1)) == [utc(2027, 3, 28, 17), utc(2027, 4, 11, 17)]
    listed = rule(
        DateListCadence(((date(2026, 11, 3), time(19, 0)), (date(2026, 11, 10), time(19, 0)))), date(2026, 11, 3)
    )
    moved, first = shifted_rule(listed, utc(2026, 11, 10, 18), timedelta(days=1))
    assert moved.cadence == DateListCadence(((date(2026, 11, 3), time(19, 0)), (date(2026, 11, 11), time(19, 0))))
