from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from bot.domain.calendar import MeetingInfo, event_uid, meetings_to_ics
from bot.domain.plans import resolve_local_time

BERLIN = ZoneInfo("Europe/Berlin")
STAMP = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def meeting(reading_id: int, day: date, title: str, **extra: object) -> MeetingInfo:
    return MeetingInfo(reading_id, resolve_local_time(day, time(19, 0), BERLIN), title, **extra)  # type: ignore[arg-type]


MEETINGS = [
    meeting(11, date(2026, 3, 22), "The October Revolution – The Civil War"),
    meeting(12, date(2026, 3, 29), "War Communism", description="Sections 3–5; bring questions."),
    meeting(13, date(2026, 4, 5), "NEP", duration=timedelta(hours=2), url="https://example.org/nep"),
]


def export(meetings: list[MeetingInfo] = MEETINGS) -> bytes:
    return meetings_to_ics("Red Reading Circle", meetings, "Europe/Berlin", group_id=7, generated_at=STAMP)


def test_round_trip_through_icalendar() -> None:
    calendar = Calendar.from_ical(export())
    assert str(calendar["X-WR-CALNAME"]) == "Red Reading Circle"
    events = calendar.walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == [
        "Red Reading Circle: The October Revolution – The Civil War",
        "Red Reading Circle: War Communism",
        "Red Reading Circle: NEP",
    ]
    starts = [e.decoded("DTSTART") for e in events]
    # Wall-clock 19:00 on both sides of the spring-forward change, with the group's TZID.
    assert [s.astimezone(BERLIN).time() for s in starts] == [time(19, 0)] * 3
    assert [s.astimezone(UTC) for s in starts] == [m.starts_at for m in MEETINGS]
    assert all(e["DTSTART"].params["TZID"] == "Europe/Berlin" for e in events)
    ends = [e.decoded("DTEND") for e in events]
    assert [end - start for start, end in zip(starts, ends, strict=True)] == [
        timedelta(minutes=90),
        timedelta(minutes=90),
        timedelta(hours=2),
    ]
    assert str(events[1]["DESCRIPTION"]) == "Sections 3–5; bring questions."
    assert str(events[2]["URL"]) == "https://example.org/nep"
    assert events[0].decoded("DTSTAMP") == STAMP
    assert [tz.tz_name for tz in calendar.timezones] == ["Europe/Berlin"]
    assert calendar.get_missing_tzids() == set()


def test_uids_are_stable_and_keyed_by_group_and_reading() -> None:
    uids = [str(e["UID"]) for e in Calendar.from_ical(export()).walk("VEVENT")]
    assert uids == [event_uid(7, 11), event_uid(7, 12), event_uid(7, 13)]
    assert len(set(uids)) == 3
    # A skip moves reading 12 a week later: same UID, new start, so re-importing updates the event.
    moved = [MEETINGS[0], meeting(12, date(2026, 4, 5), "War Communism", sequence=1)]
    events = Calendar.from_ical(export(moved)).walk("VEVENT")
    assert str(events[1]["UID"]) == event_uid(7, 12)
    assert events[1].decoded("SEQUENCE") == 1
    other_group = meetings_to_ics("Other", MEETINGS, "Europe/Berlin", group_id=8, generated_at=STAMP)
    assert event_uid(7, 11) not in str(Calendar.from_ical(other_group).walk("VEVENT")[0]["UID"])


def test_output_is_deterministic() -> None:
    assert export() == export()
    assert export() == export(MEETINGS[::-1])


def test_empty_and_naive_inputs() -> None:
    assert Calendar.from_ical(export([])).walk("VEVENT") == []
    with pytest.raises(ValueError):
        meetings_to_ics("G", MEETINGS, "Europe/Berlin", group_id=1, generated_at=datetime(2026, 1, 1))  # noqa: DTZ001
