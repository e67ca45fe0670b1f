"""A plan's meetings as an iCalendar file members can import or subscribe to.

Pure: it builds bytes and never touches the network or disk. Each event's UID is derived from the group and
the reading, so importing a newer file *updates* the events already in a member's calendar (for example
after a meeting was skipped and the readings moved on) instead of adding duplicates. Start and end carry the
group's TZID with a matching VTIMEZONE, so calendar apps show the wall-clock time the group agreed on even
across DST changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

__all__ = ["DEFAULT_DURATION", "MeetingInfo", "event_uid", "meetings_to_ics"]

DEFAULT_DURATION = timedelta(minutes=90)
PRODID = "-//Readalong//Study group plan//EN"


@dataclass(frozen=True)
class MeetingInfo:
    """One meeting as a calendar event.

    ``reading_id`` keys the UID: the event is "the meeting where we discuss reading X", so when a skip moves
    that reading to a later meeting, re-importing moves the event. Bump ``sequence`` whenever a meeting
    changes so clients that honour it (Outlook, Apple) accept the update.
    """

    reading_id: int
    starts_at: datetime  # aware
    reading_title: str
    duration: timedelta = DEFAULT_DURATION
    description: str | None = None
    url: str | None = None
    sequence: int = 0


def event_uid(group_id: int, reading_id: int, domain: str = "readalong") -> str:
    """The stable UID of a meeting's event, exposed so storage or tests can find an event again."""
    return f"group-{group_id}-reading-{reading_id}@{domain}"


def meetings_to_ics(
    group_name: str,
    meetings: Sequence[MeetingInfo],
    tz_name: str,
    *,
    group_id: int,
    generated_at: datetime,
    domain: str = "readalong",
) -> bytes:
    """Build a VCALENDAR with one VEVENT per meeting.

    ``generated_at`` becomes every event's DTSTAMP (required by RFC 5545); it is a parameter so the output
    is reproducible and this module stays free of clocks. Summaries read "<group>: <reading title>".
    """
    if generated_at.tzinfo is None or any(m.starts_at.tzinfo is None for m in meetings):
        raise ValueError("calendar export needs aware datetimes")
    from icalendar import Calendar, Event  # imported when a calendar is made, not at every CLI start

    zone = ZoneInfo(tz_name)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", group_name)
    calendar.add("x-wr-timezone", tz_name)
    stamp = generated_at.astimezone(UTC)
    for meeting in sorted(meetings, key=lambda m: m.starts_at):
        start = meeting.starts_at.astimezone(zone)
        event = Event()
        event.add("uid", event_uid(group_id, meeting.reading_id, domain))
        event.add("dtstamp", stamp)
        event.add("sequence", meeting.sequence)
        event.add("dtstart", start)
        event.add("dtend", (start.astimezone(UTC) + meeting.duration).astimezone(zone))
        event.add("summary", f"{group_name}: {meeting.reading_title}")
        if meeting.description:
            event.add("description", meeting.description)
        if meeting.url:
            event.add("url", meeting.url)
        calendar.add_component(event)
    if meetings:
        first = min(m.starts_at for m in meetings).astimezone(zone).date()
        last = max(m.starts_at + m.duration for m in meetings).astimezone(zone).date()
        calendar.add_missing_timezones(first_date=first - timedelta(days=366), last_date=last + timedelta(days=366))
    return calendar.to_ical()
