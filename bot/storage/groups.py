"""Reading groups, each bound to one room on one platform."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.storage.db import Executor, Row, placeholders
from bot.timeutil import from_db, to_db


@dataclass(frozen=True)
class Group:
    id: int
    platform: str
    room_id: str
    name: str
    timezone: str
    created_at: datetime

    @classmethod
    def from_row(cls, row: Row) -> Group:
        return cls(
            id=row["id"],
            platform=row["platform"],
            room_id=row["room_id"],
            name=row["name"],
            timezone=row["timezone"],
            created_at=from_db(row["created_at"]),
        )


_COLUMNS = "id, platform, room_id, name, timezone, created_at"
COLUMNS = _COLUMNS  # for storage modules that read a group beside other rows in one trip


async def by_room(db: Executor, platform: str, room_id: str) -> Group | None:
    row = await db.fetchone(f"SELECT {_COLUMNS} FROM groups WHERE platform = ? AND room_id = ?", (platform, room_id))
    return Group.from_row(row) if row else None


async def get(db: Executor, group_id: int) -> Group | None:
    row = await db.fetchone(f"SELECT {_COLUMNS} FROM groups WHERE id = ?", (group_id,))
    return Group.from_row(row) if row else None


async def all_groups(db: Executor) -> list[Group]:
    return [Group.from_row(r) for r in await db.fetchall(f"SELECT {_COLUMNS} FROM groups ORDER BY id")]


async def create(db: Executor, platform: str, room_id: str, name: str, timezone: str, now: datetime) -> Group:
    group_id = await db.insert(
        "INSERT INTO groups (platform, room_id, name, timezone, created_at) VALUES (?, ?, ?, ?, ?)",
        (platform, room_id, name, timezone, to_db(now)),
    )
    return Group(group_id, platform, room_id, name, timezone, now)


async def update(db: Executor, group_id: int, *, name: str | None = None, timezone: str | None = None) -> None:
    if name is not None:
        await db.execute("UPDATE groups SET name = ? WHERE id = ?", (name, group_id))
    if timezone is not None:
        await db.execute("UPDATE groups SET timezone = ? WHERE id = ?", (timezone, group_id))


async def by_ids(db: Executor, group_ids: Iterable[int]) -> dict[int, Group]:
    """Several groups at once (the dispatcher's batches)."""
    ids = sorted(set(group_ids))
    if not ids:
        return {}
    rows = await db.fetchall(f"SELECT {_COLUMNS} FROM groups WHERE id IN ({placeholders(ids)})", ids)
    return {int(r["id"]): Group.from_row(r) for r in rows}
