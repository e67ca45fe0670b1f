"""The schema: step-by-step migrations and the squashed schema.sql must build the same database."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.storage.db import Database, migrations


def _structure(path: Path) -> dict[str, object]:
    """Tables, columns, keys, indexes and triggers, independent of how the CREATE text was formatted."""
    conn = sqlite3.connect(path)
    try:
        result: dict[str, object] = {}
        objects = conn.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name"
        ).fetchall()
        for kind, name, table, sql in objects:
            if kind == "table":
                result[f"table {name}"] = (
                    conn.execute(f"PRAGMA table_xinfo('{name}')").fetchall(),
                    conn.execute(f"PRAGMA foreign_key_list('{name}')").fetchall(),
                    sorted(
                        (row[1], row[2], conn.execute(f"PRAGMA index_info('{row[1]}')").fetchall())
                        for row in conn.execute(f"PRAGMA index_list('{name}')").fetchall()
                    ),
                )
            else:
                result[f"{kind} {name}"] = (table, " ".join((sql or "").split()))
        result["user_version"] = conn.execute("PRAGMA user_version").fetchone()[0]
        return result
    finally:
        conn.close()


async def test_step_by_step_equals_squashed(tmp_path: Path) -> None:
    stepwise = await Database.open(tmp_path / "steps.sqlite3", migrate=False)
    for number, _ in migrations():
        assert await stepwise.migrate(squashed=False, target=number) == number
    await stepwise.close()
    fresh = await Database.open(tmp_path / "fresh.sqlite3")
    await fresh.close()
    assert _structure(tmp_path / "steps.sqlite3") == _structure(tmp_path / "fresh.sqlite3")
    assert _structure(tmp_path / "fresh.sqlite3")["user_version"] == migrations()[-1][0]


async def test_connection_settings(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "x.sqlite3")
    try:
        assert (await db.fetchone("PRAGMA journal_mode"))[0] == "wal"  # type: ignore[index]
        assert (await db.fetchone("PRAGMA foreign_keys"))[0] == 1  # type: ignore[index]
        assert (await db.fetchone("PRAGMA busy_timeout"))[0] >= 5000  # type: ignore[index]
        with pytest.raises(sqlite3.IntegrityError):
            await db.execute(
                "INSERT INTO memberships (group_id, member_id, joined_at) VALUES (99, 99, '2026-01-01T00:00:00Z')"
            )
    finally:
        await db.close()


async def test_reopening_is_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite3"
    first = await Database.open(path)
    version = await first.version()
    await first.execute("INSERT INTO meta (key, value) VALUES ('k', 'v')")
    await first.close()
    again = await Database.open(path)
    try:
        assert await again.version() == version
        assert (await again.fetchone("SELECT value FROM meta WHERE key = 'k'"))[0] == "v"  # type: ignore[index]
    finally:
        await again.close()


async def test_transaction_rolls_back_on_error(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "x.sqlite3")
    try:
        with pytest.raises(RuntimeError):
            async with db.transaction() as tx:
                await tx.execute("INSERT INTO meta (key, value) VALUES ('a', '1')")
                raise RuntimeError("boom")
        assert await db.fetchone("SELECT * FROM meta WHERE key = 'a'") is None
    finally:
        await db.close()


async def test_newer_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    with pytest.raises(RuntimeError, match="newer than this Readalong knows"):
        await Database.open(path)


def test_migration_files_explain_themselves() -> None:
    for number, sql in migrations():
        assert sql.lstrip().startswith(f"-- {number:04d}"), f"migration {number} needs a reason comment at the top"
