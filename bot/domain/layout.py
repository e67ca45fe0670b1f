"""Pure: a plan's rule as the calendar functions want it, the meetings it allows, when readings open, and how a
shift moves the rule. The storage side (laying readings on meetings) is bot/services/plans.py."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.domain.plans import (
    Cadence,
    DateListCadence,
    PlanError,
    WeeklyCadence,
    meeting_times,
    parse_cadence,
    reminder_time,
    resolve_local_time,
)

FIRST_OPENS_BEFORE = timedelta(days=7)  # the first reading opens a week (same wall-clock time) before its meeting


class StoredRule(Protocol):
    """How a stored plan keeps its rule (bot.storage.plans.Plan has these fields)."""

    @property
    def cadence(self) -> str: ...
    @property
    def timezone(self) -> str: ...
    @property
    def start(self) -> date: ...
    @property
    def until(self) -> date | None: ...
    @property
    def blackouts(self) -> frozenset[date]: ...


@dataclass(frozen=True)
class PlanRule:
    """A plan's rule as the domain functions want it."""

    cadence: Cadence
    zone: ZoneInfo
    start: date
    until: date | None
    blackouts: frozenset[date]

    @classmethod
    def of(cls, plan: StoredRule) -> PlanRule:
        return cls(parse_cadence(plan.cadence), ZoneInfo(plan.timezone), plan.start, plan.until, plan.blackouts)


def next_meetings(rule: PlanRule, count: int, after: datetime) -> list[datetime]:
    """`count` meetings strictly after `after`, or PlanError saying why they do not fit."""
    if count == 0:
        return []
    found = meeting_times(
        rule.cadence, rule.start, rule.zone, count=count, until=rule.until, blackouts=rule.blackouts, after=after
    )
    if not found:
        window = f"between {rule.start} and {rule.until}" if rule.until else f"on or after {rule.start}"
        if isinstance(rule.cadence, DateListCadence):
            raise PlanError("None of the listed meeting dates is still ahead; list dates that are still to come.")
        raise PlanError(
            f"No meeting {rule.cadence.describe()} falls {window}; pick a later end date or other meeting days."
        )
    if len(found) < count:
        where = f" before {rule.until}" if rule.until else " in the listed dates"
        raise PlanError(
            f"The readings need {count} meetings but only {len(found)} fit{where}; "
            "choose a later end date, add meeting days or read more per meeting."
        )
    return found


def opening_times(meetings: Sequence[datetime], zone: ZoneInfo) -> list[datetime]:
    """When each reading opens: at the previous meeting; the first one a week before its own meeting."""
    if not meetings:
        return []
    return [reminder_time(meetings[0], FIRST_OPENS_BEFORE, zone), *meetings[:-1]]


def shifted_rule(rule: PlanRule, first_pending: datetime, delta: timedelta) -> tuple[PlanRule, datetime]:
    """The rule with every meeting from `first_pending` on moved by `delta` in wall-clock time, and the new
    first meeting. Whole days move weekdays (Tuesday +3d → Friday); hours move the time of day; blackout dates
    never move."""
    old_local = first_pending.astimezone(rule.zone).replace(tzinfo=None)
    new_local = old_local + delta
    days = (new_local.date() - old_local.date()).days
    cadence: Cadence
    if isinstance(rule.cadence, WeeklyCadence):
        weekdays = tuple(sorted({(d + days) % 7 for d in rule.cadence.weekdays}))
        cadence = WeeklyCadence(weekdays, new_local.time(), rule.cadence.every_weeks)
    else:
        moved = []
        for day, at in rule.cadence.meetings:
            if day >= old_local.date():
                when = datetime.combine(day, at) + delta
                moved.append((when.date(), when.time()))
            else:
                moved.append((day, at))
        cadence = DateListCadence(tuple(sorted(dict(moved).items())))
    # blackouts are dates in the calendar (a holiday), not meetings: they stay where they are
    new_rule = PlanRule(cadence, rule.zone, new_local.date(), rule.until, rule.blackouts)
    return new_rule, resolve_local_time(new_local.date(), new_local.time(), rule.zone)
