"""Fixtures for the adapter tests: the fake Discord and the real Synapse (started lazily, once per session)."""

from collections.abc import AsyncIterator

import pytest_asyncio

from bot.clock import ManualClock
from tests.fakes.discord_server import FakeDiscord, serving_fake_discord
from tests.support.matrix_nio import matrix_client  # noqa: F401
from tests.support.synapse import matrix_user, synapse  # noqa: F401


@pytest_asyncio.fixture(name="fake_discord")
async def fake_discord(clock: ManualClock) -> AsyncIterator[FakeDiscord]:
    """The fake Discord on the app's clock: Discord's "now" (events in the future, token lifetimes) is the
    bot's now, as it is in production."""
    async with serving_fake_discord(clock=clock.now) as fake:
        yield fake
