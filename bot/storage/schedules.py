"""Recurring schedules (rules as JSON with an indexed next_fire_at), missed occurrences and reminder offsets.

A schedule row is the dispatcher's truth: `kind` names the handler, `rule` is plain JSON data for it (never a
pickle), `next_fire_at` is the next occurrence in UTC (NULL: nothing left, or paused) and `last_fire_at` the
last occurrence handled. `name` is stable (for example "plan:7:remind:86400") and prefixes every outbox key
the schedule makes, so re-creating a schedule cannot post the same occurrence twice. `owner` groups the rows
of one feature object ("plan:7") so they can be replaced or removed together.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.storage.db import Executor, Row
from bot.timeutil import from_db, to_db


@dataclass(frozen=True)
class Schedule:
    id: int
    name: str
    owner: str
    kind: str
    group_id: int | None
    rule: dict[str, Any]
    next_fire_at: datetime | None
    last_fire_at: datetime | None

    @classmethod
    def from_row(cls, row: Row) -> Schedule:
        # Positional unpacking (the row holds _COLUMNS in order): a start-up rebuild reads every row, and this is
        # twice as fast as eight lookups by name.
        schedule_id, name, owner, kind, group_id, rule, next_fire_at, last_fire_at = row
        return cls(
            schedule_id,
            name,
            owner,
            kind,
            group_id,
            _decode(rule),
            from_db(next_fire_at) if next_fire_at else None,
            from_db(last_fire_at) if last_fire_at else None,
        )


_decode = json.JSONDecoder().decode  # skips json.loads's per-call argument checks


_COLUMNS = "id, name, owner, kind, group_id, rule, next_fire_at, last_fire_at"


def _when(value: datetime | None) -> str | None:
    return to_db(value) if value is not None else None


async def put(
    db: Executor,
    *,
    name: str,
    owner: str,
    kind: str,
    group_id: int | None,
    rule: dict[str, Any],
    next_fire_at: datetime | None,
    now: datetime,
    last_fire_at: datetime | None = None,
) -> None:
    """Create or replace a schedule by name; an existing row keeps its last_fire_at unless one is given."""
    await db.execute(
        "INSERT INTO schedules (name, owner, kind, group_id, rule, next_fire_at, last_fire_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, "
        "kind = excluded.kind, group_id = excluded.group_id, rule = excluded.rule, "
        "next_fire_at = excluded.next_fire_at, "
        "last_fire_at = coalesce(excluded.last_fire_at, schedules.last_fire_at), updated_at = excluded.updated_at",
        (
            name,
            owner,
            kind,
            group_id,
            json.dumps(rule, sort_keys=True),
            _when(next_fire_at),
            _when(last_fire_at),
            to_db(now),
        ),
    )


async def get(db: Executor, name: str) -> Schedule | None:
    row = await db.fetchone(f"SELECT {_COLUMNS} FROM schedules WHERE name = ?", (name,))
    return Schedule.from_row(row) if row else None


async def of_owner(db: Executor, owner: str) -> list[Schedule]:
    rows = await db.fetchall(f"SELECT {_COLUMNS} FROM schedules WHERE owner = ? ORDER BY id", (owner,))
    return [Schedule.from_row(r) for r in rows]


async def delete(db: Executor, names: Sequence[str]) -> None:
    await db.executemany("DELETE FROM schedules WHERE name = ?", [(n,) for n in names])


async def delete_owner(db: Executor, owner: str) -> int:
    return await db.execute("DELETE FROM schedules WHERE owner = ?", (owner,))


async def claim_due(db: Executor, now: datetime, limit: int = 1) -> list[Schedule]:
    """Claim up to `limit` due schedules, earliest first, for one dispatcher step; call inside its transaction.

    The claim is this one function so the storage backend decides how. On SQLite the step's transaction is
    BEGIN IMMEDIATE: it holds the database's single write lock until COMMIT, so no other process can claim
    the same rows and a plain SELECT is enough. On PostgreSQL with several dispatcher processes this becomes

        SELECT … FROM schedules WHERE next_fire_at <= $1 ORDER BY next_fire_at, id LIMIT $2
        FOR UPDATE SKIP LOCKED

    (optionally with a lease column, `leased_until`, for steps that must leave the transaction to talk to a
    platform): every other process skips the locked rows and claims the next ones, and `advance()` moves the
    claimed rows on before COMMIT releases them.
    """
    rows = await db.fetchall(
        f"SELECT {_COLUMNS} FROM schedules WHERE next_fire_at IS NOT NULL AND next_fire_at <= ? "
        "ORDER BY next_fire_at, id LIMIT ?",
        (to_db(now), limit),
    )
    return [Schedule.from_row(r) for r in rows]


async def advance(db: Executor, steps: Sequence[tuple[int, datetime, datetime | None]], now: datetime) -> None:
    """(schedule id, fired at, next fire time): the occurrence at `fired at` is handled; move on to the next."""
    await db.executemany(
        "UPDATE schedules SET last_fire_at = ?, next_fire_at = ?, updated_at = ? WHERE id = ?",
        [(to_db(fired), _when(following), to_db(now), schedule_id) for schedule_id, fired, following in steps],
    )


async def set_next(db: Executor, updates: Sequence[tuple[int, datetime | None]], now: datetime) -> None:
    """Bulk (schedule id, next fire time): the start-up rebuild and plan changes."""
    await db.executemany(
        "UPDATE schedules SET next_fire_at = ?, updated_at = ? WHERE id = ?",
        [(_when(when), to_db(now), schedule_id) for schedule_id, when in updates],
    )


async def all_schedules(db: Executor) -> list[Schedule]:
    rows = await db.fetchall(f"SELECT {_COLUMNS} FROM schedules ORDER BY id")
    return [Schedule.from_row(r) for r in rows]


async def earliest(db: Executor) -> datetime | None:
    row = await db.fetchone("SELECT min(next_fire_at) FROM schedules")
    return from_db(row[0]) if row and row[0] else None


# ---------------------------------------------------------------- missed occurrences
@dataclass(frozen=True)
class MissedPost:
    key: str
    schedule_name: str
    kind: str
    group_id: int | None
    due_at: datetime
    recorded_at: datetime
    reason: str
    payload: str | None

    @classmethod
    def from_row(cls, row: Row) -> MissedPost:
        return cls(
            row["key"],
            row["schedule_name"],
            row["kind"],
            row["group_id"],
            from_db(row["due_at"]),
            from_db(row["recorded_at"]),
            row["reason"],
            row["payload"],
        )


async def record_missed(
    db: Executor,
    *,
    key: str,
    schedule_name: str,
    kind: str,
    group_id: int | None,
    due_at: datetime,
    now: datetime,
    reason: str,
    payload: str | None = None,
) -> None:
    await db.execute(
        "INSERT INTO missed_posts (key, schedule_name, kind, group_id, due_at, recorded_at, reason, payload) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
        (key, schedule_name, kind, group_id, to_db(due_at), to_db(now), reason[:500], payload),
    )


async def missed(db: Executor, group_id: int | None = None) -> list[MissedPost]:
    columns = "key, schedule_name, kind, group_id, due_at, recorded_at, reason, payload"
    if group_id is None:
        rows = await db.fetchall(f"SELECT {columns} FROM missed_posts ORDER BY due_at, id")
    else:
        rows = await db.fetchall(
            f"SELECT {columns} FROM missed_posts WHERE group_id = ? ORDER BY due_at, id", (group_id,)
        )
    return [MissedPost.from_row(r) for r in rows]


# ---------------------------------------------------------------- reminder offsets (per group)
async def reminder_offsets(db: Executor, group_id: int) -> list[timedelta] | None:
    """The group's reminder offsets before a meeting, longest first; None when it never set any."""
    row = await db.fetchone("SELECT offsets FROM reminder_settings WHERE group_id = ?", (group_id,))
    if row is None:
        return None
    return sorted((timedelta(seconds=s) for s in json.loads(row["offsets"])), reverse=True)


async def set_reminder_offsets(db: Executor, group_id: int, offsets: Sequence[timedelta]) -> None:
    seconds = sorted({int(o.total_seconds()) for o in offsets}, reverse=True)
    await db.execute(
        "INSERT INTO reminder_settings (group_id, offsets) VALUES (?, ?) "
        "ON CONFLICT (group_id) DO UPDATE SET offsets = excluded.offsets",
        (group_id, json.dumps(seconds)),
    )
