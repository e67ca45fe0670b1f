"""Our keys for things that live on a platform (a reading's thread, a meeting's scheduled event) → their ids.

Adapters keep these through the App so that a restart finds the same thread and updates the same event
instead of creating new ones.
"""

from __future__ import annotations

from bot.storage.db import Executor


async def get(db: Executor, platform: str, room_id: str, kind: str, key: str) -> str | None:
    row = await db.fetchone(
        "SELECT external_id FROM external_refs WHERE platform = ? AND room_id = ? AND kind = ? AND key = ?",
        (platform, room_id, kind, key),
    )
    return str(row["external_id"]) if row else None


async def put(db: Executor, platform: str, room_id: str, kind: str, key: str, external_id: str) -> None:
    await db.execute(
        "INSERT INTO external_refs (platform, room_id, kind, key, external_id) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (platform, room_id, kind, key) DO UPDATE SET external_id = excluded.external_id",
        (platform, room_id, kind, key, external_id),
    )


async def delete(db: Executor, platform: str, room_id: str, kind: str, key: str) -> None:
    await db.execute(
        "DELETE FROM external_refs WHERE platform = ? AND room_id = ? AND kind = ? AND key = ?",
        (platform, room_id, kind, key),
    )


async def delete_starting(db: Executor, platform: str, room_id: str, kind: str, key_prefix: str) -> int:
    """Delete the room's rows of a kind whose key starts with `key_prefix` (a closed poll's "7 " votes); returns
    how many."""
    escaped = key_prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return await db.execute(
        "DELETE FROM external_refs WHERE platform = ? AND room_id = ? AND kind = ? AND key LIKE ? ESCAPE '\\'",
        (platform, room_id, kind, escaped + "%"),
    )


async def of_kind(db: Executor, platform: str, room_id: str, kind: str) -> dict[str, str]:
    rows = await db.fetchall(
        "SELECT key, external_id FROM external_refs WHERE platform = ? AND room_id = ? AND kind = ?",
        (platform, room_id, kind),
    )
    return {r["key"]: r["external_id"] for r in rows}


async def claim(db: Executor, platform: str, room_id: str, kind: str, key: str, external_id: str) -> bool:
    """Store the key unless it is already there; True for the one caller that stored it.

    How an adapter makes an event run once even across crashes and with two bots on one database: whoever claims
    its id acts on it, everyone else leaves it alone.
    """
    stored = await db.execute(
        "INSERT INTO external_refs (platform, room_id, kind, key, external_id) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (platform, room_id, kind, key) DO NOTHING",
        (platform, room_id, kind, key, external_id),
    )
    return stored == 1


async def key_of(db: Executor, platform: str, room_id: str, kind: str, external_id: str) -> str | None:
    """The reverse look-up: our key for a platform id (a thread's root event → "reading:12")."""
    row = await db.fetchone(
        "SELECT key FROM external_refs WHERE platform = ? AND room_id = ? AND kind = ? AND external_id = ?",
        (platform, room_id, kind, external_id),
    )
    return str(row["key"]) if row else None
