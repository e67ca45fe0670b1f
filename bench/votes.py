"""Concurrent ballots on one poll (run: python bench/votes.py [--runs 3] [N …]).

For each N, a fresh temp-file SQLite database gets a group and one three-option poll; N distinct members
then vote at once (asyncio.gather over App.handle, the path every adapter uses: member upsert, then the
ballot in its own transaction). The table gives the wall time for all ballots, the CPU seconds the process
used meanwhile (all threads: less dependent on the machine's load than the wall time), ballots per second,
the round trips to the database thread per ballot (where the time goes: each costs ~0.1 ms on a busy
machine, far more than the SQL), the time to close the poll (tally and freeze), and whether every ballot was
stored once with exact totals. Each size runs three times; the machine (cores, load) is printed with the table.
Goal: 1,000 ballots < 1 s. Not part of the test run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import aiosqlite  # noqa: E402

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


class TripCounter:
    """Counts calls into aiosqlite's worker thread (every statement, BEGIN and COMMIT is one)."""

    def __init__(self) -> None:
        self.trips = 0
        self._original = aiosqlite.Connection._execute

    def __enter__(self) -> TripCounter:
        counter, original = self, self._original

        async def counted(conn: aiosqlite.Connection, fn: object, *args: object, **kwargs: object) -> object:
            counter.trips += 1
            return await original(conn, fn, *args, **kwargs)  # type: ignore[arg-type]

        aiosqlite.Connection._execute = counted  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        aiosqlite.Connection._execute = self._original  # type: ignore[method-assign]


async def run(n: int) -> tuple[float, float, float, float, bool]:
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings().with_database(Path(folder) / "bench.sqlite3")
        app = await App.open(settings, clock=ManualClock(datetime(2026, 11, 2, 9, tzinfo=UTC)), features=all_features())
        try:
            await app.setup_group(context("moderator"), name="Bench", timezone="Europe/Berlin")
            opened = await app.handle(context("moderator"), 'poll create "Busy?" "Red" "Green" "Blue"')
            assert opened.kind == "poll", opened.text
            start, cpu = time.perf_counter(), time.process_time()
            with TripCounter() as counter:
                replies = await asyncio.gather(
                    *(app.handle(context(f"m{i}"), f"vote 1 {OPTIONS[i % 3]}") for i in range(n))
                )
            voting, cpu = time.perf_counter() - start, time.process_time() - cpu
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
            return voting, cpu, counter.trips / n, closing, exact
        finally:
            await app.close()


def machine() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{os.cpu_count()} cores, load {one:.2f} / {five:.2f} / {fifteen:.2f} (1 / 5 / 15 min)"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sizes", type=int, nargs="*", default=list(SIZES))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    print(f"machine: {machine()}")
    print(f"{'ballots':>8} | {'run':>3} | {'load':>5} | {'voting s':>9} | {'cpu s':>6} | {'ballots/s':>9} | "
          f"{'trips':>5} | {'close s':>8} | exact")  # fmt: skip
    print(f"{'-' * 8}-+-----+-------+-{'-' * 9}-+--------+-{'-' * 9}-+-------+-{'-' * 8}-+------")
    ok = True
    for n in args.sizes:
        for attempt in range(1, args.runs + 1):
            load = os.getloadavg()[0]
            voting, cpu, trips, closing, exact = asyncio.run(run(n))
            ok = ok and exact
            print(
                f"{n:>8} | {attempt:>3} | {load:>5.2f} | {voting:>9.2f} | {cpu:>6.2f} | {n / voting:>9.0f} | "
                f"{trips:>5.1f} | {closing:>8.3f} | {'yes' if exact else 'NO'}"
            )
    print(f"machine: {machine()}   goal: 1,000 ballots < 1 s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
