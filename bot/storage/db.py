"""The database connection: WAL, foreign keys, a busy timeout, and numbered plain-SQL migrations.

One aiosqlite connection serves the whole process. An asyncio lock serialises access so that one task's
transaction never swallows another task's statements; other processes are kept in step by SQLite's own
locking (WAL plus busy timeout). Migration N is `migrations/NNNN_*.sql`, applied in one transaction with
`PRAGMA user_version = N`; a fresh database gets `schema.sql`, the squashed result of all of them, and a test
proves both paths give the same schema.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from importlib import resources
from pathlib import Path
from typing import Any, Protocol, TypeVar

import aiosqlite

from bot.storage.faults import DatabaseUnavailable, StorageFailure, is_busy, read_only_reason, storage_problem

__all__ = ["Database", "DatabaseUnavailable", "Executor", "StorageFailure", "Transaction", "is_busy", "placeholders"]

log = logging.getLogger(__name__)

Row = sqlite3.Row
Params = Sequence[Any] | dict[str, Any]
BUSY_TIMEOUT_MS = 10_000


def placeholders(values: Sequence[object]) -> str:
    """ "?, ?, ?" for an IN (…) list of these values: the values themselves always go as parameters."""
    return ", ".join("?" for _ in values)


class Executor(Protocol):
    """What storage functions need: the Database itself, or a Transaction inside it."""

    async def execute(self, sql: str, params: Params = ()) -> int: ...
    async def insert(self, sql: str, params: Params = ()) -> int: ...
    async def executemany(self, sql: str, rows: Iterable[Params]) -> None: ...
    async def fetchone(self, sql: str, params: Params = ()) -> Row | None: ...
    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]: ...
    async def fetch_together(self, *queries: tuple[str, Params], commit: bool = False) -> list[list[Row]]: ...


T = TypeVar("T")


class Transaction:
    """Statements inside one BEGIN IMMEDIATE … COMMIT; only valid inside `Database.transaction()`.

    Each call is one round trip to aiosqlite's worker thread, which under load costs more than the statement
    itself (~0.1 ms): so every method makes exactly one, BEGIN travels with the transaction's first statement,
    and `fetch_together` runs several statements in one trip. (aiosqlite has no public way to run a function in
    its thread; `_execute` is what its own methods use.)
    """

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn
        self._begin: str | None = None  # BEGIN waiting for the first statement
        self._in_transaction = False  # inside `Database.transaction()` (not a lone statement of the Database)
        self._committed = False  # the last statement carried the COMMIT

    def _start(self) -> None:
        self._begin = "BEGIN IMMEDIATE"
        self._in_transaction = True
        self._committed = False

    def _end(self) -> None:
        self._begin = None
        self._in_transaction = False
        self._committed = False

    @property
    def _started(self) -> bool:
        return self._begin is None

    async def _call(self, fn: Callable[[sqlite3.Connection], T], *, commit: bool = False) -> T:
        if self._committed:
            raise RuntimeError("a statement after the transaction's COMMIT (`commit=True` is for its last one)")
        begin, self._begin = self._begin, None
        conn = self._conn
        commit = commit and self._in_transaction

        def run() -> T:
            raw: sqlite3.Connection = conn._conn  # in aiosqlite's thread, as its own methods do
            if begin:
                raw.execute(begin)
            result = fn(raw)
            if commit:
                raw.execute("COMMIT")
            return result

        result: T = await conn._execute(run)
        self._committed = commit
        return result

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run a statement; returns the number of rows it changed."""
        return await self._call(lambda c: c.execute(sql, params).rowcount)

    async def insert(self, sql: str, params: Params = ()) -> int:
        """Run an INSERT; returns the new row's id (0 when OR IGNORE skipped it)."""

        def run(c: sqlite3.Connection) -> int:
            cursor = c.execute(sql, params)
            return int(cursor.lastrowid or 0) if cursor.rowcount > 0 else 0

        return await self._call(run)

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        batch = list(rows)
        await self._call(lambda c: c.executemany(sql, batch))

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        return await self._call(lambda c: c.execute(sql, params).fetchall())

    async def fetch_together(self, *queries: tuple[str, Params], commit: bool = False) -> list[list[Row]]:
        """Several statements in one round trip, in order; the rows of each (RETURNING rows for a write).
        `commit=True` for the transaction's last statements: COMMIT travels with them (one trip fewer)."""
        return await self._call(lambda c: [c.execute(sql, params).fetchall() for sql, params in queries], commit=commit)


class Database:
    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self._conn = conn
        self._lock = asyncio.Lock()
        self._tx = Transaction(conn)
        self.path = path

    @classmethod
    async def open(cls, path: Path | str, *, migrate: bool = True) -> Database:
        """Open (creating it and its folder if need be) and migrate; DatabaseUnavailable says why it can't."""
        path = Path(path)
        if str(path) != ":memory:":
            if path.is_dir():
                raise DatabaseUnavailable(
                    f"{path} is a folder, not a database file; give a file name such as {path / 'readalong.sqlite3'}."
                )
            if (path.exists() or path.parent.exists()) and (reason := read_only_reason(path)):
                raise StorageFailure(reason)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise DatabaseUnavailable(
                    f"I can't create the folder for the database {path}: {exc.strerror}."
                ) from None
        try:
            conn = await aiosqlite.connect(str(path), isolation_level=None)
        except sqlite3.Error as exc:
            raise DatabaseUnavailable(f"I can't open the database {path}: {exc}.") from None
        try:
            conn.row_factory = sqlite3.Row
            await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            await conn.execute("PRAGMA journal_mode = WAL")
            await conn.execute("PRAGMA foreign_keys = ON")
            await conn.execute("PRAGMA synchronous = NORMAL")
            db = cls(conn, path)
            if migrate:
                await db.migrate()
        except sqlite3.DatabaseError as exc:
            await conn.close()
            problem = storage_problem(exc, path) or (
                StorageFailure(reason) if (reason := read_only_reason(path)) else None
            )
            if problem is not None:
                raise problem from None
            raise DatabaseUnavailable(f"{path} is not a Readalong database I can use ({exc}).") from None
        except StorageFailure:
            await conn.close()
            raise
        except BaseException:
            await conn.close()  # an open connection's thread would keep the process alive
            raise
        return db

    async def close(self) -> None:
        await self._conn.close()

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """One atomic unit: all of it is stored or none of it."""
        async with self._lock:
            with self._storage_errors():
                self._tx._start()
                try:
                    yield self._tx
                except BaseException:
                    self._tx._end()
                    if self._conn.in_transaction:  # SQLite may have rolled back itself (a full disk)
                        await self._conn.execute("ROLLBACK")
                    raise
                else:
                    committed = self._tx._committed
                    began = self._tx._started
                    self._tx._end()
                    if committed or not began:  # committed with its last statement, or nothing was begun
                        return
                    try:
                        await self._conn.execute("COMMIT")
                    except BaseException:
                        if self._conn.in_transaction:
                            await self._conn.execute("ROLLBACK")
                        raise

    @contextlib.contextmanager
    def _storage_errors(self) -> Iterator[None]:
        """A full or read-only disk becomes StorageFailure with its sentence (other errors pass unchanged)."""
        try:
            yield
        except sqlite3.DatabaseError as exc:
            problem = storage_problem(exc, self.path)
            if problem is None:
                raise
            raise problem from exc

    async def execute(self, sql: str, params: Params = ()) -> int:
        async with self._lock:
            with self._storage_errors():
                return await self._tx.execute(sql, params)

    async def insert(self, sql: str, params: Params = ()) -> int:
        async with self._lock:
            with self._storage_errors():
                return await self._tx.insert(sql, params)

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        async with self.transaction() as tx:
            await tx.executemany(sql, rows)

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        async with self._lock:
            return await self._tx.fetchone(sql, params)

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        async with self._lock:
            return await self._tx.fetchall(sql, params)

    async def fetch_together(self, *queries: tuple[str, Params], commit: bool = False) -> list[list[Row]]:
        async with self._lock:
            with self._storage_errors():
                return await self._tx.fetch_together(*queries)  # each statement commits on its own here

    # ------------------------------------------------------------ migrations
    async def version(self) -> int:
        row = await self.fetchone("PRAGMA user_version")
        return int(row[0]) if row else 0

    async def migrate(self, *, squashed: bool = True, target: int | None = None) -> int:
        """Bring the schema up to date; returns the version reached."""
        steps = migrations()
        latest = target if target is not None else (steps[-1][0] if steps else 0)
        current = await self.version()
        if current > (steps[-1][0] if steps else 0):
            raise RuntimeError(
                f"The database {self.path} has schema version {current}, newer than this Readalong knows "
                f"({steps[-1][0]}); upgrade Readalong."
            )
        if current == 0 and squashed and target is None and await self._is_empty():
            log.info("creating a fresh database at schema version %d", latest)
            await self._apply(squashed_schema(), latest)
            return latest
        for number, sql in steps:
            if current < number <= latest:
                log.info("applying migration %04d", number)
                await self._apply(sql, number)
        return max(current, latest)

    async def _is_empty(self) -> bool:
        row = await self.fetchone("SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")
        return row is not None and row[0] == 0

    async def _apply(self, sql: str, version: int) -> None:
        async with self._lock:
            try:
                await self._conn.executescript(f"BEGIN IMMEDIATE;\n{sql}\n;PRAGMA user_version = {version};\nCOMMIT;")
            except BaseException as exc:
                if self._conn.in_transaction:
                    await self._conn.execute("ROLLBACK")
                if (problem := storage_problem(exc, self.path)) is not None:
                    raise problem from exc
                raise

    async def schema_sql(self) -> str:
        """The CREATE statements of this database, the way schema.sql stores them."""
        rows = await self.fetchall(
            "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' "
            "ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 WHEN 'view' THEN 2 ELSE 3 END, rowid"
        )
        virtual = [r["name"] for r in rows if r["sql"].upper().startswith("CREATE VIRTUAL TABLE")]
        statements = [
            r["sql"] + ";"
            for r in rows
            if not any(r["name"].startswith(v + "_") and r["type"] == "table" for v in virtual)
        ]
        return "\n\n".join(statements) + "\n"


def migrations() -> list[tuple[int, str]]:
    """All numbered migration files, in order."""
    folder = resources.files("bot.storage").joinpath("migrations")
    found = []
    for entry in folder.iterdir():
        match = re.fullmatch(r"(\d{4})_[a-z0-9_]+\.sql", entry.name)
        if match:
            found.append((int(match.group(1)), entry.read_text(encoding="utf-8")))
    found.sort()
    numbers = [n for n, _ in found]
    if numbers != list(range(1, len(found) + 1)):  # a gap or a repeat would skip or re-run a step on upgrade
        raise RuntimeError(f"migrations must be numbered 1..N without gaps or repeats, found {numbers}")
    return found


def squashed_schema() -> str:
    return resources.files("bot.storage").joinpath("schema.sql").read_text(encoding="utf-8")
