"""Members are (platform, user id); their role is per group, because a moderator here is a reader there."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from bot.storage.db import Executor, Row
from bot.timeutil import to_db

Role = Literal["member", "moderator"]


@dataclass(frozen=True)
class Member:
    id: int
    platform: str
    user_id: str
    display_name: str

    @classmethod
    def from_row(cls, row: Row) -> Member:
        return cls(row["id"], row["platform"], row["user_id"], row["display_name"])


async def upsert(db: Executor, platform: str, user_id: str, display_name: str, now: datetime) -> Member:
    """Find or create a member, keeping the display name current."""
    await db.execute(
        "INSERT INTO members (platform, user_id, display_name, created_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (platform, user_id) DO UPDATE SET display_name = excluded.display_name",
        (platform, user_id, display_name, to_db(now)),
    )
    row = await db.fetchone(
        "SELECT id, platform, user_id, display_name FROM members WHERE platform = ? AND user_id = ?",
        (platform, user_id),
    )
    assert row is not None
    return Member.from_row(row)


async def get(db: Executor, member_id: int) -> Member | None:
    row = await db.fetchone("SELECT id, platform, user_id, display_name FROM members WHERE id = ?", (member_id,))
    return Member.from_row(row) if row else None


async def join(db: Executor, group_id: int, member_id: int, now: datetime, role: Role = "member") -> Role:
    """Make sure the member belongs to the group; returns their role there (an existing role is kept)."""
    await db.execute(
        "INSERT INTO memberships (group_id, member_id, role, joined_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (group_id, member_id) DO NOTHING",
        (group_id, member_id, role, to_db(now)),
    )
    row = await db.fetchone("SELECT role FROM memberships WHERE group_id = ? AND member_id = ?", (group_id, member_id))
    assert row is not None
    result: Role = row["role"]
    return result


async def count(db: Executor, group_id: int) -> int:
    row = await db.fetchone("SELECT count(*) FROM memberships WHERE group_id = ?", (group_id,))
    return int(row[0]) if row else 0


async def of_group(db: Executor, group_id: int) -> list[tuple[Member, Role]]:
    rows = await db.fetchall(
        "SELECT m.id, m.platform, m.user_id, m.display_name, ms.role FROM members m "
        "JOIN memberships ms ON ms.member_id = m.id WHERE ms.group_id = ? ORDER BY m.id",
        (group_id,),
    )
    return [(Member.from_row(r), r["role"]) for r in rows]


async def forget(db: Executor, member_id: int) -> int:
    """Delete a member's row (user id, display name) and, by cascade, their memberships; 1 when it existed."""
    return await db.execute("DELETE FROM members WHERE id = ?", (member_id,))
