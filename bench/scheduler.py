"""Scheduler and delivery benchmark: 10,000 groups with weekly plans.

First table: the time to rebuild every schedule at start (what `App.start_scheduler` does), the process's
resident memory after it, and the lateness of 1,000 posts due in the same second (the "1 h before" reminders
of 1,000 groups meeting at the same minute), dispatched and delivered through the real dispatcher and outbox
to a no-op adapter. Goals: rebuild < 2 s, RSS < 150 MB, p99 lateness < 1 s.

Second table: the same 1,000 posts (1,000 rooms) with 5 % of the rooms dead, through an adapter that enforces
Discord's 50 requests per second: the time until the last healthy post is out as a ratio to the rate-limit
floor (goal <= 1.1x), and posts lost or doubled (goal 0).

The database is built once by a child process and cached in the temporary folder; every run works on a fresh
copy in its own process (so RSS is its own). Each case runs three times; the machine (cores, load) is printed
beside every table, because this machine is shared.

    .venv/bin/python bench/scheduler.py [--groups 10000] [--burst 1000] [--dead 0.05] [--runs 3] [--fresh]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from time import perf_counter, process_time

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.adapters.base import DeliveryError
from bot.app import App
from bot.config import Settings
from bot.domain.layout import PlanRule
from bot.domain.plans import PerMeeting, SectionLength, WeeklyCadence, allocate_readings
from bot.replies import Reply
from bot.scheduling import rebuild_schedules
from bot.services.plans import lay_out, refresh_schedules
from bot.storage import books as book_store
from bot.storage import groups as group_store
from bot.storage import plans as plan_store
from bot.storage.books import NewBook, NewParagraph, NewSection
from bot.timeutil import to_db
from cogs import all_features

ZONE = "Europe/Berlin"
FIRST_MEETING = date(2030, 1, 8)  # a Tuesday; group i meets at 19:00 + (i mod slots) minutes
BUILD_AT = datetime(2030, 1, 8, 17, 0, tzinfo=UTC)  # 18:00 CET, an hour before the first meetings


class SettableClock:
    """Real time flowing from a chosen start, so lateness is measured against the posts' due times."""

    def __init__(self, start: datetime) -> None:
        self.set(start)

    def set(self, start: datetime) -> None:
        self._start, self._t0 = start, perf_counter()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=perf_counter() - self._t0)


class NoopAdapter:
    platform = "bench"

    def __init__(self, clock: SettableClock) -> None:
        self.clock = clock
        self.sent_at: list[datetime] = []
        self.kinds: dict[str, int] = {}

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def send(
        self, room_id: str, reply: Reply, *, key: str, thread_key: str | None = None, starts_thread: bool = False
    ) -> str:
        self.sent_at.append(self.clock.now())
        self.kinds[reply.kind] = self.kinds.get(reply.kind, 0) + 1
        return key


async def build(path: Path, groups: int, slots: int) -> None:
    app = await App.open(Settings().with_database(path), clock=SettableClock(BUILD_AT), features=all_features())
    now = BUILD_AT
    try:
        async with app.db.transaction() as tx:
            sections = tuple(
                NewSection(f"Chapter {i}", 1, (NewParagraph(f"Text {i}."),), 3000, 20) for i in range(1, 11)
            )
            book_id = await book_store.insert(tx, NewBook("Bench", ("B",), None, "b.txt", "txt", "sha", sections), now)
            stored = await book_store.sections(tx, book_id)
        readings = allocate_readings(
            [SectionLength(s.id, s.book_id, s.minutes, s.heading, s.position) for s in stored],
            PerMeeting("sections", 1),
        )
        for first in range(0, groups, 500):
            async with app.db.transaction() as tx:
                for i in range(first, min(groups, first + 500)):
                    group = await group_store.create(tx, "bench", f"room-{i}", f"Group {i}", ZONE, now)
                    cadence = WeeklyCadence((1,), time(19 + (i % slots) // 60, (i % slots) % 60))
                    plan_id = await plan_store.create(
                        tx,
                        group_id=group.id,
                        status="active",
                        token=None,
                        cadence=cadence.describe(),
                        per_meeting="1 section",
                        timezone=ZONE,
                        start=FIRST_MEETING,
                        until=None,
                        blackouts=(),
                        created_by=None,
                        now=now,
                    )
                    plan = await plan_store.get(tx, plan_id)
                    assert plan is not None
                    laid = await lay_out(tx, plan, PlanRule.of(plan), now, new=[(book_id, r) for r in readings])
                    await plan_store.mark_opened(tx, [laid[0].id], now)  # reading 1 opened at start
                    await refresh_schedules(app, tx, plan, now)
    finally:
        await app.close()


class RateLimitedAdapter:
    """A platform that enforces Discord's global limit and refuses some rooms for good.

    Discord: "All bots can make up to 50 requests per second to our API" (a 429 with `retry_after` beyond it;
    https://discord.com/developers/docs/topics/rate-limits#global-rate-limit). Modelled as one-second windows
    from the first request; every request first travels `latency` seconds. A dead room answers like a channel
    the bot was removed from (403 Missing Access, a permanent DeliveryError, which still costs a request).
    `concurrent_sends` is what a real adapter with network latency needs to reach the limit.
    """

    platform = "bench"
    concurrent_sends = 4

    def __init__(self, clock: SettableClock, dead: set[str], rate: int = 50, latency: float = 0.02) -> None:
        self.clock = clock
        self.dead = dead
        self.rate = rate
        self.latency = latency
        self.window_start: float | None = None
        self.in_window = 0
        self.requests = 0
        self.too_many = 0
        self.sent: dict[str, int] = {}
        self.last_healthy: datetime | None = None

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def send(
        self, room_id: str, reply: Reply, *, key: str, thread_key: str | None = None, starts_thread: bool = False
    ) -> str:
        await asyncio.sleep(self.latency)
        now = perf_counter()
        if self.window_start is None or now - self.window_start >= 1.0:
            self.window_start, self.in_window = now, 0
        if self.in_window >= self.rate:
            self.too_many += 1
            raise DeliveryError("429 Too Many Requests", permanent=False, retry_after=self.window_start + 1.0 - now)
        self.in_window += 1
        self.requests += 1
        if room_id in self.dead:
            raise DeliveryError("403 Missing Access: the bot was removed from this channel", permanent=True)
        self.sent[key] = self.sent.get(key, 0) + 1
        self.last_healthy = self.clock.now()
        return key


async def measure_burst(path: Path) -> dict[str, float]:
    """Rebuild at start, then 1,000 posts due in one second through a no-op adapter."""
    clock = SettableClock(BUILD_AT)
    app = await App.open(Settings().with_database(path), clock=clock, features=all_features())
    try:
        adapter = NoopAdapter(clock)
        app.adapters["bench"] = adapter
        started, cpu = perf_counter(), process_time()
        examined = await rebuild_schedules(app)
        first_due = await app.next_wakeup()
        rebuild, rebuild_cpu = perf_counter() - started, process_time() - cpu
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        assert first_due is not None
        clock.set(first_due)
        cpu = process_time()
        await app.tick()
        burst_cpu = process_time() - cpu
        late = sorted((sent - first_due).total_seconds() for sent in adapter.sent_at)
        return {
            "rows": examined,
            "rebuild": rebuild,
            "rebuild_cpu": rebuild_cpu,
            "rss": rss_mb,
            "posts": len(late),
            "p50": statistics.median(late),
            "p99": late[int(len(late) * 0.99) - 1],
            "max": late[-1],
            "burst_cpu": burst_cpu,
        }
    finally:
        await app.close()


async def measure_dead_rooms(path: Path, dead_share: float) -> dict[str, float]:
    """The same burst (1,000 rooms, one post each) through RateLimitedAdapter with `dead_share` of rooms dead."""
    clock = SettableClock(BUILD_AT)
    app = await App.open(Settings().with_database(path), clock=clock, features=all_features())
    try:
        await rebuild_schedules(app)
        first_due = await app.next_wakeup()
        assert first_due is not None
        due = await app.db.fetchall(
            "SELECT g.room_id FROM schedules s JOIN groups g ON g.id = s.group_id WHERE s.next_fire_at <= ?",
            (to_db(first_due),),
        )
        rooms = sorted(r["room_id"] for r in due)
        every = round(1 / dead_share)
        dead = {room for n, room in enumerate(rooms) if n % every == 0}
        adapter = RateLimitedAdapter(clock, dead)
        app.adapters["bench"] = adapter
        before = await app.db.fetchone("SELECT coalesce(max(id), 0) FROM outbox")  # a used cache has old rows
        assert before is not None
        clock.set(first_due)
        await app.tick()
        elapsed = ((adapter.last_healthy or first_due) - first_due).total_seconds()
        made = await app.db.fetchall("SELECT key, room_id FROM outbox WHERE id > ?", (before[0],))
        expected = {row["key"]: row["room_id"] for row in made}
        healthy = {key for key, room in expected.items() if room not in dead}
        missed = {m["key"] for m in await app.db.fetchall("SELECT key FROM missed_posts")}
        lost = len(healthy - set(adapter.sent)) + len({k for k, r in expected.items() if r in dead} - missed)
        doubled = sum(n - 1 for n in adapter.sent.values())
        floor = len(healthy) / adapter.rate
        return {
            "posts": len(expected),
            "healthy": len(healthy),
            "dead": len(dead),
            "elapsed": elapsed,
            "floor": floor,
            "ratio": elapsed / floor,
            "lost": lost,
            "doubled": doubled,
            "too_many": adapter.too_many,
        }
    finally:
        await app.close()


def machine() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{os.cpu_count()} cores, load {one:.2f} / {five:.2f} / {fifteen:.2f} (1 / 5 / 15 min)"


def run_case(case: str, cached: Path, args: argparse.Namespace) -> dict[str, float]:
    """One run in a child process on a fresh copy of the cached database (so RSS and state start clean)."""
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "bench.sqlite3"
        shutil.copy(cached, copy)
        done = subprocess.run(
            [sys.executable, __file__, "--case", case, "--db", str(copy), "--groups", str(args.groups),
             "--burst", str(args.burst), "--dead", str(args.dead)],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
        result["load"] = os.getloadavg()[0]
        return result


def table(title: str, rows: list[tuple[str, list[str], str]], loads: list[float]) -> None:
    print(f"\n{title}")
    print(f"machine: {machine()}")
    print(f"load (1 min) at each run: {', '.join(f'{x:.2f}' for x in loads)}")
    width = max(len(r[0]) for r in rows)
    runs = len(rows[0][1])
    header = "  ".join(f"{f'run {n + 1}':>14}" for n in range(runs))
    print(f"{'measure'.ljust(width)}  {header}  goal")
    for name, values, goal in rows:
        print(f"{name.ljust(width)}  {'  '.join(f'{v:>14}' for v in values)}  {goal}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--groups", type=int, default=10_000)
    parser.add_argument("--burst", type=int, default=1_000)
    parser.add_argument("--dead", type=float, default=0.05, help="share of dead rooms in the rate-limited case")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--fresh", action="store_true", help="rebuild the cached database")
    parser.add_argument("--build", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--case", choices=("burst", "dead"), help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    slots = max(1, args.groups // args.burst)
    if args.build:
        asyncio.run(build(args.build, args.groups, slots))
        return 0
    if args.case:
        logging.disable(logging.CRITICAL)  # 50 dead rooms log an error each; the table is the output
        if args.case == "burst":
            print(json.dumps(asyncio.run(measure_burst(args.db))))
        else:
            print(json.dumps(asyncio.run(measure_dead_rooms(args.db, args.dead))))
        return 0
    path = Path(tempfile.gettempdir()) / f"readalong-bench-scheduler-{args.groups}-{slots}.sqlite3"
    if args.fresh or not path.exists():
        for leftover in path.parent.glob(path.name + "*"):
            leftover.unlink()
        started = perf_counter()
        subprocess.run(
            [sys.executable, __file__, "--groups", str(args.groups), "--burst", str(args.burst), "--build", str(path)],
            check=True,
        )
        print(f"(built {args.groups:,} groups in {perf_counter() - started:.0f} s: {path})")

    burst = [run_case("burst", path, args) for _ in range(args.runs)]
    table(
        f"Scheduler: {args.groups:,} groups with weekly plans (10 readings each), no-op adapter",
        [
            ("schedules rebuilt at start", [f"{r['rows']:,.0f} in {r['rebuild']:.2f} s" for r in burst], "< 2 s"),
            ("  CPU used by the rebuild", [f"{r['rebuild_cpu']:.2f} s" for r in burst], ""),
            ("RSS after rebuild (max)", [f"{r['rss']:.0f} MB" for r in burst], "< 150 MB"),
            ("posts due in the same second", [f"{r['posts']:,.0f}" for r in burst], f"{args.burst:,}"),
            ("lateness p50", [f"{r['p50'] * 1000:.0f} ms" for r in burst], ""),
            ("lateness p99", [f"{r['p99'] * 1000:.0f} ms" for r in burst], "< 1 s"),
            ("lateness max", [f"{r['max'] * 1000:.0f} ms" for r in burst], ""),
            ("  CPU used by the burst", [f"{r['burst_cpu']:.2f} s" for r in burst], ""),
        ],
        [r["load"] for r in burst],
    )
    dead = [run_case("dead", path, args) for _ in range(args.runs)]
    table(
        f"Delivery: {args.burst:,} posts due in one minute across {args.burst:,} rooms, {args.dead:.0%} of rooms "
        "dead, through an adapter enforcing Discord's 50 requests/s (20 ms latency, 4 sends at once)",
        [
            ("posts (healthy / dead rooms)", [f"{r['healthy']:,.0f} / {r['dead']:,.0f}" for r in dead], ""),
            ("last healthy post out after", [f"{r['elapsed']:.1f} s" for r in dead], ""),
            ("rate-limit floor (healthy/50)", [f"{r['floor']:.1f} s" for r in dead], ""),
            ("ratio to the floor", [f"{r['ratio']:.2f}x" for r in dead], "<= 1.1x"),
            ("posts lost", [f"{r['lost']:.0f}" for r in dead], "0"),
            ("posts doubled", [f"{r['doubled']:.0f}" for r in dead], "0"),
            ("429 answers received", [f"{r['too_many']:.0f}" for r in dead], ""),
        ],
        [r["load"] for r in dead],
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
