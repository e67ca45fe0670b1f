"""Each group's web pages: the one unguessable token they sit under and whether they are turned on.

The token is the only key to a group's pages, so it is long (256 random bits, URL-safe), rotating replaces it
in place (the old token stops matching with the same statement) and a disabled group's token matches nothing.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from bot.storage.db import Executor, Row
from bot.storage.groups import Group
from bot.timeutil import from_db, to_db

_changes = 0  # access changes made by this process; bot/web/tokens.py forgets its tokens when it moves


def changes() -> int:
    """How many times this process has changed a group's access (enable, rotate, disable)."""
    return _changes


def _changed() -> None:
    global _changes
    _changes += 1


TOKEN_BYTES = 32  # secrets.token_urlsafe(32): 43 characters, 256 bits (the issue asks for at least 128)
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{22,86}")  # what a token can look like; anything else is not looked up


@dataclass(frozen=True)
class WebAccess:
    group_id: int
    token: str
    enabled: bool
    created_at: datetime
    rotated_at: datetime

    @classmethod
    def from_row(cls, row: Row) -> WebAccess:
        return cls(
            group_id=row["group_id"],
            token=row["token"],
            enabled=bool(row["enabled"]),
            created_at=from_db(row["created_at"]),
            rotated_at=from_db(row["rotated_at"]),
        )


_SELECT = "SELECT group_id, token, enabled, created_at, rotated_at FROM web_access"


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


async def get(db: Executor, group_id: int) -> WebAccess | None:
    row = await db.fetchone(_SELECT + " WHERE group_id = ?", (group_id,))
    return WebAccess.from_row(row) if row else None


async def enable(db: Executor, group_id: int, now: datetime) -> WebAccess:
    """Turn the group's pages on, keeping an existing token (a link shared earlier works again)."""
    await db.execute(
        "INSERT INTO web_access (group_id, token, enabled, created_at, rotated_at) VALUES (?, ?, 1, ?, ?) "
        "ON CONFLICT (group_id) DO UPDATE SET enabled = 1",
        (group_id, new_token(), to_db(now), to_db(now)),
    )
    _changed()
    access = await get(db, group_id)
    assert access is not None
    return access


async def rotate(db: Executor, group_id: int, now: datetime) -> WebAccess:
    """A fresh token for the group (pages turned on); the old one matches nothing from now on."""
    token = new_token()
    await db.execute(
        "INSERT INTO web_access (group_id, token, enabled, created_at, rotated_at) VALUES (?, ?, 1, ?, ?) "
        "ON CONFLICT (group_id) DO UPDATE SET token = excluded.token, enabled = 1, rotated_at = excluded.rotated_at",
        (group_id, token, to_db(now), to_db(now)),
    )
    _changed()
    access = await get(db, group_id)
    assert access is not None
    return access


async def disable(db: Executor, group_id: int) -> bool:
    """Turn the group's pages off; False when they were not on."""
    changed = await db.execute("UPDATE web_access SET enabled = 0 WHERE group_id = ? AND enabled = 1", (group_id,))
    _changed()
    return changed > 0


async def group_for_token(db: Executor, token: str) -> int | None:
    """The group whose enabled pages sit under `token`; None for a malformed, unknown, rotated or disabled one."""
    if not TOKEN_SHAPE.fullmatch(token):
        return None
    row = await db.fetchone("SELECT group_id FROM web_access WHERE token = ? AND enabled = 1", (token,))
    return int(row["group_id"]) if row else None


async def group_of_token(db: Executor, token: str) -> Group | None:
    """`group_for_token` and the group in one read: every page request starts here, so it is one statement."""
    if not TOKEN_SHAPE.fullmatch(token):
        return None
    row = await db.fetchone(
        "SELECT g.id, g.platform, g.room_id, g.name, g.timezone, g.created_at FROM web_access w "
        "JOIN groups g ON g.id = w.group_id WHERE w.token = ? AND w.enabled = 1",
        (token,),
    )
    return Group.from_row(row) if row else None
