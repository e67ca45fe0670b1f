"""Fixtures of the cog tests."""

from __future__ import annotations

import pytest

from bot.clock import ManualClock
from tests.conftest import Room
from tests.scheduling.support import RecordingAdapter


@pytest.fixture
async def adapter(room: Room, clock: ManualClock) -> RecordingAdapter:
    recorder = RecordingAdapter(clock)
    room.app.adapters["test"] = recorder
    return recorder
