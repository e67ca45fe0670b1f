"""Helpers for the Discord adapter tests: test-only commands, a running adapter, members, a bound channel, books.

`LONG_COMMAND` is a choice too long for a custom_id, so its button is remembered under a hash.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import discord

from bot.adapters.discord import DiscordAdapter
from bot.app import App
from bot.commands import Invocation, Permission, command
from bot.outbox import reply_to_json
from bot.replies import Choice, File, Reply
from bot.storage import books as book_store
from bot.storage import meta
from bot.storage import outbox as outbox_store
from bot.storage.books import NewBook, NewParagraph, NewSection
from tests.fakes import discord_payloads as P
from tests.fakes.discord_server import FakeDiscord, RecordedRequest

MANAGE_GUILD = discord.Permissions(manage_guild=True).value


LONG_COMMAND = "testvote 1 " + "very-long-choice-" * 8


@command("testpoll", help="Show a test poll with buttons.")
async def fake_poll(inv: Invocation) -> Reply:
    return Reply(
        title="Which chapter next?",
        text="Press a button.",
        kind="poll",
        choices=(Choice("A", "testvote 1 A", "primary"), Choice("Long", LONG_COMMAND), Choice("Shut", "testvote 2 A")),
    )


@command("testvote", help="Record a test vote.", params={"poll": "Poll number", "answer": "Your answer"})
async def fake_vote(inv: Invocation, poll: int, answer: str) -> Reply:
    if poll == 2:
        return Reply(text="This poll is closed; its result is posted in the channel.", ephemeral=True, kind="error")
    await meta.put(inv.db, f"vote:{poll}:{inv.context.user_id}", answer)
    return Reply(text=f"Your vote for {answer} is counted.", ephemeral=True)


@command("testwait", help="Record a wait.", params={"delay": "How long, e.g. 2h"})
async def fake_wait(inv: Invocation, delay: timedelta) -> Reply:
    await meta.put(inv.db, "testwait", str(delay))
    return Reply(text=f"Waiting {delay}.")


@command("testlong", help="A very long answer.")
async def fake_long(inv: Invocation) -> Reply:
    return Reply(text="\n".join(f"Line {i}: " + "word " * 30 for i in range(40)))


@command("testslow", help="A slow answer with a file.")
async def fake_slow(inv: Invocation) -> Reply:
    await asyncio.sleep(0.3)
    return Reply(title="Export", text="Here is the calendar.", files=(File("plan.ics", b"BEGIN:VCALENDAR"),))


@command("testmod", help="A moderators-only test command.", permission=Permission.MODERATOR)
async def fake_mod(inv: Invocation) -> Reply:
    return Reply(text="done")


@command("testmany", help="A poll with many options.")
async def fake_many(inv: Invocation) -> Reply:
    choices = tuple(Choice(f"Option {i}", f"testvote 1 O{i}") for i in range(12))
    return Reply(text="Pick one", kind="poll", choices=choices)


TEST_COMMANDS = (fake_many, fake_poll, fake_vote, fake_wait, fake_long, fake_slow, fake_mod)


PRIVILEGED = discord.Intents(members=True, presences=True, message_content=True).value


@contextlib.asynccontextmanager
async def running(app: App, **options: Any) -> AsyncIterator[DiscordAdapter]:
    adapter = DiscordAdapter(app, guild_ready_timeout=0.05, **options)
    app.adapters["discord"] = adapter
    await adapter.start()
    try:
        yield adapter
    finally:
        await adapter.stop()
        app.adapters.pop("discord", None)


def moderator(fake: FakeDiscord, name: str = "mod") -> int:
    return fake.add_member(None, name, permissions=P.EVERYONE_PERMISSIONS | MANAGE_GUILD)


async def bind_channel(fake: FakeDiscord) -> int:
    """A Manage-Server member runs /group setup in #general; returns the member's id."""
    mod = moderator(fake)
    answer = await fake.slash_command(
        "group setup", {"timezone": "Europe/Berlin", "name": "Tuesday readers"}, user_id=mod
    ).callback()
    assert not answer.ephemeral, answer.json
    return mod


def button_ids(req: RecordedRequest) -> list[str]:
    return [c["custom_id"] for row in req.body.get("components", []) for c in row["components"]]


async def add_book(app: App, title: str = "Dubliners") -> int:
    section = NewSection("The Sisters", 1, (NewParagraph("There was no hope for him this time."),), 8, 1)
    book = NewBook(title, ("James Joyce",), "1914", f"{title}.txt", "txt", title * 8, (section,))
    async with app.db.transaction() as tx:
        return await book_store.insert(tx, book, app.clock.now())


def poll_components(fake: FakeDiscord, message_id: int) -> list[dict[str, Any]]:
    return [c for row in fake.messages[message_id]["components"] for c in row["components"]]


async def group_id_of(app: App) -> int:
    row = await app.db.fetchone("SELECT id FROM groups")
    assert row is not None
    return int(row[0])


async def enqueue_post(app: App, key: str, reply: Reply, **kwargs: Any) -> None:
    group = await app.db.fetchone("SELECT id, room_id FROM groups")
    assert group is not None
    await outbox_store.enqueue(
        app.db,
        key=key,
        group_id=group[0],
        platform="discord",
        room_id=group[1],
        payload=reply_to_json(reply),
        now=app.clock.now(),
        **kwargs,
    )


async def start_plan(fake: FakeDiscord, mod: int, book_id: int, start: str = "2026-11-03") -> None:
    """A moderator plans a book (one section per Tuesday 19:00 meeting) and confirms the preview's button."""
    options = {"book": str(book_id), "start": start, "every": "tuesday 19:00", "per-meeting": "1 section"}
    preview = await fake.slash_command("plan-admin create", options, user_id=mod).callback()
    [confirm] = [i for i in button_ids(preview) if i.startswith("rg:plan confirm ")]
    confirmed = await fake.click_button(confirm, user_id=mod).callback()
    assert "The study plan is on" in confirmed.body["embeds"][0]["title"], confirmed.json


def dm_channels(fake: FakeDiscord) -> list[dict[str, Any]]:
    return [c for c in fake.channels.values() if c["type"] == P.DM]
