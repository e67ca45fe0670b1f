"""A protocol-level fake of Discord (REST API v10 + gateway) for running the real discord.py client.

(Over 400 lines: one server whose routes share its state; the rules it enforces live in ``discord_rules``
and ``discord_permissions``.)

``FakeDiscord`` is an aiohttp server on 127.0.0.1 with a random port. It speaks enough of Discord's REST
API and gateway websocket for discord.py 2.7 to log in, receive READY and GUILD_CREATE, get interactions
and answer them, send and edit messages with files, create threads and scheduled events, sync commands,
and RESUME after a dropped connection. Everything the client asks for is recorded in order so tests can
wait for it (never sleep) and assert on what the bot sent.

Usage::

    from tests.fakes.discord_server import fake_discord  # noqa: F401  (in a conftest)

    async def test_hello(fake_discord):
        bot = make_bot()
        async with running_client(bot):
            handle = fake_discord.slash_command("hello")
            reply = await handle.callback()
            assert reply.content == "Hello!"

State is kept as Discord wire payloads (see ``discord_payloads``); ids are snowflakes near now.

The fake is strict: it refuses what Discord documents it refuses, with Discord's error codes and shapes
(``discord_rules`` for form limits → 400/50035, ``discord_permissions`` for roles and overwrites →
403/50001/50013), enforces the interaction deadlines (3 s initial response, 15 min token) on a clock tests can
move (``advance``), answers 429 for a bucket configured with ``rate_limit``, and refuses DMs to users who
closed them (``close_dms``). The bot's role gets ``bot_permissions`` (default: the README's invite integer);
``set_bot_permissions`` and ``set_overwrite`` change what it may do. Whatever it refuses is recorded like any
other request (``status``/``response``), so tests can assert on the refusal. Deprecated fields Discord still
accepts are listed in ``deprecations``. Injecting a command Discord would not offer that member there
(``default_member_permissions``, ``contexts``) raises ``CommandHidden``.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import datetime as dt
import json
import logging
import math
import re
import secrets
import time
import traceback
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar
from urllib.parse import quote

import discord
import discord.gateway
import discord.http
import pytest_asyncio
import yarl
from aiohttp import WSMsgType, web

from tests.fakes import discord_payloads as P
from tests.fakes import discord_permissions as perm
from tests.fakes import discord_rules as rules

log = logging.getLogger(__name__)

API_PREFIX = "/api/v10"
JSON = "application/json"

# Gateway opcodes
OP_DISPATCH = 0
OP_HEARTBEAT = 1
OP_IDENTIFY = 2
OP_PRESENCE_UPDATE = 3
OP_RESUME = 6
OP_RECONNECT = 7
OP_REQUEST_GUILD_MEMBERS = 8
OP_INVALID_SESSION = 9
OP_HELLO = 10
OP_HEARTBEAT_ACK = 11

# Interaction callback types
CB_PONG = 1
CB_MESSAGE = 4
CB_DEFERRED_MESSAGE = 5
CB_DEFERRED_UPDATE = 6
CB_UPDATE_MESSAGE = 7
CB_AUTOCOMPLETE_RESULT = 8
CB_MODAL = 9

# Gateway intents an event needs, as (guild event intent, direct-message intent).
_GUILDS = 1 << 0
_GUILD_MEMBERS = 1 << 1
_GUILD_PRESENCES = 1 << 8
_GUILD_MESSAGES = 1 << 9
_GUILD_MESSAGE_REACTIONS = 1 << 10
_DIRECT_MESSAGES = 1 << 12
_DIRECT_MESSAGE_REACTIONS = 1 << 13
_MESSAGE_CONTENT = 1 << 15
_GUILD_SCHEDULED_EVENTS = 1 << 16
_GUILD_MESSAGE_POLLS = 1 << 24
_DIRECT_MESSAGE_POLLS = 1 << 25
_EVENT_INTENTS: dict[str, tuple[int, int]] = {
    "GUILD_CREATE": (_GUILDS, _GUILDS),
    "CHANNEL_CREATE": (_GUILDS, _GUILDS),
    "CHANNEL_UPDATE": (_GUILDS, _GUILDS),
    "CHANNEL_DELETE": (_GUILDS, _GUILDS),
    "THREAD_CREATE": (_GUILDS, _GUILDS),
    "THREAD_UPDATE": (_GUILDS, _GUILDS),
    "THREAD_DELETE": (_GUILDS, _GUILDS),
    "GUILD_ROLE_CREATE": (_GUILDS, _GUILDS),
    "GUILD_MEMBER_ADD": (_GUILD_MEMBERS, _GUILD_MEMBERS),
    "GUILD_MEMBER_UPDATE": (_GUILD_MEMBERS, _GUILD_MEMBERS),
    "GUILD_MEMBER_REMOVE": (_GUILD_MEMBERS, _GUILD_MEMBERS),
    "MESSAGE_CREATE": (_GUILD_MESSAGES, _DIRECT_MESSAGES),
    "MESSAGE_UPDATE": (_GUILD_MESSAGES, _DIRECT_MESSAGES),
    "MESSAGE_DELETE": (_GUILD_MESSAGES, _DIRECT_MESSAGES),
    "MESSAGE_DELETE_BULK": (_GUILD_MESSAGES, _DIRECT_MESSAGES),
    "MESSAGE_REACTION_ADD": (_GUILD_MESSAGE_REACTIONS, _DIRECT_MESSAGE_REACTIONS),
    "MESSAGE_REACTION_REMOVE": (_GUILD_MESSAGE_REACTIONS, _DIRECT_MESSAGE_REACTIONS),
    "MESSAGE_POLL_VOTE_ADD": (_GUILD_MESSAGE_POLLS, _DIRECT_MESSAGE_POLLS),
    "MESSAGE_POLL_VOTE_REMOVE": (_GUILD_MESSAGE_POLLS, _DIRECT_MESSAGE_POLLS),
    "GUILD_SCHEDULED_EVENT_CREATE": (_GUILD_SCHEDULED_EVENTS, _GUILD_SCHEDULED_EVENTS),
    "GUILD_SCHEDULED_EVENT_UPDATE": (_GUILD_SCHEDULED_EVENTS, _GUILD_SCHEDULED_EVENTS),
    "GUILD_SCHEDULED_EVENT_DELETE": (_GUILD_SCHEDULED_EVENTS, _GUILD_SCHEDULED_EVENTS),
}

_MENTION = re.compile(r"<@!?(\d+)>")
_FILE_FIELD = re.compile(r"files\[(\d+)\]")

T = TypeVar("T")


# --------------------------------------------------------------------------------------------------
# Records


@dataclass(frozen=True)
class RecordedFile:
    """One uploaded file of a multipart request."""

    field: str
    filename: str
    content_type: str
    data: bytes


@dataclass
class RecordedRequest:
    """One REST request the client made, with the fake's answer.

    ``path`` is relative to ``/api/v10`` (``/channels/1/messages``); ``json`` is the JSON body, or the
    ``payload_json`` part of a multipart body; ``files`` are the multipart file parts in order.
    """

    index: int
    method: str
    path: str
    query: dict[str, str]
    json: Any
    files: list[RecordedFile]
    reason: str | None = None
    status: int = 0
    response: Any = None
    unknown_route: bool = False

    @property
    def body(self) -> dict[str, Any]:
        """The message-like part of the body: ``data`` of an interaction callback, else the body."""
        body = self.json if isinstance(self.json, dict) else {}
        if "type" in body and isinstance(body.get("data"), dict):
            return body["data"]
        return body

    @property
    def data(self) -> dict[str, Any]:
        """``data`` of an interaction callback (empty for types 5 and 6 without data)."""
        body = self.json if isinstance(self.json, dict) else {}
        return body.get("data") or {}

    @property
    def callback_type(self) -> int | None:
        body = self.json if isinstance(self.json, dict) else {}
        return body.get("type")

    @property
    def content(self) -> str | None:
        return self.body.get("content")

    @property
    def flags(self) -> int:
        return self.body.get("flags") or 0

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & P.EPHEMERAL)

    def __str__(self) -> str:
        return f"{self.method} {self.path} -> {self.status}"


@dataclass(frozen=True)
class GatewayFrame:
    """One frame the client sent on the gateway."""

    op: int
    data: Any
    session_id: str | None


class Journal(Generic[T]):
    """An append-only list that coroutines can wait on."""

    def __init__(self, what: str) -> None:
        self.items: list[T] = []
        self._what = what
        self._changed = asyncio.Event()

    def append(self, item: T) -> None:
        self.items.append(item)
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_for(self, predicate: Callable[[T], bool], *, timeout: float, since: int = 0) -> T:  # noqa: ASYNC109
        index = since
        try:
            async with asyncio.timeout(timeout):
                while True:
                    while index < len(self.items):
                        item = self.items[index]
                        index += 1
                        if predicate(item):
                            return item
                    await self._changed.wait()
        except TimeoutError:
            recent = "\n  ".join(str(item) for item in self.items[since:][-25:]) or "(nothing)"
            raise AssertionError(
                f"no matching {self._what} within {timeout}s; recorded since #{since}:\n  {recent}"
            ) from None


# --------------------------------------------------------------------------------------------------
# Fake state


@dataclass(frozen=True)
class Opt:
    """An explicitly typed slash-command option value, e.g. ``Opt(P.USER, member_id)``."""

    type: int
    value: Any


@dataclass
class FakeGuild:
    id: int
    name: str
    owner_id: int
    roles: dict[int, dict[str, Any]] = field(default_factory=dict)
    channel_ids: list[int] = field(default_factory=list)
    members: dict[int, dict[str, Any]] = field(default_factory=dict)
    # Explicit member permissions (as in ``interaction.member.permissions``); otherwise computed from roles.
    permission_overrides: dict[int, int] = field(default_factory=dict)
    scheduled_events: dict[int, dict[str, Any]] = field(default_factory=dict)
    locale: str = "en-US"
    bot_role_id: int = 0


@dataclass
class FakeInteraction:
    """An interaction the fake sent, and how the bot answered it."""

    payload: dict[str, Any]
    created: _Stamp
    callback: RecordedRequest | None = None
    original_message_id: int | None = None
    choices: list[dict[str, Any]] | None = None
    modal: dict[str, Any] | None = None
    expired: bool = False

    @property
    def id(self) -> int:
        return int(self.payload["id"])

    @property
    def token(self) -> str:
        return self.payload["token"]


@dataclass(eq=False)
class _Connection:
    ws: web.WebSocketResponse
    request: web.Request
    queue: asyncio.Queue[dict[str, Any] | None] = field(default_factory=asyncio.Queue)
    session: _Session | None = None
    dropped: bool = False


@dataclass(eq=False)
class _Session:
    session_id: str
    shard: tuple[int, int]
    intents: int
    seq: int = 0
    frames: list[dict[str, Any]] = field(default_factory=list)
    conn: _Connection | None = None
    resumes: int = 0

    @property
    def connected(self) -> bool:
        return self.conn is not None


class ApiError(Exception):
    """Answered as Discord's JSON error body."""

    def __init__(self, status: int, message: str, code: int = 0, body: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.body = body or P.error(message, code, status)

    @classmethod
    def form(cls, errors: rules.FormErrors) -> ApiError:
        """docs: Reference › Error Messages — HTTP 400, code 50035 "Invalid Form Body", nested field errors."""
        return cls(400, "Invalid Form Body", 50035, errors.body())


def _raise_form(errors: rules.FormErrors) -> None:
    if errors:
        raise ApiError.form(errors)


class CommandHidden(AssertionError):
    """Discord would not offer this command to this member here (default_member_permissions, contexts)."""


@dataclass(frozen=True)
class _Stamp:
    """When something happened, on both clocks: real time passing and the fake's movable wall clock."""

    monotonic: float
    wall: dt.datetime


@dataclass
class RateLimitRule:
    """Answer the next ``times`` requests matching ``method`` and ``path`` with 429 (see ``rate_limit``)."""

    method: str
    path: re.Pattern[str]
    times: int
    retry_after: float
    bucket: str
    limit: int
    served: int = 0


@dataclass
class OutageRule:
    """Answer the next ``times`` requests matching ``method`` and ``path`` with a 5xx (see ``outage``)."""

    method: str
    path: re.Pattern[str]
    times: int
    status: int
    served: int = 0


def _not_found(what: str, code: int) -> ApiError:
    return ApiError(404, f"Unknown {what}", code)


Handler = Callable[..., Awaitable[tuple[int, Any]]]


# --------------------------------------------------------------------------------------------------
# Interaction handle


class InteractionHandle:
    """What a test gets back from injecting an interaction: wait here for the bot's answers."""

    def __init__(self, fake: FakeDiscord, interaction: FakeInteraction) -> None:
        self._fake = fake
        self.interaction = interaction
        self.payload = interaction.payload
        self.id = interaction.id
        self.token = interaction.token

    def __repr__(self) -> str:
        return f"<InteractionHandle id={self.id} type={self.payload['type']}>"

    async def callback(self, timeout: float = 10.0) -> RecordedRequest:  # noqa: ASYNC109
        """The ``POST /interactions/{id}/{token}/callback`` request (the initial response)."""
        return await self._fake.wait_for_callback(self.id, timeout=timeout)

    async def followup(self, timeout: float = 10.0, *, index: int = 0) -> RecordedRequest:  # noqa: ASYNC109
        """The ``index``-th followup message (``POST /webhooks/{app}/{token}``)."""
        path = f"/webhooks/{self._fake.application_id}/{self.token}"
        seen: list[RecordedRequest] = []

        def match(req: RecordedRequest) -> bool:
            if req.method == "POST" and req.path == path:
                seen.append(req)
            return len(seen) > index

        await self._fake.wait_for(match, timeout=timeout)
        return seen[index]

    async def original_edit(self, timeout: float = 10.0) -> RecordedRequest:  # noqa: ASYNC109
        """The first ``PATCH .../messages/@original`` (e.g. the answer after ``defer()``)."""
        path = f"/webhooks/{self._fake.application_id}/{self.token}/messages/@original"
        return await self._fake.wait_for(lambda r: r.method == "PATCH" and r.path == path, timeout=timeout)

    async def request(
        self,
        predicate: Callable[[RecordedRequest], bool] | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> RecordedRequest:
        """Any request made with this interaction's token (callback, followups, edits)."""
        return await self._fake.wait_for(
            lambda r: self.token in r.path and (predicate is None or predicate(r)), timeout=timeout
        )

    async def choices(self, timeout: float = 10.0) -> list[dict[str, Any]]:  # noqa: ASYNC109
        """The autocomplete choices the bot answered with (callback type 8)."""
        req = await self.callback(timeout)
        assert req.callback_type == CB_AUTOCOMPLETE_RESULT, f"callback type {req.callback_type}, not 8"
        return req.data.get("choices", [])

    @property
    def response_message(self) -> dict[str, Any] | None:
        """The current state of the original response message, if there is one."""
        mid = self.interaction.original_message_id
        return None if mid is None else self._fake.messages.get(mid)


# --------------------------------------------------------------------------------------------------
# The fake


class FakeDiscord:
    """A local Discord: REST under ``/api/v10``, gateway websocket at ``/``, files under ``/attachments``.

    A default guild (``guild_id``) with a ``#general`` text channel (``channel_id``) and one member
    (``user_id``, "reader") is created unless ``default_guild=False``.

    Configuration: ``bot_permissions`` is what the bot's role grants in every guild the fake adds (default: the
    README's invite integer); ``clock`` is the fake's wall clock (default: the real UTC time; pass an app's
    ``ManualClock.now`` so "in the future" agrees with the bot); ``advance(seconds)`` moves it forward.
    Interaction deadlines count the larger of real time passed and wall-clock time passed.
    """

    # docs: Interactions › Receiving and Responding › Interaction Callback ("you must send an initial response
    # within 3 seconds of receiving the event") and Followup Messages ("tokens are valid for 15 minutes")
    response_window = 3.0
    token_lifetime = 15 * 60.0
    # docs: Resources › Message › Create Message (enforce_nonce: "checked for uniqueness in the past few minutes")
    nonce_window = 5 * 60.0
    # docs: Topics › Opcodes and Status Codes › JSON Error Codes (30038: maximum number of uncompleted guild
    # scheduled events reached (100))
    max_uncompleted_events = 100

    def __init__(
        self,
        *,
        bot_name: str = "Readalong",
        shard_count: int = 1,
        heartbeat_interval_ms: int = 41_250,
        default_guild: bool = True,
        bot_permissions: int = perm.README_INVITE,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.bot_permissions = bot_permissions
        self.clock = clock
        self.time_offset = 0.0
        self.dm_closed: set[int] = set()
        self.command_permissions: dict[tuple[int, str], list[dict[str, Any]]] = {}
        self.rate_limits: list[RateLimitRule] = []
        self.outages: list[OutageRule] = []
        self.deprecations: list[str] = []  # deprecated fields the bot sent (accepted, as Discord does)
        self._nonces: dict[tuple[int, str], tuple[_Stamp, int]] = {}
        self._ids = P.SnowflakeGenerator()
        self.shard_count = shard_count
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.application_id = self._ids.next()
        self.bot_user = P.user(self.application_id, bot_name, bot=True)
        self.users: dict[int, dict[str, Any]] = {self.application_id: self.bot_user}
        self.guilds: dict[int, FakeGuild] = {}
        self.channels: dict[int, dict[str, Any]] = {}
        self.messages: dict[int, dict[str, Any]] = {}
        self._channel_messages: dict[int, list[int]] = {}
        self.attachments: dict[int, tuple[str, str, bytes]] = {}
        self.interactions: dict[int, FakeInteraction] = {}
        self._by_token: dict[str, FakeInteraction] = {}
        self.global_commands: dict[tuple[str, int], dict[str, Any]] = {}
        self.guild_commands: dict[int, dict[tuple[str, int], dict[str, Any]]] = {}
        self.requests: Journal[RecordedRequest] = Journal("request")
        self.gateway_frames: Journal[GatewayFrame] = Journal("gateway frame")
        self.sessions: dict[str, _Session] = {}
        self.server_errors: list[str] = []
        self._connections: set[_Connection] = set()
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self._runner: web.AppRunner | None = None
        self._port = 0
        self._gateway_open = asyncio.Event()
        self._gateway_open.set()
        self._add_routes()

        self.guild_id = 0
        self.channel_id = 0
        self.user_id = 0
        if default_guild:
            self.guild_id = self.add_guild("Readalong Test Guild")
            self.channel_id = self.add_channel("general")
            self.user_id = self.add_member(None, "reader")

    # ---- lifecycle ------------------------------------------------------------------------------

    async def start(self) -> FakeDiscord:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle_http)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        for conn in list(self._connections):
            conn.queue.put_nowait(None)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.ws.close(code=1001), 2.0)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    @property
    def api_base(self) -> str:
        return self.url + API_PREFIX

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self._port}/"

    @contextlib.contextmanager
    def redirect(self) -> Iterator[None]:
        """Point discord.py's process-wide REST base and gateway URL here; restore them afterwards."""
        old_base = discord.http.Route.BASE
        old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
        discord.http.Route.BASE = self.api_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self.gateway_url)
        try:
            yield
        finally:
            discord.http.Route.BASE = old_base
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway

    # ---- clock and configuration ----------------------------------------------------------------

    def now(self) -> dt.datetime:
        """The fake's wall clock: ``clock()`` (or the real time) moved by ``advance``."""
        base = self.clock() if self.clock is not None else dt.datetime.now(dt.UTC)
        return base + dt.timedelta(seconds=self.time_offset)

    def advance(self, seconds: float) -> None:
        """Move the fake's clock forward, e.g. past an interaction's 3 s or 15 min, without waiting."""
        self.time_offset += seconds

    def _stamp(self) -> _Stamp:
        return _Stamp(time.monotonic(), self.now())

    def _elapsed(self, since: _Stamp) -> float:
        """Seconds since ``since``: real time passed or the wall clock's move, whichever is larger."""
        return max(time.monotonic() - since.monotonic, (self.now() - since.wall).total_seconds())

    def set_bot_permissions(self, permissions: int, *, guild_id: int | None = None) -> None:
        """What the bot's own role grants in a guild (as if re-invited with another permissions integer)."""
        guild = self._guild(guild_id)
        role = guild.roles[guild.bot_role_id]
        role["permissions"] = str(permissions)
        self.dispatch("GUILD_ROLE_UPDATE", {"guild_id": str(guild.id), "role": role}, guild_id=guild.id)

    def set_overwrite(
        self, channel_id: int, target_id: int, *, allow: int = 0, deny: int = 0, member: bool = False
    ) -> None:
        """A channel permission overwrite for a role (``target_id`` = the guild id for @everyone) or a
        member (``member=True``). docs: Resources › Channel › Overwrite Object."""
        channel = self._channel(channel_id)
        kept = [o for o in channel["permission_overwrites"] if o["id"] != str(target_id)]
        kept.append({"id": str(target_id), "type": 1 if member else 0, "allow": str(allow), "deny": str(deny)})
        channel["permission_overwrites"] = kept
        self.dispatch("CHANNEL_UPDATE", channel, guild_id=self._guild_of(channel_id))

    def set_command_permissions(
        self, name: str, target_id: int, *, allow: bool = True, member: bool = False, guild_id: int | None = None
    ) -> None:
        """What a server admin sets in Server Settings › Integrations: a top-level command allowed or denied for
        a role (``target_id`` = the guild id for @everyone) or a member (``member=True``). Bots cannot set these
        (docs: Interactions › Application Commands › Permissions: "Application command permissions" can only be
        updated with a Bearer token of a user who may manage the guild and its roles)."""
        gid = self._guild(guild_id).id
        kept = [p for p in self.command_permissions.get((gid, name), []) if p["id"] != str(target_id)]
        kept.append({"id": str(target_id), "type": 2 if member else 1, "permission": allow})
        self.command_permissions[(gid, name)] = kept

    def close_dms(self, user_id: int) -> None:
        """The user does not accept DMs from this bot: sending to their DM channel answers 50007."""
        self.dm_closed.add(user_id)

    def delete_channel(self, channel_id: int) -> None:
        """The channel is deleted (CHANNEL_DELETE); requests to it answer 10003 Unknown Channel."""
        channel = self._channel(channel_id)
        gid = self._guild_of(channel_id)
        del self.channels[channel_id]
        if gid is not None:
            self.guilds[gid].channel_ids.remove(channel_id)
        self.dispatch("THREAD_DELETE" if channel["type"] in P.THREAD_TYPES else "CHANNEL_DELETE", channel, guild_id=gid)

    def rate_limit(
        self,
        method: str,
        path: str,
        *,
        times: int = 1,
        retry_after: float = 0.2,
        bucket: str = "fake-bucket",
        limit: int = 5,
    ) -> RateLimitRule:
        """Answer the next ``times`` requests of ``method`` whose path fully matches the regex ``path`` with
        429 and Discord's headers (docs: Topics › Rate Limits › Header Format, Exceeding A Rate Limit)."""
        rule = RateLimitRule(method, re.compile(path), times, retry_after, bucket, limit)
        self.rate_limits.append(rule)
        return rule

    def outage(self, method: str, path: str, *, times: int = 1, status: int = 503) -> OutageRule:
        """Answer the next ``times`` requests of ``method`` whose path fully matches the regex ``path`` with a
        server error (docs: Topics › Opcodes and Status Codes › HTTP Response Codes: "5xx: the server had an
        error processing your request (these are rare)"). discord.py retries 500, 502, 504 and 524 itself with
        seconds of sleep; 503 it raises at once."""
        rule = OutageRule(method, re.compile(path), times, status)
        self.outages.append(rule)
        return rule

    # ---- state helpers --------------------------------------------------------------------------

    def add_guild(self, name: str = "Guild", *, guild_id: int | None = None, owner_id: int | None = None) -> int:
        """Add a guild with an @everyone role and the bot as a member whose managed role grants
        ``bot_permissions``."""
        gid = guild_id or self._ids.next(new_millisecond=True)
        guild = FakeGuild(gid, name, owner_id or self._ids.next())
        guild.roles[gid] = P.role(gid, "@everyone", permissions=P.EVERYONE_PERMISSIONS, position=0)
        self.guilds[gid] = guild
        bot_role = self._ids.next()
        guild.roles[bot_role] = P.role(
            bot_role, self.bot_user["username"], permissions=self.bot_permissions, position=1, managed=True
        )
        guild.bot_role_id = bot_role
        guild.members[self.application_id] = P.member(self.bot_user, roles=[bot_role])
        if self.sessions:
            self.dispatch("GUILD_CREATE", self._guild_create(guild), guild_id=gid)
        return gid

    def add_role(
        self, name: str, permissions: int = 0, *, guild_id: int | None = None, role_id: int | None = None
    ) -> int:
        guild = self._guild(guild_id)
        rid = role_id or self._ids.next()
        guild.roles[rid] = P.role(rid, name, permissions=permissions, position=len(guild.roles))
        self.dispatch("GUILD_ROLE_CREATE", {"guild_id": str(guild.id), "role": guild.roles[rid]}, guild_id=guild.id)
        return rid

    def add_channel(
        self,
        name: str,
        *,
        type: int = P.GUILD_TEXT,
        guild_id: int | None = None,
        parent_id: int | None = None,
        topic: str | None = None,
        channel_id: int | None = None,
    ) -> int:
        guild = self._guild(guild_id)
        cid = channel_id or self._ids.next()
        payload = P.channel(
            cid,
            name,
            guild_id=guild.id,
            type=type,
            position=len(guild.channel_ids),
            parent_id=parent_id,
            topic=topic,
        )
        self.channels[cid] = payload
        guild.channel_ids.append(cid)
        self.dispatch("CHANNEL_CREATE", payload, guild_id=guild.id)
        return cid

    def add_member(
        self,
        user_id: int | None = None,
        name: str = "reader",
        roles: list[int] | tuple[int, ...] = (),
        permissions: int | None = None,
        *,
        guild_id: int | None = None,
        nick: str | None = None,
        bot: bool = False,
    ) -> int:
        """Add a user to a guild. ``permissions`` fixes ``member.permissions`` in interactions;
        without it they are computed from @everyone and ``roles`` (administrator means all)."""
        guild = self._guild(guild_id)
        uid = user_id or self._ids.next()
        user = self.users.setdefault(uid, P.user(uid, name, bot=bot))
        guild.members[uid] = P.member(user, roles=list(roles), nick=nick)
        if permissions is not None:
            guild.permission_overrides[uid] = permissions
        self.dispatch("GUILD_MEMBER_ADD", {**guild.members[uid], "guild_id": str(guild.id)}, guild_id=guild.id)
        return uid

    def add_user(self, user_id: int | None = None, name: str = "stranger") -> int:
        """A user who shares no guild with the bot (for DMs)."""
        uid = user_id or self._ids.next()
        self.users.setdefault(uid, P.user(uid, name))
        return uid

    def permissions_of(self, user_id: int, guild_id: int | None = None, channel_id: int | None = None) -> int:
        """A member's permissions in the guild, or in a channel (its overwrites; a thread: its parent's).
        ``add_member(permissions=...)`` fixes the guild-level base; overwrites still apply."""
        guild = self._guild(guild_id)
        member = guild.members.get(user_id)
        roles = list(member["roles"]) if member else []
        if user_id in guild.permission_overrides:
            base = guild.permission_overrides[user_id]
            base = P.ALL_PERMISSIONS if base & perm.ADMINISTRATOR else base
        else:
            base = perm.base_permissions(guild.id, guild.owner_id, guild.roles, user_id, roles)
        if channel_id is None or channel_id not in self.channels:
            return base
        channel = self.channels[channel_id]
        thread = channel["type"] in P.THREAD_TYPES
        source = self.channels.get(int(channel["parent_id"]), channel) if thread else channel
        return perm.overwritten(
            base, guild.id, user_id, roles, source.get("permission_overwrites") or [], thread=thread
        )

    def upload(self, filename: str, data: bytes, *, content_type: str | None = None) -> dict[str, Any]:
        """Store bytes as an attachment served by the fake; use it as a slash-command option value or in
        ``post_message(attachments=...)``. ``discord.Attachment.read()`` fetches it from here."""
        aid = self._ids.next()
        ctype = content_type or P.guess_content_type(filename)
        self.attachments[aid] = (filename, ctype, data)
        return P.attachment(aid, filename, data, url=self._attachment_url(aid, filename), content_type=ctype)

    def commands(self, guild_id: int | None = None) -> list[dict[str, Any]]:
        """Application commands the bot registered (global, or for one guild)."""
        store = self.global_commands if guild_id is None else self.guild_commands.get(guild_id, {})
        return list(store.values())

    def channel_messages(self, channel_id: int | None = None) -> list[dict[str, Any]]:
        """Messages in a channel, oldest first (includes ephemeral interaction responses)."""
        ids = self._channel_messages.get(channel_id or self.channel_id, [])
        return [self.messages[m] for m in ids if m in self.messages]

    def threads(self, guild_id: int | None = None) -> list[dict[str, Any]]:
        guild = self._guild(guild_id)
        return [self.channels[c] for c in guild.channel_ids if self.channels[c]["type"] in P.THREAD_TYPES]

    def scheduled_events(self, guild_id: int | None = None) -> list[dict[str, Any]]:
        return list(self._guild(guild_id).scheduled_events.values())

    # ---- waiting --------------------------------------------------------------------------------

    def mark(self) -> int:
        """Index of the next request; pass as ``since=`` to wait only for later requests."""
        return len(self.requests.items)

    async def wait_for(
        self,
        predicate: Callable[[RecordedRequest], bool],
        *,
        timeout: float = 10.0,  # noqa: ASYNC109
        since: int = 0,
    ) -> RecordedRequest:
        """The first recorded request (from index ``since``) matching ``predicate``, waiting for it."""
        return await self.requests.wait_for(predicate, timeout=timeout, since=since)

    async def wait_for_request(
        self,
        method: str,
        path: str,
        *,
        timeout: float = 10.0,  # noqa: ASYNC109
        since: int = 0,
    ) -> RecordedRequest:
        """The first request with this method whose path fully matches the regex ``path``."""
        pattern = re.compile(path)
        return await self.wait_for(
            lambda r: r.method == method and pattern.fullmatch(r.path) is not None,
            timeout=timeout,
            since=since,
        )

    async def wait_for_callback(self, interaction_id: int, *, timeout: float = 10.0) -> RecordedRequest:  # noqa: ASYNC109
        prefix = f"/interactions/{interaction_id}/"
        return await self.wait_for(
            lambda r: r.method == "POST" and r.path.startswith(prefix) and r.path.endswith("/callback"),
            timeout=timeout,
        )

    async def wait_for_gateway(
        self,
        predicate: Callable[[GatewayFrame], bool],
        *,
        timeout: float = 10.0,  # noqa: ASYNC109
        since: int = 0,
    ) -> GatewayFrame:
        """The first frame the client sent on the gateway matching ``predicate``."""
        return await self.gateway_frames.wait_for(predicate, timeout=timeout, since=since)

    @property
    def unknown_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests.items if r.unknown_route]

    # ---- gateway: dispatching -------------------------------------------------------------------

    def dispatch(self, event: str, data: dict[str, Any], *, guild_id: int | None = None) -> None:
        """Send a DISPATCH to every live session on the guild's shard (DMs: shard 0). Sessions whose
        connection dropped buffer it and get it on RESUME. Intents filter as Discord does."""
        for session in list(self.sessions.values()):
            shard_id, shard_count = session.shard
            target = 0 if guild_id is None else (guild_id >> 22) % shard_count
            if target != shard_id or not self._intended(session, event, data, guild_id):
                continue
            payload = copy.deepcopy(data)
            if event == "GUILD_CREATE":
                payload = self._guild_create_for(session, payload)
            if event in ("MESSAGE_CREATE", "MESSAGE_UPDATE") and not self._sees_content(session, data):
                payload.pop("poll", None)
                for key in ("content", "embeds", "attachments", "components"):
                    if key in payload:
                        payload[key] = "" if key == "content" else []
            self._emit(session, event, payload)

    def _guild_create_for(self, session: _Session, payload: dict[str, Any]) -> dict[str, Any]:
        """docs: Topics › Gateway › Privileged Intents — without GUILD_MEMBERS, GUILD_CREATE lists only the bot's
        own member (and members in voice, none here); without GUILD_PRESENCES, no presences."""
        if not session.intents & _GUILD_MEMBERS:
            payload["members"] = [m for m in payload["members"] if m["user"]["id"] == str(self.application_id)]
        if not session.intents & _GUILD_PRESENCES:
            payload["presences"] = []
        return payload

    def _intended(self, session: _Session, event: str, data: dict[str, Any], guild_id: int | None) -> bool:
        needed = _EVENT_INTENTS.get(event)
        if needed is None:
            return True
        return bool(session.intents & needed[0 if guild_id is not None else 1])

    def _sees_content(self, session: _Session, message: dict[str, Any]) -> bool:
        if session.intents & _MESSAGE_CONTENT or "guild_id" not in message:
            return True
        author = message.get("author", {}).get("id")
        mentioned = any(m["id"] == str(self.application_id) for m in message.get("mentions", []))
        return author == str(self.application_id) or mentioned

    def _emit(self, session: _Session, event: str, data: dict[str, Any]) -> None:
        session.seq += 1
        frame = {"op": OP_DISPATCH, "t": event, "s": session.seq, "d": data}
        session.frames.append(frame)
        if session.conn is not None:
            session.conn.queue.put_nowait(frame)

    async def drop_gateway(self, *, code: int | None = 4000, hold: bool = False) -> None:
        """Close every gateway connection but keep the sessions, so clients RESUME. Events dispatched
        from now until the RESUME are replayed then. ``code=None`` aborts the TCP connection instead.
        ``hold=True`` keeps new gateway connections waiting until ``release_gateway()`` (an outage)."""
        if hold:
            self._gateway_open.clear()
        conns = [c for c in self._connections if c.session is not None]
        for conn in conns:
            conn.dropped = True
            if conn.session is not None and conn.session.conn is conn:
                conn.session.conn = None
            conn.queue.put_nowait(None)
        for conn in conns:
            if code is None:
                if conn.request.transport is not None:
                    conn.request.transport.abort()
            else:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(conn.ws.close(code=code, message=b"dropped by test"), 5.0)

    def release_gateway(self) -> None:
        """End an outage started with ``drop_gateway(hold=True)``: waiting clients connect and RESUME."""
        self._gateway_open.set()

    def invalidate_sessions(self) -> None:
        """Forget all sessions: a client's next RESUME gets INVALID_SESSION and must IDENTIFY again."""
        self.sessions.clear()

    # ---- gateway: connection --------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.StreamResponse:
        await self._gateway_open.wait()
        ws = web.WebSocketResponse(autoping=True, max_msg_size=0, timeout=5.0)
        await ws.prepare(request)
        conn = _Connection(ws, request)
        self._connections.add(conn)
        conn.queue.put_nowait({"op": OP_HELLO, "d": {"heartbeat_interval": self.heartbeat_interval_ms}})
        writer = asyncio.create_task(self._write_frames(conn))
        try:
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    self._on_frame(conn, json.loads(msg.data))
        finally:
            conn.queue.put_nowait(None)
            await writer
            self._connections.discard(conn)
            session = conn.session
            if session is not None and session.conn is conn:
                session.conn = None
                if not conn.dropped and ws.close_code in (1000, 1001):
                    # A client closing cleanly ends its session, as on Discord.
                    self.sessions.pop(session.session_id, None)
        return ws

    async def _write_frames(self, conn: _Connection) -> None:
        while (frame := await conn.queue.get()) is not None:
            try:
                await conn.ws.send_str(json.dumps(frame))
            except (ConnectionError, RuntimeError):
                return

    def _on_frame(self, conn: _Connection, frame: dict[str, Any]) -> None:
        op, data = frame.get("op"), frame.get("d")
        if op == OP_IDENTIFY:
            self._identify(conn, data)
        elif op == OP_RESUME:
            self._resume(conn, data)
        self.gateway_frames.append(GatewayFrame(op, data, conn.session.session_id if conn.session else None))
        if op == OP_HEARTBEAT:
            conn.queue.put_nowait({"op": OP_HEARTBEAT_ACK})
        elif op == OP_REQUEST_GUILD_MEMBERS and conn.session is not None:
            self._members_chunk(conn.session, data)

    def _identify(self, conn: _Connection, data: dict[str, Any]) -> None:
        shard_id, shard_count = data.get("shard") or (0, 1)
        session = _Session(uuid.uuid4().hex, (shard_id, shard_count), data.get("intents", 0))
        self.sessions[session.session_id] = session
        session.conn, conn.session = conn, session
        mine = [g for g in self.guilds.values() if (g.id >> 22) % shard_count == shard_id]
        # docs: Topics › Gateway Events › Ready (v, user, guilds as unavailable guilds, session_id,
        # resume_gateway_url, shard, partial application); the user-client fields (relationships,
        # user_settings, private_channels …) are not sent to bots.
        ready = {
            "v": 10,
            "user": {**self.bot_user, "verified": True, "mfa_enabled": False},
            "guilds": [{"id": str(g.id), "unavailable": True} for g in mine],
            "session_id": session.session_id,
            "resume_gateway_url": self.gateway_url,
            "shard": [shard_id, shard_count],
            "application": {"id": str(self.application_id), "flags": 0},
        }
        self._emit(session, "READY", ready)
        for guild in mine:
            self._emit(session, "GUILD_CREATE", self._guild_create_for(session, self._guild_create(guild)))

    def _resume(self, conn: _Connection, data: dict[str, Any]) -> None:
        session = self.sessions.get(data.get("session_id", ""))
        if session is None:
            conn.queue.put_nowait({"op": OP_INVALID_SESSION, "d": False})
            return
        if session.conn is not None and session.conn is not conn:
            session.conn.dropped = True
            session.conn.queue.put_nowait(None)
        session.conn, conn.session = conn, session
        session.resumes += 1
        seq = data.get("seq") or 0
        for frame in session.frames:
            if frame["s"] > seq:
                conn.queue.put_nowait(frame)
        self._emit(session, "RESUMED", {})

    def _members_chunk(self, session: _Session, data: dict[str, Any]) -> None:
        guild = self.guilds.get(int(data["guild_id"]))
        if guild is None:
            return
        query = (data.get("query") or "").lower()
        wanted = {int(u) for u in data.get("user_ids") or []}
        members = [
            m
            for uid, m in guild.members.items()
            if (not wanted or uid in wanted) and m["user"]["username"].lower().startswith(query)
        ]
        limit = data.get("limit") or 0
        chunk = {
            "guild_id": str(guild.id),
            "members": members[:limit] if limit else members,
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [],
            "nonce": data.get("nonce"),
        }
        self._emit(session, "GUILD_MEMBERS_CHUNK", chunk)

    def _guild_create(self, guild: FakeGuild) -> dict[str, Any]:
        channels = [self.channels[c] for c in guild.channel_ids]
        return {
            "id": str(guild.id),
            "name": guild.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(guild.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False,
            "preferred_locale": guild.locale,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "vanity_url_code": None,
            "features": [],
            "roles": list(guild.roles.values()),
            "emojis": [],
            "stickers": [],
            "joined_at": P.iso_now(),
            "large": False,
            "unavailable": False,
            "member_count": len(guild.members),
            "members": list(guild.members.values()),
            "channels": [c for c in channels if c["type"] not in P.THREAD_TYPES],
            "threads": [c for c in channels if c["type"] in P.THREAD_TYPES],
            "presences": [],
            "voice_states": [],
            "stage_instances": [],
            "guild_scheduled_events": list(guild.scheduled_events.values()),
            "soundboard_sounds": [],
        }

    # ---- injecting user actions -----------------------------------------------------------------

    def post_message(
        self,
        content: str = "",
        *,
        user_id: int | None = None,
        channel_id: int | None = None,
        attachments: list[dict[str, Any]] | None = None,
        reply_to: int | None = None,
    ) -> dict[str, Any]:
        """A member writes in a channel (MESSAGE_CREATE). ``attachments`` come from ``upload()``."""
        uid = user_id or self.user_id
        body: dict[str, Any] = {"content": content}
        if reply_to is not None:
            body["message_reference"] = {"message_id": str(reply_to)}
        return self._create_message(
            channel_id or self.channel_id, self.users[uid], body, [], attachments=attachments or []
        )

    def react(self, message_id: int, emoji: str, *, user_id: int | None = None) -> None:
        """A member adds a reaction (MESSAGE_REACTION_ADD)."""
        msg = self._message(message_id)
        uid = user_id or self.user_id
        self._add_reaction(msg, emoji, uid)

    def vote_poll(self, message_id: int, answer_id: int, *, user_id: int | None = None) -> None:
        """A member votes on a poll (MESSAGE_POLL_VOTE_ADD)."""
        msg = self._message(message_id)
        channel = self.channels[int(msg["channel_id"])]
        data = {
            "user_id": str(user_id or self.user_id),
            "channel_id": msg["channel_id"],
            "message_id": msg["id"],
            "answer_id": answer_id,
        }
        gid = channel.get("guild_id")
        if gid:
            data["guild_id"] = gid
        self.dispatch("MESSAGE_POLL_VOTE_ADD", data, guild_id=int(gid) if gid else None)

    def slash_command(
        self,
        name: str,
        options: dict[str, Any] | None = None,
        *,
        user_id: int | None = None,
        channel_id: int | None = None,
        locale: str = "en-US",
        command_guild_id: int | None = None,
    ) -> InteractionHandle:
        """Run a chat-input command. ``name`` may hold a subcommand group and subcommand, space-separated
        ("club plan add"). Option values: str, int, float, bool, an ``upload()`` attachment, or ``Opt``
        (``Opt(P.USER, id)``, ``Opt(P.CHANNEL, id)``, ``Opt(P.ROLE, id)``). Raises ``CommandHidden`` when the
        registered command is not offered to this member in this channel."""
        data = self._command_data(
            name, options, focused=None, channel_id=channel_id, command_guild_id=command_guild_id, user_id=user_id
        )
        return self._interact(P.APPLICATION_COMMAND, data, user_id=user_id, channel_id=channel_id, locale=locale)

    def autocomplete(
        self,
        name: str,
        options: dict[str, Any],
        focused: str,
        *,
        user_id: int | None = None,
        channel_id: int | None = None,
        locale: str = "en-US",
        command_guild_id: int | None = None,
    ) -> InteractionHandle:
        """Type into option ``focused`` of a command (APPLICATION_COMMAND_AUTOCOMPLETE); await
        ``handle.choices()``."""
        data = self._command_data(
            name, options, focused=focused, channel_id=channel_id, command_guild_id=command_guild_id, user_id=user_id
        )
        return self._interact(
            P.APPLICATION_COMMAND_AUTOCOMPLETE, data, user_id=user_id, channel_id=channel_id, locale=locale
        )

    def context_menu(
        self,
        name: str,
        *,
        target_user_id: int | None = None,
        target_message_id: int | None = None,
        user_id: int | None = None,
        channel_id: int | None = None,
        command_guild_id: int | None = None,
    ) -> InteractionHandle:
        """Run a user (target_user_id) or message (target_message_id) context-menu command."""
        resolved: dict[str, Any] = {}
        if target_message_id is not None:
            msg = self._message(target_message_id)
            channel_id = channel_id or int(msg["channel_id"])
            ctype, target = 3, target_message_id
            resolved["messages"] = {str(target): msg}
        else:
            assert target_user_id is not None, "give target_user_id or target_message_id"
            ctype, target = 2, target_user_id
            self._resolve(Opt(P.USER, target), resolved, channel_id, user_id)
        gid = self._command_guild(name, ctype, channel_id, command_guild_id)
        data = {
            "id": str(self._command_id(name, ctype, gid)),
            "name": name,
            "type": ctype,
            "target_id": str(target),
            "resolved": resolved,
        }
        if gid is not None:
            data["guild_id"] = str(gid)
        return self._interact(P.APPLICATION_COMMAND, data, user_id=user_id, channel_id=channel_id)

    def press_component(
        self,
        custom_id: str,
        *,
        component_type: int = 2,
        values: list[str] | None = None,
        message_id: int | None = None,
        user_id: int | None = None,
    ) -> InteractionHandle:
        """Press a button / choose in a select (MESSAGE_COMPONENT). Without ``message_id`` the newest
        stored message carrying ``custom_id`` is used (one is made up if the fake has none)."""
        msg = self._message(message_id) if message_id else self._message_with_component(custom_id)
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": component_type}
        if values is not None or component_type != 2:
            data["values"] = values or []
        return self._interact(
            P.MESSAGE_COMPONENT, data, user_id=user_id, channel_id=int(msg["channel_id"]), message=msg
        )

    def click_button(
        self, custom_id: str, *, message_id: int | None = None, user_id: int | None = None
    ) -> InteractionHandle:
        return self.press_component(custom_id, message_id=message_id, user_id=user_id)

    def choose(
        self, custom_id: str, values: list[str], *, message_id: int | None = None, user_id: int | None = None
    ) -> InteractionHandle:
        """Pick ``values`` in a string select."""
        return self.press_component(custom_id, component_type=3, values=values, message_id=message_id, user_id=user_id)

    def submit_modal(
        self,
        custom_id: str,
        values: dict[str, str] | None = None,
        *,
        components: list[dict[str, Any]] | None = None,
        user_id: int | None = None,
        channel_id: int | None = None,
        message_id: int | None = None,
    ) -> InteractionHandle:
        """Submit a modal (MODAL_SUBMIT): ``values`` maps text-input custom_id to the typed text."""
        rows = components or [
            {"type": 1, "components": [{"type": 4, "custom_id": key, "value": value}]}
            for key, value in (values or {}).items()
        ]
        msg = self._message(message_id) if message_id else None
        return self._interact(
            P.MODAL_SUBMIT,
            {"custom_id": custom_id, "components": rows},
            user_id=user_id,
            channel_id=channel_id,
            message=msg,
        )

    # ---- interaction building -------------------------------------------------------------------

    def _interact(
        self,
        itype: int,
        data: dict[str, Any],
        *,
        user_id: int | None,
        channel_id: int | None,
        locale: str = "en-US",
        message: dict[str, Any] | None = None,
    ) -> InteractionHandle:
        uid = user_id or self.user_id
        cid = channel_id or self.channel_id
        channel = self._channel(cid)
        gid = int(channel["guild_id"]) if channel.get("guild_id") else None
        iid = self._ids.next()
        payload: dict[str, Any] = {
            "id": str(iid),
            "application_id": str(self.application_id),
            "type": itype,
            "data": data,
            "channel_id": str(cid),
            "channel": self._interaction_channel(channel, uid, gid),
            "token": secrets.token_hex(24),
            "version": 1,
            "locale": locale,
            "entitlements": [],
            "entitlement_sku_ids": [],
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        if gid is not None:
            guild = self.guilds[gid]
            member = guild.members.get(uid)
            assert member is not None, f"user {uid} is not a member of guild {gid}; add_member() first"
            payload.update(
                guild_id=str(gid),
                guild={"id": str(gid), "locale": guild.locale, "features": []},
                guild_locale=guild.locale,
                # docs: Interactions › Receiving and Responding › Interaction Object (member: "including
                # permissions" — the member's total permissions in the channel, overwrites included;
                # app_permissions: "permissions the app has in the source location of the interaction")
                member={**member, "permissions": str(self.permissions_of(uid, gid, cid))},
                app_permissions=str(self.permissions_of(self.application_id, gid, cid)),
                authorizing_integration_owners={"0": str(gid)},
                context=0,
            )
        else:
            payload.update(
                user=self.users[uid],
                app_permissions=str(P.EVERYONE_PERMISSIONS),
                authorizing_integration_owners={"0": "0"},
                context=1,
            )
        if message is not None:
            payload["message"] = copy.deepcopy(message)
        if itype in (P.APPLICATION_COMMAND, P.APPLICATION_COMMAND_AUTOCOMPLETE):
            self._check_visible(data, uid, cid, gid)
        interaction = FakeInteraction(payload, self._stamp())
        self.interactions[iid] = interaction
        self._by_token[interaction.token] = interaction
        self.dispatch("INTERACTION_CREATE", payload, guild_id=gid)
        return InteractionHandle(self, interaction)

    def _interaction_channel(self, channel: dict[str, Any], user_id: int, guild_id: int | None) -> dict[str, Any]:
        out = copy.deepcopy(channel)
        if guild_id is not None:
            out["permissions"] = str(self.permissions_of(user_id, guild_id, int(channel["id"])))
        return out

    def _check_visible(self, data: dict[str, Any], user_id: int, channel_id: int, guild_id: int | None) -> None:
        """Refuse to inject a command Discord would not offer this member here.

        docs: Interactions › Application Commands › Permissions (default_member_permissions: members need these
        permissions in the channel; "0" hides it from all but admins) and › Contexts (``contexts`` lists where
        a command appears; a command without it appears in guilds and, per dm_permission, in the bot's DM)."""
        gid = int(data["guild_id"]) if "guild_id" in data else None
        store = self.guild_commands.get(gid, {}) if gid is not None else self.global_commands
        command = store.get((data["name"], data.get("type", 1)))
        if command is None:
            return  # not registered with the fake (a test that never syncs): nothing to compare with
        contexts = command.get("contexts")
        where = 0 if guild_id is not None else 1
        if contexts is not None and where not in contexts:
            raise CommandHidden(f"/{data['name']} is not offered in context {where} (contexts={contexts})")
        if contexts is None and guild_id is None and command.get("dm_permission") is False:
            raise CommandHidden(f"/{data['name']} is not offered in DMs (dm_permission=false)")
        if guild_id is None:
            return
        have = self.permissions_of(user_id, guild_id, channel_id)
        if have & perm.ADMINISTRATOR or have == P.ALL_PERMISSIONS:
            return
        allowed = self._command_overwrite(data["name"], user_id, guild_id)
        if allowed is False:
            raise CommandHidden(f"/{data['name']} is denied to user {user_id} by the server's command permissions")
        needed = command.get("default_member_permissions")
        if allowed or needed is None:
            return
        if int(needed) == 0 or int(needed) & ~have:
            raise CommandHidden(
                f"/{data['name']} needs {perm.names(int(needed))}; user {user_id} has {perm.names(have)} here"
            )

    def _command_overwrite(self, name: str, user_id: int, guild_id: int) -> bool | None:
        """The server's command permissions for this member, None when none applies. docs: Application Commands ›
        Permissions (permissions set for a command replace its default_member_permissions): a member's own
        overwrite first, then their roles' (an allowing role wins over a denying one), then @everyone's."""
        overwrites = {int(p["id"]): p for p in self.command_permissions.get((guild_id, name), [])}
        if not overwrites:
            return None
        mine = overwrites.get(user_id)
        if mine is not None and mine["type"] == 2:
            return bool(mine["permission"])
        member = self.guilds[guild_id].members.get(user_id) or {}
        by_role = [overwrites[int(r)] for r in member.get("roles", []) if int(r) in overwrites]
        if by_role:
            return any(p["permission"] for p in by_role)
        everyone = overwrites.get(guild_id)
        return None if everyone is None else bool(everyone["permission"])

    def _command_guild(self, name: str, ctype: int, channel_id: int | None, command_guild_id: int | None) -> int | None:
        """The guild of a guild command (``data.guild_id``): discord.py looks guild commands up by it."""
        if command_guild_id is not None:
            return command_guild_id
        gid = self._guild_of(channel_id or self.channel_id)
        if gid is not None and (name, ctype) in self.guild_commands.get(gid, {}):
            return gid
        return None

    def _command_id(self, name: str, ctype: int, guild_id: int | None = None) -> int:
        if guild_id is not None and (name, ctype) in self.guild_commands.get(guild_id, {}):
            return int(self.guild_commands[guild_id][(name, ctype)]["id"])
        if (name, ctype) in self.global_commands:
            return int(self.global_commands[(name, ctype)]["id"])
        return self._ids.next()

    def _command_data(
        self,
        name: str,
        options: dict[str, Any] | None,
        *,
        focused: str | None,
        channel_id: int | None,
        command_guild_id: int | None,
        user_id: int | None = None,
    ) -> dict[str, Any]:
        top, *subs = name.split()
        resolved: dict[str, Any] = {}
        built = []
        for key, value in (options or {}).items():
            opt_type, wire = self._resolve(value, resolved, channel_id, user_id)
            option: dict[str, Any] = {"name": key, "type": opt_type, "value": wire}
            if key == focused:
                option["focused"] = True
                if opt_type not in (P.STRING, P.INTEGER, P.NUMBER):
                    option["value"] = str(wire)
            built.append(option)
        nested: list[dict[str, Any]] = built
        if subs:
            nested = [{"name": subs[-1], "type": P.SUB_COMMAND, "options": built}]
        if len(subs) == 2:
            nested = [{"name": subs[0], "type": P.SUB_COMMAND_GROUP, "options": nested}]
        gid = self._command_guild(top, 1, channel_id, command_guild_id)
        data: dict[str, Any] = {
            "id": str(self._command_id(top, 1, gid)),
            "name": top,
            "type": 1,
            "options": nested,
        }
        if resolved:
            data["resolved"] = resolved
        if gid is not None:
            data["guild_id"] = str(gid)
        return data

    def _resolve(
        self, value: Any, resolved: dict[str, Any], channel_id: int | None, user_id: int | None = None
    ) -> tuple[int, Any]:
        """The option type and wire value of ``value``, adding what it refers to under ``resolved``."""
        if isinstance(value, Opt):
            opt_type, raw = value.type, value.value
        elif isinstance(value, bool):
            return P.BOOLEAN, value
        elif isinstance(value, int):
            return P.INTEGER, value
        elif isinstance(value, float):
            return P.NUMBER, value
        elif isinstance(value, str):
            return P.STRING, value
        elif isinstance(value, dict) and "filename" in value and "url" in value:
            opt_type, raw = P.ATTACHMENT, value
        else:
            raise TypeError(f"cannot infer an option type for {value!r}; wrap it in Opt(type, value)")
        if opt_type == P.ATTACHMENT:
            resolved.setdefault("attachments", {})[raw["id"]] = raw
            return opt_type, raw["id"]
        sid = int(raw)
        channel = self._channel(channel_id or self.channel_id)
        gid = int(channel["guild_id"]) if channel.get("guild_id") else None
        if opt_type in (P.USER, P.MENTIONABLE) and sid in self.users:
            resolved.setdefault("users", {})[str(sid)] = self.users[sid]
            guild = self.guilds.get(gid) if gid else None
            if guild and sid in guild.members:
                partial = {k: v for k, v in guild.members[sid].items() if k != "user"}
                partial["permissions"] = str(self.permissions_of(sid, gid))
                resolved.setdefault("members", {})[str(sid)] = partial
        elif opt_type in (P.ROLE, P.MENTIONABLE) and gid and sid in self.guilds[gid].roles:
            resolved.setdefault("roles", {})[str(sid)] = self.guilds[gid].roles[sid]
        elif opt_type == P.CHANNEL and sid in self.channels:
            ch = self.channels[sid]
            keys = ("id", "name", "type", "parent_id", "thread_metadata")
            # docs: Interaction Object › Resolved Data (channels: partial channels with the invoking member's
            # permissions in them)
            invoker = user_id or self.user_id
            resolved.setdefault("channels", {})[str(sid)] = {
                **{k: ch[k] for k in keys if k in ch},
                "permissions": str(self.permissions_of(invoker, gid, sid) if gid else P.ALL_PERMISSIONS),
            }
        return opt_type, str(sid)

    # ---- messages -------------------------------------------------------------------------------

    def _create_message(
        self,
        channel_id: int,
        author: dict[str, Any],
        body: dict[str, Any],
        files: list[RecordedFile],
        *,
        attachments: list[dict[str, Any]] | None = None,
        flags: int = 0,
        extra: dict[str, Any] | None = None,
        dispatch: bool = True,
    ) -> dict[str, Any]:
        channel = self._channel(channel_id)
        mid = self._ids.next()
        extra = dict(extra or {})
        if body.get("message_reference"):
            ref = dict(body["message_reference"])
            ref.setdefault("channel_id", str(channel_id))
            if channel.get("guild_id"):
                ref.setdefault("guild_id", channel["guild_id"])
            extra["message_reference"] = ref
            referenced = self.messages.get(int(ref["message_id"]))
            if referenced is not None and ref.get("type", 0) == 0:
                extra["referenced_message"] = {k: v for k, v in referenced.items() if k != "referenced_message"}
                extra.setdefault("type", 19)
        message_type = extra.pop("type", 0)
        msg = P.message(
            mid,
            channel_id=channel_id,
            author=author,
            content=body.get("content") or "",
            embeds=body.get("embeds"),
            components=body.get("components"),
            attachments=(attachments or []) + self._new_attachments(channel_id, body, files),
            flags=(body.get("flags") or 0) | flags,
            message_type=message_type,
            extra=extra,
        )
        msg["mentions"] = [self.users[int(u)] for u in _MENTION.findall(msg["content"]) if int(u) in self.users]
        if body.get("poll"):
            msg["poll"] = self._poll(body["poll"])
        if body.get("nonce") is not None:
            msg["nonce"] = body["nonce"]
        self.messages[mid] = msg
        self._channel_messages.setdefault(channel_id, []).append(mid)
        channel["last_message_id"] = str(mid)
        if dispatch and not msg["flags"] & P.EPHEMERAL:
            self.dispatch("MESSAGE_CREATE", self._message_event(msg), guild_id=self._guild_of(channel_id))
        return msg

    def _message_event(self, msg: dict[str, Any]) -> dict[str, Any]:
        event = dict(msg)
        gid = self._guild_of(int(msg["channel_id"]))
        if gid is not None:
            event["guild_id"] = str(gid)
            member = self.guilds[gid].members.get(int(msg["author"]["id"]))
            if member is not None:
                event["member"] = {k: v for k, v in member.items() if k != "user"}
        return event

    def _edit_message(self, msg: dict[str, Any], body: dict[str, Any], files: list[RecordedFile]) -> None:
        for key in ("content", "embeds", "components"):
            if key in body:
                msg[key] = body[key] if body[key] is not None else ("" if key == "content" else [])
        if "flags" in body and body["flags"] is not None:
            msg["flags"] = body["flags"] | (msg["flags"] & P.EPHEMERAL)
        if "attachments" in body or files:
            kept_ids = {str(a.get("id")) for a in body.get("attachments") or []}
            kept = [a for a in msg["attachments"] if a["id"] in kept_ids]
            msg["attachments"] = kept + self._new_attachments(int(msg["channel_id"]), body, files)
        msg["flags"] &= ~P.LOADING
        msg["edited_timestamp"] = P.iso_now()
        if not msg["flags"] & P.EPHEMERAL:
            self.dispatch("MESSAGE_UPDATE", self._message_event(msg), guild_id=self._guild_of(int(msg["channel_id"])))

    def _delete_message(self, msg: dict[str, Any]) -> None:
        mid, cid = int(msg["id"]), int(msg["channel_id"])
        self.messages.pop(mid, None)
        gid = self._guild_of(cid)
        data = {"id": str(mid), "channel_id": str(cid)}
        if gid is not None:
            data["guild_id"] = str(gid)
        if not msg["flags"] & P.EPHEMERAL:
            self.dispatch("MESSAGE_DELETE", data, guild_id=gid)

    def _new_attachments(
        self, channel_id: int, body: dict[str, Any], files: list[RecordedFile]
    ) -> list[dict[str, Any]]:
        by_index = {}
        for position, file in enumerate(files):
            match = _FILE_FIELD.fullmatch(file.field)
            by_index[int(match.group(1)) if match else position] = file
        described = {}
        for entry in body.get("attachments") or []:
            with contextlib.suppress(TypeError, ValueError):
                described[int(entry["id"])] = entry
        out = []
        for index, file in sorted(by_index.items()):
            entry = described.get(index, {})
            filename = entry.get("filename") or file.filename
            ctype = file.content_type if file.content_type != "application/octet-stream" else None
            attachment = self.upload(filename, file.data, content_type=ctype or P.guess_content_type(filename))
            attachment["description"] = entry.get("description")
            out.append(attachment)
        return out

    def _poll(self, body: dict[str, Any]) -> dict[str, Any]:
        expiry = dt.datetime.now(dt.UTC) + dt.timedelta(hours=body.get("duration", 24))
        return {
            "question": body["question"],
            "answers": [{"answer_id": i, **a} for i, a in enumerate(body.get("answers", []), start=1)],
            "expiry": expiry.isoformat(),
            "allow_multiselect": body.get("allow_multiselect", False),
            "layout_type": body.get("layout_type", 1),
            "results": {"is_finalized": False, "answer_counts": []},
        }

    def _add_reaction(self, msg: dict[str, Any], emoji: str, user_id: int) -> None:
        emoji_payload = self._emoji(emoji)
        for reaction in msg["reactions"]:
            if reaction["emoji"] == emoji_payload:
                reaction["count"] += 1
                reaction["count_details"]["normal"] += 1
                reaction["me"] = reaction["me"] or user_id == self.application_id
                break
        else:
            msg["reactions"].append(
                {
                    "count": 1,
                    "count_details": {"burst": 0, "normal": 1},
                    "me": user_id == self.application_id,
                    "me_burst": False,
                    "burst_colors": [],
                    "emoji": emoji_payload,
                }
            )
        cid = int(msg["channel_id"])
        gid = self._guild_of(cid)
        data: dict[str, Any] = {
            "user_id": str(user_id),
            "channel_id": str(cid),
            "message_id": msg["id"],
            "emoji": emoji_payload,
            "message_author_id": msg["author"]["id"],
            "burst": False,
            "type": 0,
        }
        if gid is not None:
            data["guild_id"] = str(gid)
            member = self.guilds[gid].members.get(user_id)
            if member is not None:
                data["member"] = member
        self.dispatch("MESSAGE_REACTION_ADD", data, guild_id=gid)

    @staticmethod
    def _emoji(text: str) -> dict[str, Any]:
        name, _, emoji_id = text.partition(":")
        return {"id": emoji_id or None, "name": name}

    def _message_with_component(self, custom_id: str) -> dict[str, Any]:
        for msg in reversed(list(self.messages.values())):
            if custom_id in _custom_ids(msg.get("components") or []):
                return msg
        button = {"type": 2, "style": 1, "label": custom_id, "custom_id": custom_id}
        body = {"components": [{"type": 1, "components": [button]}]}
        return self._create_message(self.channel_id, self.bot_user, body, [], dispatch=False)

    # ---- lookups --------------------------------------------------------------------------------

    def _guild(self, guild_id: int | None) -> FakeGuild:
        gid = guild_id or self.guild_id
        if gid not in self.guilds:
            raise LookupError(f"no guild {gid}; add_guild() first")
        return self.guilds[gid]

    def _guild_or_404(self, guild_id: str) -> FakeGuild:
        guild = self.guilds.get(int(guild_id))
        if guild is None:
            raise _not_found("Guild", 10004)
        return guild

    def _channel(self, channel_id: int) -> dict[str, Any]:
        channel = self.channels.get(int(channel_id))
        if channel is None:
            raise _not_found("Channel", 10003)
        return channel

    def _message(self, message_id: int | str, channel_id: int | str | None = None) -> dict[str, Any]:
        msg = self.messages.get(int(message_id))
        if msg is None or (channel_id is not None and msg["channel_id"] != str(channel_id)):
            raise _not_found("Message", 10008)
        return msg

    def _require(self, channel: dict[str, Any], *needed: int) -> int:
        """The bot's permissions in ``channel``; 403 when it cannot see it (50001 Missing Access) or lacks one
        of ``needed`` (50013 Missing Permissions). DMs carry no guild permissions. docs: Topics › Opcodes and
        Status Codes › JSON Error Codes; Topics › Permissions (the permission each endpoint requires)."""
        gid = channel.get("guild_id")
        if not gid:
            return P.ALL_PERMISSIONS
        have = self.permissions_of(self.application_id, int(gid), int(channel["id"]))
        if not have & perm.VIEW_CHANNEL:
            raise ApiError(403, "Missing Access", 50001)
        for flag in needed:
            if not have & flag:
                raise ApiError(403, "Missing Permissions", 50013)
        return have

    def _require_guild(self, guild: FakeGuild, *needed: int) -> int:
        """Guild-level permissions of the bot (no channel), 403/50013 when one of ``needed`` is missing."""
        have = self.permissions_of(self.application_id, guild.id)
        for flag in needed:
            if not have & flag:
                raise ApiError(403, "Missing Permissions", 50013)
        return have

    def _check_outgoing(self, body: Any, files: int, path: tuple[str | int, ...] = ()) -> None:
        """A message body the bot sends or edits: Discord's documented limits (400/50035)."""
        errors = rules.FormErrors()
        rules.check_message(body, errors, files=files, path=path)
        _raise_form(errors)

    def _guild_of(self, channel_id: int) -> int | None:
        gid = self.channels.get(channel_id, {}).get("guild_id")
        return int(gid) if gid else None

    def _attachment_url(self, attachment_id: int, filename: str) -> str:
        return f"{self.url}/attachments/{attachment_id}/{quote(filename)}"

    # ---- HTTP plumbing --------------------------------------------------------------------------

    async def _handle_http(self, request: web.Request) -> web.StreamResponse:
        path = request.rel_url.path
        if path == "/" and request.headers.get("Upgrade", "").lower() == "websocket":
            return await self._gateway(request)
        if path.startswith("/attachments/"):
            return self._serve_attachment(path)
        rel = path[len(API_PREFIX) :] if path.startswith(API_PREFIX + "/") else path
        body, files = await self._read_body(request)
        record = RecordedRequest(
            index=len(self.requests.items),
            method=request.method,
            path=rel,
            query=dict(request.query),
            json=body,
            files=files,
            reason=request.headers.get("X-Audit-Log-Reason"),
        )
        headers = {"Content-Type": JSON}
        rule = self._rate_limit_rule(request.method, rel)
        try:
            handler, params = self._route(request.method, rel) if path.startswith(API_PREFIX) else (None, {})
            if handler is None:
                record.unknown_route = True
                raise ApiError(404, "Not Found")
            down = self._outage_rule(request.method, rel)
            if down is not None:
                down.served += 1
                raise ApiError(down.status, "Service Unavailable")
            if rule is not None:
                headers.update(self._rate_limit_headers(rule))
            if rule is not None and rule.served < rule.times:
                rule.served += 1
                # docs: Topics › Rate Limits › Exceeding A Rate Limit (429 body: message, retry_after, global)
                body = {"message": "You are being rate limited.", "retry_after": rule.retry_after, "global": False}
                raise ApiError(429, "You are being rate limited.", body=body)
            status, answer = await handler(record, **params)
        except ApiError as exc:
            status, answer = exc.status, exc.body
        except Exception:
            self.server_errors.append(f"{request.method} {rel}\n{traceback.format_exc()}")
            log.exception("fake Discord failed on %s %s", request.method, rel)
            status, answer = 400, P.error("fake Discord failed; see FakeDiscord.server_errors", 50035)
        record.status, record.response = status, answer
        self.requests.append(record)
        if status == 204 or answer is None:
            headers.pop("Content-Type")
            return web.Response(status=204, headers=headers)
        return web.Response(status=status, body=json.dumps(answer).encode(), headers=headers)

    def _outage_rule(self, method: str, path: str) -> OutageRule | None:
        """The first matching outage with server errors left to serve."""
        pending = [o for o in self.outages if o.method == method and o.path.fullmatch(path) and o.served < o.times]
        return pending[0] if pending else None

    def _rate_limit_rule(self, method: str, path: str) -> RateLimitRule | None:
        """The matching rule with 429s left to serve, else the newest matching one (for its headers)."""
        matching = [r for r in self.rate_limits if r.method == method and r.path.fullmatch(path)]
        pending = [r for r in matching if r.served < r.times]
        if pending:
            return pending[0]
        return matching[-1] if matching else None

    def _rate_limit_headers(self, rule: RateLimitRule) -> dict[str, str]:
        """docs: Topics › Rate Limits › Header Format (X-RateLimit-Limit/Remaining/Reset/Reset-After/Bucket/
        Scope) and Exceeding A Rate Limit (Retry-After, in seconds, on a 429)."""
        limited = rule.served < rule.times
        reset_after = rule.retry_after if limited else 0.0
        headers = {
            "X-RateLimit-Limit": str(rule.limit),
            "X-RateLimit-Remaining": "0" if limited else str(rule.limit - 1),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": rule.bucket,
        }
        if limited:
            # Discord's API is served through Google's front end, which adds "Via"; discord.py treats a 429
            # without it as a Cloudflare ban instead of a rate limit.
            headers["Via"] = "1.1 google"
            headers["X-RateLimit-Scope"] = "user"
            headers["Retry-After"] = str(math.ceil(rule.retry_after))
        return headers

    def _serve_attachment(self, path: str) -> web.Response:
        parts = path.split("/")
        stored = self.attachments.get(int(parts[2])) if len(parts) > 2 and parts[2].isdigit() else None
        if stored is None:
            return web.Response(status=404, body=b"{}", headers={"Content-Type": JSON})
        _, ctype, data = stored
        return web.Response(status=200, body=data, headers={"Content-Type": ctype})

    @staticmethod
    async def _read_body(request: web.Request) -> tuple[Any, list[RecordedFile]]:
        if not request.can_read_body:
            return None, []
        if request.content_type.startswith("multipart/"):
            body: Any = None
            files: list[RecordedFile] = []
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                if part.name == "payload_json":
                    body = json.loads(await part.text())  # type: ignore[union-attr]
                elif part.filename is not None:  # type: ignore[union-attr]
                    files.append(
                        RecordedFile(
                            field=part.name or "",
                            filename=part.filename,  # type: ignore[union-attr]
                            content_type=part.headers.get("Content-Type", "application/octet-stream"),
                            data=bytes(await part.read()),  # type: ignore[union-attr]
                        )
                    )
            return body, files
        raw = await request.read()
        if not raw:
            return None, []
        try:
            return json.loads(raw), []
        except ValueError:
            return raw.decode(errors="replace"), []

    def _route(self, method: str, path: str) -> tuple[Handler | None, dict[str, str]]:
        for route_method, pattern, handler in self._routes:
            if route_method == method and (match := pattern.fullmatch(path)):
                return handler, match.groupdict()
        return None, {}

    def _add_routes(self) -> None:
        c = r"/channels/(?P<channel_id>\d+)"
        m = c + r"/messages/(?P<message_id>\d+)"
        g = r"/guilds/(?P<guild_id>\d+)"
        ev = g + r"/scheduled-events/(?P<event_id>\d+)"
        app = r"/applications/(?P<app_id>\d+)"
        gcmd = app + r"/guilds/(?P<guild_id>\d+)/commands"
        hook = r"/webhooks/(?P<app_id>\d+)/(?P<token>[^/]+)"
        table: list[tuple[str, str, Handler]] = [
            ("GET", r"/users/@me", self._get_me),
            ("GET", r"/users/(?P<user_id>\d+)", self._get_user),
            ("POST", r"/users/@me/channels", self._create_dm),
            ("GET", r"/oauth2/applications/@me", self._get_application),
            ("GET", r"/applications/@me", self._get_application),
            ("GET", r"/gateway", self._get_gateway),
            ("GET", r"/gateway/bot", self._get_gateway_bot),
            ("GET", c, self._get_channel),
            ("PATCH", c, self._edit_channel),
            ("POST", c + r"/typing", self._no_content),
            ("GET", c + r"/messages", self._list_messages),
            ("POST", c + r"/messages", self._send_message),
            ("POST", c + r"/messages/bulk-delete", self._bulk_delete),
            ("GET", m, self._get_message),
            ("PATCH", m, self._patch_message),
            ("DELETE", m, self._delete_message_route),
            ("PUT", m + r"/reactions/(?P<emoji>[^/]+)/@me", self._put_reaction),
            ("DELETE", m + r"/reactions/(?P<emoji>[^/]+)/(?P<user>@me|\d+)", self._delete_reaction),
            ("GET", m + r"/reactions/(?P<emoji>[^/]+)", self._get_reactions),
            ("PUT", c + r"/messages/pins/(?P<message_id>\d+)", self._pin),
            ("DELETE", c + r"/messages/pins/(?P<message_id>\d+)", self._unpin),
            ("POST", m + r"/threads", self._thread_from_message),
            ("POST", c + r"/threads", self._thread_without_message),
            ("PUT", c + r"/thread-members/(?P<user>@me|\d+)", self._no_content),
            ("DELETE", c + r"/thread-members/(?P<user>@me|\d+)", self._no_content),
            ("GET", g, self._get_guild),
            ("GET", g + r"/channels", self._get_guild_channels),
            ("GET", g + r"/roles", self._get_roles),
            ("GET", g + r"/members/(?P<user_id>\d+)", self._get_member),
            ("PUT", g + r"/members/(?P<user_id>\d+)/roles/(?P<role_id>\d+)", self._add_member_role),
            ("DELETE", g + r"/members/(?P<user_id>\d+)/roles/(?P<role_id>\d+)", self._remove_member_role),
            ("GET", g + r"/scheduled-events", self._list_events),
            ("POST", g + r"/scheduled-events", self._create_event),
            ("GET", ev, self._get_event),
            ("PATCH", ev, self._edit_event),
            ("DELETE", ev, self._delete_event),
            ("GET", ev + r"/users", self._event_users),
            ("GET", app + r"/commands", self._list_commands),
            ("PUT", app + r"/commands", self._overwrite_commands),
            ("POST", app + r"/commands", self._upsert_command),
            ("GET", app + r"/commands/(?P<command_id>\d+)", self._get_command),
            ("PATCH", app + r"/commands/(?P<command_id>\d+)", self._edit_command),
            ("DELETE", app + r"/commands/(?P<command_id>\d+)", self._delete_command),
            ("GET", gcmd, self._list_commands),
            ("PUT", gcmd, self._overwrite_commands),
            ("POST", gcmd, self._upsert_command),
            ("GET", gcmd + r"/(?P<command_id>\d+)", self._get_command),
            ("PATCH", gcmd + r"/(?P<command_id>\d+)", self._edit_command),
            ("DELETE", gcmd + r"/(?P<command_id>\d+)", self._delete_command),
            ("POST", r"/interactions/(?P<interaction_id>\d+)/(?P<token>[^/]+)/callback", self._callback),
            ("POST", hook, self._followup),
            ("GET", hook + r"/messages/(?P<message_id>@original|\d+)", self._get_webhook_message),
            ("PATCH", hook + r"/messages/(?P<message_id>@original|\d+)", self._edit_webhook_message),
            ("DELETE", hook + r"/messages/(?P<message_id>@original|\d+)", self._delete_webhook_message),
        ]
        self._routes = [(method, re.compile(pattern), handler) for method, pattern, handler in table]

    # ---- REST: users, gateway, guilds -----------------------------------------------------------

    async def _no_content(self, req: RecordedRequest, **_: str) -> tuple[int, Any]:
        return 204, None

    async def _get_me(self, req: RecordedRequest) -> tuple[int, Any]:
        return 200, {**self.bot_user, "verified": True, "mfa_enabled": False, "locale": "en-US"}

    async def _get_user(self, req: RecordedRequest, user_id: str) -> tuple[int, Any]:
        user = self.users.get(int(user_id))
        if user is None:
            raise _not_found("User", 10013)
        return 200, user

    async def _create_dm(self, req: RecordedRequest) -> tuple[int, Any]:
        recipient = self.users.get(int(req.json["recipient_id"]))
        if recipient is None:
            raise _not_found("User", 10013)
        for channel in self.channels.values():
            if channel["type"] == P.DM and channel["recipients"][0]["id"] == recipient["id"]:
                return 200, channel
        cid = self._ids.next()
        self.channels[cid] = P.dm_channel(cid, recipient)
        return 200, self.channels[cid]

    async def _get_application(self, req: RecordedRequest) -> tuple[int, Any]:
        return 200, P.application(self.application_id, self.bot_user, self.bot_user["username"])

    async def _get_gateway(self, req: RecordedRequest) -> tuple[int, Any]:
        return 200, {"url": self.gateway_url}

    async def _get_gateway_bot(self, req: RecordedRequest) -> tuple[int, Any]:
        limit = {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
        return 200, {"url": self.gateway_url, "shards": self.shard_count, "session_start_limit": limit}

    async def _get_guild(self, req: RecordedRequest, guild_id: str) -> tuple[int, Any]:
        payload = self._guild_create(self._guild_or_404(guild_id))
        for key in ("members", "channels", "threads", "presences", "voice_states", "joined_at", "large"):
            payload.pop(key)
        return 200, payload

    async def _get_guild_channels(self, req: RecordedRequest, guild_id: str) -> tuple[int, Any]:
        guild = self._guild_or_404(guild_id)
        return 200, [self.channels[c] for c in guild.channel_ids if self.channels[c]["type"] not in P.THREAD_TYPES]

    async def _get_roles(self, req: RecordedRequest, guild_id: str) -> tuple[int, Any]:
        return 200, list(self._guild_or_404(guild_id).roles.values())

    async def _get_member(self, req: RecordedRequest, guild_id: str, user_id: str) -> tuple[int, Any]:
        member = self._guild_or_404(guild_id).members.get(int(user_id))
        if member is None:
            raise _not_found("Member", 10007)
        return 200, member

    async def _change_member_role(self, guild_id: str, user_id: str, role_id: str, *, add: bool) -> tuple[int, Any]:
        guild = self._guild_or_404(guild_id)
        member = guild.members.get(int(user_id))
        if member is None:
            raise _not_found("Member", 10007)
        if int(role_id) not in guild.roles:
            raise _not_found("Role", 10011)
        # docs: Resources › Guild › Add Guild Member Role (MANAGE_ROLES) and Topics › Permissions › Permission
        # Hierarchy (a bot can only manage roles below its highest role)
        self._require_guild(guild, perm.MANAGE_ROLES)
        mine = self._guild(guild.id).members[self.application_id]["roles"]
        highest = max((int(guild.roles[int(r)]["position"]) for r in mine if int(r) in guild.roles), default=0)
        if int(guild.roles[int(role_id)]["position"]) >= highest:
            raise ApiError(403, "Missing Permissions", 50013)
        roles = [r for r in member["roles"] if r != role_id] + ([role_id] if add else [])
        member["roles"] = roles
        self.dispatch("GUILD_MEMBER_UPDATE", {**member, "guild_id": guild_id}, guild_id=guild.id)
        return 204, None

    async def _add_member_role(
        self, req: RecordedRequest, guild_id: str, user_id: str, role_id: str
    ) -> tuple[int, Any]:
        return await self._change_member_role(guild_id, user_id, role_id, add=True)

    async def _remove_member_role(
        self, req: RecordedRequest, guild_id: str, user_id: str, role_id: str
    ) -> tuple[int, Any]:
        return await self._change_member_role(guild_id, user_id, role_id, add=False)

    # ---- REST: channels, messages, threads ------------------------------------------------------

    async def _get_channel(self, req: RecordedRequest, channel_id: str) -> tuple[int, Any]:
        channel = self._channel(int(channel_id))
        self._require(channel)  # docs: Resources › Channel › Get Channel (needs to see the channel)
        return 200, channel

    async def _edit_channel(self, req: RecordedRequest, channel_id: str) -> tuple[int, Any]:
        channel = self._channel(int(channel_id))
        body = req.json or {}
        metadata = channel.get("thread_metadata")
        if metadata is not None:
            # docs: Resources › Channel › Modify Channel › Thread (MANAGE_THREADS, except the thread's creator
            # may change name, archived, auto_archive_duration of an unlocked thread; name 1-100)
            own = channel.get("owner_id") == str(self.application_id) and not metadata.get("locked")
            own_keys = {"name", "archived", "auto_archive_duration"}
            self._require(channel, *(() if own and set(body) <= own_keys else (perm.MANAGE_THREADS,)))
            errors = rules.FormErrors()
            if "name" in body:
                errors.length(("name",), body["name"], 1, 100)
            errors.choice(("auto_archive_duration",), body.get("auto_archive_duration"), rules.ARCHIVE_MINUTES)
            _raise_form(errors)
        else:
            self._require(channel, perm.MANAGE_CHANNELS)  # docs: Modify Channel (requires MANAGE_CHANNELS)
        for key, value in body.items():
            if metadata is not None and key in ("archived", "locked", "auto_archive_duration", "invitable"):
                metadata[key] = value
            elif key in ("name", "topic", "rate_limit_per_user", "nsfw", "position", "parent_id", "flags"):
                channel[key] = value
        event = "THREAD_UPDATE" if channel["type"] in P.THREAD_TYPES else "CHANNEL_UPDATE"
        self.dispatch(event, channel, guild_id=self._guild_of(int(channel_id)))
        return 200, channel

    async def _list_messages(self, req: RecordedRequest, channel_id: str) -> tuple[int, Any]:
        have = self._require(self._channel(int(channel_id)))
        if not have & perm.READ_MESSAGE_HISTORY:
            return 200, []  # docs: Resources › Message › Get Channel Messages (without history: no messages)
        ids = [m for m in self._channel_messages.get(int(channel_id), []) if m in self.messages]
        limit = int(req.query.get("limit", 50))
        if "before" in req.query:
            ids = [m for m in ids if m < int(req.query["before"])]
        if "after" in req.query:
            ids = [m for m in ids if m > int(req.query["after"])][:limit]
        newest_first = [self.messages[m] for m in reversed(ids)]
        return 200, newest_first[:limit]

    async def _send_message(self, req: RecordedRequest, channel_id: str) -> tuple[int, Any]:
        body = req.json or {}
        channel = self._channel(int(channel_id))
        if channel["type"] == P.DM and int(channel["recipients"][0]["id"]) in self.dm_closed:
            # docs: JSON Error Codes (50007 Cannot send messages to this user: DMs closed, no shared server)
            raise ApiError(403, "Cannot send messages to this user", 50007)
        self._check_send(channel, body, len(req.files))
        nonce = body.get("nonce")
        if nonce is not None and body.get("enforce_nonce"):
            # docs: Resources › Message › Create Message (enforce_nonce: "checked for uniqueness in the past few
            # minutes. If another message was created by the same author with the same nonce, that message
            # will be returned and no new message will be created.")
            seen = self._nonces.get((int(channel_id), str(nonce)))
            if seen is not None and self._elapsed(seen[0]) <= self.nonce_window and seen[1] in self.messages:
                return 200, self.messages[seen[1]]
        message = self._create_message(int(channel_id), self.bot_user, body, req.files)
        if nonce is not None:
            self._nonces[(int(channel_id), str(nonce))] = (self._stamp(), int(message["id"]))
        return 200, message

    def _check_send(self, channel: dict[str, Any], body: dict[str, Any], files: int) -> None:
        """docs: Resources › Message › Create Message — needs VIEW_CHANNEL and SEND_MESSAGES (in a thread
        SEND_MESSAGES_IN_THREADS), ATTACH_FILES for files, EMBED_LINKS for embeds; a locked thread needs
        MANAGE_THREADS (160005); at least one of content, embeds, components, files or poll (50006)."""
        thread = channel["type"] in P.THREAD_TYPES
        needed = [perm.SEND_MESSAGES_IN_THREADS if thread else perm.SEND_MESSAGES]
        if files:
            needed.append(perm.ATTACH_FILES)
        if body.get("embeds"):
            needed.append(perm.EMBED_LINKS)
        have = self._require(channel, *needed)
        metadata = channel.get("thread_metadata") or {}
        if metadata.get("locked") and not have & perm.MANAGE_THREADS:
            raise ApiError(403, "Thread is locked", 160005)
        if metadata.get("archived"):
            metadata["archived"] = False  # docs: Threads ("sending a message will unarchive" an unlocked thread)
        self._check_outgoing(body, files)
        if rules.is_empty_message(body, files):
            raise ApiError(400, "Cannot send an empty message", 50006)

    async def _get_message(self, req: RecordedRequest, channel_id: str, message_id: str) -> tuple[int, Any]:
        # docs: Resources › Message › Get Channel Message (requires READ_MESSAGE_HISTORY)
        self._require(self._channel(int(channel_id)), perm.READ_MESSAGE_HISTORY)
        return 200, self._message(message_id, channel_id)

    async def _patch_message(self, req: RecordedRequest, channel_id: str, message_id: str) -> tuple[int, Any]:
        self._require(self._channel(int(channel_id)))
        msg = self._message(message_id, channel_id)
        if msg["author"]["id"] != str(self.application_id):
            # docs: Edit Message ("only edit messages sent by the current user"; 50005)
            raise ApiError(403, "Cannot edit a message authored by another user", 50005)
        self._check_outgoing(req.json or {}, len(req.files))
        self._edit_message(msg, req.json or {}, req.files)
        return 200, msg

    async def _delete_message_route(self, req: RecordedRequest, channel_id: str, message_id: str) -> tuple[int, Any]:
        channel = self._channel(int(channel_id))
        msg = self._message(message_id, channel_id)
        # docs: Delete Message (another user's message in a guild channel needs MANAGE_MESSAGES)
        self._require(channel, *(() if msg["author"]["id"] == str(self.application_id) else (perm.MANAGE_MESSAGES,)))
        self._delete_message(msg)
        return 204, None

    async def _bulk_delete(self, req: RecordedRequest, channel_id: str) -> tuple[int, Any]:
        self._require(self._channel(int(channel_id)), perm.MANAGE_MESSAGES)  # docs: Bulk Delete Messages
        for mid in req.json.get("messages", []):
            if int(mid) in self.messages:
                self._delete_message(self.messages[int(mid)])
        return 204, None

    async def _put_reaction(
        self, req: RecordedRequest, channel_id: str, message_id: str, emoji: str
    ) -> tuple[int, Any]:
        # docs: Create Reaction (READ_MESSAGE_HISTORY; ADD_REACTIONS when nobody reacted with it yet)
        msg = self._message(message_id, channel_id)
        existing = any(r["emoji"] == self._emoji(emoji) for r in msg["reactions"])
        self._require(
            self._channel(int(channel_id)),
            perm.READ_MESSAGE_HISTORY,
            *(() if existing else (perm.ADD_REACTIONS,)),
        )
        self._add_reaction(self._message(message_id, channel_id), emoji, self.application_id)
        return 204, None

    async def _delete_reaction(
        self, req: RecordedRequest, channel_id: str, message_id: str, emoji: str, user: str
    ) -> tuple[int, Any]:
        msg = self._message(message_id, channel_id)
        uid = self.application_id if user == "@me" else int(user)
        payload = self._emoji(emoji)
        for reaction in msg["reactions"]:
            if reaction["emoji"] == payload:
                reaction["count"] -= 1
                reaction["count_details"]["normal"] -= 1
                if uid == self.application_id:
                    reaction["me"] = False
        msg["reactions"] = [r for r in msg["reactions"] if r["count"] > 0]
        return 204, None

    async def _get_reactions(
        self, req: RecordedRequest, channel_id: str, message_id: str, emoji: str
    ) -> tuple[int, Any]:
        self._message(message_id, channel_id)
        return 200, []

    async def _pin(self, req: RecordedRequest, channel_id: str, message_id: str) -> tuple[int, Any]:
        self._require(self._channel(int(channel_id)), perm.PIN_MESSAGES)  # docs: Pin Message (PIN_MESSAGES)
        self._message(message_id, channel_id)["pinned"] = True
        return 204, None

    async def _unpin(self, req: RecordedRequest, channel_id: str, message_id: str) -> tuple[int, Any]:
        self._require(self._channel(int(channel_id)), perm.PIN_MESSAGES)  # docs: Unpin Message (PIN_MESSAGES)
        self._message(message_id, channel_id)["pinned"] = False
        return 204, None

    async def _thread_from_message(self, req: RecordedRequest, channel_id: str, message_id: str) -> tuple[int, Any]:
        parent = self._channel(int(channel_id))
        # docs: Resources › Channel › Start Thread from Message (CREATE_PUBLIC_THREADS; name, auto_archive_duration)
        self._require(parent, perm.CREATE_PUBLIC_THREADS)
        msg = self._message(message_id, channel_id)
        if msg.get("thread"):
            raise ApiError(400, "A thread has already been created for this message", 160004)
        body = req.json or {}
        errors = rules.FormErrors()
        rules.check_thread(body, errors, with_message=True)
        _raise_form(errors)
        ttype = P.ANNOUNCEMENT_THREAD if parent["type"] == P.GUILD_ANNOUNCEMENT else P.PUBLIC_THREAD
        thread = self._add_thread(int(message_id), parent, body, ttype)
        msg["thread"] = thread
        msg["flags"] |= P.HAS_THREAD
        return 201, thread

    async def _thread_without_message(self, req: RecordedRequest, channel_id: str) -> tuple[int, Any]:
        parent = self._channel(int(channel_id))
        body = req.json or {}
        errors = rules.FormErrors()
        forum = parent["type"] == P.GUILD_FORUM
        # docs: Start Thread without Message (CREATE_PRIVATE_THREADS for private threads, else
        # CREATE_PUBLIC_THREADS) and Start Thread in Forum or Media Channel (SEND_MESSAGES)
        if forum:
            self._require(parent, perm.SEND_MESSAGES)
            rules.check_thread(body, errors, with_message=True)
            message = body.get("message") or {}
            self._check_outgoing(message, len(req.files), ("message",))
        else:
            private = body.get("type", P.PRIVATE_THREAD) == P.PRIVATE_THREAD
            self._require(parent, perm.CREATE_PRIVATE_THREADS if private else perm.CREATE_PUBLIC_THREADS)
            rules.check_thread(body, errors, with_message=False)
        _raise_form(errors)
        tid = self._ids.next()
        if forum:
            thread = self._add_thread(tid, parent, body, P.PUBLIC_THREAD)
            starter = self._create_message(tid, self.bot_user, body.get("message") or {}, req.files)
            # A forum post's starter message has the thread's id.
            self.messages[tid] = self.messages.pop(int(starter["id"]))
            self._channel_messages[tid] = [tid]
            starter["id"] = str(tid)
            return 201, {**thread, "message": starter}
        thread = self._add_thread(tid, parent, body, body.get("type", P.PRIVATE_THREAD))
        return 201, thread

    def _add_thread(self, tid: int, parent: dict[str, Any], body: dict[str, Any], ttype: int) -> dict[str, Any]:
        gid = int(parent["guild_id"])
        thread = P.thread(
            tid,
            body.get("name", "thread"),
            guild_id=gid,
            parent_id=int(parent["id"]),
            owner_id=self.application_id,
            type=ttype,
            auto_archive_duration=body.get("auto_archive_duration") or 1440,
            invitable=body.get("invitable", True),
        )
        if body.get("rate_limit_per_user"):
            thread["rate_limit_per_user"] = body["rate_limit_per_user"]
        if body.get("applied_tags"):
            thread["applied_tags"] = body["applied_tags"]
        self.channels[tid] = thread
        self.guilds[gid].channel_ids.append(tid)
        self.dispatch("THREAD_CREATE", {**thread, "newly_created": True}, guild_id=gid)
        return thread

    # ---- REST: scheduled events -----------------------------------------------------------------

    async def _list_events(self, req: RecordedRequest, guild_id: str) -> tuple[int, Any]:
        return 200, list(self._guild_or_404(guild_id).scheduled_events.values())

    async def _create_event(self, req: RecordedRequest, guild_id: str) -> tuple[int, Any]:
        guild = self._guild_or_404(guild_id)
        body = req.json or {}
        # docs: Resources › Guild Scheduled Event › Create Guild Scheduled Event and change log "Guild Expressions
        # and Events Permissions now available to developers" (from 23 February 2026 bots need CREATE_EVENTS;
        # MANAGE_EVENTS alone no longer suffices). Voice/stage events need it in their channel.
        if body.get("channel_id") and int(body["channel_id"]) in self.channels:
            self._require(self.channels[int(body["channel_id"])], perm.CREATE_EVENTS)
        else:
            self._require_guild(guild, perm.CREATE_EVENTS)
        errors = rules.FormErrors()
        rules.check_event(body, errors, now=self.now())
        _raise_form(errors)
        uncompleted = [e for e in guild.scheduled_events.values() if e["status"] in (1, 2)]
        if len(uncompleted) >= self.max_uncompleted_events:
            # docs: JSON Error Codes (30038 Maximum number of uncompleted guild scheduled events reached (100))
            raise ApiError(400, "Maximum number of uncompleted guild scheduled events reached (100)", 30038)
        eid = self._ids.next()
        event = P.scheduled_event(eid, guild_id=guild.id, creator=self.bot_user, body=body)
        guild.scheduled_events[eid] = event
        self.dispatch("GUILD_SCHEDULED_EVENT_CREATE", event, guild_id=guild.id)
        return 200, event

    def _event(self, guild_id: str, event_id: str) -> tuple[FakeGuild, dict[str, Any]]:
        guild = self._guild_or_404(guild_id)
        event = guild.scheduled_events.get(int(event_id))
        if event is None:
            raise _not_found("Guild Scheduled Event", 10070)
        return guild, event

    async def _get_event(self, req: RecordedRequest, guild_id: str, event_id: str) -> tuple[int, Any]:
        return 200, self._event(guild_id, event_id)[1]

    def _require_event_rights(self, guild: FakeGuild, event: dict[str, Any]) -> None:
        """docs: Modify/Delete Guild Scheduled Event (MANAGE_EVENTS, or CREATE_EVENTS for events the bot
        created itself)."""
        have = self._require_guild(guild)
        own = event.get("creator_id") == str(self.application_id)
        if not (have & perm.MANAGE_EVENTS or (own and have & perm.CREATE_EVENTS)):
            raise ApiError(403, "Missing Permissions", 50013)

    async def _edit_event(self, req: RecordedRequest, guild_id: str, event_id: str) -> tuple[int, Any]:
        guild, event = self._event(guild_id, event_id)
        self._require_event_rights(guild, event)
        errors = rules.FormErrors()
        rules.check_event(req.json or {}, errors, now=self.now(), current=event)
        _raise_form(errors)
        event.update({k: v for k, v in (req.json or {}).items() if k in event or k == "recurrence_rule"})
        self.dispatch("GUILD_SCHEDULED_EVENT_UPDATE", event, guild_id=guild.id)
        return 200, event

    async def _delete_event(self, req: RecordedRequest, guild_id: str, event_id: str) -> tuple[int, Any]:
        guild, event = self._event(guild_id, event_id)
        self._require_event_rights(guild, event)
        del guild.scheduled_events[int(event_id)]
        self.dispatch("GUILD_SCHEDULED_EVENT_DELETE", event, guild_id=guild.id)
        return 204, None

    async def _event_users(self, req: RecordedRequest, guild_id: str, event_id: str) -> tuple[int, Any]:
        self._event(guild_id, event_id)
        return 200, []

    # ---- REST: application commands -------------------------------------------------------------

    def _command_store(
        self, app_id: str, guild_id: str | None
    ) -> tuple[dict[tuple[str, int], dict[str, Any]], int | None]:
        if int(app_id) != self.application_id:
            raise _not_found("Application", 10002)
        if guild_id is None:
            return self.global_commands, None
        self._guild_or_404(guild_id)
        return self.guild_commands.setdefault(int(guild_id), {}), int(guild_id)

    def _make_command(
        self, body: dict[str, Any], store: dict[tuple[str, int], dict[str, Any]], gid: int | None
    ) -> dict[str, Any]:
        key = (body["name"], body.get("type", 1))
        old = store.get(key)
        cid = int(old["id"]) if old else self._ids.next()
        return P.command(body, command_id=cid, application_id=self.application_id, guild_id=gid)

    async def _list_commands(self, req: RecordedRequest, app_id: str, guild_id: str | None = None) -> tuple[int, Any]:
        store, _ = self._command_store(app_id, guild_id)
        return 200, list(store.values())

    def _check_commands(self, bodies: list[Any], errors: rules.FormErrors) -> None:
        """Note deprecated fields Discord still accepts (docs: Application Command Object: dm_permission is
        "deprecated (use contexts instead)"; contexts win when both are sent)."""
        _raise_form(errors)
        for body in bodies:
            if isinstance(body, dict) and "dm_permission" in body and body.get("contexts") is not None:
                name, dm, contexts = body.get("name"), body["dm_permission"], body["contexts"]
                self.deprecations.append(f"/{name}: dm_permission={dm} sent beside contexts={contexts}")

    async def _overwrite_commands(
        self, req: RecordedRequest, app_id: str, guild_id: str | None = None
    ) -> tuple[int, Any]:
        store, gid = self._command_store(app_id, guild_id)
        errors = rules.FormErrors()
        rules.check_commands(req.json, errors)
        self._check_commands(req.json, errors)
        commands = [self._make_command(body, store, gid) for body in req.json or []]
        store.clear()
        store.update({(c["name"], c["type"]): c for c in commands})
        return 200, commands

    async def _upsert_command(self, req: RecordedRequest, app_id: str, guild_id: str | None = None) -> tuple[int, Any]:
        store, gid = self._command_store(app_id, guild_id)
        errors = rules.FormErrors()
        rules.check_command(req.json, errors)
        self._check_commands([req.json], errors)
        command = self._make_command(req.json, store, gid)
        created = (command["name"], command["type"]) not in store
        store[(command["name"], command["type"])] = command
        return (201 if created else 200), command

    def _find_command(self, store: dict[tuple[str, int], dict[str, Any]], command_id: str) -> tuple[str, int]:
        for key, command in store.items():
            if command["id"] == command_id:
                return key
        raise _not_found("application command", 10063)

    async def _get_command(
        self, req: RecordedRequest, app_id: str, command_id: str, guild_id: str | None = None
    ) -> tuple[int, Any]:
        store, _ = self._command_store(app_id, guild_id)
        return 200, store[self._find_command(store, command_id)]

    async def _edit_command(
        self, req: RecordedRequest, app_id: str, command_id: str, guild_id: str | None = None
    ) -> tuple[int, Any]:
        store, _ = self._command_store(app_id, guild_id)
        key = self._find_command(store, command_id)
        command = {**store[key], **(req.json or {})}
        errors = rules.FormErrors()
        rules.check_command(command, errors)
        self._check_commands([command], errors)
        store.pop(key)
        store[(command["name"], command["type"])] = command
        return 200, command

    async def _delete_command(
        self, req: RecordedRequest, app_id: str, command_id: str, guild_id: str | None = None
    ) -> tuple[int, Any]:
        store, _ = self._command_store(app_id, guild_id)
        del store[self._find_command(store, command_id)]
        return 204, None

    # ---- REST: interaction responses ------------------------------------------------------------

    async def _callback(self, req: RecordedRequest, interaction_id: str, token: str) -> tuple[int, Any]:
        interaction = self.interactions.get(int(interaction_id))
        if interaction is None or interaction.token != token:
            raise _not_found("interaction", 10062)
        if interaction.callback is not None:
            raise ApiError(400, "Interaction has already been acknowledged.", 40060)
        if self._elapsed(interaction.created) > self.response_window:
            # docs: Receiving and Responding › Interaction Callback ("If the 3 second deadline is exceeded, the
            # token will be invalidated"); Discord answers 10062 Unknown interaction
            interaction.expired = True
            raise _not_found("interaction", 10062)
        body = req.json or {}
        cb_type = body.get("type")
        data = body.get("data") or {}
        payload = interaction.payload
        self._check_callback(payload, cb_type, data, len(req.files))
        interaction.callback = req
        message: dict[str, Any] | None = None
        if cb_type in (CB_MESSAGE, CB_DEFERRED_MESSAGE):
            flags = (data.get("flags") or 0) | (P.LOADING if cb_type == CB_DEFERRED_MESSAGE else 0)
            content = data if cb_type == CB_MESSAGE else {}
            message = self._create_message(
                int(payload["channel_id"]),
                self.bot_user,
                content,
                req.files,
                flags=flags,
                extra=self._interaction_extra(interaction),
            )
            interaction.original_message_id = int(message["id"])
        elif cb_type == CB_UPDATE_MESSAGE:
            if "message" not in payload:
                raise ApiError(400, "Interaction has no message to update", 50035)
            message = self._message(payload["message"]["id"])
            self._edit_message(message, data, req.files)
            interaction.original_message_id = int(message["id"])
        elif cb_type == CB_DEFERRED_UPDATE:
            if "message" in payload:
                interaction.original_message_id = int(payload["message"]["id"])
        elif cb_type == CB_AUTOCOMPLETE_RESULT:
            interaction.choices = data.get("choices", [])
        elif cb_type == CB_MODAL:
            interaction.modal = data
        elif cb_type != CB_PONG:
            raise ApiError(400, f"Invalid interaction callback type {cb_type}", 50035)
        if req.query.get("with_response") not in ("1", "true", "True"):
            return 204, None
        answer: dict[str, Any] = {
            "interaction": {
                "id": interaction_id,
                "type": payload["type"],
                "response_message_loading": cb_type == CB_DEFERRED_MESSAGE,
                "response_message_ephemeral": bool((data.get("flags") or 0) & P.EPHEMERAL),
            },
            "resource": {"type": cb_type},
        }
        if message is not None:
            answer["interaction"]["response_message_id"] = message["id"]
            answer["resource"]["message"] = message
        return 200, answer

    def _check_callback(self, payload: dict[str, Any], cb_type: Any, data: dict[str, Any], files: int) -> None:
        """docs: Receiving and Responding › Interaction Response Object (callback types valid per interaction
        type; message data limits as Create Message; DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE takes only the
        EPHEMERAL flag; autocomplete: max 25 choices; modal: see discord_rules.check_modal)."""
        itype = payload["type"]
        from_component = itype == P.MESSAGE_COMPONENT or (itype == P.MODAL_SUBMIT and "message" in payload)
        allowed = {
            P.APPLICATION_COMMAND: {CB_MESSAGE, CB_DEFERRED_MESSAGE, CB_MODAL},
            P.MESSAGE_COMPONENT: {CB_MESSAGE, CB_DEFERRED_MESSAGE, CB_DEFERRED_UPDATE, CB_UPDATE_MESSAGE, CB_MODAL},
            P.APPLICATION_COMMAND_AUTOCOMPLETE: {CB_AUTOCOMPLETE_RESULT},
            P.MODAL_SUBMIT: {CB_MESSAGE, CB_DEFERRED_MESSAGE}
            | ({CB_DEFERRED_UPDATE, CB_UPDATE_MESSAGE} if from_component else set()),
        }[itype]
        errors = rules.FormErrors()
        if cb_type not in allowed:
            errors.add(("type",), "INTERACTION_RESPONSE_TYPE_INVALID", f"Callback type {cb_type} is not valid here.")
        elif cb_type in (CB_MESSAGE, CB_UPDATE_MESSAGE):
            self._check_outgoing(data, files, ("data",))
            if cb_type == CB_MESSAGE and rules.is_empty_message(data, files):
                raise ApiError(400, "Cannot send an empty message", 50006)
        elif cb_type == CB_DEFERRED_MESSAGE and (data.get("flags") or 0) & ~P.EPHEMERAL:
            errors.add(("data", "flags"), "INTERACTION_RESPONSE_FLAGS_INVALID", "Only EPHEMERAL may be set here.")
        elif cb_type == CB_AUTOCOMPLETE_RESULT:
            choices = errors.count(("data", "choices"), data.get("choices"), 25)
            for index, choice in enumerate(choices):
                errors.length(("data", "choices", index, "name"), (choice or {}).get("name"), 1, 100)
                if isinstance((choice or {}).get("value"), str):
                    errors.length(("data", "choices", index, "value"), choice["value"], 0, 100)
        elif cb_type == CB_MODAL:
            rules.check_modal(data, errors)
        _raise_form(errors)

    def _interaction_extra(self, interaction: FakeInteraction) -> dict[str, Any]:
        payload = interaction.payload
        user = payload["member"]["user"] if "member" in payload else payload["user"]
        metadata: dict[str, Any] = {
            "id": payload["id"],
            "type": payload["type"],
            "user": user,
            "authorizing_integration_owners": payload.get("authorizing_integration_owners", {}),
        }
        if "message" in payload:
            metadata["interacted_message_id"] = payload["message"]["id"]
        extra: dict[str, Any] = {
            "interaction_metadata": metadata,
            "webhook_id": str(self.application_id),
            "application_id": str(self.application_id),
        }
        if payload["type"] == P.APPLICATION_COMMAND:
            extra["type"] = 20  # CHAT_INPUT_COMMAND
        return extra

    def _webhook_interaction(self, app_id: str, token: str) -> FakeInteraction:
        interaction = self._by_token.get(token)
        if interaction is None or int(app_id) != self.application_id:
            raise _not_found("Webhook", 10015)
        elapsed = self._elapsed(interaction.created)
        unanswered = interaction.callback is None and elapsed > self.response_window
        if interaction.expired or unanswered or elapsed > self.token_lifetime:
            # docs: Receiving and Responding › Followup Messages ("Interaction tokens are valid for 15 minutes")
            # and Interaction Callback (a token whose 3 s passed unanswered is invalidated); 50027
            raise ApiError(401, "Invalid Webhook Token", 50027)
        return interaction

    def _webhook_message(self, interaction: FakeInteraction, message_id: str) -> dict[str, Any]:
        if message_id == "@original":
            if interaction.original_message_id is None:
                raise _not_found("Message", 10008)
            return self._message(interaction.original_message_id)
        return self._message(message_id)

    async def _followup(self, req: RecordedRequest, app_id: str, token: str) -> tuple[int, Any]:
        interaction = self._webhook_interaction(app_id, token)
        if interaction.callback is None:
            raise _not_found("Webhook", 10015)
        body = req.json or {}
        self._check_outgoing(body, len(req.files))
        if rules.is_empty_message(body, len(req.files)):
            raise ApiError(400, "Cannot send an empty message", 50006)
        original = self.messages.get(interaction.original_message_id or 0)
        if interaction.callback.callback_type == CB_DEFERRED_MESSAGE and original and original["flags"] & P.LOADING:
            # docs: Receiving and Responding › Create Followup Message ("directly after responding … with
            # DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE, this endpoint will function as Edit Original Interaction
            # Response … no new message will be created … The ephemeral flag will be ignored, and the value you
            # provided in the initial defer response will be preserved")
            self._edit_message(original, {**body, "flags": (body.get("flags") or 0) & ~P.EPHEMERAL}, req.files)
            return 200, original
        extra = self._interaction_extra(interaction)
        message = self._create_message(
            int(interaction.payload["channel_id"]), self.bot_user, body, req.files, extra=extra
        )
        # docs: Create Followup Message ("Functions the same as Execute Webhook, but wait is always true")
        return 200, message

    async def _get_webhook_message(
        self, req: RecordedRequest, app_id: str, token: str, message_id: str
    ) -> tuple[int, Any]:
        return 200, self._webhook_message(self._webhook_interaction(app_id, token), message_id)

    async def _edit_webhook_message(
        self, req: RecordedRequest, app_id: str, token: str, message_id: str
    ) -> tuple[int, Any]:
        message = self._webhook_message(self._webhook_interaction(app_id, token), message_id)
        self._check_outgoing(req.json or {}, len(req.files))
        self._edit_message(message, req.json or {}, req.files)
        return 200, message

    async def _delete_webhook_message(
        self, req: RecordedRequest, app_id: str, token: str, message_id: str
    ) -> tuple[int, Any]:
        self._delete_message(self._webhook_message(self._webhook_interaction(app_id, token), message_id))
        return 204, None


def _custom_ids(components: list[dict[str, Any]]) -> set[str]:
    """Every custom_id in a component tree (action rows, containers, sections)."""
    found: set[str] = set()
    for component in components:
        if "custom_id" in component:
            found.add(component["custom_id"])
        found |= _custom_ids(component.get("components") or [])
        if isinstance(component.get("accessory"), dict):
            found |= _custom_ids([component["accessory"]])
        if isinstance(component.get("component"), dict):
            found |= _custom_ids([component["component"]])
    return found


# --------------------------------------------------------------------------------------------------
# Client helpers and fixture


@contextlib.asynccontextmanager
async def running_client(
    client: discord.Client,
    *,
    token: str = "fake-token",
    timeout: float = 10.0,  # noqa: ASYNC109
) -> AsyncIterator[discord.Client]:
    """Log ``client`` in, connect it, and yield once it is ready; close it on exit.

    Use ``guild_ready_timeout=0.05`` on the client, or each start waits 2 s for guilds.
    """
    await client.login(token)
    runner = asyncio.create_task(client.connect(reconnect=True))
    ready = asyncio.create_task(client.wait_until_ready())
    try:
        done, _ = await asyncio.wait({runner, ready}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        if ready not in done:
            ready.cancel()
            if runner.done():
                runner.result()
                raise RuntimeError("the client stopped before it was ready")
            raise TimeoutError(f"the client was not ready within {timeout}s")
        yield client
    finally:
        await client.close()
        with contextlib.suppress(Exception, asyncio.CancelledError):
            await asyncio.wait_for(runner, timeout)


@contextlib.asynccontextmanager
async def serving_fake_discord(**kwargs: Any) -> AsyncIterator[FakeDiscord]:
    """A started ``FakeDiscord`` with discord.py pointed at it (restored afterwards)."""
    async with FakeDiscord(**kwargs) as fake:
        with fake.redirect():
            yield fake
        if fake.server_errors:
            raise AssertionError("fake Discord failed:\n" + "\n".join(fake.server_errors))


@pytest_asyncio.fixture(name="fake_discord")
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    """A fresh fake Discord per test, with discord.py's Route.BASE and DEFAULT_GATEWAY redirected to it."""
    async with serving_fake_discord() as fake:
        yield fake
