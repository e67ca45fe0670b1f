"""Clocks: the real one, and one the console and tests move by hand.

Everything that asks "what time is it" goes through a Clock so that a scripted console session or a test
can run a whole study plan in seconds by advancing time instead of sleeping.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, always aware and in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that only moves when told to, so runs are reproducible: from a fixed start (tests, the console's
    --now), or real time plus the offsets it was moved by (the console without --now). The one manual clock."""

    def __init__(self, start: datetime | None = None) -> None:
        if start is not None and start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._fixed = start.astimezone(UTC) if start is not None else None
        self._offset = timedelta(0)

    @property
    def follows_real_time(self) -> bool:
        return self._fixed is None

    def now(self) -> datetime:
        base = self._fixed if self._fixed is not None else datetime.now(UTC)
        return base + self._offset

    def advance(self, delta: timedelta) -> datetime:
        if delta < timedelta(0):
            raise ValueError("time only moves forward")
        self._offset += delta
        return self.now()

    def set(self, when: datetime) -> None:
        if when.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._offset = when.astimezone(UTC) - (self._fixed if self._fixed is not None else datetime.now(UTC))
