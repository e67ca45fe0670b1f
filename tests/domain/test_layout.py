"""A plan's rule (bot/domain/layout.py): when readings open, the meetings that fit, shifting a rule."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.layout import PlanRule, next_meetings, opening_times, shifted_rule
from bot.domain.plans import DateListCadence, PlanError, WeeklyCadence

BERLIN = ZoneInfo("Europe/Berlin")
TUE, FRI, SUN = 1, 4, 6


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def test_a_reading_opens_at_the_previous_meeting_and_the_first_a_week_before() -> None:
    meetings = [utc(2027, 3, 21, 18), utc(2027, 3, 28, 17), utc(2027, 4, 4, 17)]  # Sundays 19:00, DST on the 28th
    opens = opening_times(meetings, BERLIN)
    assert opens == [utc(2027, 3, 14, 18), meetings[0], meetings[1]]
    # the first one is a week before in wall-clock time: 19:00 CET on the 14th for 19:00 CEST on the 28th
    assert opening_times([meetings[1]], BERLIN) == [utc(2027, 3, 21, 18)]


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


def test_shifting_moves_weekdays_time_and_dates_in_wall_clock_time_but_never_blackouts() -> None:
    tuesday = rule(WeeklyCadence((TUE,), time(19, 0)), date(2026, 11, 3), blackouts={date(2026, 11, 17)})
    moved, first = shifted_rule(tuesday, utc(2026, 11, 10, 18), timedelta(days=3))
    assert moved.cadence == WeeklyCadence((FRI,), time(19, 0))
    assert moved.start == date(2026, 11, 13) and first == utc(2026, 11, 13, 18)
    assert moved.blackouts == {date(2026, 11, 17)}  # a holiday is a date: it does not move with the meetings
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
