"""Posting: scheduled posts and private messages from the outbox, reading threads, and a poll's buttons.

Scheduled posts arrive through `send` from the outbox (the runner's loop, never an interaction handler). Each
message carries a nonce derived from the outbox key, so a repeated send is deduplicated by Discord. A poll's
messages with buttons are remembered so that its results can grey the buttons out.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

import discord

from bot.adapters.base import DIRECT_PREFIX, poll_key
from bot.adapters.discord.components import message_kwargs
from bot.adapters.discord.names import as_typed_on_discord, renamed
from bot.adapters.discord.render import Page, nonce_for, render, thread_name
from bot.app import App
from bot.replies import Reply

if TYPE_CHECKING:
    from bot.adapters.discord.client import ReadalongClient

log = logging.getLogger(__name__)

PLATFORM = "discord"
ANY_ROOM = "*"  # button commands too long for a custom_id are remembered under this room: any channel may press
POLL_KIND = "poll"  # a poll's shared choice command ("vote 7") → its messages with buttons, to disable on close
THREAD_ARCHIVE_MINUTES: Literal[10080] = 10080  # a week: a reading's discussion stays open
NOT_CONNECTED = "the Discord gateway is reconnecting"


async def pages(app: App, reply: Reply) -> list[Page]:
    """The reply's pages, commands named as on Discord; button commands too long for a custom_id are
    remembered under their hash."""
    rendered = render(as_typed_on_discord(reply, renamed(app.registry)))
    for key, command in rendered.hashed.items():
        await app.remember(PLATFORM, ANY_ROOM, "button", key, command)
    return rendered.pages


async def messageable(client: ReadalongClient, channel_id: int) -> Any:
    channel = client.get_channel(channel_id)
    if channel is None:
        channel = await client.fetch_channel(channel_id)
    return channel


async def send(
    app: App,
    client: ReadalongClient,
    room_id: str,
    reply: Reply,
    *,
    key: str,
    thread_key: str | None = None,
    starts_thread: bool = False,
) -> str:
    """Post a reply to a channel (into the reading's thread when it has one) or as a private message."""
    if room_id.startswith(DIRECT_PREFIX):
        return await _send_direct(app, client, int(room_id.removeprefix(DIRECT_PREFIX)), reply, key)
    channel = await messageable(client, int(room_id))
    guild = getattr(channel, "guild", None)
    if not client.connected_for(guild):
        raise ConnectionError(NOT_CONNECTED)  # the row stays in the outbox and goes out on a later tick
    target: Any = channel
    if thread_key and not starts_thread:
        thread_id = await app.recall(PLATFORM, room_id, "thread", thread_key)
        if thread_id:
            with contextlib.suppress(discord.NotFound, discord.Forbidden):
                target = await messageable(client, int(thread_id))
    first: discord.Message | None = None
    buttons: list[tuple[int, int]] = []
    for index, page in enumerate(await pages(app, reply)):
        kwargs = message_kwargs(page)
        message = await target.send(nonce=nonce_for(key, index), **kwargs)  # enforce_nonce is set with it
        first = first or message
        if "view" in kwargs:
            buttons.append((message.channel.id, message.id))
    assert first is not None
    if starts_thread and thread_key:
        await _open_thread(app, room_id, first, reply, thread_key)
    await after_public(app, client, room_id, reply, buttons)
    return str(first.id)


async def _send_direct(app: App, client: ReadalongClient, user_id: int, reply: Reply, key: str) -> str:
    """A private message (a nudge): the user's DM channel, opened on demand."""
    if not client.is_ready():
        raise ConnectionError(NOT_CONNECTED)
    user = client.get_user(user_id) or await client.fetch_user(user_id)
    first: discord.Message | None = None
    for index, page in enumerate(await pages(app, reply)):
        message = await user.send(nonce=nonce_for(key, index), **message_kwargs(page))
        first = first or message
    assert first is not None
    return str(first.id)


async def _open_thread(app: App, room_id: str, message: discord.Message, reply: Reply, thread_key: str) -> None:
    """Start the reading's thread on its post. A failure leaves the post delivered (no re-send loop); the
    reading's later posts then go to the channel itself."""
    thread = message.thread  # a repeated post (same nonce) may already have its thread
    if thread is None:
        try:
            thread = await message.create_thread(name=thread_name(reply), auto_archive_duration=THREAD_ARCHIVE_MINUTES)
        except discord.HTTPException as exc:
            log.warning("discord: could not open the thread %s in %s: %s", thread_key, room_id, exc)
            return
    await app.remember(PLATFORM, room_id, "thread", thread_key, str(thread.id))


# ---------------------------------------------------------------- polls: buttons off once closed
async def after_public(
    app: App, client: ReadalongClient, room_id: str, reply: Reply, buttons: Sequence[tuple[int, int]]
) -> None:
    """After a public post: remember a poll's messages with buttons; a poll's results disable them."""
    key = poll_key(reply.choices) if reply.kind == "poll" else None
    if key and buttons:
        stored = await app.recall(PLATFORM, room_id, POLL_KIND, key)
        known = [*json.loads(stored), *buttons] if stored else list(buttons)
        await app.remember(PLATFORM, room_id, POLL_KIND, key, json.dumps(known))
    if reply.closes:
        await _disable_poll(app, client, room_id, reply.closes)


async def _disable_poll(app: App, client: ReadalongClient, room_id: str, key: str) -> None:
    """Grey out the buttons of every message that offered the commands `key …`, once; a message that cannot
    be edited (deleted, no permission) keeps its buttons, which answer that the poll is closed."""
    stored = await app.recall(PLATFORM, room_id, POLL_KIND, key)
    if stored is None:
        return
    for channel_id, message_id in json.loads(stored):
        try:
            channel = await messageable(client, int(channel_id))
            message = await channel.fetch_message(int(message_id))
            view = discord.ui.View.from_message(message, timeout=None)
            for item in view.children:
                if isinstance(item, (discord.ui.Button, discord.ui.Select)):
                    item.disabled = True
            await message.edit(view=view)
        except discord.HTTPException as exc:
            log.warning("discord: could not disable the buttons of poll %s in %s: %s", key, room_id, exc)
    await app.forget_ref(PLATFORM, room_id, POLL_KIND, key)
