"""The running bot the Matrix adapter tests talk to: a real App + MatrixAdapter on the session's Synapse."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from pathlib import Path

import pytest

from bot.adapters.matrix import create_adapter
from bot.app import App
from bot.clock import ManualClock
from bot.config import LibrarySettings, MatrixSettings, Settings
from cogs import all_features
from tests.adapters.matrix.support import Bot, StartBot, token_adapter
from tests.conftest import START, TEXTS
from tests.support.synapse import MatrixUser, SynapseServer, synapse_default_limits  # noqa: F401


@pytest.fixture
async def start_bot(
    synapse: SynapseServer, matrix_user: Callable[..., MatrixUser], tmp_path: Path
) -> AsyncIterator[StartBot]:
    """Factory: `await start_bot(allowed_inviters=…, max_upload_mb=…, login=…, user=…, server=…)` → a running Bot
    (on the session's Synapse unless `server` is another one)."""
    bots: list[Bot] = []

    async def start(
        *,
        allowed_inviters: tuple[str, ...] = (":localhost",),
        max_upload_mb: int = 10,
        login: str = "token",
        user: MatrixUser | None = None,
        server: SynapseServer | None = None,
    ) -> Bot:
        server = server or synapse
        user = user or server.register_user(displayname="Readalong")
        folder = tmp_path / f"bot-{len(bots)}"
        settings = replace(
            Settings().with_database(folder / "readalong.sqlite3"),
            library=LibrarySettings(texts=TEXTS, max_upload_mb=max_upload_mb),
            matrix=MatrixSettings(
                homeserver=server.base_url,
                user_id=user.user_id,
                allowed_inviters=allowed_inviters,
                state_dir=folder / "matrix",
                access_token_env="READALONG_TEST_MATRIX_TOKEN",
                password_env="READALONG_TEST_MATRIX_PASSWORD",
            ),
        )
        clock = ManualClock(START)
        app = await App.open(settings, clock=clock, features=all_features())
        adapter = create_adapter(app) if login == "environment" else token_adapter(app, user)
        await adapter.start()
        bot = Bot(user, settings, clock, app, adapter)
        bots.append(bot)
        return bot

    yield start
    for bot in bots:
        await bot.adapter.stop()
        await bot.app.close()
