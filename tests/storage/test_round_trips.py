"""Fewer round trips per command (issue #16, bench/votes.py): a known member's command reads who they are in one
trip and writes nothing; a new member is stored and joined in one trip that also commits; a ballot's COMMIT
travels with it. The trips are counted (aiosqlite's `_execute`, what every statement goes through)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

import aiosqlite
import pytest

from bot.app import App
from bot.storage import members as member_store
from tests.conftest import Room


@contextmanager
def trips(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    counted = [0]
    original = aiosqlite.Connection._execute

    async def counting(self: aiosqlite.Connection, fn: object, *args: object, **kwargs: object) -> object:
        counted[0] += 1
        return await original(self, fn, *args, **kwargs)  # type: ignore[arg-type]

    with monkeypatch.context() as patch:
        patch.setattr(aiosqlite.Connection, "_execute", counting)
        yield counted


async def test_a_known_member_costs_one_read_and_a_new_one_one_write(
    room: Room, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened = await room.say('poll create "Busy?" "Red" "Green"')
    assert opened.kind == "poll", opened.text
    with trips(monkeypatch) as first:
        assert "is recorded" in (await room.say("vote 1 A", who="bob")).text
    with trips(monkeypatch) as again:
        assert "is replaced" in (await room.say("vote 1 B", who="bob")).text
    # who (1) + stored and joined with its COMMIT (1) + the poll (1) + the ballot with its COMMIT (1)
    assert first[0] == 4
    assert again[0] == 3  # bob is known: no write transaction for who he is
    bob = await room.app.db.fetchone("SELECT id FROM members WHERE user_id = 'bob'")
    assert bob is not None
    roles = await room.app.db.fetchall("SELECT role FROM memberships WHERE member_id = ?", (bob[0],))
    assert [r["role"] for r in roles] == ["member"]


async def test_a_new_name_or_a_new_group_is_still_written(app: App) -> None:
    first, second = Room(app), Room(app, room_id="room-2")
    await first.setup("alice")
    await second.setup("dora")
    await first.say("help", who="bob")
    context = second.context("bob")
    await app.handle(replace(context, display_name="Robert"), "help")
    known = await member_store.sender(app.db, "test", "room-2", "bob")
    assert known.member is not None and known.member.display_name == "Robert"
    assert known.group is not None and known.role == "member"  # joined the second group on his first command there
    assert (await member_store.sender(app.db, "test", "room-1", "bob")).role == "member"


async def test_a_statement_after_the_commit_is_refused_and_the_committed_part_stays(app: App) -> None:
    with pytest.raises(RuntimeError):
        async with app.db.transaction() as tx:
            await tx.fetch_together(("INSERT INTO meta (key, value) VALUES ('a', '1')", ()), commit=True)
            await tx.execute("INSERT INTO meta (key, value) VALUES ('b', '2')")
    rows = await app.db.fetchall("SELECT key FROM meta WHERE key IN ('a', 'b')")
    assert [r["key"] for r in rows] == ["a"]
    with pytest.raises(ValueError):
        async with app.db.transaction() as tx:
            await tx.execute("INSERT INTO meta (key, value) VALUES ('c', '3')")
            raise ValueError("the block fails before its last statement")
    assert await app.db.fetchone("SELECT 1 FROM meta WHERE key = 'c'") is None
    async with app.db.transaction() as tx:  # the connection is usable again, in a transaction of its own
        await tx.execute("INSERT INTO meta (key, value) VALUES ('d', '4')")
    assert await app.db.fetchone("SELECT 1 FROM meta WHERE key = 'd'") is not None
