"""What can go wrong under the database, and the sentence for each: a full disk, read-only storage (a file, a
folder or a whole mount), an I/O error, and a busy or locked database (which is only a reason to wait)."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path


class DatabaseUnavailable(Exception):
    """The database file cannot be opened or is not a database; str() is the sentence for the user."""


class StorageFailure(DatabaseUnavailable):
    """The storage under the database refuses writes (disk full, read-only): one sentence, then stop. What the
    failed transaction wrote is rolled back, so nothing is half-written."""


def storage_problem(exc: BaseException, path: Path) -> StorageFailure | None:
    """The sentence for a storage failure (disk full, read-only, I/O error), or None for other errors."""
    if not isinstance(exc, sqlite3.DatabaseError):
        return None
    code = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF
    message = str(exc).lower()
    if code == sqlite3.SQLITE_FULL or "disk is full" in message:
        return StorageFailure(
            f"The disk holding the database {path} is full, so I stopped without saving the last change; "
            "free some space and start me again."
        )
    if code == sqlite3.SQLITE_READONLY or "readonly database" in message:
        return StorageFailure(read_only_reason(path) or _READ_ONLY.format(path=path))
    if code == sqlite3.SQLITE_IOERR or "disk i/o error" in message:
        if _disk_full(path):  # a write-ahead log that cannot grow reports an I/O error, not SQLITE_FULL
            return storage_problem(sqlite3.OperationalError("database or disk is full"), path)
        return StorageFailure(
            f"The disk holding the database {path} reported an error while I wrote to it ({exc}); I stopped "
            "without saving the last change. Check the disk (and its free space) and start me again."
        )
    return None


_READ_ONLY = "The database {path} is read-only, so I can't save anything; make it writable or point --db at a copy."


def _disk_full(path: Path) -> bool:
    try:
        stats = os.statvfs(path.parent)
    except OSError:
        return False
    return stats.f_bavail * stats.f_frsize < 64 * 1024


def read_only_reason(path: Path) -> str | None:
    """Why the database at `path` cannot be written (a read-only mount, file or folder), or None."""
    if str(path) == ":memory:":
        return None
    target = path if path.exists() else path.parent
    try:
        flags = os.statvfs(target).f_flag
    except OSError:
        return None
    if flags & os.ST_RDONLY:
        return (
            f"The database {path} is on read-only storage (the disk or mount it is on is read-only); I need "
            "to write to it, so remount it read-write or point --db (bot.database) at a writable place."
        )
    if path.exists() and not os.access(path, os.W_OK):
        return (
            f"The database file {path} is read-only; I need to write to it, so make it writable "
            "(chmod u+w) or point --db at a writable copy."
        )
    if not os.access(path.parent, os.W_OK):
        return (
            f"The folder of the database {path} is read-only; SQLite keeps its journal beside the file, so "
            "make the folder writable or point --db at a writable place."
        )
    return None


def is_busy(exc: BaseException) -> bool:
    """A busy or locked database (another connection holds the write lock past the busy timeout): a passing
    condition to retry, never a reason to record a post as missed."""
    if not isinstance(exc, sqlite3.OperationalError):
        return False
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None and code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return True
    message = str(exc).lower()
    return "database is locked" in message or "database is busy" in message or "database table is locked" in message
