"""Outbox rows: every scheduled post is stored, keyed, before anyone tries to send it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.storage.db import Executor, Row, placeholders
from bot.timeutil import to_db


@dataclass(frozen=True)
class OutboxRow:
    id: int
    key: str
    group_id: int | None
    platform: str
    room_id: str
    thread_key: str | None
    starts_thread: bool
    payload: str
    late: bool
    attempts: int

    @classmethod
    def from_row(cls, row: Row) -> OutboxRow:
        return cls(
            row["id"],
            row["key"],
            row["group_id"],
            row["platform"],
            row["room_id"],
            row["thread_key"],
            bool(row["starts_thread"]),
            row["payload"],
            bool(row["late"]),
            row["attempts"],
        )


async def enqueue(
    db: Executor,
    *,
    key: str,
    group_id: int | None,
    platform: str,
    room_id: str,
    payload: str,
    now: datetime,
    thread_key: str | None = None,
    starts_thread: bool = False,
    late: bool = False,
) -> bool:
    """Insert a post unless its key exists; True when it is new. The key is what makes delivery idempotent."""
    inserted = await db.insert(
        "INSERT INTO outbox (key, group_id, platform, room_id, thread_key, starts_thread, payload, late, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
        (key, group_id, platform, room_id, thread_key, int(starts_thread), payload, int(late), to_db(now)),
    )
    return inserted > 0


async def unsent(db: Executor, platforms: tuple[str, ...], limit: int = 100) -> list[OutboxRow]:
    rows = await db.fetchall(
        "SELECT id, key, group_id, platform, room_id, thread_key, starts_thread, payload, late, attempts FROM outbox "
        f"WHERE sent_at IS NULL AND platform IN ({placeholders(platforms)}) ORDER BY id LIMIT ?",
        (*platforms, limit),
    )
    return [OutboxRow.from_row(r) for r in rows]


async def mark_sent(db: Executor, row_id: int, message_id: str, now: datetime) -> None:
    await db.execute(
        "UPDATE outbox SET sent_at = ?, message_id = ?, attempts = attempts + 1 WHERE id = ? AND sent_at IS NULL",
        (to_db(now), message_id, row_id),
    )


async def mark_failed(db: Executor, row_id: int, error: str) -> None:
    await db.execute("UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?", (error[:500], row_id))
