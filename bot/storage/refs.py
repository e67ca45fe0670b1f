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


async def of_kind(db: Executor, platform: str, room_id: str, kind: str) -> dict[str, str]:
    rows = await db.fetchall(
        "SELECT key, external_id FROM external_refs WHERE platform = ? AND room_id = ? AND kind = ?",
        (platform, room_id, kind),
    )
    return {r["key"]: r["external_id"] for r in rows}
