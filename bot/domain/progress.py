"""A member's progress through a plan: where they are, their streak, their pace, and whether they are behind.

Inputs are plain: ``done`` maps a reading's index in the plan (0-based) to when the member finished it
(aware datetime), and ``meetings`` lists the plan's meeting instants in reading order, so ``meetings[i]``
is when reading ``i`` is discussed and ``len(meetings)`` is the number of readings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

__all__ = [
    "Forecast",
    "MemberProgress",
    "current_position",
    "furthest_reading",
    "is_behind",
    "member_progress",
    "pace_forecast",
    "progress_bar",
    "readings_behind",
    "streak",
]

Done = Mapping[int, datetime]

_FULL = "█"
_EMPTY = "░"


@dataclass(frozen=True)
class Forecast:
    """ "At your pace you finish the syllabus on ``finish_on``", with the pace it assumes."""

    finish_on: date  # local date in the group's zone
    readings_per_week: float


@dataclass(frozen=True)
class MemberProgress:
    """Everything a progress reply shows, computed in one place so the card and the reminder agree."""

    total: int
    done_count: int
    next_reading: int | None  # first unfinished reading; None once everything is done
    furthest: int  # highest finished reading, -1 before the first (the member's spoiler position)
    streak: int
    behind: tuple[int, ...]  # readings whose meeting has passed and that are not finished
    forecast: Forecast | None
    bar: str


def current_position(done: Done, total: int) -> int:
    """The first reading the member has not finished (``total`` when all are done).

    The first gap rather than the furthest reading: someone who skipped a reading still has it to do.
    """
    _check(done, total)
    return next((index for index in range(total) if index not in done), total)


def furthest_reading(done: Done) -> int:
    """The highest reading index finished, or -1: what the member has already seen, for spoiler rules."""
    return max(done, default=-1)


def streak(done: Done, meetings: Sequence[datetime], now: datetime) -> int:
    """How many meetings in a row, counting back from the latest one that has happened, the member came to
    having finished that meeting's reading (finished at or before the meeting starts).

    Only meetings that have happened count, so an unfinished reading for next week cannot break a streak
    yet, and reading ahead is credited once the meeting arrives.
    """
    _check(done, len(meetings))
    _aware(now)
    count = 0
    for index in reversed(range(len(meetings))):
        if meetings[index] > now:
            continue
        finished = done.get(index)
        if finished is None or finished > meetings[index]:
            break
        count += 1
    return count


def pace_forecast(
    done: Done,
    total: int,
    now: datetime,
    tz: ZoneInfo,
    *,
    window: timedelta = timedelta(days=28),
    min_completions: int = 2,
) -> Forecast | None:
    """When the member will finish at their recent pace, or None when there is too little to go on.

    Pace is taken from completions in the last ``window``: with ``k`` of them, the earliest at ``t₁``, the
    member finished ``k − 1`` readings in the time from ``t₁`` to now. Measuring up to *now* (not to the
    latest completion) makes the forecast slip when someone stops reading, which is the honest answer.
    Needs at least ``min_completions`` completions spanning a day or more. A member who has finished
    everything gets the date of their last completion.
    """
    _check(done, total)
    _aware(now)
    if total == 0:
        return None
    if len(done) == total:
        last = max(done.values())
        return Forecast(last.astimezone(tz).date(), _rate(done, now, window) or 0.0)
    rate = _rate(done, now, window, min_completions)
    if rate is None or rate <= 0:
        return None
    remaining = total - len(done)
    finish = now + timedelta(weeks=remaining / rate)
    return Forecast(finish.astimezone(tz).date(), rate)


def _rate(done: Done, now: datetime, window: timedelta, min_completions: int = 2) -> float | None:
    recent = sorted(when for when in done.values() if now - window < when <= now)
    if len(recent) < max(2, min_completions):
        return None
    span = now - recent[0]
    if span < timedelta(days=1):
        return None
    return (len(recent) - 1) / (span / timedelta(weeks=1))


def readings_behind(done: Done, meetings: Sequence[datetime], meeting_index: int) -> tuple[int, ...]:
    """Readings up to and including the one for meeting ``meeting_index`` that are not finished yet."""
    _check(done, len(meetings))
    if not 0 <= meeting_index < len(meetings):
        raise ValueError("meeting_index is out of range")
    return tuple(index for index in range(meeting_index + 1) if index not in done)


def is_behind(done: Done, meetings: Sequence[datetime], meeting_index: int) -> bool:
    """Before a meeting: has the member still got its reading, or an earlier one, to finish?"""
    return bool(readings_behind(done, meetings, meeting_index))


def progress_bar(done: int, total: int, width: int = 10) -> str:
    """A text bar like ``███░░░░░░░`` that renders the same on Discord, Matrix and a terminal.

    A started plan always shows at least one block and an unfinished one never shows a full bar, so the
    bar cannot contradict the numbers beside it.
    """
    if width < 1:
        raise ValueError("width must be positive")
    if total <= 0:
        return _EMPTY * width
    done = max(0, min(done, total))
    filled = round(width * done / total)
    if done > 0:
        filled = max(filled, 1)
    if done < total:
        filled = min(filled, width - 1)
    return _FULL * filled + _EMPTY * (width - filled)


def member_progress(done: Done, meetings: Sequence[datetime], now: datetime, tz: ZoneInfo) -> MemberProgress:
    """The full progress card for one member at ``now``."""
    total = len(meetings)
    position = current_position(done, total)
    past = [index for index, meeting in enumerate(meetings) if meeting <= now]
    return MemberProgress(
        total=total,
        done_count=len(done),
        next_reading=position if position < total else None,
        furthest=furthest_reading(done),
        streak=streak(done, meetings, now),
        behind=tuple(index for index in past if index not in done),
        forecast=pace_forecast(done, total, now, tz),
        bar=progress_bar(len(done), total),
    )


def _check(done: Done, total: int) -> None:
    if any(not 0 <= index < total for index in done):
        raise ValueError(f"done holds a reading index outside 0..{total - 1}")
    for when in done.values():
        _aware(when)


def _aware(when: datetime) -> None:
    if when.tzinfo is None:
        raise ValueError("progress needs aware datetimes")
