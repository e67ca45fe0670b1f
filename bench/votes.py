"""Concurrent ballots on one poll (run: python bench/votes.py [N …]).

For each N, a fresh temp-file SQLite database gets a group and one three-option poll; N distinct members
then vote at once (asyncio.gather over App.handle, the path every adapter uses: member upsert, then the
ballot in its own transaction). The table gives the wall time for all ballots, ballots per second, the time
to close the poll (tally and freeze), and whether every ballot was stored once with exact totals.
Not part of the test run.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.app import App  # noqa: E402
from bot.clock import ManualClock  # noqa: E402
from bot.commands import Context  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.storage import polls as poll_store  # noqa: E402
from cogs import all_features  # noqa: E402

SIZES = (1_000, 10_000)
OPTIONS = "ABC"


def context(user: str) -> Context:
    return Context(platform="bench", room_id="room", user_id=user, display_name=user)


async def run(n: int) -> tuple[float, float, bool]:
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings().with_database(Path(folder) / "bench.sqlite3")
        app = await App.open(settings, clock=ManualClock(datetime(2026, 11, 2, 9, tzinfo=UTC)), features=all_features())
        try:
            await app.setup_group(context("moderator"), name="Bench", timezone="Europe/Berlin")
            opened = await app.handle(context("moderator"), 'poll create "Busy?" "Red" "Green" "Blue"')
            assert opened.kind == "poll", opened.text
            start = time.perf_counter()
            replies = await asyncio.gather(
                *(app.handle(context(f"m{i}"), f"vote 1 {OPTIONS[i % 3]}") for i in range(n))
            )
            voting = time.perf_counter() - start
            start = time.perf_counter()
            result = await app.handle(context("moderator"), "poll close 1")
            closing = time.perf_counter() - start
            poll = await poll_store.get(app.db, 1)
            tally = await poll_store.frozen_tally(app.db, poll) if poll else None
            expected = [len(range(k, n, 3)) for k in range(3)]
            exact = (
                all("is recorded" in r.text for r in replies)
                and tally is not None
                and tally.total_ballots == n
                and [c.votes for c in tally.counts] == expected
                and result.kind == "poll-results"
            )
            return voting, closing, exact
        finally:
            await app.close()


def main(argv: list[str]) -> int:
    sizes = tuple(int(a) for a in argv) or SIZES
    print(f"{'ballots':>8} | {'voting s':>9} | {'ballots/s':>9} | {'close s':>8} | exact")
    print(f"{'-' * 8}-+-{'-' * 9}-+-{'-' * 9}-+-{'-' * 8}-+------")
    ok = True
    for n in sizes:
        voting, closing, exact = asyncio.run(run(n))
        ok = ok and exact
        print(f"{n:>8} | {voting:>9.2f} | {n / voting:>9.0f} | {closing:>8.3f} | {'yes' if exact else 'NO'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
