"""The Discord adapter's session: the discord.py client, its gateway connection, start and stop.

This package only translates. `tree` turns the command registry into slash commands, `interactions` answers
what members do, `posting` delivers the outbox's posts, `events` mirrors meetings as Guild Scheduled Events and
`render` turns a Reply into messages (pure, tested without Discord).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from typing import Any

import discord
from discord import app_commands

from bot.adapters.base import DIRECT_PREFIX, MeetingEvent
from bot.adapters.discord import events, posting
from bot.adapters.discord.components import CommandButton, CommandSelect
from bot.adapters.discord.delivery import failure_of
from bot.adapters.discord.interactions import Interactions
from bot.adapters.discord.posting import PLATFORM
from bot.adapters.discord.tree import build_commands, new_tree, sync_commands
from bot.app import App
from bot.config import ConfigError
from bot.replies import Reply

log = logging.getLogger(__name__)

DEFER_AFTER = 2.0  # seconds; Discord wants an answer within 3, so slower commands are deferred first


class ReadalongClient(discord.Client):
    """A discord.py client that hands everything to the adapter and tracks whether its gateway is up."""

    def __init__(self, adapter: DiscordAdapter, **options: Any) -> None:
        super().__init__(**options)
        self.adapter = adapter
        self.tree: app_commands.CommandTree = new_tree(self)
        self.down: set[int | None] = set()  # shards (None: the only connection) whose gateway is not connected

    async def setup_hook(self) -> None:
        self.add_dynamic_items(CommandButton, CommandSelect)

    def _sharded(self) -> bool:
        return isinstance(self, discord.AutoShardedClient)

    def _up(self, shard: int | None) -> None:
        if shard in self.down:
            self.down.discard(shard)
            self.adapter.app.reschedule()  # posts that waited in the outbox go out at the dispatcher's next turn

    async def on_disconnect(self) -> None:
        if not self._sharded():
            self.down.add(None)

    async def on_ready(self) -> None:
        if not self._sharded():
            self._up(None)

    async def on_resumed(self) -> None:
        if not self._sharded():
            self._up(None)

    async def on_shard_disconnect(self, shard_id: int) -> None:
        self.down.add(shard_id)

    async def on_shard_ready(self, shard_id: int) -> None:
        self._up(shard_id)

    async def on_shard_resumed(self, shard_id: int) -> None:
        self._up(shard_id)

    def connected_for(self, guild: discord.Guild | None) -> bool:
        if self.is_closed():
            return False
        if self._sharded():
            return (guild.shard_id if guild else 0) not in self.down
        return None not in self.down


class ShardedReadalongClient(ReadalongClient, discord.AutoShardedClient):
    """Used when discord.shard_count > 0."""


class DiscordAdapter:
    platform = PLATFORM

    def __init__(
        self,
        app: App,
        *,
        guild_ready_timeout: float = 2.0,
        ready_timeout: float = 60.0,
        defer_after: float = DEFER_AFTER,
    ) -> None:
        self.app = app
        self.guild_ready_timeout = guild_ready_timeout
        self.ready_timeout = ready_timeout
        self.defer_after = defer_after
        self.interactions = Interactions(self)
        self.client = self._new_client()
        self._gateway: asyncio.Task[None] | None = None

    # ------------------------------------------------------------ lifecycle
    def _new_client(self) -> ReadalongClient:
        settings = self.app.settings.discord
        options: dict[str, Any] = {
            "intents": discord.Intents.default(),  # no privileged intent: slash commands need none
            "guild_ready_timeout": self.guild_ready_timeout,
            "allowed_mentions": discord.AllowedMentions.none(),  # book text must never ping @everyone
        }
        if settings.shard_count > 0:
            client: ReadalongClient = ShardedReadalongClient(self, shard_count=settings.shard_count, **options)
        else:
            client = ReadalongClient(self, **options)
        build_commands(client.tree, self.app, self.interactions)
        return client

    async def start(self) -> None:
        token = self.app.settings.discord.token()
        if self.client.is_closed():
            self.client = self._new_client()
        client = self.client
        try:
            await client.login(token)
        except discord.LoginFailure:
            raise ConfigError(
                f"Discord refused the token in {self.app.settings.discord.token_env}; "
                "copy the bot token again from the Developer Portal (Bot → Reset Token)."
            ) from None
        self._gateway = asyncio.create_task(client.connect(reconnect=True), name="discord-gateway")
        ready = asyncio.create_task(client.wait_until_ready())
        done, _ = await asyncio.wait(
            {self._gateway, ready}, timeout=self.ready_timeout, return_when=asyncio.FIRST_COMPLETED
        )
        if ready not in done:
            ready.cancel()
            if self._gateway.done():
                self._gateway.result()  # raises what stopped the connection
                raise RuntimeError("the Discord connection ended before it was ready")
            await self.stop()
            raise TimeoutError(f"Discord was not ready within {self.ready_timeout:.0f} s")
        await sync_commands(self.app, client)
        log.info("discord: connected as %s to %d guild(s)", client.user, len(client.guilds))

    async def stop(self) -> None:
        await self.client.close()
        if self._gateway is not None:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(self._gateway, 10)
            self._gateway = None

    # ------------------------------------------------------------ the core's port
    async def send(
        self, room_id: str, reply: Reply, *, key: str, thread_key: str | None = None, starts_thread: bool = False
    ) -> str:
        try:
            message_id = await posting.send(
                self.app, self.client, room_id, reply, key=key, thread_key=thread_key, starts_thread=starts_thread
            )
        except Exception as exc:
            raise failure_of(exc) from exc
        if not room_id.startswith(DIRECT_PREFIX):
            try:  # a room's posts follow its meetings: the time to mirror the meetings that moved into the window
                await events.top_up(self.app, self.client, room_id)
            except Exception as exc:  # the post is delivered; the next post tries the calendar again
                log.warning("discord: could not top up the meetings of %s: %s", room_id, exc)
        return message_id

    async def sync_meetings(self, room_id: str, meetings: Sequence[MeetingEvent]) -> None:
        await events.sync_meetings(self.app, self.client, room_id, meetings)


def create_adapter(app: App) -> DiscordAdapter:
    return DiscordAdapter(app)
