"""`readalong run`'s wiring (issue #16): the process lock before any adapter connects, a clean stop with the
sentence when the storage fails, and a wake-up at the outbox's next retry rather than the idle one."""

from __future__ import annotations

import asyncio
import logging
import sys
import types
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import ClassVar

import pytest

from bot.app import App
from bot.clock import ManualClock, SystemClock
from bot.config import Settings
from bot.outbox import backoff, deliver
from bot.replies import Reply
from bot.runner import run_adapters, serve
from bot.scheduling import Due, Firing, Outcome, Post, ScheduleKind
from bot.storage import schedules as schedule_store
from bot.storage.db import StorageFailure, Transaction
from bot.storage.lease import DatabaseInUse, ProcessLock
from bot.storage.schedules import Schedule
from cogs import all_features
from tests.conftest import Room
from tests.core.test_outbox import FlakyAdapter, _group, _post


class ProbeAdapter:
    """An adapter that only records whether it was asked to connect."""

    platform = "probe"
    started: ClassVar[list[str]] = []

    async def start(self) -> None:
        self.started.append("connected")

    async def stop(self) -> None: ...

    async def send(
        self, room_id: str, reply: Reply, *, key: str, thread_key: str | None = None, starts_thread: bool = False
    ) -> str:
        return key


async def test_a_second_process_stops_before_any_adapter_connects(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = types.ModuleType("bot.adapters.probe")
    module.create_adapter = lambda app: ProbeAdapter()  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "bot.adapters.probe", module)
    ProbeAdapter.started = []
    settings = replace(settings, bot=replace(settings.bot, adapters=("probe",)))
    app = await App.open(settings, clock=SystemClock(), features=all_features())
    first = ProcessLock.take(app.db.path)  # another `readalong run` holds the database
    try:
        with pytest.raises(DatabaseInUse):
            await run_adapters(app)
        assert ProbeAdapter.started == []  # refused before connecting: no second session answering commands
    finally:
        assert first is not None
        first.release()
        await app.close()


def _huge_post_kind(due: datetime) -> ScheduleKind:
    """Once, at `due`, a post far larger than the pages the database may still grow by."""

    async def fire(app: App, tx: Transaction, dues: Sequence[Due]) -> list[Outcome]:
        return [Outcome(Firing([Post(d.schedule.group_id or 0, Reply(text="x" * 400_000))]), None) for d in dues]

    async def once(app: App, tx: Transaction, schedule: Schedule, after: datetime) -> datetime | None:
        return due if after < due else None

    return ScheduleKind("huge", fire=fire, next_fire=once)


async def test_run_stops_with_the_sentence_when_the_disk_is_full(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    app = await App.open(settings, clock=SystemClock(), features=all_features())
    try:
        room = Room(app)
        await room.setup()
        now = app.clock.now()
        app.schedule_kinds["huge"] = _huge_post_kind(now)
        await schedule_store.put(
            app.db, name="huge:1", owner="t", kind="huge", group_id=1, rule={}, next_fire_at=now, now=now
        )
        pages = (await app.db.fetchone("PRAGMA page_count"))[0]  # type: ignore[index]
        await app.db.fetchone(f"PRAGMA max_page_count = {pages}")  # SQLite's own "database or disk is full"
        with caplog.at_level(logging.ERROR), pytest.raises(StorageFailure) as stopped:
            await asyncio.wait_for(serve(app), timeout=20)  # it used to log and wake again every 30 s for ever
        assert "is full" in str(stopped.value)
        assert app.timer is None  # the scheduler is stopped and the process lock released
        assert [r for r in caplog.records if "is full" in r.getMessage()] == [caplog.records[-1]]
        missed = await schedule_store.missed(app.db)
        assert missed == []  # a full disk is no reason to record the occurrence as missed
    finally:
        await app.close()


async def test_the_next_wakeup_is_the_outboxs_next_retry(app: App, clock: ManualClock) -> None:
    adapter = FlakyAdapter()
    app.adapters["test"] = adapter
    club = await _group(app, "room-1")
    adapter.down.add("room-1")
    await _post(app, club, "room-1", "post-1")
    await deliver(app.db, app.adapters, clock)  # first failure: retried at once
    await deliver(app.db, app.adapters, clock)  # second failure: waits out its backoff
    row = await app.db.fetchone("SELECT next_attempt_at FROM outbox WHERE key = 'post-1'")
    assert row is not None and row[0] is not None
    retry_at = datetime.fromisoformat(row[0].replace("Z", "+00:00"))
    assert clock.now() < retry_at <= clock.now() + backoff(2, rng=lambda: 1.0)

    wake = await app.next_wakeup()
    assert wake is not None and wake <= retry_at  # not the 30 s idle wake-up after it
    schedules = await schedule_store.earliest(app.db)
    if schedules is None or schedules > retry_at:
        assert wake == retry_at

    adapter.down.clear()
    clock.set(retry_at + timedelta(seconds=1))
    assert await app.tick() == 1 and adapter.keys_in("room-1") == ["post-1"]
    assert await app.next_wakeup() != retry_at
