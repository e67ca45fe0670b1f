"""What `send` raises when Discord refuses a post: permanent (the room or member refuses the bot, or this post
can never go) or transient (Discord's trouble, the network, a rate limit discord.py gave up waiting out)."""

from __future__ import annotations

from collections.abc import Awaitable

import aiohttp
import pytest

from bot.adapters.base import DeliveryError, direct_room
from bot.adapters.discord.delivery import classify
from bot.app import App
from bot.replies import Reply
from tests.adapters.discord.support import bind_channel, running
from tests.fakes import discord_permissions as perm
from tests.fakes.discord_server import FakeDiscord

POST = Reply(text="Reading 3 is open.")


async def failure(send: Awaitable[str]) -> DeliveryError:
    with pytest.raises(DeliveryError) as raised:
        await send
    return raised.value


@pytest.mark.parametrize(
    ("deny", "code_reason"),
    [(perm.SEND_MESSAGES, "may not post here"), (perm.VIEW_CHANNEL, "cannot see this channel")],
)
async def test_a_channel_that_refuses_the_bot_is_a_permanent_failure(
    app: App, fake_discord: FakeDiscord, deny: int, code_reason: str
) -> None:
    async with running(app) as adapter:
        await bind_channel(fake_discord)
        fake_discord.set_overwrite(fake_discord.channel_id, fake_discord.application_id, deny=deny, member=True)
        refused = await failure(adapter.send(str(fake_discord.channel_id), POST, key="post:1"))
    assert refused.permanent and refused.whole_room and code_reason in refused.reason
    assert isinstance(refused.__cause__, Exception) and getattr(refused.__cause__, "status", None) == 403


async def test_a_deleted_channel_is_a_permanent_failure(app: App, fake_discord: FakeDiscord) -> None:
    async with running(app) as adapter:
        await bind_channel(fake_discord)
        fake_discord.delete_channel(fake_discord.channel_id)
        refused = await failure(adapter.send(str(fake_discord.channel_id), POST, key="post:1"))
    assert refused.permanent and refused.whole_room and refused.reason == "the channel no longer exists"


async def test_closed_dms_are_a_permanent_failure(app: App, fake_discord: FakeDiscord) -> None:
    async with running(app) as adapter:
        await bind_channel(fake_discord)
        fake_discord.close_dms(fake_discord.user_id)
        refused = await failure(adapter.send(direct_room(str(fake_discord.user_id)), POST, key="nudge:1"))
    assert refused.permanent and "direct messages" in refused.reason


async def test_a_locked_thread_refuses_that_post_only(app: App, fake_discord: FakeDiscord) -> None:
    async with running(app) as adapter:
        await bind_channel(fake_discord)
        room = str(fake_discord.channel_id)
        await adapter.send(room, Reply(title="Reading 1", text="Open."), key="r:1", thread_key="t1", starts_thread=True)
        [thread] = fake_discord.threads()
        thread["thread_metadata"]["locked"] = True  # a moderator locked the discussion
        refused = await failure(adapter.send(room, POST, key="r:2", thread_key="t1"))
        assert refused.permanent and not refused.whole_room and "locked" in refused.reason
        assert await adapter.send(room, POST, key="r:3")  # the channel itself still takes posts


async def test_a_server_error_is_transient(app: App, fake_discord: FakeDiscord) -> None:
    async with running(app) as adapter:
        await bind_channel(fake_discord)
        path = rf"/channels/{fake_discord.channel_id}/messages"
        fake_discord.outage("POST", path, status=503)
        refused = await failure(adapter.send(str(fake_discord.channel_id), POST, key="post:1"))
        assert not refused.permanent and refused.retry_after is None
        assert await adapter.send(str(fake_discord.channel_id), POST, key="post:1")  # the retry goes out


async def test_a_rate_limit_discord_py_could_not_wait_out_is_transient_with_its_wait(
    app: App, fake_discord: FakeDiscord
) -> None:
    async with running(app) as adapter:
        await bind_channel(fake_discord)
        path = rf"/channels/{fake_discord.channel_id}/messages"
        fake_discord.rate_limit("POST", path, times=50, retry_after=0.01)
        refused = await failure(adapter.send(str(fake_discord.channel_id), POST, key="post:1"))
        limited = [r for r in fake_discord.requests.items if r.path == path and r.status == 429]
        assert len(limited) > 1  # discord.py retried on its own before giving up
    assert not refused.permanent and refused.retry_after is not None and refused.retry_after > 0


def test_network_failures_are_transient() -> None:
    assert classify(aiohttp.ClientConnectionError("refused")) == (
        False,
        "Discord could not be reached (ClientConnectionError)",
        None,
    )
    assert classify(TimeoutError())[0] is False
