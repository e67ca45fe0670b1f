"""`readalong run` with chat adapters: start each enabled adapter and keep the scheduler ticking."""

from __future__ import annotations

import asyncio
import importlib
import logging
from datetime import timedelta

from bot.app import App
from bot.config import ConfigError, Settings

log = logging.getLogger(__name__)

IDLE_WAKEUP = timedelta(seconds=30)


def check_credentials(settings: Settings) -> None:
    """Fail before connecting anywhere when an enabled adapter has no secret in the environment."""
    if "discord" in settings.bot.adapters:
        settings.discord.token()
    if "matrix" in settings.bot.adapters:
        settings.matrix.credentials()


async def run_adapters(app: App) -> int:
    for name in app.settings.bot.adapters:
        try:
            module = importlib.import_module(f"bot.adapters.{name}")
        except ModuleNotFoundError as exc:
            raise ConfigError(
                f"The {name} adapter cannot start: {exc.name} is not installed; "
                "run `make run` or pip install readalong[matrix]."
            ) from None
        adapter = module.create_adapter(app)
        app.adapters[adapter.platform] = adapter
        await adapter.start()
        log.info("%s adapter started", name)
    try:
        while True:
            await app.tick()
            wake = await app.next_wakeup()
            delay = IDLE_WAKEUP.total_seconds()
            if wake is not None:
                delay = min(delay, max(0.0, (wake - app.clock.now()).total_seconds()))
            await asyncio.sleep(delay)
    finally:
        for adapter in app.adapters.values():
            await adapter.stop()
