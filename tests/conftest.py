"""Shared fixtures: real SQLite files in tmp_path, a controllable clock, and a room to talk to the bot in.

Loading the default library (data/texts) takes about a second, so it is done once per test process into a template
database; a test marked `@pytest.mark.default_library` starts from a private copy of that file (see `settings`).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import closing
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import App
from bot.clock import ManualClock
from bot.config import LibrarySettings, Settings
from bot.replies import Context, Reply, Upload
from bot.services.books import load_default_library
from cogs import all_features

ROOT = Path(__file__).resolve().parent.parent
TEXTS = ROOT / "data" / "texts"
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A `default_library` mark only works through the `settings` fixture; on a test without it, it would be a no-op."""
    for item in items:
        if item.get_closest_marker("default_library") and "settings" not in getattr(item, "fixturenames", ()):
            raise pytest.UsageError(f"{item.nodeid} is marked default_library but uses no app, room or settings")


def make_settings(database: Path) -> Settings:
    """The settings every test starts from: the given database file and the shipped texts."""
    return replace(Settings().with_database(database), library=LibrarySettings(texts=TEXTS))


async def _load_default_library(database: Path) -> None:
    app = await App.open(make_settings(database), clock=ManualClock(START), features=all_features())
    try:
        added = await load_default_library(app.db, app.settings, app.clock.now)
        assert added, f"no books were loaded from {TEXTS}"
    finally:
        await app.close()


@pytest.fixture(scope="session")
def default_library_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with the default library loaded at START, built once per test process (each xdist worker has
    its own basetemp, so workers never share the file). Never open it for writing: copy it with `copy_database`."""
    template = tmp_path_factory.mktemp("template") / "default-library.sqlite3"
    asyncio.run(_load_default_library(template))
    return template


def copy_database(source: Path, target: Path) -> Path:
    """A consistent copy of an SQLite file (through SQLite's backup API, so a WAL file is included)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
    return target


@pytest.fixture
def default_library_db(default_library_template: Path, tmp_path: Path) -> Path:
    """A private database file in tmp_path that already holds the default library (for tests that run the CLI)."""
    return copy_database(default_library_template, tmp_path / "library.sqlite3")


@pytest.fixture
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    database = tmp_path / "readalong.sqlite3"
    if request.node.get_closest_marker("default_library"):
        copy_database(request.getfixturevalue("default_library_template"), database)
    return make_settings(database)


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
