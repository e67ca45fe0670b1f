"""Issue #16: a broken `sources.toml` beside the default library is a warning, never a failed first start."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from bot.config import LibrarySettings, Settings
from bot.services.books import load_default_library
from bot.storage import books as book_store
from bot.storage.db import Database
from tests.conftest import START, TEXTS


@pytest.mark.parametrize("broken", [b"[texts\nthis is = = not toml", b"\xff\xfe not utf-8", b"texts = 3\n"])
async def test_a_broken_sources_file_still_loads_the_library(
    tmp_path: Path, broken: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "texts"
    shutil.copytree(TEXTS, folder)
    (folder / "sources.toml").write_bytes(broken)
    settings = replace(Settings().with_database(tmp_path / "x.sqlite3"), library=LibrarySettings(texts=folder))
    db = await Database.open(settings.bot.database)
    lines: list[str] = []
    try:
        added = await load_default_library(db, settings, lambda: START, progress=lines.append)
        assert len(added) == len(await book_store.all_books(db)) == 5
    finally:
        await db.close()
    assert "sources.toml" in caplog.text
    assert lines[0].startswith("Loading the default library (first start only): 1 of 5, ")
