"""Faults an operator meets: a locked database, a second process, a full disk, read-only storage.

The storage faults are real: a tmpfs of a few megabytes filled to the last byte, a read-only bind mount (both
inside a private mount namespace made with `unshare -m`, so nothing outside the test sees them) and a file
that an unprivileged user may only read. They need root and `unshare`; elsewhere they are skipped.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.app import App
from bot.clock import ManualClock
from bot.config import Settings
from bot.outbox import become_sender
from bot.replies import Reply
from bot.scheduling import Due, Firing, Outcome, Post, ScheduleKind
from bot.storage import db as db_module
from bot.storage import schedules as schedule_store
from bot.storage.db import Database, Transaction
from bot.storage.lease import DatabaseInUse, ProcessLock
from bot.storage.schedules import Schedule
from cogs import all_features
from tests.conftest import ROOT, Room
from tests.core.test_outbox import FlakyAdapter


def _locked_then_fine(failures: int) -> ScheduleKind:
    """A schedule kind whose handler meets a locked database `failures` times, then posts."""
    calls = {"n": 0}

    async def fire(app: App, tx: Transaction, dues: Sequence[Due]) -> list[Outcome]:
        calls["n"] += 1
        if calls["n"] <= failures:
            raise sqlite3.OperationalError("database is locked")
        return [Outcome(Firing((Post(d.schedule.group_id or 0, Reply(text="Reading 2 opens")),)), None) for d in dues]

    async def next_fire(app: App, tx: Transaction, schedule: Schedule, after: datetime) -> datetime | None:
        return None

    return ScheduleKind("locked-test", fire, next_fire)


async def _due_schedule(app: App, room: Room) -> None:
    group = await app.db.fetchone("SELECT id FROM groups WHERE room_id = ?", (room.room_id,))
    assert group is not None
    await schedule_store.put(
        app.db,
        name="test:opens",
        owner="test",
        kind="locked-test",
        group_id=group["id"],
        rule={},
        next_fire_at=app.clock.now(),
        now=app.clock.now(),
    )


async def test_a_locked_database_is_retried_never_recorded_as_missed(room: Room, clock: ManualClock) -> None:
    app = room.app
    # Two in a row: once made the dispatcher retry the occurrence alone, then record it missed for ever.
    app.schedule_kinds["locked-test"] = _locked_then_fine(failures=2)
    adapter = FlakyAdapter()
    app.adapters["test"] = adapter
    await _due_schedule(app, room)

    for _ in range(2):
        await app.tick()
        assert await schedule_store.missed(app.db) == []
        assert (await schedule_store.get(app.db, "test:opens")).next_fire_at is not None  # type: ignore[union-attr]
        assert adapter.sent == []
        clock.advance(timedelta(seconds=5))
    await app.tick()
    assert [key for _, key in adapter.sent] == ["test:opens@" + (await _fired_at(app))]
    assert await schedule_store.missed(app.db) == []


async def _fired_at(app: App) -> str:
    row = await app.db.fetchone("SELECT last_fire_at FROM schedules WHERE name = 'test:opens'")
    assert row is not None
    return str(row[0])


async def test_a_write_lock_held_by_another_connection_delays_but_loses_nothing(
    settings: Settings, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db_module, "BUSY_TIMEOUT_MS", 50)
    app = await App.open(settings, clock=clock, features=all_features())
    try:
        room = Room(app)
        await room.setup()
        app.schedule_kinds["locked-test"] = _locked_then_fine(failures=0)
        adapter = FlakyAdapter()
        app.adapters["test"] = adapter
        await _due_schedule(app, room)
        other = sqlite3.connect(settings.bot.database, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another process holds the write lock past our busy timeout
        try:
            with contextlib.suppress(sqlite3.OperationalError):
                await app.tick()
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert adapter.sent == []
        await app.tick()
        assert len(adapter.sent) == 1
        assert await schedule_store.missed(app.db) == []
    finally:
        await app.close()


_HOLDER = """
import sys, time
from pathlib import Path
from bot.storage.lease import ProcessLock
lock = ProcessLock.take(Path(sys.argv[1]))
print("held", flush=True)
time.sleep(60)
"""


async def test_a_second_process_is_refused_with_a_sentence_naming_the_first(tmp_path: Path) -> None:
    path = tmp_path / "rg.sqlite3"
    db = await Database.open(path)
    holder = subprocess.Popen(  # noqa: ASYNC220 - started once; the test then waits on its first line
        [sys.executable, "-c", _HOLDER, str(path)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(DatabaseInUse) as refused:
            await become_sender(db, shared=False)
        sentence = str(refused.value)
        assert f"Another Readalong process (pid {holder.pid}) is already running on this database" in sentence
        assert "bot.shared_database = true" in sentence and "\n" not in sentence
        assert await become_sender(db, shared=True) is None  # the deployment says several may share it
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    lock = await become_sender(db, shared=False)  # the kernel dropped the dead holder's lock at once
    assert isinstance(lock, ProcessLock)
    lock.release()
    await db.close()


async def test_a_restart_takes_back_the_claims_of_a_killed_sender(app: App, clock: ManualClock) -> None:
    room = Room(app)
    await room.setup()
    await app.db.execute(
        "INSERT INTO outbox (key, group_id, platform, room_id, payload, created_at, claim_token, claimed_until) "
        "VALUES ('k', 1, 'test', 'room-1', '{}', '2026-11-02T09:00:00Z', 'dead-sender', '2099-01-01T00:00:00Z')"
    )
    lock = await become_sender(app.db, shared=False)
    try:
        row = await app.db.fetchone("SELECT claim_token FROM outbox WHERE key = 'k'")
        assert row is not None and row[0] is None
    finally:
        assert lock is not None
        lock.release()


# ---------------------------------------------------------------- real storage faults
def _namespaces_available() -> bool:
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        return False
    return subprocess.run(["unshare", "-m", "true"], capture_output=True).returncode == 0


needs_root = pytest.mark.skipif(not _namespaces_available(), reason="needs root and unshare -m for real mounts")


def _in_namespace(script: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PY": sys.executable}
    return subprocess.run(
        ["unshare", "-m", "sh", "-euc", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def _one_sentence(stderr: str) -> str:
    progress = "Loading the default library (first start only)"  # the first start's progress lines, not errors
    lines = [line for line in stderr.splitlines() if line.strip() and not line.startswith(progress)]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


@needs_root
def test_a_read_only_mount_is_named_as_such(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    made = subprocess.run(
        [sys.executable, "-m", "bot", "library", "list", "--db", str(folder / "rg.sqlite3")],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
    )
    assert made.returncode == 0, made.stderr
    result = _in_namespace(
        f"mount --bind {folder} {folder}; mount -o remount,ro,bind {folder}; "
        f'"$PY" -m bot library list --db {folder / "rg.sqlite3"}'
    )
    assert result.returncode == 2
    sentence = _one_sentence(result.stderr)
    assert "read-only storage" in sentence
    assert "not a Readalong database" not in sentence


@needs_root
def test_a_read_only_file_is_named_as_such(tmp_path: Path) -> None:
    nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable]
    reach = subprocess.run(
        [*nobody, "-c", "import bot"], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True
    )
    if reach.returncode != 0:  # a checkout in `mktemp -d` (mode 700) is root's alone: nobody cannot run the bot
        pytest.skip("the unprivileged user cannot read this checkout or its virtualenv")
    folder = Path(tempfile.mkdtemp(prefix="readalong-ro-", dir="/tmp"))  # pytest's own folder is root's alone
    folder.chmod(0o755)
    path = folder / "rg.sqlite3"
    asyncio.run(_create(path))
    path.chmod(0o444)
    result = subprocess.run(
        [*nobody, "-m", "bot", "library", "list", "--db", str(path)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
    )  # fmt: skip
    shutil.rmtree(folder)
    assert result.returncode == 2
    sentence = _one_sentence(result.stderr)
    assert "is read-only" in sentence and "not a Readalong database" not in sentence


async def _create(path: Path) -> None:
    db = await Database.open(path)
    await db.close()


@needs_root
def test_a_full_disk_stops_with_one_sentence_and_nothing_half_written(tmp_path: Path) -> None:
    disk = tmp_path / "disk"
    disk.mkdir()
    book = tmp_path / "long-book.txt"
    paragraph = " ".join(f"word{n}" for n in range(200))
    book.write_text("A Long Book\n\n" + "\n\n".join(f"Chapter {n}\n\n{paragraph}" for n in range(2000)))
    database = disk / "rg.sqlite3"
    result = _in_namespace(
        f"mount -t tmpfs -o size=16m tmpfs {disk}; "
        f'"$PY" -m bot library list --db {database} > /dev/null; '
        f"dd if=/dev/zero of={disk}/filler bs=64k 2>/dev/null || true; "
        f'status=0; "$PY" -m bot library add {book} --db {database} || status=$?; '
        f"rm {disk}/filler; "
        f'"$PY" -c "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); '
        f"print(c.execute('PRAGMA integrity_check').fetchone()[0], "
        f"c.execute('SELECT count(*) FROM books WHERE title = ?', ('A Long Book',)).fetchone()[0])\" {database}; "
        'exit "$status"'
    )
    assert result.returncode == 2, result.stderr
    sentence = _one_sentence(result.stderr)
    assert sentence.startswith("readalong: The disk holding the database") and "is full" in sentence
    assert result.stdout.split()[-2:] == ["ok", "0"]  # the database is sound and holds no half-added book
