"""The token map (bot/web/tokens.py): a cached page costs no database read, a change of access made in this
process stops the old token at once, and a separate process's map forgets a token after its time to live."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.clock import ManualClock
from bot.config import WebSettings
from bot.storage import web as web_store
from bot.storage.groups import Group
from bot.web.tokens import TokenCache
from tests.conftest import Room
from tests.web.support import add_hostile_book, enable_pages, plan_and_open, utc, web_client

GROUP = Group(1, "test", "room-1", "Readers", "UTC", datetime(2026, 11, 1, tzinfo=UTC))


class Counter:
    def __init__(self) -> None:
        self.value = 0

    def __call__(self) -> int:
        return self.value


def test_entries_live_for_their_seconds_and_a_change_forgets_them_all() -> None:
    now = [100.0]
    changes = Counter()
    tokens = TokenCache(2.0, changes, now=lambda: now[0])
    tokens.put("a", GROUP, changes())
    assert tokens.get("a") == GROUP and tokens.get("b") is None
    now[0] += 1.9
    assert tokens.get("a") == GROUP
    now[0] += 0.2  # another process rotated it: this one notices only by the time to live
    assert tokens.get("a") is None
    tokens.put("a", GROUP, changes())
    changes.value += 1  # rotate, off or on in this process
    assert tokens.get("a") is None
    tokens.put("a", GROUP, changes.value - 1)  # looked up before the change: not remembered
    assert tokens.get("a") is None


def test_the_map_is_bounded_and_can_be_off() -> None:
    changes = Counter()
    tokens = TokenCache(2.0, changes, max_entries=2)
    for name in ("a", "b", "c"):
        tokens.put(name, GROUP, 0)
    assert tokens.get("a") is None and tokens.get("b") == tokens.get("c") == GROUP
    off = TokenCache(0, changes)
    off.put("a", GROUP, 0)
    assert off.get("a") is None


async def test_a_cached_page_reads_no_token_and_web_off_stops_it_at_once(
    room: Room, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    book = await add_hostile_book(room.app)
    await plan_and_open(room, clock, book, utc(2026, 11, 4, 0, 0))
    token = await enable_pages(room.app)
    lookups: list[str] = []
    original = web_store.group_of_token

    async def counted(db: object, asked: str) -> Group | None:
        lookups.append(asked)
        return await original(db, asked)  # type: ignore[arg-type]

    monkeypatch.setattr(web_store, "group_of_token", counted)
    client = await web_client(room.app)
    try:
        for _ in range(3):
            assert (await client.get(f"/g/{token}/r/1")).status == 200
        assert len(lookups) == 1  # one read for the token, then none while it is remembered
        room.app.settings = replace(room.app.settings, web=WebSettings(enabled=True))
        assert (await room.say("web off")).text.startswith("The group's web pages are off")
        assert (await client.get(f"/g/{token}/r/1")).status == 404
        assert len(lookups) == 2
        rotated = web_store.TOKEN_SHAPE.search((await room.say("web rotate")).text.split("/g/")[1])
        assert rotated and (await client.get(f"/g/{rotated.group(0)}/r/1")).status == 200
        assert (await client.get(f"/g/{token}/r/1")).status == 404
    finally:
        await client.close()
