# Over 400 lines: cadences, DST-safe meeting times and reading allocation share the one calendar contract below.
"""Study plans: when a group meets, how much it reads per meeting, and which reading falls on which meeting.

A plan is an ordered syllabus of readings laid onto meetings generated from a cadence in the group's IANA
time zone. Everything here is pure so the scheduler, the console and the tests agree on one calendar.

Time-zone rules (the contract every caller relies on):

* A cadence stores weekday(s) + local wall-clock time; the zone is supplied when meetings are computed and
  is persisted by name. An offset is never stored, because "Tuesday 19:00 in Berlin" is 18:00 UTC in winter
  and 17:00 UTC in summer.
* A local time that does not exist (the spring-forward gap) moves to the first valid instant after it:
  02:30 on Europe/Berlin's spring-forward day becomes 03:00 CEST.
* A local time that happens twice (the fall-back overlap) fires once, at its first occurrence (``fold=0``).
* There is at most one meeting per local date.
* Instants are computed on the local calendar, resolved with the rules above, and returned in UTC.

APScheduler's ``CronTrigger`` is deliberately not used for this arithmetic. Checked on 3.11.3 with
Europe/Berlin: a Sunday 02:30 trigger fires at 02:30 CEST and again at 02:30 CET on fall-back day (then keeps
returning that same instant), resolves the spring-forward gap to 03:30 CEST instead of 03:00, and
``week='*/2'`` counts ISO week numbers, so a fortnightly Sunday meets on 2027-01-03 (week 53) and again on
2027-01-10 (week 1).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from bot.text import plural

__all__ = [
    "Cadence",
    "DateListCadence",
    "PerMeeting",
    "PlanError",
    "Reading",
    "SectionLength",
    "WeeklyCadence",
    "allocate_readings",
    "meeting_times",
    "parse_cadence",
    "parse_per_meeting",
    "reminder_time",
    "resolve_local_time",
]


class PlanError(ValueError):
    """A plan a member asked for that cannot be built; ``str()`` is one sentence they can act on."""


# ---------------------------------------------------------------------------------------------------------
# Cadence


WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY_ALIASES: dict[str, int] = {}
for _index, _name in enumerate(WEEKDAY_NAMES):
    for _alias in (_name, _name + "s", _name[:3], _name[:3] + "."):
        _WEEKDAY_ALIASES[_alias] = _index
for _alias, _index in (("tues", 1), ("weds", 2), ("thur", 3), ("thurs", 3)):
    _WEEKDAY_ALIASES[_alias] = _index
    _WEEKDAY_ALIASES[_alias + "."] = _index

_DAY_GROUPS = {"daily": range(7), "weekdays": range(5), "weekday": range(5), "weekends": (5, 6), "weekend": (5, 6)}
# How describe() names these day sets: (every week, every n weeks).
_DAY_SET_NAMES = {
    tuple(range(7)): ("every day", ", every day"),
    tuple(range(5)): ("every weekday", " on weekdays"),
    (5, 6): ("every weekend day", " on weekend days"),
}
_FILLER = frozenset({"every", "each", "at", "on", "and", "weekly", "week", "the", "from", "around"})
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8}
_NUMBER_WORDS.update({"nine": 9, "ten": 10, "a": 1, "an": 1})
_MAX_INTERVAL_WEEKS = 12

_INTERVAL_PHRASE = re.compile(
    r"\b(?:every\s+)?(?P<n>\d{1,4}|two|three|four|five|six|seven|eight|nine|ten)\s*(?:weeks|week|wks|wk)\b"
)
_FORTNIGHTLY_PHRASE = re.compile(
    r"\bbi-?weekly\b|\bfortnightly\b|\bevery\s+(?:other|second|alternate)\b|\bevery\s+fortnight\b"
)
_DATE_TOKEN = re.compile(r"\b\d{4}-\d{1,2}-\d{1,2}\b")
_TIME_TOKEN = re.compile(r"^(?P<h>\d{1,2})(?:[:.h](?P<m>\d{2})|h)?(?P<ampm>am|pm)?$")
_EXAMPLE = "try something like “tuesday 19:00” or “every other sunday at 5pm”"


@dataclass(frozen=True)
class WeeklyCadence:
    """Meetings on fixed weekdays at one local time, every ``every_weeks`` weeks.

    Weeks are counted on the local calendar from the Monday of the week holding the plan's start date, so a
    fortnightly plan keeps its rhythm across New Year whatever ISO week numbering says.
    """

    weekdays: tuple[int, ...]  # 0 = Monday … 6 = Sunday, sorted, no duplicates
    at: time  # local wall-clock time, no tzinfo: the zone belongs to the group
    every_weeks: int = 1

    def __post_init__(self) -> None:
        if not self.weekdays or tuple(sorted(set(self.weekdays))) != self.weekdays:
            raise ValueError("weekdays must be a non-empty sorted tuple without duplicates")
        if not all(0 <= day <= 6 for day in self.weekdays):
            raise ValueError("weekdays run from 0 (Monday) to 6 (Sunday)")
        if not 1 <= self.every_weeks <= _MAX_INTERVAL_WEEKS:
            raise ValueError(f"every_weeks must be 1..{_MAX_INTERVAL_WEEKS}")
        if self.at.tzinfo is not None:
            raise ValueError("a cadence's time is local wall-clock time; pass the zone separately")

    def describe(self) -> str:
        """Text for members that ``parse_cadence`` reads back unchanged, so it can also be stored."""
        named = _DAY_SET_NAMES.get(self.weekdays)
        if named is not None:
            weekly, spaced = named
            if self.every_weeks == 1:
                return f"{weekly} at {self.at:%H:%M}"
            return f"every {self.every_weeks} weeks{spaced} at {self.at:%H:%M}"
        days = [WEEKDAY_NAMES[day].capitalize() for day in self.weekdays]
        day_text = days[0] if len(days) == 1 else ", ".join(days[:-1]) + " and " + days[-1]
        if self.every_weeks == 1:
            return f"every {day_text} at {self.at:%H:%M}"
        return f"every {self.every_weeks} weeks on {day_text} at {self.at:%H:%M}"


@dataclass(frozen=True)
class DateListCadence:
    """An explicit list of local (date, time) meetings, for groups that do not meet on a rhythm."""

    meetings: tuple[tuple[date, time], ...]  # sorted by date, one per date, times without tzinfo

    def __post_init__(self) -> None:
        days = [day for day, _ in self.meetings]
        if not days or days != sorted(set(days)):
            raise ValueError("meetings must be a non-empty list sorted by date, one per date")
        if any(at.tzinfo is not None for _, at in self.meetings):
            raise ValueError("meeting times are local wall-clock times; pass the zone separately")

    def describe(self) -> str:
        """Text that ``parse_cadence`` reads back unchanged."""
        return ", ".join(f"{day.isoformat()} {at:%H:%M}" for day, at in self.meetings)


Cadence = WeeklyCadence | DateListCadence


def parse_cadence(text: str) -> Cadence:
    """Read how often a group meets from what a member types.

    Accepts "tuesday 19:00", "tue 7pm", "tuesday and thursday 19:00", "every tuesday at 7pm",
    "2 weeks on sunday 17:00", "biweekly sunday 17:00", "weekly on friday 18:30", "every weekday 8am", "daily
    21:00", "every weekend day 10:00", and explicit dates
    "2026-12-01 19:00, 2026-12-08 19:30". One time applies to all weekdays; different times per day would
    be two plans.
    """
    cleaned = _normalise(text)
    if not cleaned:
        raise PlanError(f"Tell me when the group meets; {_EXAMPLE}.")
    if _DATE_TOKEN.search(cleaned):
        return _parse_date_list(text, cleaned)

    every_weeks = 1
    interval = _INTERVAL_PHRASE.search(cleaned)
    if interval:
        raw = interval.group("n")
        every_weeks = int(raw) if raw.isdigit() else _NUMBER_WORDS[raw]
        cleaned = cleaned[: interval.start()] + " " + cleaned[interval.end() :]
    fortnightly = _FORTNIGHTLY_PHRASE.search(cleaned)
    if fortnightly:
        if interval:
            raise PlanError(f"I found two different repeats in “{text}”; say either “every 2 weeks” or “biweekly”.")
        every_weeks = 2
        cleaned = cleaned[: fortnightly.start()] + " " + cleaned[fortnightly.end() :]
    if not 1 <= every_weeks <= _MAX_INTERVAL_WEEKS:
        raise PlanError(f"I can repeat meetings every 1 to {_MAX_INTERVAL_WEEKS} weeks, not every {every_weeks} weeks.")

    weekdays: set[int] = set()
    times: list[str] = []
    for word in cleaned.split():
        if word in _WEEKDAY_ALIASES:
            weekdays.add(_WEEKDAY_ALIASES[word])
        elif word in _DAY_GROUPS:
            weekdays.update(_DAY_GROUPS[word])
        elif word in ("noon", "midday", "midnight") or any(ch.isdigit() for ch in word):
            times.append(word)
        elif word not in _FILLER:
            raise PlanError(f"I don't understand “{word}” in “{text.strip()}”; {_EXAMPLE}.")
    if not weekdays:
        raise PlanError(f"I couldn't find a weekday in “{text.strip()}”; {_EXAMPLE}.")
    if not times:
        raise PlanError(f"I couldn't find a time in “{text.strip()}”; add one like 19:00 or 7pm.")
    if len(times) > 1:
        raise PlanError(
            f"I can use only one time for every meeting day in “{text.strip()}”; "
            "try something like “tuesday and thursday 19:00”."
        )
    return WeeklyCadence(tuple(sorted(weekdays)), _parse_time(times[0], text), every_weeks)


def _normalise(text: str) -> str:
    lowered = text.strip().lower()
    lowered = re.sub(r"(\d)\s*(a|p)\.?\s*m\b\.?", r"\1\2m", lowered)  # "7 p.m." → "7pm"
    lowered = lowered.replace("&", " and ").replace("/", " ").replace("every day", "daily")
    lowered = re.sub(r"\bweekend days?\b", "weekends", lowered)
    if _DATE_TOKEN.search(lowered):
        return lowered  # commas separate the dates of a date list
    return re.sub(r"[,;]", " ", lowered)


def parse_time_of_day(text: str) -> time:
    """ "19:00", "07:30", "7pm", "7:30 am", "19h", "noon" → a wall-clock time; PlanError with a sentence otherwise.

    The one reader of a time of day: meeting cadences and the quote of the day both use it."""
    return _parse_time(text.strip().lower().replace(" ", ""), text)


def _parse_time(token: str, text: str) -> time:
    if token in ("noon", "midday"):
        return time(12, 0)
    if token == "midnight":
        return time(0, 0)
    match = _TIME_TOKEN.match(token)
    sentence = f"I couldn't read the time in “{text.strip()}”; use 24-hour time like 19:00 or 7pm."
    if not match:
        raise PlanError(sentence)
    hour, minute, ampm = int(match.group("h")), int(match.group("m") or 0), match.group("ampm")
    bare_hour = match.group("m") is None and not ampm and not token.endswith("h")
    if bare_hour or minute > 59:
        raise PlanError(sentence)  # "at 7" could be morning or evening: ask rather than guess
    if ampm:
        if not 1 <= hour <= 12:
            raise PlanError(sentence)
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    elif hour > 23:
        raise PlanError(sentence)
    return time(hour, minute)


def _parse_date_list(text: str, cleaned: str) -> DateListCadence:
    example = "list dates like “2026-12-01 19:00, 2026-12-08 19:30”"
    found: dict[date, time] = {}
    for part in re.split(r"[,;]|\band\b", cleaned):
        part = part.strip()
        if not part:
            continue
        match = re.fullmatch(r"(?:on\s+)?(\d{4}-\d{1,2}-\d{1,2})(?:\s+(?:at\s+)?(\S+))?", part)
        if not match:
            raise PlanError(f"I couldn't read “{part}” in “{text.strip()}”; {example}.")
        try:
            day = date(*(int(piece) for piece in match.group(1).split("-")))
        except ValueError:
            raise PlanError(f"There is no date {match.group(1)}; {example}.") from None
        if not 1970 <= day.year <= 2999:
            raise PlanError(f"{day.isoformat()} is in the year {day.year}; list dates between 1970 and 2999.")
        if match.group(2) is None:
            raise PlanError(f"Give a time for {day.isoformat()}, like “{day.isoformat()} 19:00”.")
        if day in found:
            raise PlanError(f"You listed {day.isoformat()} twice; a group meets at most once a day.")
        found[day] = _parse_time(match.group(2), part)
    if not found:
        raise PlanError(f"I couldn't find any dates in “{text.strip()}”; {example}.")
    return DateListCadence(tuple(sorted(found.items())))


# ---------------------------------------------------------------------------------------------------------
# Local time resolution


def resolve_local_time(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The UTC instant at which local ``day`` + ``at`` happens in ``tz``, following the module's DST rules.

    A wall time in a spring-forward gap becomes the instant the clocks jump (the first valid instant after
    it); a wall time in a fall-back overlap becomes its first occurrence. This is the one place the rules
    live, so meetings, reminders and shifts cannot disagree.
    """
    at = at.replace(tzinfo=None, fold=0)
    first = datetime.combine(day, at, tzinfo=tz)
    wanted = (day, at)
    if first.utcoffset() == first.replace(fold=1).utcoffset() or _wall(first.astimezone(UTC), tz) == wanted:
        return first.astimezone(UTC)  # unambiguous, or the first of two occurrences (fold=0)
    # In a gap, zoneinfo reads fold=0 with the offset from before the jump and fold=1 with the one after;
    # the jump instant lies between the two readings. Search it to the second (offsets are whole seconds).
    lo = min(first.astimezone(UTC), first.replace(fold=1).astimezone(UTC)).replace(microsecond=0)
    hi = max(first.astimezone(UTC), first.replace(fold=1).astimezone(UTC))
    while hi - lo > timedelta(seconds=1):
        mid = lo + (hi - lo) / 2
        mid = mid.replace(microsecond=0)
        if _wall(mid, tz) >= wanted:
            hi = mid
        else:
            lo = mid
    return hi


def _wall(instant: datetime, tz: ZoneInfo) -> tuple[date, time]:
    shown = instant.astimezone(tz)
    return shown.date(), shown.time().replace(fold=0)


def _move_on_local_calendar(instant: datetime, delta: timedelta, tz: ZoneInfo) -> datetime:
    """Whole days of ``delta`` move along the local calendar (same wall time), the rest in absolute time."""
    sign = -1 if delta < timedelta(0) else 1
    magnitude = abs(delta)
    days, rest = magnitude.days, magnitude - timedelta(days=magnitude.days)
    shown = instant.astimezone(tz)
    moved = resolve_local_time(shown.date() + timedelta(days=sign * days), shown.time(), tz)
    return moved + sign * rest


# ---------------------------------------------------------------------------------------------------------
# Meetings


def meeting_times(
    cadence: Cadence,
    start: date,
    tz: ZoneInfo,
    *,
    count: int | None = None,
    until: date | None = None,
    blackouts: frozenset[date] = frozenset(),
    after: datetime | None = None,
) -> list[datetime]:
    """Meeting instants (aware, UTC, ascending) for local dates from ``start`` to ``until`` inclusive.

    DST rules: the cadence is weekday + local wall time + zone name, never an offset; a wall time inside a
    spring-forward gap moves to the first valid instant after it (02:30 → 03:00 CEST on Europe/Berlin's
    spring-forward day); a wall time inside a fall-back overlap fires once, at its first occurrence
    (fold=0); there is at most one meeting per local date. Local dates are computed first, each is resolved
    to UTC, and only then filtered by ``after``.

    ``blackouts`` are local dates with no meeting (holidays, skipped weeks); they do not use up ``count``,
    and a fortnightly rhythm is not shifted by them. ``after`` keeps only meetings strictly later than that
    instant, for "the next meetings from now". At least one of ``count`` and ``until`` is required for a
    weekly cadence.

    Raises ``PlanError`` when nothing fits between ``start`` and ``until`` (and no ``after`` was given, so
    an empty answer cannot simply mean the plan is over).
    """
    if count is not None and count < 0:
        raise ValueError("count must not be negative")
    if after is not None and after.tzinfo is None:
        raise ValueError("after must be an aware datetime")
    if count == 0:
        return []
    found: list[datetime] = []
    if isinstance(cadence, DateListCadence):
        for day, at in cadence.meetings:
            if day < start or (until is not None and day > until) or day in blackouts:
                continue
            _append_meeting(found, resolve_local_time(day, at, tz), tz, after)
            if count is not None and len(found) >= count:
                break
    else:
        if count is None and until is None:
            raise ValueError("a weekly cadence needs count or until, or it never ends")
        anchor = start - timedelta(days=start.weekday())
        day = start
        if after is not None:  # jump ahead; the rhythm is anchored on ``start`` so jumping is safe
            day = max(start, after.astimezone(tz).date() - timedelta(days=1))
        while (until is None or day <= until) and (count is None or len(found) < count):
            on_rhythm = ((day - anchor).days // 7) % cadence.every_weeks == 0
            if day.weekday() in cadence.weekdays and on_rhythm and day not in blackouts:
                _append_meeting(found, resolve_local_time(day, cadence.at, tz), tz, after)
            day += timedelta(days=1)
    if not found and after is None:
        window = f"on or after {start.isoformat()}" if until is None else f"between {start} and {until}"
        skipped = " outside the skipped dates" if blackouts else ""
        raise PlanError(
            f"No meeting ({cadence.describe()}) falls {window}{skipped}; pick a later end date or other meeting days."
        )
    return found


def _append_meeting(found: list[datetime], instant: datetime, tz: ZoneInfo, after: datetime | None) -> None:
    if after is not None and instant <= after:
        return
    if found and found[-1].astimezone(tz).date() >= instant.astimezone(tz).date():
        return  # a gap resolved past midnight must not give a date two meetings
    found.append(instant)


def reminder_time(meeting_utc: datetime, offset: timedelta, tz: ZoneInfo) -> datetime:
    """When to remind ahead of a meeting, so "24 h before" means the same wall-clock time the day before.

    Whole days of ``offset`` are subtracted on the local calendar and the result resolved with the same
    gap/overlap rules as meetings; the remaining hours and minutes are subtracted in absolute time. Across
    a DST change "1 day before" a 19:00 meeting is therefore 19:00 the previous evening (23 or 25 real
    hours earlier), while "2 h before" is always exactly two hours.
    """
    if offset < timedelta(0):
        raise ValueError("a reminder offset is how long before the meeting, so it cannot be negative")
    if meeting_utc.tzinfo is None:
        raise ValueError("meeting_utc must be aware")
    return _move_on_local_calendar(meeting_utc, -offset, tz)


# ---------------------------------------------------------------------------------------------------------
# Readings


@dataclass(frozen=True)
class PerMeeting:
    """How much the group reads per meeting: a number of sections, or about a number of minutes."""

    unit: Literal["sections", "minutes"]
    amount: int

    def __post_init__(self) -> None:
        if self.amount < 1:
            raise ValueError("amount must be positive")

    def describe(self) -> str:
        """Text that ``parse_per_meeting`` reads back unchanged."""
        if self.unit == "sections":
            return plural(self.amount, "section")
        return f"about {self.amount} minutes"


_MINUTE_WORDS = r"m|min|mins|minute|minutes"
_HOUR_WORDS = r"h|hr|hrs|hour|hours"
_SECTIONS_RE = re.compile(r"(?P<n>\d{1,6}|[a-z]+)\s*(?:sections?|secs?|§)")
_MINUTES_RE = re.compile(rf"(?P<m>\d{{1,6}})\s*(?:{_MINUTE_WORDS})")
_HOURS_RE = re.compile(
    rf"(?P<h>\d{{1,4}}(?:[.,]\d{{1,4}})?|an?|one|two|three)\s*(?:{_HOUR_WORDS})(?:\s*(?:and\s*)?(?P<m>\d{{1,4}})\s*(?:{_MINUTE_WORDS})?)?"
)
_MAX_MINUTES = 8 * 60
_MAX_SECTIONS = 100


def parse_per_meeting(text: str) -> PerMeeting:
    """Read "2 sections", "40 minutes", "40 min", "1h", "1h30", "half an hour", "about 40 minutes"."""
    raw = re.sub(r"^(?:about|around|roughly|approximately|approx\.?|~|ca\.?)\s*", "", text.strip().lower())
    raw = re.sub(r"\s+(?:per|a|each)\s+(?:meeting|session|week)$", "", raw)
    example = "say something like “2 sections” or “about 40 minutes”"
    if match := _SECTIONS_RE.fullmatch(raw):
        word = match.group("n")
        count = int(word) if word.isdigit() else _NUMBER_WORDS.get(word)
        if count is None:
            raise PlanError(f"I couldn't read “{text.strip()}”; {example}.")
        if not 1 <= count <= _MAX_SECTIONS:
            raise PlanError(f"A meeting can cover 1 to {_MAX_SECTIONS} sections, not {count}.")
        return PerMeeting("sections", count)
    minutes: float | None = None
    if raw in ("half an hour", "half hour"):
        minutes = 30
    elif match := _MINUTES_RE.fullmatch(raw):
        minutes = int(match.group("m"))
    elif match := _HOURS_RE.fullmatch(raw):
        hours_word = match.group("h").replace(",", ".")
        hours = float(hours_word) if hours_word[0].isdigit() else _NUMBER_WORDS[hours_word]
        minutes = hours * 60 + int(match.group("m") or 0)
    if minutes is None:
        raise PlanError(f"I couldn't read “{text.strip()}” as an amount to read; {example}.")
    if not 5 <= minutes <= _MAX_MINUTES:
        raise PlanError(f"A meeting's reading should take between 5 minutes and 8 hours, not “{text.strip()}”.")
    return PerMeeting("minutes", round(minutes))


@dataclass(frozen=True)
class SectionLength:
    """One section of a book as the planner sees it: identity, reading time and heading."""

    section_id: int
    book_id: int
    minutes: int
    heading: str | None
    number: int | None = None  # 1-based position in its book, for "Sections 3–5" titles; optional


@dataclass(frozen=True)
class Reading:
    """What the group reads for one meeting: whole sections, in syllabus order."""

    section_ids: tuple[int, ...]
    minutes: int
    title: str


_TITLE_HEADING_MAX = 60


def target_notes(readings: Sequence[Reading], per_meeting: PerMeeting) -> list[str]:
    """Pure: what a preview must say when the readings cannot keep to the amount asked for (a section is never
    split, so "about 10 minutes" of a book of 30-minute chapters gives 30-minute readings)."""
    if per_meeting.unit != "minutes":
        return []
    target = per_meeting.amount
    long = [r for r in readings if len(r.section_ids) == 1 and r.minutes > target * 1.5]
    if not long:
        return []
    longest = max(long, key=lambda r: r.minutes)
    count = "1 reading is" if len(long) == 1 else f"{len(long)} readings are"
    return [
        f"{count} longer than the {target} minutes asked for, because a section is never split "
        f"(the longest, “{longest.title}”, takes about {longest.minutes} min); ask for more minutes or "
        "accept the longer meetings."
    ]


def allocate_readings(sections: Sequence[SectionLength], per_meeting: PerMeeting) -> list[Reading]:
    """Cut the syllabus into readings, never splitting a section.

    By sections: ``amount`` sections per reading, restarting at every new book, so the last reading of a
    book may be shorter.

    By minutes: readings of about ``amount`` minutes, chosen by dynamic programming to minimise the sum of
    squared deviations from the target (which also chooses how many readings there are); a section longer
    than the target is a reading on its own. A reading never crosses from one book to the next unless one
    of the two books is tiny (all of it under half the target): a short essay then joins its neighbour
    instead of filling a meeting of ten minutes. Readings stay under about twice the target apart from a
    single overlong section. Equal-cost alternatives are broken the same way every time (the longer final
    reading wins), so re-planning the same syllabus gives the same readings.
    """
    if not sections:
        return []
    if any(section.minutes < 0 for section in sections):
        raise ValueError("section minutes must not be negative")
    runs = _book_runs(sections)
    numbers = _section_numbers(sections)
    if per_meeting.unit == "sections":
        groups = [list(run[i : i + per_meeting.amount]) for run in runs for i in range(0, len(run), per_meeting.amount)]
    else:
        groups = _balance(sections, runs, per_meeting.amount)
    return [_reading(group, numbers) for group in groups]


def _book_runs(sections: Sequence[SectionLength]) -> list[list[SectionLength]]:
    runs: list[list[SectionLength]] = []
    for section in sections:
        if runs and runs[-1][-1].book_id == section.book_id:
            runs[-1].append(section)
        else:
            runs.append([section])
    return runs


def _section_numbers(sections: Sequence[SectionLength]) -> dict[int, int]:
    seen: dict[int, int] = {}
    numbers: dict[int, int] = {}
    for section in sections:
        seen[section.book_id] = seen.get(section.book_id, 0) + 1
        numbers[section.section_id] = section.number if section.number is not None else seen[section.book_id]
    return numbers


def _balance(
    sections: Sequence[SectionLength], runs: list[list[SectionLength]], target: int
) -> list[list[SectionLength]]:
    # hard[k] is True when a reading may not contain both section k-1 and section k.
    hard = [False] * len(sections)
    position = 0
    for previous, run in zip([None, *runs[:-1]], runs, strict=True):
        if previous is not None:
            tiny = min(sum(s.minutes for s in previous), sum(s.minutes for s in run)) * 2 < target
            hard[position] = not tiny
        position += len(run)
    n = len(sections)
    prefix = [0]
    for section in sections:
        prefix.append(prefix[-1] + section.minutes)
    best = [0] + [-1] * n  # best[j]: least cost of cutting sections[:j]; -1 = not reached yet
    cut = [0] * (n + 1)
    for j in range(1, n + 1):
        i = j - 1
        while True:  # extend the last reading backwards from section j-1
            cost = best[i] + (prefix[j] - prefix[i] - target) ** 2
            if best[j] < 0 or cost <= best[j]:
                best[j], cut[j] = cost, i
            if i == 0 or hard[i] or prefix[j - 1] - prefix[i - 1] > 2 * target:
                break
            i -= 1
    groups: list[list[SectionLength]] = []
    j = n
    while j > 0:
        groups.append(list(sections[cut[j] : j]))
        j = cut[j]
    return groups[::-1]


def _reading(group: Sequence[SectionLength], numbers: dict[int, int]) -> Reading:
    first, last = group[0], group[-1]
    if first.heading and last.heading:
        title = _short(first.heading) if len(group) == 1 else f"{_short(first.heading)} – {_short(last.heading)}"
    elif len(group) == 1:  # named as `library show` and quote cards name it
        title = "Opening" if numbers[first.section_id] == 1 else f"Section {numbers[first.section_id]}"
    elif first.book_id == last.book_id:
        title = f"Sections {numbers[first.section_id]}–{numbers[last.section_id]}"
    else:
        title = f"Section {numbers[first.section_id]} – Section {numbers[last.section_id]}"
    return Reading(tuple(s.section_id for s in group), sum(s.minutes for s in group), title)


def _short(heading: str) -> str:
    heading = " ".join(heading.split())
    return heading if len(heading) <= _TITLE_HEADING_MAX else heading[: _TITLE_HEADING_MAX - 1].rstrip() + "…"
