"""Shared fixtures: real SQLite files in tmp_path, a controllable clock, and a room to talk to the bot in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import App
from bot.clock import ManualClock
from bot.config import LibrarySettings, Settings
from bot.replies import Context, Reply, Upload
from cogs import all_features

ROOT = Path(__file__).resolve().parent.parent
TEXTS = ROOT / "data" / "texts"
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    base = Settings()
    return replace(
        base.with_database(tmp_path / "readalong.sqlite3"),
        library=LibrarySettings(texts=TEXTS),
    )


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
async def app(settings: Settings, clock: ManualClock) -> AsyncIterator[App]:
    application = await App.open(settings, clock=clock, features=all_features())
    yield application
    await application.close()


class Room:
    """A chat room for tests: members speak command lines and get the bot's Reply back."""

    def __init__(self, app: App, platform: str = "test", room_id: str = "room-1") -> None:
        self.app = app
        self.platform = platform
        self.room_id = room_id

    def context(self, who: str, *, platform_moderator: bool = False, uploads: tuple[Upload, ...] = ()) -> Context:
        return Context(
            platform=self.platform,
            room_id=self.room_id,
            user_id=who.lower(),
            display_name=who,
            platform_moderator=platform_moderator,
            uploads=uploads,
        )

    async def say(self, line: str, who: str = "alice", **kwargs: object) -> Reply:
        return await self.app.handle(self.context(who, **kwargs), line)  # type: ignore[arg-type]

    async def setup(self, founder: str = "alice", timezone: str = "Europe/Berlin") -> None:
        await self.app.setup_group(self.context(founder), name="Test group", timezone=timezone)


@pytest.fixture
async def room(app: App) -> Room:
    the_room = Room(app)
    await the_room.setup()
    return the_room
