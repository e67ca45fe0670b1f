"""One-shot persistent timers: "at T, fire event KIND with PAYLOAD" (a poll closing, a plan step)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from bot.storage.db import Executor, Row
from bot.timeutil import from_db, to_db

JobStatus = Literal["pending", "done", "missed", "cancelled"]


@dataclass(frozen=True)
class Job:
    id: int
    kind: str
    group_id: int | None
    fire_at: datetime
    payload: dict[str, Any]
    status: JobStatus

    @classmethod
    def from_row(cls, row: Row) -> Job:
        return cls(
            row["id"],
            row["kind"],
            row["group_id"],
            from_db(row["fire_at"]),
            json.loads(row["payload"]),
            row["status"],
        )


_SELECT = "SELECT id, kind, group_id, fire_at, payload, status FROM jobs"


async def add(
    db: Executor,
    kind: str,
    fire_at: datetime,
    payload: dict[str, Any],
    now: datetime,
    group_id: int | None = None,
    ref: str | None = None,
) -> int:
    """Arm a one-shot job; with `ref`, any pending job of the same kind and ref is cancelled first."""
    if ref is not None:
        await cancel_ref(db, kind, ref)
    return await db.insert(
        "INSERT INTO jobs (kind, group_id, fire_at, payload, created_at, ref) VALUES (?, ?, ?, ?, ?, ?)",
        (kind, group_id, to_db(fire_at), json.dumps(payload), to_db(now), ref),
    )


async def cancel_ref(db: Executor, kind: str, ref: str) -> int:
    return await db.execute(
        "UPDATE jobs SET status = 'cancelled' WHERE kind = ? AND ref = ? AND status = 'pending'", (kind, ref)
    )


async def next_due(db: Executor, now: datetime) -> Job | None:
    row = await db.fetchone(
        _SELECT + " WHERE status = 'pending' AND fire_at <= ? ORDER BY fire_at, id LIMIT 1", (to_db(now),)
    )
    return Job.from_row(row) if row else None


async def earliest_pending(db: Executor) -> datetime | None:
    row = await db.fetchone("SELECT min(fire_at) FROM jobs WHERE status = 'pending'")
    return from_db(row[0]) if row and row[0] else None


async def finish(db: Executor, job_id: int, status: JobStatus, now: datetime) -> bool:
    """Mark a pending job finished; False if another worker already did (so its posts are not made twice)."""
    changed = await db.execute(
        "UPDATE jobs SET status = ?, finished_at = ? WHERE id = ? AND status = 'pending'",
        (status, to_db(now), job_id),
    )
    return changed == 1


async def cancel(db: Executor, kind: str, group_id: int) -> int:
    return await db.execute(
        "UPDATE jobs SET status = 'cancelled' WHERE kind = ? AND group_id = ? AND status = 'pending'",
        (kind, group_id),
    )


async def pending(db: Executor, group_id: int | None = None) -> list[Job]:
    if group_id is None:
        rows = await db.fetchall(_SELECT + " WHERE status = 'pending' ORDER BY fire_at, id")
    else:
        rows = await db.fetchall(
            _SELECT + " WHERE status = 'pending' AND group_id = ? ORDER BY fire_at, id", (group_id,)
        )
    return [Job.from_row(r) for r in rows]
