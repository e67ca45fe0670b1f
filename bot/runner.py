"""`readalong run` with chat adapters: start each enabled adapter (and the web pages when `web.enabled`), then let
the wake-up timer drive the dispatcher.

The timer (bot.scheduling.WakeupTimer: APScheduler's AsyncIOScheduler with one in-memory DateTrigger) wakes at the
earliest due row of the database, or every 30 s at the latest, and each wake-up runs `App.tick()`.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
from collections.abc import AsyncIterator

from bot.app import App
from bot.config import ConfigError, Settings

log = logging.getLogger(__name__)


def check_credentials(settings: Settings) -> None:
    """Fail before connecting anywhere when an enabled adapter has no secret in the environment."""
    if "discord" in settings.bot.adapters:
        settings.discord.token()
    if "matrix" in settings.bot.adapters:
        settings.matrix.credentials()


@contextlib.asynccontextmanager
async def web_pages(app: App) -> AsyncIterator[None]:
    """Serve the groups' pages (bot/adapters/web.py) beside the adapters while the block runs, when enabled."""
    if not app.settings.web.enabled:
        yield
        return
    from bot.adapters.web import serve as serve_pages

    web = app.settings.web
    try:
        runner = await serve_pages(app.db, app.clock, web)
    except OSError as exc:
        raise ConfigError(f"The web pages cannot listen on {web.host}:{web.port}: {exc.strerror}.") from None
    try:
        yield
    finally:
        await runner.cleanup()


async def run_adapters(app: App) -> int:
    # The process lock first: a second process on the database stops with its sentence before it connects
    # anywhere (a second Discord or Matrix session would answer commands twice), or serves pages.
    await app.become_sender()
    async with web_pages(app):
        return await _run_adapters(app)


async def _run_adapters(app: App) -> int:
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
        await serve(app)
    finally:
        for adapter in app.adapters.values():
            await adapter.stop()
    return 0


async def serve(app: App, stop: asyncio.Event | None = None) -> None:
    """Run the scheduler until `stop` is set (or forever); the adapters are already running.

    When the storage fails (disk full, read-only) the dispatcher's loop ends and this raises its StorageFailure,
    whose sentence `readalong run` prints before stopping cleanly."""
    await app.start_scheduler()
    waiting = asyncio.create_task((stop or asyncio.Event()).wait())
    try:
        loop = app.timer.task if app.timer is not None else None
        await asyncio.wait({waiting} | ({loop} if loop else set()), return_when=asyncio.FIRST_COMPLETED)
        if loop is not None and loop.done() and not loop.cancelled() and (failure := loop.exception()):
            raise failure
    finally:
        waiting.cancel()
        await app.stop_scheduler()
