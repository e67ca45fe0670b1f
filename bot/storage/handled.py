"""Platform events an adapter has acted on (a command's event id → what became of it), dropped by age.

An adapter records each event it acts on so that none is acted on twice (a crash and a restart, two bots on one
database, an edit of a command that already ran). Those rows would pile up for ever, and external_refs has no
time column, so they live in two generations of its kinds: `kind` (the current one) and `kind~old`. A rotation,
once per period, drops the old generation and makes the current one old: a row lives between one and two
periods, and a look-up reads both. The time of the last rotation is a meta row. Portable SQL only.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.storage import meta
from bot.storage.db import Database, Executor
from bot.timeutil import from_db, to_db

OLD = "~old"


def _rotated_key(platform: str) -> str:
    return f"{platform}.handled_rotated_at"


async def claim(db: Executor, platform: str, room_id: str, kind: str, key: str, value: str) -> bool:
    """Record the key unless either generation has it; True for the one caller that recorded it."""
    stored = await db.execute(
        "INSERT INTO external_refs (platform, room_id, kind, key, external_id) SELECT ?, ?, ?, ?, ? "
        "WHERE NOT EXISTS (SELECT 1 FROM external_refs "
        "WHERE platform = ? AND room_id = ? AND kind IN (?, ?) AND key = ?) "
        "ON CONFLICT (platform, room_id, kind, key) DO NOTHING",
        (platform, room_id, kind, key, value, platform, room_id, kind, kind + OLD, key),
    )
    return stored == 1


async def get(db: Executor, platform: str, room_id: str, kind: str, key: str) -> str | None:
    rows = await db.fetchall(
        "SELECT kind, external_id FROM external_refs WHERE platform = ? AND room_id = ? AND kind IN (?, ?) AND key = ?",
        (platform, room_id, kind, kind + OLD, key),
    )
    values = {row["kind"]: str(row["external_id"]) for row in rows}
    return values.get(kind, values.get(kind + OLD))


async def put(db: Executor, platform: str, room_id: str, kind: str, key: str, value: str) -> None:
    """Set what became of the event, in whichever generation holds it (the current one if none does)."""
    changed = await db.execute(
        "UPDATE external_refs SET external_id = ? WHERE platform = ? AND room_id = ? AND kind IN (?, ?) AND key = ?",
        (value, platform, room_id, kind, kind + OLD, key),
    )
    if not changed:
        await db.execute(
            "INSERT INTO external_refs (platform, room_id, kind, key, external_id) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (platform, room_id, kind, key) DO UPDATE SET external_id = excluded.external_id",
            (platform, room_id, kind, key, value),
        )


async def rotate(db: Database, platform: str, kinds: Sequence[str], *, now: datetime, period: timedelta) -> int:
    """Once a period: drop the old generation of these kinds and make the current one old; returns how many rows
    were dropped. The first call only starts the clock."""
    last = await meta.get(db, _rotated_key(platform))
    if last is not None and now - from_db(last) < period:
        return 0
    dropped = 0
    async with db.transaction() as tx:
        if last is not None:
            for kind in kinds:
                dropped += await tx.execute(
                    "DELETE FROM external_refs WHERE platform = ? AND kind = ?", (platform, kind + OLD)
                )
                await tx.execute(
                    "UPDATE external_refs SET kind = ? WHERE platform = ? AND kind = ?", (kind + OLD, platform, kind)
                )
        await meta.put(tx, _rotated_key(platform), to_db(now))
    return dropped
