"""The App the Discord adapter tests drive: a temporary database, a fake token and the test-only commands."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from bot.app import App
from bot.clock import ManualClock
from bot.commands import spec_of
from bot.config import LibrarySettings, Settings
from cogs import all_features
from tests.adapters.discord.support import TEST_COMMANDS


@pytest.fixture
async def app(settings: Settings, clock: ManualClock, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[App]:
    monkeypatch.setenv("READALONG_DISCORD_TOKEN", "fake-token")
    settings = replace(settings, library=LibrarySettings(texts=settings.library.texts, max_upload_mb=1))
    application = await App.open(settings, clock=clock, features=all_features())
    for handler in TEST_COMMANDS:
        spec = spec_of(handler)
        assert spec is not None
        application.registry.add(spec)
    yield application
    await application.close()
