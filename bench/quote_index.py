"""Time of `library add` with quote indexing: the default library, and a ~1 MB text and EPUB built from it.

Run: python bench/quote_index.py [--profile]. Prints seconds per step and the longest a database read waited
during each add (what another command would wait: #13 wants it short); with --profile, a cProfile summary of
the 1 MB text's add. Not part of the test run (shared machines make timed assertions lie).
"""

from __future__ import annotations

import asyncio
import cProfile
import pstats
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from ingest import make_epub, make_txt  # noqa: E402

from bot.app import App  # noqa: E402
from bot.config import LibrarySettings, Settings  # noqa: E402
from bot.services.books import add_book, load_default_library  # noqa: E402
from bot.storage.db import Database  # noqa: E402
from cogs import all_features  # noqa: E402

TEXTS = ROOT / "data" / "texts"


class Watch:
    """The longest a small read of the database took while an add ran, asked every 10 ms: what another command
    waits (held by the event loop, the interpreter lock or the add's transaction)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.longest = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _ask(self) -> None:
        while True:
            start = time.perf_counter()
            await self.db.fetchone("SELECT count(*) FROM books")
            self.longest = max(self.longest, time.perf_counter() - start)
            await asyncio.sleep(0.01)

    def __enter__(self) -> Watch:
        self._task = asyncio.get_running_loop().create_task(self._ask())
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()


def now() -> datetime:
    return datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


async def run(profile: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        settings = replace(
            Settings().with_database(Path(folder) / "bench.sqlite3"), library=LibrarySettings(texts=TEXTS)
        )
        app = await App.open(settings, features=all_features())
        try:
            start = time.perf_counter()
            with Watch(app.db) as watch:
                await load_default_library(app.db, app.settings, now)
            took = time.perf_counter() - start
            label = "default library (5 texts, 0.29 MB)"
            print(f"{label:<40}{took:>8.2f} s   a read waited at most {watch.longest:.3f} s")
            for name, data in (("bench.txt", make_txt(1_000_000)), ("bench.epub", make_epub(1_600_000))):
                profiler = cProfile.Profile() if profile and name.endswith("txt") else None
                start = time.perf_counter()
                if profiler:
                    profiler.enable()
                with Watch(app.db) as watch:
                    await add_book(app.db, app.settings, data, name, now)
                if profiler:
                    profiler.disable()
                label = f"{name} ({len(data) / 1e6:.2f} MB)"
                took = time.perf_counter() - start
                print(f"{label:<40}{took:>8.2f} s   a read waited at most {watch.longest:.3f} s")
                if profiler:
                    pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        finally:
            await app.close()


if __name__ == "__main__":
    asyncio.run(run("--profile" in sys.argv))
