"""Members are (platform, user id); their role is per group, because a moderator here is a reader there."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from bot.storage.db import Executor, Row
from bot.storage.groups import COLUMNS as GROUP_COLUMNS
from bot.storage.groups import Group
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
    """Find or create a member, keeping the display name current (one statement: RETURNING gives the row)."""
    row = await db.fetchone(
        "INSERT INTO members (platform, user_id, display_name, created_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (platform, user_id) DO UPDATE SET display_name = excluded.display_name "
        "RETURNING id, platform, user_id, display_name",
        (platform, user_id, display_name, to_db(now)),
    )
    assert row is not None
    return Member.from_row(row)


async def enter(
    db: Executor, platform: str, user_id: str, display_name: str, group_id: int | None, now: datetime
) -> tuple[Member, Role]:
    """`upsert` and `join` in one round trip: the member (name kept current) and their role in the group
    ("member" without a group). Call as the only statement of a transaction: it commits it in the same trip."""
    member_row = (
        "INSERT INTO members (platform, user_id, display_name, created_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (platform, user_id) DO UPDATE SET display_name = excluded.display_name "
        "RETURNING id, platform, user_id, display_name",
        (platform, user_id, display_name, to_db(now)),
    )
    if group_id is None:
        ((row,),) = await db.fetch_together(member_row, commit=True)
        return Member.from_row(row), "member"
    (row,), _, (role,) = await db.fetch_together(
        member_row,
        (
            "INSERT INTO memberships (group_id, member_id, role, joined_at) "
            "SELECT ?, id, 'member', ? FROM members WHERE platform = ? AND user_id = ? "
            "ON CONFLICT (group_id, member_id) DO NOTHING",
            (group_id, to_db(now), platform, user_id),
        ),
        (
            "SELECT ms.role FROM memberships ms JOIN members m ON m.id = ms.member_id "
            "WHERE ms.group_id = ? AND m.platform = ? AND m.user_id = ?",
            (group_id, platform, user_id),
        ),
        commit=True,
    )
    result: Role = role["role"]
    return Member.from_row(row), result


@dataclass(frozen=True)
class Sender:
    """Who runs a command, as stored: the room's group, the member and their role there (None: not stored)."""

    group: Group | None
    member: Member | None
    role: Role | None

    def current(self, display_name: str) -> bool:
        """Nothing to write: the member is stored under this name and belongs to the room's group (if any)."""
        return (
            self.member is not None
            and self.member.display_name == display_name
            and (self.group is None or self.role is not None)
        )


async def sender(db: Executor, platform: str, room_id: str, user_id: str) -> Sender:
    """The room's group, the member and their role in it, in one round trip: a command by a known member
    then needs no write transaction at all (most commands of a busy poll)."""
    groups, members, roles = await db.fetch_together(
        (f"SELECT {GROUP_COLUMNS} FROM groups WHERE platform = ? AND room_id = ?", (platform, room_id)),
        (
            "SELECT id, platform, user_id, display_name FROM members WHERE platform = ? AND user_id = ?",
            (platform, user_id),
        ),
        (
            "SELECT ms.role FROM memberships ms JOIN groups g ON g.id = ms.group_id "
            "JOIN members m ON m.id = ms.member_id "
            "WHERE g.platform = ? AND g.room_id = ? AND m.platform = ? AND m.user_id = ?",
            (platform, room_id, platform, user_id),
        ),
    )
    return Sender(
        Group.from_row(groups[0]) if groups else None,
        Member.from_row(members[0]) if members else None,
        roles[0]["role"] if roles else None,
    )


async def get(db: Executor, member_id: int) -> Member | None:
    row = await db.fetchone("SELECT id, platform, user_id, display_name FROM members WHERE id = ?", (member_id,))
    return Member.from_row(row) if row else None


async def join(db: Executor, group_id: int, member_id: int, now: datetime, role: Role = "member") -> Role:
    """Make sure the member belongs to the group; returns their role there (an existing role is kept)."""
    _, (row,) = await db.fetch_together(  # one round trip
        (
            "INSERT INTO memberships (group_id, member_id, role, joined_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (group_id, member_id) DO NOTHING",
            (group_id, member_id, role, to_db(now)),
        ),
        ("SELECT role FROM memberships WHERE group_id = ? AND member_id = ?", (group_id, member_id)),
    )
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
