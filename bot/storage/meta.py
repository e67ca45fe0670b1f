"""Small facts about the database itself, such as whether the default library was ever loaded."""

from __future__ import annotations

from bot.storage.db import Executor


async def get(db: Executor, key: str) -> str | None:
    row = await db.fetchone("SELECT value FROM meta WHERE key = ?", (key,))
    return str(row["value"]) if row else None


async def put(db: Executor, key: str, value: str) -> None:
    await db.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


async def delete(db: Executor, key: str) -> None:
    await db.execute("DELETE FROM meta WHERE key = ?", (key,))
