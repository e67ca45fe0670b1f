"""Helpers for the Matrix adapter tests: the bot under test and members' conversation with it."""

from __future__ import annotations

import asyncio
import re
import struct
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
import nio

from bot.adapters.matrix import MatrixAdapter, create_adapter
from bot.adapters.matrix.render import POLL_END
from bot.app import App
from bot.clock import ManualClock
from bot.commands import spec_of
from bot.config import Settings
from bot.replies import Context, Reply
from bot.scheduling import Post
from bot.storage import books as book_store
from bot.storage import jobs as job_store
from bot.storage.books import NewBook, NewParagraph, NewSection
from bot.storage.db import Transaction
from bot.storage.jobs import Job
from cogs import all_features
from tests.support.matrix_nio import (
    create_room,
    send_event,
    send_text,
    wait_for_event,
)
from tests.support.synapse import MatrixUser

Connect = Callable[..., Awaitable[nio.AsyncClient]]


POLL_RESPONSE = "org.matrix.msc3381.poll.response"


@dataclass
class Bot:
    user: MatrixUser
    settings: Settings
    clock: ManualClock
    app: App
    adapter: MatrixAdapter

    @property
    def user_id(self) -> str:
        return self.user.user_id

    async def restart(self, *, via_environment: bool = False, handled: list[str] | None = None) -> None:
        """Stop the adapter and close the database, then start both again from what they stored.

        With `handled`, every command line the new App is asked to run is appended to it.
        """
        await self.adapter.stop()
        await self.app.close()
        self.app = await App.open(self.settings, clock=self.clock, features=all_features())
        if handled is not None:
            handle = self.app.handle

            async def recording(ctx: Context, line: str) -> Reply:
                handled.append(line)
                return await handle(ctx, line)

            self.app.handle = recording  # type: ignore[method-assign]
        self.adapter = create_adapter(self.app) if via_environment else token_adapter(self.app, self.user)
        await self.adapter.start()


def token_adapter(app: App, user: MatrixUser) -> MatrixAdapter:
    return MatrixAdapter(app, access_token=user.access_token)


StartBot = Callable[..., Awaitable[Bot]]


async def group_room(member: nio.AsyncClient, bot: Bot, *, setup: bool = True, join: tuple = ()) -> str:
    """A room the member created (power 100) with the bot invited and joined; a group unless setup=False."""
    room_id = await create_room(member, invite=[bot.user_id], join=join)
    await wait_for_event(member, membership(bot.user_id, "join"), room_id=room_id)
    if setup:
        reply = await ask(member, room_id, bot, "!rg group setup Europe/Berlin")
        assert "is set up" in reply.body, reply.body
    return room_id


def membership(user_id: str, state: str) -> Callable[[nio.Event], bool]:
    return lambda e: isinstance(e, nio.RoomMemberEvent) and e.state_key == user_id and e.membership == state


def answers(bot: Bot, event_id: str) -> Callable[[nio.Event], bool]:
    """The bot's event that replies to `event_id`."""
    return lambda e: e.sender == bot.user_id and in_reply_to(e) == event_id


def in_reply_to(event: nio.Event) -> str | None:
    relation = event.source.get("content", {}).get("m.relates_to") or {}
    return (relation.get("m.in_reply_to") or {}).get("event_id")


async def ask(member: nio.AsyncClient, room_id: str, bot: Bot, text: str) -> nio.Event:
    event_id = await send_text(member, room_id, text)
    return await wait_for_event(member, answers(bot, event_id), room_id=room_id)


async def seen_until(member: nio.AsyncClient, room_id: str, stop: Callable[[nio.Event], bool]) -> list[nio.Event]:
    """Every event the member sees until `stop` matches (inclusive), each once."""
    seen: dict[str, nio.Event] = {}

    def record(event: nio.Event) -> bool:
        seen.setdefault(event.event_id, event)
        return stop(event)

    await wait_for_event(member, record, room_id=room_id)
    return list(seen.values())


async def eventually(check: Callable[[], bool], timeout: float = 10.0) -> None:  # noqa: ASYNC109
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        assert loop.time() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


def content_of(event: nio.Event) -> dict[str, Any]:
    return event.source["content"]


def tiny_png(width: int = 2, height: int = 1) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def register(app: App, *handlers: object) -> None:
    for handler in handlers:
        spec = spec_of(handler)
        assert spec is not None
        app.registry.add(spec)


async def post_job(bot: Bot, room_id: str, posts: list[tuple[Reply, str | None, bool]]) -> None:
    """A job due now whose handler posts `posts` (reply, thread_key, starts_thread) to the room's group."""
    group = await bot.app.db.fetchone("SELECT id FROM groups WHERE room_id = ?", (room_id,))
    assert group is not None

    async def handler(app: App, tx: Transaction, job: Job) -> list[Post]:
        return [Post(job.group_id or 0, reply, thread_key, starts) for reply, thread_key, starts in posts]

    kind = f"test-{len(bot.app.job_handlers)}"
    bot.app.job_handlers[kind] = handler
    await job_store.add(bot.app.db, kind, bot.clock.now(), {}, bot.clock.now(), group[0])


async def respond(member: nio.AsyncClient, room_id: str, poll_id: str, answer: str) -> str:
    content = {"m.relates_to": {"rel_type": "m.reference", "event_id": poll_id}, POLL_RESPONSE: {"answers": [answer]}}
    return await send_event(member, room_id, POLL_RESPONSE, content)


async def add_book(bot: Bot, title: str = "Dubliners") -> int:
    section = NewSection("The Sisters", 1, (NewParagraph("There was no hope for him this time."),), 8, 1)
    book = NewBook(title, ("James Joyce",), "1914", f"{title}.txt", "txt", title * 8, (section,))
    async with bot.app.db.transaction() as tx:
        return await book_store.insert(tx, book, bot.clock.now())


async def start_plan(member: nio.AsyncClient, room_id: str, bot: Bot, book_id: int) -> None:
    """The member (a moderator) plans the book on Tuesdays 19:00 from 3 November and confirms the preview."""
    preview = await ask(member, room_id, bot, f'!rg plan create {book_id} 2026-11-03 "tuesday 19:00" "1 section"')
    token = re.search(r"plan confirm (\w+)", preview.body)
    assert token is not None, preview.body
    confirmed = await ask(member, room_id, bot, f"!rg plan confirm {token.group(1)}")
    assert confirmed.body.startswith("The study plan is on"), confirmed.body


def ends(poll_id: str) -> Callable[[nio.Event], bool]:
    def match(event: nio.Event) -> bool:
        relation = event.source.get("content", {}).get("m.relates_to") or {}
        return event.source.get("type") == POLL_END and relation.get("event_id") == poll_id

    return match


async def notifications(member: nio.AsyncClient) -> list[dict[str, Any]]:
    """The member's notifications as the homeserver counted them by its push rules (GET /notifications)."""
    url = f"{member.homeserver}/_matrix/client/v3/notifications"
    headers = {"Authorization": f"Bearer {member.access_token}"}
    async with aiohttp.ClientSession(trust_env=False) as http, http.get(url, headers=headers) as response:
        assert response.status == 200, await response.text()
        data = await response.json()
    return list(data["notifications"])


async def kick(member: nio.AsyncClient, room_id: str, user_id: str) -> None:
    assert isinstance(await member.room_kick(room_id, user_id, reason="testing"), nio.RoomKickResponse)
