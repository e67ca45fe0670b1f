"""Scheduler benchmark: 10,000 groups with weekly plans.

Prints a table: the time to rebuild every schedule at start (what `App.start_scheduler` does), the process's
resident memory after it, and the lateness of 1,000 posts due in the same second (the "1 h before" reminders
of 1,000 groups meeting at the same minute), dispatched and delivered through the real dispatcher and outbox
to a no-op adapter. Goals: rebuild < 2 s, RSS < 150 MB,
p99 lateness < 1 s. The database is built once by a child process (so its memory does not count) and cached in
the temporary folder.

    .venv/bin/python bench/scheduler.py [--groups 10000] [--burst 1000] [--fresh]
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import subprocess
import sys
import tempfile
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from time import perf_counter

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

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


async def measure(path: Path, burst: int, slots: int) -> list[tuple[str, str, str]]:
    clock = SettableClock(BUILD_AT)
    app = await App.open(Settings().with_database(path), clock=clock, features=all_features())
    try:
        adapter = NoopAdapter(clock)
        app.adapters["bench"] = adapter
        started = perf_counter()
        examined = await rebuild_schedules(app)
        first_due = await app.next_wakeup()
        rebuild = perf_counter() - started
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        assert first_due is not None
        # the burst: the first slot of groups (1 in 10 meet at each minute from 19:00) all due the same second
        clock.set(first_due)
        await app.tick()
        late = sorted((sent - first_due).total_seconds() for sent in adapter.sent_at)
        p50, p99 = statistics.median(late), late[int(len(late) * 0.99) - 1]
        return [
            ("schedules rebuilt at start", f"{examined:,} rows in {rebuild:.2f} s", "< 2 s"),
            ("RSS after rebuild (max)", f"{rss_mb:.0f} MB", "< 150 MB"),
            (
                "posts due in the same second",
                f"{len(late):,} ({', '.join(f'{n:,} {k}' for k, n in adapter.kinds.items())})",
                f"{burst:,}",
            ),
            ("lateness p50", f"{p50 * 1000:.0f} ms", ""),
            ("lateness p99", f"{p99 * 1000:.0f} ms", "< 1 s"),
            ("lateness max", f"{late[-1] * 1000:.0f} ms", ""),
        ]
    finally:
        await app.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--groups", type=int, default=10_000)
    parser.add_argument("--burst", type=int, default=1_000)
    parser.add_argument("--fresh", action="store_true", help="rebuild the cached database")
    parser.add_argument("--build", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    slots = max(1, args.groups // args.burst)
    if args.build:
        asyncio.run(build(args.build, args.groups, slots))
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
    rows = asyncio.run(measure(path, args.burst, slots))
    print(f"Scheduler benchmark: {args.groups:,} groups with weekly plans (10 readings each), no-op adapter")
    width = max(len(r[0]) for r in rows)
    print(f"{'measure'.ljust(width)}  {'result':<28}  goal")
    for name, value, goal in rows:
        print(f"{name.ljust(width)}  {value:<28}  {goal}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
