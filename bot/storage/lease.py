"""One sending process per database: an exclusive lock on a file beside it, with the holder's pid inside.

A lock file rather than a lease row because the kernel drops a `flock` the moment its process dies (SIGKILL
included): a restart never waits for a stale lease to run out, and nothing has to renew it. Only the process
that dispatches and sends takes it (`readalong run`, the console's real-time scheduler); one-off CLI commands
such as `library add` may still open the database beside it. A deployment that deliberately runs several
senders on one database (claims keep them from posting a row twice) sets `bot.shared_database = true`.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

from bot.storage.db import DatabaseUnavailable


class DatabaseInUse(DatabaseUnavailable):
    """Another process holds the database; str() is the sentence for the operator."""


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


class ProcessLock:
    """Held from `take` until `release` (or the process's end)."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd: int | None = fd

    @classmethod
    def take(cls, database: Path) -> ProcessLock | None:
        """Lock the database for this process; None for an in-memory database. Raises DatabaseInUse."""
        if str(database) == ":memory:":
            return None
        path = lock_path(database)
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise DatabaseUnavailable(
                f"I can't create the lock file {path} beside the database: {exc.strerror}; "
                "the database's folder must be writable."
            ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = _read_pid(fd)
            os.close(fd)
            who = f"pid {holder}" if holder else "its pid unknown"
            raise DatabaseInUse(
                f"Another Readalong process ({who}) is already running on this database ({database}); stop it, "
                "or set bot.shared_database = true in the config if several processes should share it."
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        return cls(path, fd)

    def release(self) -> None:
        if self._fd is None:
            return
        with contextlib.suppress(OSError):
            os.ftruncate(self._fd, 0)
        os.close(self._fd)  # closing drops the lock
        self._fd = None


def _read_pid(fd: int) -> int | None:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return None
    return int(text) if text.isascii() and text.isdigit() else None
