from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.layout import PlanRule, next_meetings
from bot.domain.plans import (
    DateListCadence,
    PerMeeting,
    PlanError,
    Reading,
    SectionLength,
    WeeklyCadence,
    allocate_readings,
    meeting_times,
    parse_cadence,
    parse_per_meeting,
    reminder_time,
    resolve_local_time,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
TUE, THU, FRI, SAT, SUN = 1, 3, 4, 5, 6


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def local(instant: datetime, tz: ZoneInfo) -> tuple[date, time, str | None]:
    shown = instant.astimezone(tz)
    return shown.date(), shown.time(), shown.tzname()


def assert_one_sentence(message: str) -> None:
    assert message[0].isupper() and message.endswith((".", "?"))
    assert "\n" not in message and ". " not in message.replace("p.m. ", "").replace("a.m. ", "")


# --- parse_cadence ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tuesday 19:00", WeeklyCadence((TUE,), time(19, 0))),
        ("tue 19:00", WeeklyCadence((TUE,), time(19, 0))),
        ("Tuesday and Thursday 19:00", WeeklyCadence((TUE, THU), time(19, 0))),
        ("thursday, tuesday 19:00", WeeklyCadence((TUE, THU), time(19, 0))),
        ("every tuesday at 7pm", WeeklyCadence((TUE,), time(19, 0))),
        ("Tuesdays at 7 p.m.", WeeklyCadence((TUE,), time(19, 0))),
        ("every tuesday at 7:30am", WeeklyCadence((TUE,), time(7, 30))),
        ("tue 12am", WeeklyCadence((TUE,), time(0, 0))),
        ("tue 12pm", WeeklyCadence((TUE,), time(12, 0))),
        ("tue noon", WeeklyCadence((TUE,), time(12, 0))),
        ("tue 19h", WeeklyCadence((TUE,), time(19, 0))),
        ("tue 19h30", WeeklyCadence((TUE,), time(19, 30))),
        ("2 weeks on sunday 17:00", WeeklyCadence((SUN,), time(17, 0), 2)),
        ("every 3 weeks on sunday 17:00", WeeklyCadence((SUN,), time(17, 0), 3)),
        ("biweekly sunday 17:00", WeeklyCadence((SUN,), time(17, 0), 2)),
        ("bi-weekly sun 5pm", WeeklyCadence((SUN,), time(17, 0), 2)),
        ("every other sunday at 5pm", WeeklyCadence((SUN,), time(17, 0), 2)),
        ("fortnightly on sunday 17:00", WeeklyCadence((SUN,), time(17, 0), 2)),
        ("weekly on friday 18:30", WeeklyCadence((FRI,), time(18, 30))),
        ("every week on fri & sat 18:30", WeeklyCadence((FRI, SAT), time(18, 30))),
        ("weekdays 8am", WeeklyCadence((0, 1, 2, 3, 4), time(8, 0))),
        ("every day at 21:00", WeeklyCadence(tuple(range(7)), time(21, 0))),
        ("weekends and wednesday 10:00", WeeklyCadence((2, SAT, SUN), time(10, 0))),
    ],
)
def test_parse_cadence_weekly(text: str, expected: WeeklyCadence) -> None:
    assert parse_cadence(text) == expected


def test_parse_cadence_explicit_dates() -> None:
    cadence = parse_cadence("2026-12-08 19:30, 2026-12-01 19:00")
    assert cadence == DateListCadence(((date(2026, 12, 1), time(19, 0)), (date(2026, 12, 8), time(19, 30))))
    assert parse_cadence("on 2026-12-01 at 7pm; 2026-12-08 at 19:30") == cadence.__class__(
        ((date(2026, 12, 1), time(19, 0)), (date(2026, 12, 8), time(19, 30)))
    )


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("tuesday 25:00", "I couldn't read the time in “tuesday 25:00”; use 24-hour time like 19:00 or 7pm."),
        ("tuesday 19:75", "couldn't read the time"),
        ("tuesday 13pm", "couldn't read the time"),
        ("tuesday at 7", "couldn't read the time"),
        ("tuesday", "couldn't find a time"),
        ("at 19:00", "couldn't find a weekday"),
        ("", "Tell me when"),
        ("tuesday 19:00 and thursday 18:00", "only one time"),
        ("tuesday lunchtime 19:00", "I don't understand “lunchtime”"),
        ("every 0 weeks on sunday 17:00", "every 1 to 12 weeks"),
        ("every 20 weeks on sunday 17:00", "every 1 to 12 weeks"),
        ("biweekly every 3 weeks sunday 17:00", "two different repeats"),
        ("2026-12-01", "Give a time for 2026-12-01"),
        ("2026-02-30 19:00", "There is no date 2026-02-30"),
        ("2026-12-01 19:00, 2026-12-01 20:00", "You listed 2026-12-01 twice"),
        ("2026-12-01 19:00, next tuesday", "couldn't read “next tuesday”"),
        ("2026-12-01 25:00", "couldn't read the time"),
    ],
)
def test_parse_cadence_errors_are_one_sentence(text: str, fragment: str) -> None:
    with pytest.raises(PlanError) as caught:
        parse_cadence(text)
    assert fragment in str(caught.value)
    assert_one_sentence(str(caught.value))
    assert isinstance(caught.value, ValueError)


@given(
    weekdays=st.sets(st.integers(0, 6), min_size=1),
    at=st.times().map(lambda t: t.replace(second=0, microsecond=0)),
    every=st.integers(1, 12),
)
def test_weekly_describe_round_trips(weekdays: set[int], at: time, every: int) -> None:
    cadence = WeeklyCadence(tuple(sorted(weekdays)), at, every)
    assert parse_cadence(cadence.describe()) == cadence


@pytest.mark.parametrize(
    ("weekdays", "every", "described"),
    [
        (range(7), 1, "every day at 19:00"),
        (range(5), 1, "every weekday at 19:00"),
        ((5, 6), 1, "every weekend day at 19:00"),
        (range(7), 2, "every 2 weeks, every day at 19:00"),
        (range(5), 3, "every 3 weeks on weekdays at 19:00"),
        ((5, 6), 2, "every 2 weeks on weekend days at 19:00"),
        ((0, 6), 1, "every Monday and Sunday at 19:00"),
    ],
)
def test_day_sets_are_described_by_name(weekdays: Sequence[int], every: int, described: str) -> None:
    cadence = WeeklyCadence(tuple(weekdays), time(19, 0), every)
    assert cadence.describe() == described
    assert parse_cadence(described) == cadence


def test_date_list_describe_round_trips() -> None:
    cadence = parse_cadence("2026-12-01 19:00, 2027-01-05 07:15")
    assert parse_cadence(cadence.describe()) == cadence


# --- parse_per_meeting ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 section", PerMeeting("sections", 1)),
        ("2 sections", PerMeeting("sections", 2)),
        ("one section", PerMeeting("sections", 1)),
        ("3 sections per meeting", PerMeeting("sections", 3)),
        ("40 minutes", PerMeeting("minutes", 40)),
        ("40 min", PerMeeting("minutes", 40)),
        ("40m", PerMeeting("minutes", 40)),
        ("1h", PerMeeting("minutes", 60)),
        ("1 hour", PerMeeting("minutes", 60)),
        ("an hour", PerMeeting("minutes", 60)),
        ("1h30", PerMeeting("minutes", 90)),
        ("1 hour 15 minutes", PerMeeting("minutes", 75)),
        ("1.5 hours", PerMeeting("minutes", 90)),
        ("half an hour", PerMeeting("minutes", 30)),
        ("about 40 minutes", PerMeeting("minutes", 40)),
        ("~40 min", PerMeeting("minutes", 40)),
    ],
)
def test_parse_per_meeting(text: str, expected: PerMeeting) -> None:
    assert parse_per_meeting(text) == expected
    assert parse_per_meeting(expected.describe()) == expected


@pytest.mark.parametrize("text", ["40", "", "lots", "0 sections", "500 sections", "2 minutes", "10 hours"])
def test_parse_per_meeting_errors(text: str) -> None:
    with pytest.raises(PlanError) as caught:
        parse_per_meeting(text)
    assert_one_sentence(str(caught.value))


# --- resolve_local_time: the DST rules --------------------------------------------------------------------


def test_gap_moves_to_first_valid_instant_berlin() -> None:
    # 2026-03-29: Berlin jumps from 02:00 CET to 03:00 CEST.
    resolved = resolve_local_time(date(2026, 3, 29), time(2, 30), BERLIN)
    assert resolved == utc(2026, 3, 29, 1, 0)
    assert local(resolved, BERLIN) == (date(2026, 3, 29), time(3, 0), "CEST")


def test_overlap_fires_at_first_occurrence_berlin() -> None:
    # 2026-10-25: Berlin falls back from 03:00 CEST to 02:00 CET; 02:30 happens twice.
    resolved = resolve_local_time(date(2026, 10, 25), time(2, 30), BERLIN)
    assert resolved == utc(2026, 10, 25, 0, 30)
    assert local(resolved, BERLIN)[2] == "CEST"


def test_gap_and_overlap_new_york() -> None:
    # 2026-03-08 02:00 EST → 03:00 EDT; 2026-11-01 02:00 EDT → 01:00 EST.
    assert resolve_local_time(date(2026, 3, 8), time(2, 30), NEW_YORK) == utc(2026, 3, 8, 7, 0)
    assert resolve_local_time(date(2026, 11, 1), time(1, 30), NEW_YORK) == utc(2026, 11, 1, 5, 30)


def test_date_line_skip_moves_to_next_day() -> None:
    apia = ZoneInfo("Pacific/Apia")  # 2011-12-30 did not exist in Samoa
    resolved = resolve_local_time(date(2011, 12, 30), time(19, 0), apia)
    assert local(resolved, apia)[:2] == (date(2011, 12, 31), time(0, 0))


ZONES = [
    "Europe/Berlin",
    "America/New_York",
    "Europe/Dublin",  # negative DST in tzdata
    "Australia/Lord_Howe",  # 30-minute DST
    "America/Santiago",  # transitions at midnight
    "America/St_Johns",
    "Asia/Kolkata",
    "Pacific/Apia",  # skipped 2011-12-30 entirely
]


def _transition_days(zone: str) -> list[date]:
    """Local dates on which the zone's offset changes, so property tests meet gaps and overlaps often."""
    tz = ZoneInfo(zone)
    days = []
    day = date(2010, 1, 1)
    while day < date(2036, 1, 1):
        start = datetime.combine(day, time(0), tzinfo=tz)
        if start.utcoffset() != (start + timedelta(days=1)).utcoffset():
            days.append(day)
        day += timedelta(days=1)
    return days


TRANSITIONS = {zone: _transition_days(zone) for zone in ZONES}
minutes_of_day = st.times().map(lambda t: t.replace(second=0, microsecond=0))
small_hours = st.times(time(0, 0), time(3, 59)).map(lambda t: t.replace(second=0, microsecond=0))


@st.composite
def zone_day_time(draw: st.DrawFn) -> tuple[str, date, time]:
    zone = draw(st.sampled_from(ZONES))
    near = TRANSITIONS[zone]
    any_day = st.dates(date(2010, 1, 1), date(2035, 12, 31))
    day = draw(st.sampled_from(near) | any_day if near else any_day)
    return zone, day, draw(small_hours | minutes_of_day)


def test_transition_days_cover_both_directions() -> None:
    assert date(2026, 3, 29) in TRANSITIONS["Europe/Berlin"]
    assert date(2026, 10, 25) in TRANSITIONS["Europe/Berlin"]
    assert date(2011, 12, 30) in TRANSITIONS["Pacific/Apia"]


@settings(max_examples=400, deadline=None)
@given(case=zone_day_time())
def test_resolved_instant_is_first_moment_the_wall_clock_reaches_the_time(
    case: tuple[str, date, time],
) -> None:
    # This one invariant covers all three cases: normal (exact), overlap (first occurrence), gap (jump).
    zone, day, at = case
    tz = ZoneInfo(zone)
    resolved = resolve_local_time(day, at, tz)
    assert resolved.tzinfo is UTC
    wall = resolved.astimezone(tz)
    before = (resolved - timedelta(seconds=1)).astimezone(tz)
    assert (wall.date(), wall.time()) >= (day, at)
    assert (before.date(), before.time()) < (day, at)
    if (wall.date(), wall.time()) != (day, at):  # only a gap may move the time, and only forwards
        assert resolved.utcoffset() is not None
        gap_start = (resolved - timedelta(seconds=1)).astimezone(tz)
        assert gap_start.utcoffset() != wall.utcoffset()


# --- meeting_times ----------------------------------------------------------------------------------------


def test_weekly_meetings_are_utc_and_keep_wall_time_across_spring_forward() -> None:
    cadence = parse_cadence("sunday 19:00")
    meetings = meeting_times(cadence, date(2026, 3, 20), BERLIN, count=3)
    assert meetings == [utc(2026, 3, 22, 18), utc(2026, 3, 29, 17), utc(2026, 4, 5, 17)]
    assert all(m.tzinfo is UTC for m in meetings)
    assert {local(m, BERLIN)[1] for m in meetings} == {time(19, 0)}


def test_weekly_meeting_inside_the_spring_forward_gap_berlin() -> None:
    meetings = meeting_times(parse_cadence("sunday 02:30"), date(2026, 3, 22), BERLIN, count=3)
    assert [local(m, BERLIN)[:2] for m in meetings] == [
        (date(2026, 3, 22), time(2, 30)),
        (date(2026, 3, 29), time(3, 0)),
        (date(2026, 4, 5), time(2, 30)),
    ]


def test_weekly_meeting_inside_the_fall_back_overlap_fires_once_berlin() -> None:
    meetings = meeting_times(parse_cadence("sunday 02:30"), date(2026, 10, 18), BERLIN, until=date(2026, 11, 1))
    assert meetings == [utc(2026, 10, 18, 0, 30), utc(2026, 10, 25, 0, 30), utc(2026, 11, 1, 1, 30)]


def test_normal_meetings_around_fall_back_berlin() -> None:
    meetings = meeting_times(parse_cadence("sunday 19:00"), date(2026, 10, 18), BERLIN, count=2)
    assert meetings == [utc(2026, 10, 18, 17), utc(2026, 10, 25, 18)]


def test_new_york_transitions() -> None:
    spring = meeting_times(parse_cadence("sunday 2:30am"), date(2026, 3, 1), NEW_YORK, count=3)
    assert spring == [utc(2026, 3, 1, 7, 30), utc(2026, 3, 8, 7, 0), utc(2026, 3, 15, 6, 30)]
    fall = meeting_times(parse_cadence("sunday 1:30am"), date(2026, 10, 25), NEW_YORK, count=3)
    assert fall == [utc(2026, 10, 25, 5, 30), utc(2026, 11, 1, 5, 30), utc(2026, 11, 8, 6, 30)]
    evenings = meeting_times(parse_cadence("saturday and sunday 19:00"), date(2026, 10, 31), NEW_YORK, count=2)
    assert evenings == [utc(2026, 10, 31, 23), utc(2026, 11, 2, 0)]


def test_biweekly_across_a_year_boundary_with_53_iso_weeks() -> None:
    # 2026 has ISO week 53, so a cron "week */2" rule would meet in weeks 53 and 1 back to back.
    meetings = meeting_times(parse_cadence("biweekly sunday 17:00"), date(2026, 12, 13), BERLIN, count=5)
    days = [local(m, BERLIN)[0] for m in meetings]
    assert days == [
        date(2026, 12, 13),
        date(2026, 12, 27),
        date(2027, 1, 10),
        date(2027, 1, 24),
        date(2027, 2, 7),
    ]
    assert {local(m, BERLIN)[1] for m in meetings} == {time(17, 0)}


def test_biweekly_rhythm_is_anchored_on_the_start_week() -> None:
    cadence = parse_cadence("every 2 weeks on tuesday and thursday 19:00")
    meetings = meeting_times(cadence, date(2026, 12, 2), BERLIN, count=4)  # a Wednesday
    assert [local(m, BERLIN)[0] for m in meetings] == [
        date(2026, 12, 3),
        date(2026, 12, 15),
        date(2026, 12, 17),
        date(2026, 12, 29),
    ]


def test_blackouts_are_skipped_and_do_not_use_up_count_or_shift_the_rhythm() -> None:
    weekly = meeting_times(
        parse_cadence("tuesday 19:00"),
        date(2026, 12, 1),
        BERLIN,
        count=3,
        blackouts=frozenset({date(2026, 12, 8)}),
    )
    assert [local(m, BERLIN)[0] for m in weekly] == [
        date(2026, 12, 1),
        date(2026, 12, 15),
        date(2026, 12, 22),
    ]
    biweekly = meeting_times(
        parse_cadence("biweekly tuesday 19:00"),
        date(2026, 12, 1),
        BERLIN,
        count=2,
        blackouts=frozenset({date(2026, 12, 15), date(2026, 12, 22)}),
    )
    assert [local(m, BERLIN)[0] for m in biweekly] == [date(2026, 12, 1), date(2026, 12, 29)]


def test_until_is_inclusive_and_count_stops_first() -> None:
    cadence = parse_cadence("tuesday 19:00")
    assert len(meeting_times(cadence, date(2026, 12, 1), BERLIN, until=date(2026, 12, 29))) == 5
    assert len(meeting_times(cadence, date(2026, 12, 1), BERLIN, until=date(2026, 12, 29), count=2)) == 2


def test_after_keeps_only_later_meetings() -> None:
    cadence = parse_cadence("tuesday 19:00")
    first = meeting_times(cadence, date(2026, 1, 6), BERLIN, count=60)
    later = meeting_times(cadence, date(2026, 1, 6), BERLIN, count=3, after=first[40])
    assert later == first[41:44]
    assert meeting_times(cadence, date(2026, 1, 6), BERLIN, until=date(2026, 2, 1), after=first[40]) == []


def test_no_meeting_before_the_end_date_is_a_plan_error() -> None:
    with pytest.raises(PlanError) as caught:
        meeting_times(parse_cadence("tuesday 19:00"), date(2026, 12, 2), BERLIN, until=date(2026, 12, 7))
    assert_one_sentence(str(caught.value))
    assert "2026-12-07" in str(caught.value)
    with pytest.raises(PlanError, match="skipped dates"):
        meeting_times(
            parse_cadence("tuesday 19:00"),
            date(2026, 12, 1),
            BERLIN,
            until=date(2026, 12, 7),
            blackouts=frozenset({date(2026, 12, 1)}),
        )


def test_weekly_cadence_needs_an_end() -> None:
    with pytest.raises(ValueError, match="count or until"):
        meeting_times(parse_cadence("tuesday 19:00"), date(2026, 12, 1), BERLIN)
    assert meeting_times(parse_cadence("tuesday 19:00"), date(2026, 12, 1), BERLIN, count=0) == []


def test_date_list_meetings_follow_the_same_rules() -> None:
    cadence = parse_cadence("2026-03-22 02:30, 2026-03-29 02:30, 2026-10-25 02:30, 2026-12-01 19:00")
    meetings = meeting_times(cadence, date(2026, 3, 23), BERLIN, blackouts=frozenset({date(2026, 12, 1)}))
    assert meetings == [utc(2026, 3, 29, 1, 0), utc(2026, 10, 25, 0, 30)]
    with pytest.raises(PlanError):
        meeting_times(cadence, date(2027, 1, 1), BERLIN)


def test_at_most_one_meeting_per_local_date() -> None:
    apia = ZoneInfo("Pacific/Apia")
    cadence = parse_cadence("thursday, friday and saturday 19:00")
    meetings = meeting_times(cadence, date(2011, 12, 29), apia, until=date(2011, 12, 31))
    assert [local(m, apia)[:2] for m in meetings] == [
        (date(2011, 12, 29), time(19, 0)),
        (date(2011, 12, 31), time(0, 0)),  # Friday 19:00 did not exist; Saturday keeps one meeting
    ]


@settings(max_examples=80, deadline=None)
@given(
    case=zone_day_time(),
    weekdays=st.sets(st.integers(0, 6), min_size=1, max_size=3),
    every=st.integers(1, 3),
)
def test_meeting_times_properties(case: tuple[str, date, time], weekdays: set[int], every: int) -> None:
    zone, around, at = case
    tz = ZoneInfo(zone)
    start = around - timedelta(days=10)
    cadence = WeeklyCadence(tuple(sorted(weekdays | {around.weekday()})), at, every)
    meetings = meeting_times(cadence, start, tz, count=12)
    assert len(meetings) == 12
    assert meetings == sorted(set(meetings))
    local_days = [m.astimezone(tz).date() for m in meetings]
    assert len(set(local_days)) == len(local_days)
    anchor = start - timedelta(days=start.weekday())
    for meeting, day in zip(meetings, local_days, strict=True):
        assert meeting.tzinfo is UTC
        if zone != "Pacific/Apia":  # elsewhere no gap crosses midnight, so the date is the meeting's own
            assert day.weekday() in cadence.weekdays and ((day - anchor).days // 7) % every == 0
            assert meeting == resolve_local_time(day, at, tz)


# --- reminders, skip, shift -------------------------------------------------------------------------------


def test_reminder_a_day_before_is_same_wall_time_across_spring_forward() -> None:
    meeting = utc(2026, 3, 29, 17)  # Sunday 19:00 CEST
    assert reminder_time(meeting, timedelta(days=1), BERLIN) == utc(2026, 3, 28, 18)  # Saturday 19:00 CET
    assert reminder_time(meeting, timedelta(hours=24), BERLIN) == utc(2026, 3, 28, 18)
    assert reminder_time(meeting, timedelta(hours=2), BERLIN) == utc(2026, 3, 29, 15)
    assert reminder_time(meeting, timedelta(days=1, hours=2), BERLIN) == utc(2026, 3, 28, 16)
    assert reminder_time(meeting, timedelta(0), BERLIN) == meeting


def test_reminder_a_day_before_across_fall_back() -> None:
    meeting = utc(2026, 10, 25, 18)  # Sunday 19:00 CET
    reminder = reminder_time(meeting, timedelta(days=1), BERLIN)
    assert reminder == utc(2026, 10, 24, 17)  # Saturday 19:00 CEST, 25 real hours earlier
    assert meeting - reminder == timedelta(hours=25)


def test_reminder_landing_in_a_gap_or_overlap_uses_the_meeting_rules() -> None:
    monday_0230 = resolve_local_time(date(2026, 3, 30), time(2, 30), BERLIN)
    assert local(reminder_time(monday_0230, timedelta(days=1), BERLIN), BERLIN)[:2] == (
        date(2026, 3, 29),
        time(3, 0),
    )
    monday_0230_autumn = resolve_local_time(date(2026, 10, 26), time(2, 30), BERLIN)
    assert reminder_time(monday_0230_autumn, timedelta(days=1), BERLIN) == utc(2026, 10, 25, 0, 30)
    ny = resolve_local_time(date(2026, 11, 2), time(1, 30), NEW_YORK)
    assert reminder_time(ny, timedelta(days=1), NEW_YORK) == utc(2026, 11, 1, 5, 30)


def test_reminder_rejects_negative_offsets() -> None:
    with pytest.raises(ValueError):
        reminder_time(utc(2026, 3, 29, 17), timedelta(hours=-1), BERLIN)


def rule(cadence: str, start: date, *, until: date | None = None, blackouts: frozenset[date] = frozenset()) -> PlanRule:
    return PlanRule(parse_cadence(cadence), BERLIN, start, until, blackouts)


def test_skip_lets_readings_flow_on_to_the_next_meetings() -> None:
    # what `plan skip` does: the day becomes a blackout and the readings are laid on the next meetings
    start = date(2026, 12, 1)
    meetings = next_meetings(rule("tuesday 19:00", start), 4, utc(2026, 11, 1))
    skipped = next_meetings(rule("tuesday 19:00", start, blackouts=frozenset({date(2026, 12, 8)})), 3, utc(2026, 11, 1))
    assert [local(m, BERLIN)[0] for m in skipped] == [date(2026, 12, 1), date(2026, 12, 15), date(2026, 12, 22)]
    assert skipped == [m for m in meetings if local(m, BERLIN)[0] != date(2026, 12, 8)]


def test_too_few_meetings_for_the_readings_is_a_plan_error() -> None:
    with pytest.raises(PlanError) as caught:
        next_meetings(rule("tuesday 19:00", date(2026, 12, 1), until=date(2026, 12, 8)), 3, utc(2026, 11, 1))
    assert "need 3 meetings but only 2 fit" in str(caught.value)
    assert_one_sentence(str(caught.value))


# --- allocate_readings ------------------------------------------------------------------------------------


def section(section_id: int, minutes: int, book_id: int = 1, heading: str | None = None) -> SectionLength:
    return SectionLength(section_id, book_id, minutes, heading)


def test_sections_per_meeting_restart_at_each_book_and_title_from_headings() -> None:
    sections = [
        section(1, 10, heading="The October Revolution"),
        section(2, 10, heading="War Communism"),
        section(3, 10, heading="The Civil War"),
        section(4, 10, book_id=2, heading="Kronstadt"),
        section(5, 10, book_id=2, heading="NEP"),
    ]
    result = allocate_readings(sections, PerMeeting("sections", 2))
    assert result == [
        Reading((1, 2), 20, "The October Revolution – War Communism"),
        Reading((3,), 10, "The Civil War"),
        Reading((4, 5), 20, "Kronstadt – NEP"),
    ]


def test_titles_without_headings_use_section_numbers() -> None:
    sections = [section(10 + i, 5) for i in range(5)]
    result = allocate_readings(sections, PerMeeting("sections", 3))
    assert [r.title for r in result] == ["Sections 1–3", "Sections 4–5"]
    numbered = [SectionLength(20, 1, 5, None, number=7)]
    assert allocate_readings(numbered, PerMeeting("sections", 1))[0].title == "Section 7"
    long = [section(1, 5, heading="x" * 200)]
    assert len(allocate_readings(long, PerMeeting("sections", 1))[0].title) == 60


def test_minutes_balances_readings_around_the_target() -> None:
    sections = [section(i, 20) for i in range(4)]
    assert [r.minutes for r in allocate_readings(sections, PerMeeting("minutes", 40))] == [40, 40]
    sections = [section(0, 100), section(1, 10), section(2, 10), section(3, 20)]
    assert [r.section_ids for r in allocate_readings(sections, PerMeeting("minutes", 40))] == [
        (0,),
        (1, 2, 3),
    ]


def test_minutes_does_not_cross_books_unless_one_is_tiny() -> None:
    target = PerMeeting("minutes", 40)
    separate = [section(1, 25, book_id=1), section(2, 25, book_id=2)]
    assert [r.section_ids for r in allocate_readings(separate, target)] == [(1,), (2,)]
    tiny = [section(1, 15, book_id=1, heading="Essay"), section(2, 15, book_id=2, heading="Reply")]
    assert allocate_readings(tiny, target) == [Reading((1, 2), 30, "Essay – Reply")]
    tail = [section(1, 40, book_id=1), section(2, 40, book_id=1), section(3, 10, book_id=2)]
    assert [r.section_ids for r in allocate_readings(tail, target)] == [(1,), (2, 3)]
    no_headings = [section(1, 10, book_id=1), section(2, 10, book_id=2)]
    assert allocate_readings(no_headings, target)[0].title == "Section 1 – Section 1"


def test_empty_syllabus_allocates_nothing() -> None:
    assert allocate_readings([], PerMeeting("minutes", 40)) == []


sections_strategy = st.lists(st.tuples(st.integers(0, 90), st.integers(1, 3)), min_size=1, max_size=9).map(
    lambda rows: [
        SectionLength(i, book, minutes, None) for i, (minutes, book) in enumerate(sorted(rows, key=lambda r: r[1]))
    ]
)


def hard_boundaries(sections: list[SectionLength], target: int) -> set[int]:
    totals: dict[int, int] = {}
    for s in sections:
        totals[s.book_id] = totals.get(s.book_id, 0) + s.minutes
    return {
        k
        for k in range(1, len(sections))
        if sections[k - 1].book_id != sections[k].book_id
        and min(totals[sections[k - 1].book_id], totals[sections[k].book_id]) * 2 >= target
    }


@settings(max_examples=150, deadline=None)
@given(sections=sections_strategy, target=st.integers(10, 60))
def test_minutes_allocation_is_optimal_among_allowed_cuttings(sections: list[SectionLength], target: int) -> None:
    result = allocate_readings(sections, PerMeeting("minutes", target))
    assert [i for r in result for i in r.section_ids] == [s.section_id for s in sections]
    minutes = {s.section_id: s.minutes for s in sections}
    assert all(r.minutes == sum(minutes[i] for i in r.section_ids) for r in result)
    hard = hard_boundaries(sections, target)

    def allowed(group: list[SectionLength], start: int) -> bool:
        inside = {start + k for k in range(1, len(group))}
        return not inside & hard and (len(group) == 1 or sum(s.minutes for s in group[:-1]) <= 2 * target)

    def cost(cuts: tuple[int, ...]) -> int | None:
        bounds = [0, *cuts, len(sections)]
        total = 0
        for a, b in itertools.pairwise(bounds):
            if not allowed(sections[a:b], a):
                return None
            total += (sum(s.minutes for s in sections[a:b]) - target) ** 2
        return total

    costs = [
        c
        for n in range(len(sections))
        for cuts in itertools.combinations(range(1, len(sections)), n)
        if (c := cost(cuts)) is not None
    ]
    starts = list(itertools.accumulate([0] + [len(r.section_ids) for r in result[:-1]]))
    assert cost(tuple(starts[1:])) == min(costs)


@given(sections=sections_strategy, per=st.integers(1, 4))
def test_sections_allocation_properties(sections: list[SectionLength], per: int) -> None:
    result = allocate_readings(sections, PerMeeting("sections", per))
    assert [i for r in result for i in r.section_ids] == [s.section_id for s in sections]
    books = {s.section_id: s.book_id for s in sections}
    for reading in result:
        assert 1 <= len(reading.section_ids) <= per
        assert len({books[i] for i in reading.section_ids}) == 1


def test_a_syllabus_end_to_end() -> None:
    # what `plan create` does: allocate the readings, then lay them on as many meetings as they need
    sections = [section(i, 20, heading=f"Chapter {i}") for i in range(1, 7)]
    readings_ = allocate_readings(sections, parse_per_meeting("40 min"))
    meetings = next_meetings(rule("tuesday 19:00", date(2026, 12, 1)), len(readings_), utc(2026, 11, 1))
    assert [(r.title, local(m, BERLIN)[0]) for r, m in zip(readings_, meetings, strict=True)] == [
        ("Chapter 1 – Chapter 2", date(2026, 12, 1)),
        ("Chapter 3 – Chapter 4", date(2026, 12, 8)),
        ("Chapter 5 – Chapter 6", date(2026, 12, 15)),
    ]
    with pytest.raises(PlanError, match="need 3 meetings but only 2 fit"):
        next_meetings(rule("tuesday 19:00", date(2026, 12, 1), until=date(2026, 12, 8)), 3, utc(2026, 11, 1))
