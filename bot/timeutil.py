"""The one place that turns user-typed times, dates, durations and zones into values.

Datetimes are stored in UTC and shown in a group's IANA zone; every helper here keeps them aware.
"""

from __future__ import annotations

import difflib
import functools
import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, available_timezones

_DURATION_PART = re.compile(
    r"(\d+(?:\.\d+)?)\s*(weeks?|w|days?|d|hours?|hrs?|h|minutes?|mins?|m|seconds?|secs?|s)(?![a-z])"
)
_UNIT_SECONDS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}


class TimeInputError(ValueError):
    """A time, date, duration or zone a member typed that cannot be read; str() is the sentence to show."""


class DurationTooLong(TimeInputError):
    """A duration beyond what a calendar can hold ("99999999999d"); callers may word their own limit."""


_NOT_PLACES = frozenset({"Factory", "localtime", "posixrules"})  # tz database entries that name no place's clock


def parse_duration(text: str) -> timedelta:
    """Read "2d", "+3d", "1h30m", "90 minutes", "1w"; the sign is kept so "-1d" shifts backwards."""
    raw = text.strip().lower()
    sign = 1
    if raw[:1] in ("+", "-"):
        sign = -1 if raw[0] == "-" else 1
        raw = raw[1:].strip()
    pos = 0
    total = 0.0
    for match in _DURATION_PART.finditer(raw):
        if raw[pos : match.start()].strip(" ,and"):
            break
        total += float(match.group(1)) * _UNIT_SECONDS[match.group(2)[0]]
        pos = match.end()
    if not raw or pos == 0 or raw[pos:].strip():
        raise TimeInputError(f"I couldn't read “{text}” as a duration; try something like 2d, 24h, 1h30m or 90m.")
    try:
        return timedelta(seconds=sign * total)
    except OverflowError:
        raise DurationTooLong(f"“{text}” is longer than any calendar; try something like 2d or 3h.") from None


def format_duration(delta: timedelta) -> str:
    """Render a duration the way members type it ("1d 2h"), so help and replies match input."""
    seconds = int(abs(delta.total_seconds()))
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
    if seconds or not parts:
        parts.append(f"{seconds}s")
    return ("-" if delta < timedelta(0) else "") + " ".join(parts)


YEARS = range(1970, 3000)
"""Years a member may type: a reading group's dates fall well inside, and every calculation a day or a week
either side (a reminder, the first reading's opening) stays inside what datetime holds (years 1 to 9999)."""


def _check_year(day: date, text: str) -> None:
    if day.year not in YEARS:
        raise TimeInputError(
            f"“{text}” is in the year {day.year}; use a date between {YEARS.start} and {YEARS.stop - 1}."
        )


def parse_date(text: str) -> date:
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise TimeInputError(f"I couldn't read “{text}” as a date; use the form 2026-12-01.") from None
    _check_year(day, text)
    return day


def parse_instant(text: str, default_zone: ZoneInfo) -> datetime:
    """Read an ISO date or date-time; a time without an offset is taken in the given zone."""
    raw = text.strip().replace(" ", "T", 1) if "T" not in text else text.strip()
    if raw.endswith("Z"):
        raw = raw[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        raise TimeInputError(
            f"I couldn't read “{text}” as a date and time; use the form 2026-12-01T19:00 or 2026-12-01."
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=default_zone)
    try:
        return parsed.astimezone(UTC)  # year 1 in Berlin is before the first instant datetime holds in UTC
    except OverflowError:
        raise TimeInputError(
            f"“{text}” is in the year {parsed.year}; use a date between {YEARS.start} and {YEARS.stop - 1}."
        ) from None


def parse_zone(name: str) -> ZoneInfo:
    """Resolve an IANA zone name, suggesting a close name when it is misspelt."""
    cleaned = name.strip()
    zones = _zone_names()
    if cleaned.upper() == "UTC":
        return ZoneInfo("UTC")
    if cleaned in _NOT_PLACES:
        raise TimeInputError(f"“{name}” is not the time zone of a place; use one such as Europe/Berlin.")
    by_lower = {zone.lower(): zone for zone in zones}
    found = cleaned if cleaned in zones else by_lower.get(cleaned.lower())
    if found is not None and _is_region(found):
        return ZoneInfo(found)
    if found is not None or cleaned.upper() in _ABBREVIATIONS:
        region = _ABBREVIATIONS.get(cleaned.upper())
        example = f"{region}" if region else "Europe/Berlin or America/New_York"
        raise TimeInputError(
            f"“{name}” is an abbreviation or a fixed offset, not a place, so it does not follow a place's "
            f"daylight-saving rules; use a region name such as {example}."
        )
    suggestions = difflib.get_close_matches(cleaned, sorted(zones), n=1, cutoff=0.6)
    hint = f" — did you mean {suggestions[0]}?" if suggestions else "; use an IANA name such as Europe/Berlin."
    raise TimeInputError(f"I don't know the time zone “{name}”{hint}")


_ABBREVIATIONS = {
    "EST": "America/New_York",
    "EDT": "America/New_York",
    "CST": "America/Chicago",
    "CDT": "America/Chicago",
    "MST": "America/Denver",
    "MDT": "America/Denver",
    "PST": "America/Los_Angeles",
    "PDT": "America/Los_Angeles",
    "GMT": "Europe/London",
    "BST": "Europe/London",
    "WET": "Europe/Lisbon",
    "CET": "Europe/Berlin",
    "CEST": "Europe/Berlin",
    "MET": "Europe/Berlin",
    "EET": "Europe/Athens",
    "EEST": "Europe/Athens",
    "MSK": "Europe/Moscow",
    "IST": "Asia/Kolkata",
    "JST": "Asia/Tokyo",
    "AEST": "Australia/Sydney",
}


def _is_region(zone: str) -> bool:
    """A place's zone ("Europe/Berlin"), whose rules follow its daylight saving; not "EST", "Etc/GMT+5" or
    "EST5EDT", which a group would have to change by hand twice a year (UTC itself is accepted above)."""
    return "/" in zone and not zone.startswith("Etc/") and not zone.startswith("SystemV/")


@functools.cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def to_db(when: datetime) -> str:
    """Serialise an instant for storage: UTC, second precision, fixed width so text order is time order."""
    if when.tzinfo is None:
        raise ValueError("refusing to store a naive datetime")
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def from_db(text: str) -> datetime:
    if len(text) == 20 and text[10] == "T" and text[19] == "Z":  # the stored form: fromisoformat is 30x strptime
        return datetime.fromisoformat(text)
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def format_local(when: datetime, zone: ZoneInfo) -> str:
    """How a member reads a time: weekday, date, 24-hour time and the zone's abbreviation."""
    shown = when.astimezone(zone)
    return shown.strftime("%a %d %b %Y, %H:%M ") + (shown.tzname() or str(zone))
