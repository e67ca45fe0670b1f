"""Reading progress and nudge settings: the rows behind `done`, `progress` and `nudge`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.storage.db import Executor, placeholders
from bot.timeutil import from_db, to_db


async def mark_done(db: Executor, member_id: int, reading_id: int, now: datetime) -> bool:
    """Record that the member finished a reading; False when it was already recorded (the first time stands)."""
    inserted = await db.insert(
        "INSERT INTO reading_progress (member_id, reading_id, finished_at) VALUES (?, ?, ?) "
        "ON CONFLICT (member_id, reading_id) DO NOTHING",
        (member_id, reading_id, to_db(now)),
    )
    return inserted > 0


async def unmark(db: Executor, member_id: int, reading_id: int) -> bool:
    return (
        await db.execute("DELETE FROM reading_progress WHERE member_id = ? AND reading_id = ?", (member_id, reading_id))
        > 0
    )


async def latest_done(db: Executor, member_id: int, reading_ids: Sequence[int]) -> int | None:
    """The reading the member marked most recently, among these."""
    if not reading_ids:
        return None
    row = await db.fetchone(
        f"SELECT reading_id FROM reading_progress WHERE member_id = ? AND reading_id IN ({placeholders(reading_ids)}) "
        "ORDER BY finished_at DESC, reading_id DESC LIMIT 1",
        (member_id, *reading_ids),
    )
    return int(row[0]) if row else None


async def done_by(db: Executor, member_id: int, reading_ids: Sequence[int]) -> dict[int, datetime]:
    """reading id → when this member finished it."""
    if not reading_ids:
        return {}
    rows = await db.fetchall(
        f"SELECT reading_id, finished_at FROM reading_progress WHERE member_id = ? "
        f"AND reading_id IN ({placeholders(reading_ids)})",
        (member_id, *reading_ids),
    )
    return {r["reading_id"]: from_db(r["finished_at"]) for r in rows}


async def finished_counts(db: Executor, reading_ids: Sequence[int]) -> dict[int, int]:
    """reading id → how many members finished it (readings nobody finished are absent)."""
    if not reading_ids:
        return {}
    rows = await db.fetchall(
        f"SELECT reading_id, count(*) AS n FROM reading_progress WHERE reading_id IN ({placeholders(reading_ids)}) "
        "GROUP BY reading_id",
        tuple(reading_ids),
    )
    return {r["reading_id"]: r["n"] for r in rows}


async def all_rows(db: Executor, reading_ids: Sequence[int]) -> list[tuple[int, int, datetime]]:
    """(member id, reading id, finished at) for an export."""
    if not reading_ids:
        return []
    rows = await db.fetchall(
        "SELECT member_id, reading_id, finished_at FROM reading_progress "
        f"WHERE reading_id IN ({placeholders(reading_ids)}) ORDER BY reading_id, member_id",
        tuple(reading_ids),
    )
    return [(r["member_id"], r["reading_id"], from_db(r["finished_at"])) for r in rows]


async def undo_left(db: Executor, group_id: int, member_id: int) -> set[int] | None:
    """The readings the member still had marked in this group when `undo` last took one back (None: no undo
    since). Kept per group: an `undo` in one group says nothing about the member's `done`s in another."""
    row = await db.fetchone(
        "SELECT undo_left FROM memberships WHERE group_id = ? AND member_id = ?", (group_id, member_id)
    )
    if row is None or row[0] is None:
        return None
    return {int(i) for i in row[0].split(",") if i}


async def set_undo_left(db: Executor, group_id: int, member_id: int, reading_ids: Sequence[int]) -> None:
    await db.execute(
        "UPDATE memberships SET undo_left = ? WHERE group_id = ? AND member_id = ?",
        (",".join(str(i) for i in sorted(reading_ids)), group_id, member_id),
    )


async def set_nudge(db: Executor, group_id: int, member_id: int, hours_before: int) -> None:
    await db.execute(
        "INSERT INTO nudges (group_id, member_id, hours_before) VALUES (?, ?, ?) "
        "ON CONFLICT (group_id, member_id) DO UPDATE SET hours_before = excluded.hours_before",
        (group_id, member_id, hours_before),
    )


async def clear_nudge(db: Executor, group_id: int, member_id: int) -> bool:
    return await db.execute("DELETE FROM nudges WHERE group_id = ? AND member_id = ?", (group_id, member_id)) > 0


async def nudge_hours(db: Executor, group_id: int, member_id: int) -> int | None:
    row = await db.fetchone(
        "SELECT hours_before FROM nudges WHERE group_id = ? AND member_id = ?", (group_id, member_id)
    )
    return int(row[0]) if row else None


async def nudges_of_group(db: Executor, group_id: int) -> list[tuple[int, int]]:
    """(member id, hours before) of every member of the group who asked for nudges."""
    rows = await db.fetchall(
        "SELECT member_id, hours_before FROM nudges WHERE group_id = ? ORDER BY member_id", (group_id,)
    )
    return [(int(r["member_id"]), int(r["hours_before"])) for r in rows]


async def forget_member(db: Executor, member_id: int) -> int:
    """Delete a member's progress, undo state and nudge settings; returns how many rows went."""
    await db.execute("UPDATE memberships SET undo_left = NULL WHERE member_id = ?", (member_id,))
    removed = await db.execute("DELETE FROM reading_progress WHERE member_id = ?", (member_id,))
    return removed + await db.execute("DELETE FROM nudges WHERE member_id = ?", (member_id,))
