"""Pure dispatcher rules: catch-up decisions per schedule kind (each kind carries its policy), occurrence keys."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.scheduling import DEFAULT_CATCH_UP, CatchUp, catch_up_decision, occurrence_key
from cogs.plans.opens import READING_OPENS
from cogs.reminders import REMINDER

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
