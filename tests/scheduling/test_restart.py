"""Kill a real bot process with SIGKILL in the middle of a burst of due posts; the restart delivers the rest.

Every due post must reach the platform exactly once: none missing, no key twice. The outbox gives
at-least-once delivery with a key; the platform's deduplication by that key (Matrix transaction ids, Discord
nonces; the sink emulates it) turns the one post that may be in flight at the kill into exactly once.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.app import App
from bot.clock import ManualClock
from bot.config import Settings
from bot.storage import schedules as schedule_store
from cogs import all_features
from tests.conftest import ROOT, Room
from tests.scheduling.support import add_book

GROUPS = 120


async def _prepare(settings: Settings) -> int:
    """GROUPS sink groups, each with a confirmed plan whose first reading opens now: a burst of due posts."""
    now = datetime.now(UTC)
    app = await App.open(settings, clock=ManualClock(now), features=all_features())
    try:
        await add_book(app, minutes=(20, 20))
        tomorrow = (now + timedelta(days=1)).date()
        for n in range(GROUPS):
            room = Room(app, platform="sink", room_id=f"room-{n}")
            await room.setup(timezone="UTC")
            preview = await room.say(f'plan create 1 start:{tomorrow} every:"daily 23:59" per-meeting:"1 section"')
            assert preview.choices, preview.text
            await room.say(preview.choices[0].command)
        due = [s for s in await schedule_store.all_schedules(app.db) if s.next_fire_at and s.next_fire_at <= now]
        return len(due)
    finally:
        await app.close()


def _start(db: Path, sink: Path, attempts: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.scheduling.sink_bot", str(db), str(sink), str(attempts), "--delay", "0.01"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _lines(path: Path) -> list[str]:
    return path.read_text().split() if path.exists() else []


def _wait(condition: object, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.02)
    return False


def test_sigkill_in_a_burst_then_restart_delivers_each_post_exactly_once(settings: Settings, tmp_path: Path) -> None:
    due = asyncio.run(_prepare(settings))
    assert due == GROUPS
    db, sink, attempts = settings.bot.database, tmp_path / "sink.txt", tmp_path / "attempts.txt"

    first = _start(db, sink, attempts)
    try:
        assert _wait(lambda: len(_lines(sink)) >= GROUPS // 3, 30), first.stderr.read() if first.stderr else ""
    finally:
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
    delivered_before_kill = len(_lines(sink))
    assert 0 < delivered_before_kill < GROUPS  # killed in the middle of the burst

    second = _start(db, sink, attempts)
    try:
        assert _wait(lambda: len(_lines(sink)) >= GROUPS, 30)
        time.sleep(0.3)  # anything extra would show up now
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(10)
    keys = _lines(sink)
    assert len(keys) == len(set(keys)) == GROUPS  # none twice, none missing
    assert all(":opens@" in key for key in keys)
    tries = _lines(attempts)
    assert len(tries) - GROUPS <= 1  # at most the one send in flight at the kill was attempted again
