"""The dispatcher on a real database: one transaction per occurrence, idempotent keys, broken rules skipped,
the start-up rebuild, and the APScheduler wake-up timer in real time."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from bot.app import App
from bot.clock import ManualClock, SystemClock
from bot.config import Settings
from bot.replies import Reply
from bot.scheduling import Due, Firing, Outcome, Post, ScheduleKind, run_due_schedules
from bot.storage import schedules as schedule_store
from bot.storage.db import Transaction
from bot.storage.schedules import Schedule
from cogs import all_features
from tests.conftest import Room
from tests.scheduling.support import RecordingAdapter, add_book


def every_minute(fail_at: set[datetime] | None = None) -> ScheduleKind:
    """A test kind: one post per minute; `fail_at` occurrences raise inside the transaction."""

    async def fire(app: App, tx: Transaction, dues: Sequence[Due]) -> list[Outcome]:
        outcomes = []
        for due in dues:
            if fail_at and due.fire_at in fail_at:
                raise RuntimeError("handler broke")
            post = Post(int(due.schedule.group_id or 0), Reply(text=f"tick {due.fire_at:%H:%M}"))
            outcomes.append(Outcome(Firing([post]), due.fire_at + timedelta(minutes=1)))
        return outcomes

    async def following(app: App, tx: Transaction, schedule: Schedule, after: datetime) -> datetime | None:
        return after + timedelta(minutes=1)

    return ScheduleKind("every-minute", fire=fire, next_fire=following)


async def _group(app: App) -> int:
    row = await app.db.fetchone("SELECT id FROM groups")
    assert row is not None
    return int(row[0])


async def test_each_occurrence_is_one_keyed_post_and_running_twice_changes_nothing(
    room: Room, clock: ManualClock
) -> None:
    app = room.app
    app.schedule_kinds["every-minute"] = every_minute()
    adapter = RecordingAdapter(clock)
    app.adapters["test"] = adapter
    start = clock.now()
    await schedule_store.put(
        app.db,
        name="test:1",
        owner="test",
        kind="every-minute",
        group_id=await _group(app),
        rule={},
        next_fire_at=start,
        now=start,
    )
    clock.advance(timedelta(minutes=2))
    assert await run_due_schedules(app, clock.now()) == 3  # 09:00, 09:01, 09:02: the first two late
    assert await run_due_schedules(app, clock.now()) == 0
    await app.tick()
    assert [s.key for s in adapter.sent] == [
        "test:1@2026-11-02T09:00:00Z",
        "test:1@2026-11-02T09:01:00Z",
        "test:1@2026-11-02T09:02:00Z",
    ]
    assert ["late" in s.reply.text for s in adapter.sent] == [True, False, False]  # 2 min, 1 min, on time
    # re-running an occurrence (a crash after COMMIT but before anyone noticed) cannot make a second post
    async with app.db.transaction() as tx:
        await schedule_store.set_next(tx, [(1, start)], start)
    await run_due_schedules(app, clock.now())
    await app.tick()
    assert len(adapter.sent) == 3
    assert await app.next_wakeup() == start + timedelta(minutes=3)


async def test_a_broken_occurrence_is_recorded_and_the_schedule_moves_on(room: Room, clock: ManualClock) -> None:
    app = room.app
    start = clock.now()
    app.schedule_kinds["every-minute"] = every_minute(fail_at={start + timedelta(minutes=1)})
    app.adapters["test"] = RecordingAdapter(clock)
    await schedule_store.put(
        app.db,
        name="test:1",
        owner="test",
        kind="every-minute",
        group_id=await _group(app),
        rule={},
        next_fire_at=start,
        now=start,
    )
    clock.advance(timedelta(minutes=2))
    await app.tick()
    missed = await schedule_store.missed(app.db)
    assert [(m.key, m.reason) for m in missed] == [
        ("test:1@2026-11-02T09:01:00Z", "failed: RuntimeError('handler broke')")
    ]
    rows = await app.db.fetchall("SELECT key FROM outbox ORDER BY id")
    assert [r[0] for r in rows] == ["test:1@2026-11-02T09:00:00Z", "test:1@2026-11-02T09:02:00Z"]


async def test_unknown_kinds_are_recorded_missed_not_retried_forever(room: Room, clock: ManualClock) -> None:
    await schedule_store.put(
        room.app.db,
        name="x:1",
        owner="x",
        kind="no-such-kind",
        group_id=None,
        rule={},
        next_fire_at=clock.now(),
        now=clock.now(),
    )
    await room.app.tick()
    assert [m.reason for m in await schedule_store.missed(room.app.db)] == ["no handler for this kind"]
    assert await room.app.next_wakeup() is None


async def test_rebuild_restores_next_fire_times_and_keeps_overdue_ones(room: Room, clock: ManualClock) -> None:
    app = room.app
    await add_book(app)
    preview = await room.say('plan create 1 start:2026-11-03 every:"tuesday 19:00" per-meeting:"1 section"')
    await room.say(preview.choices[0].command)
    before = {s.name: s.next_fire_at for s in await schedule_store.all_schedules(app.db)}
    assert len(before) == 3
    async with app.db.transaction() as tx:
        await schedule_store.set_next(tx, [(s.id, None) for s in await schedule_store.all_schedules(tx)], clock.now())
    clock.advance(timedelta(hours=2))  # the bot was "down": the opening due at 09:00 is still due, at 09:00
    from bot.scheduling import rebuild_schedules

    assert await rebuild_schedules(app) == 3
    after = {s.name: s.next_fire_at for s in await schedule_store.all_schedules(app.db)}
    assert after == before
    assert min(t for t in after.values() if t) == datetime(2026, 11, 2, 9, tzinfo=UTC)


async def test_the_wakeup_timer_fires_at_the_due_time_in_real_time(settings: Settings) -> None:
    app = await App.open(settings, clock=SystemClock(), features=all_features())
    try:
        fired: list[datetime] = []

        async def fire(app: App, tx: Transaction, dues: Sequence[Due]) -> list[Outcome]:
            fired.append(datetime.now(UTC))
            return [Outcome(Firing(), None) for _ in dues]

        async def never(app: App, tx: Transaction, schedule: Schedule, after: datetime) -> datetime | None:
            return None

        app.schedule_kinds["once"] = ScheduleKind("once", fire=fire, next_fire=never)
        await app.start_scheduler()
        await asyncio.sleep(0.05)
        assert app.timer is not None and app.timer.armed_at is not None
        assert app.timer.armed_at > datetime.now(UTC) + timedelta(seconds=20)  # idle: nothing due
        due = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=2)
        await schedule_store.put(
            app.db, name="once:1", owner="once", kind="once", group_id=None, rule={}, next_fire_at=due, now=due
        )
        app.reschedule()  # a plan changed: the timer re-arms at the new earliest time
        await asyncio.sleep(0.05)
        assert app.timer.armed_at == due
        for _ in range(60):
            if fired:
                break
            await asyncio.sleep(0.05)
        assert fired and due <= fired[0] < due + timedelta(seconds=1)
    finally:
        await app.close()
