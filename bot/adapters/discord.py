"""Discord: slash commands generated from the command registry, buttons, threads and scheduled events.

This module only translates. Every registry command becomes a slash command (a two-word name becomes a
subcommand of a group) whose options come from the command's typed parameters; a received option is turned back
into its raw string and handed to `App.invoke`, so the core parses, validates and answers once for every
platform. Replies are rendered by `discord_render` (pure, tested without Discord). Buttons carry the command
they run in their custom_id and are dispatched by a `DynamicItem`, so they keep working after a restart
without re-adding views. Scheduled posts arrive through `send` from the outbox (the runner's loop, never an
interaction handler); meetings are mirrored as Guild Scheduled Events through `sync_meetings`.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import inspect
import io
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any, Literal, Optional

import discord
from discord import app_commands

from bot.adapters.base import DIRECT_PREFIX, MeetingEvent, asks_for_text, fill_text, poll_key
from bot.adapters.discord_render import (
    BUTTON_TEMPLATE,
    HASHED_PREFIX,
    SELECT_ID,
    Page,
    nonce_for,
    render,
    thread_name,
)
from bot.app import APOLOGY, App
from bot.commands import BookRef, CommandSpec, Param, Permission, PollRef, ReadingRef
from bot.config import ConfigError
from bot.ingest.loaders import FORMATS
from bot.replies import Context, Reply, Upload
from bot.replies import File as ReplyFile
from bot.storage import refs

log = logging.getLogger(__name__)

PLATFORM = "discord"
ANY_ROOM = "*"  # button commands too long for a custom_id are remembered under this room: any channel may press
POLL_KIND = "poll"  # a poll's shared choice command ("vote 7") → its messages with buttons, to disable on close
UPLOAD_COMMANDS = frozenset({"library add"})  # these get an optional attachment option
UPLOAD_OPTION = "file"
VARIADIC_OPTIONS = 10  # a `*options` parameter becomes option1 … option10
DEFER_AFTER = 2.0  # seconds; Discord wants an answer within 3, so slower commands are deferred first
THREAD_ARCHIVE_MINUTES: Literal[10080] = 10080  # a week: a reading's discussion stays open
AUTOCOMPLETE_KINDS = (BookRef, ReadingRef, PollRef)
MODERATOR_PERMISSIONS = discord.Permissions(manage_guild=True)
STYLES = {
    "primary": discord.ButtonStyle.primary,
    "secondary": discord.ButtonStyle.secondary,
    "success": discord.ButtonStyle.success,
    "danger": discord.ButtonStyle.danger,
}
STALE_COMMAND = "Discord showed you an older version of this command; please try again in a minute."
EXPIRED_BUTTON = "This button no longer works; type the command instead (`/help` lists them)."
NOT_CONNECTED = "the Discord gateway is reconnecting"
TEXT_INPUT_ID = "text"
TEXT_INPUT_LIMIT = 1000  # characters a member may write in a text form; the command checks its own limits
FORM_TIMEOUT = 900.0  # seconds an unsent text form is kept (Discord's interaction tokens last 15 minutes)


def create_adapter(app: App) -> DiscordAdapter:
    return DiscordAdapter(app)


# ---------------------------------------------------------------- buttons and menus (persistent)
class CommandButton(discord.ui.DynamicItem[discord.ui.Button], template=BUTTON_TEMPLATE):
    """A button whose custom_id is the command it runs ("rg:vote 3 A") or a remembered hash ("rgk:…")."""

    def __init__(self, custom_id: str, label: str = "…", style: str = "secondary", row: int | None = None) -> None:
        super().__init__(
            discord.ui.Button(label=label, style=STYLES.get(style, discord.ButtonStyle.secondary), custom_id=custom_id),
            row=row,
        )

    @classmethod
    async def from_custom_id(  # type: ignore[override]
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: Any
    ) -> CommandButton:
        return cls(match.string)

    async def callback(self, interaction: discord.Interaction) -> None:
        adapter = getattr(interaction.client, "adapter", None)
        if isinstance(adapter, DiscordAdapter):
            await adapter.on_component(interaction, self.custom_id)


class CommandSelect(discord.ui.DynamicItem[discord.ui.Select], template=SELECT_ID):
    """A select menu for many choices; each option's value is an encoded command like a button's custom_id."""

    def __init__(self, options: Sequence[tuple[str, str]] = (("…", "rg:help"),), placeholder: str = "Choose…") -> None:
        select: discord.ui.Select = discord.ui.Select(
            custom_id=SELECT_ID,
            placeholder=placeholder,
            options=[discord.SelectOption(label=label, value=value) for label, value in options],
        )
        super().__init__(select)

    @classmethod
    async def from_custom_id(  # type: ignore[override]
        cls, interaction: discord.Interaction, item: discord.ui.Select, match: Any
    ) -> CommandSelect:
        return cls()

    async def callback(self, interaction: discord.Interaction) -> None:
        adapter = getattr(interaction.client, "adapter", None)
        data: dict[str, Any] = dict(interaction.data or {})
        values = data.get("values") or []
        if isinstance(adapter, DiscordAdapter) and values:
            await adapter.on_component(interaction, str(values[0]))


class TextForm(discord.ui.Modal):
    """The form a button whose command asks for text opens: one paragraph; sending it runs the command."""

    def __init__(self, adapter: DiscordAdapter, command: str, title: str) -> None:
        super().__init__(title=title[:45] or "Your text", timeout=FORM_TIMEOUT)
        self.adapter = adapter
        self.command = command
        self.text: discord.ui.TextInput[TextForm] = discord.ui.TextInput(
            custom_id=TEXT_INPUT_ID, style=discord.TextStyle.paragraph, max_length=TEXT_INPUT_LIMIT, required=True
        )
        self.add_item(discord.ui.Label(text="Your text", component=self.text))

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await self.adapter.on_text(interaction, self.command, self.text.value)


# ---------------------------------------------------------------- the client
class ReadalongClient(discord.Client):
    """A discord.py client that hands everything to the adapter and tracks whether its gateway is up."""

    def __init__(self, adapter: DiscordAdapter, **options: Any) -> None:
        super().__init__(**options)
        self.adapter = adapter
        self.tree: app_commands.CommandTree = app_commands.CommandTree(self)
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


# ---------------------------------------------------------------- slash command options
class _Option:
    """How one Param appears on Discord: the Python parameter name, its Discord name, type and description."""

    def __init__(self, param: Param, py_name: str, display: str, annotation: Any, description: str) -> None:
        self.param = param
        self.py_name = py_name
        self.display = display
        self.annotation = annotation
        self.description = description[:100] or "…"


def _options_for(spec: CommandSpec) -> list[_Option]:
    options: list[_Option] = []
    for param in spec.params:
        description = param.help or param.type_name
        if param.variadic:
            stem = param.name[:-1] if param.name.endswith("s") and len(param.name) > 1 else param.name
            for i in range(1, VARIADIC_OPTIONS + 1):
                options.append(_Option(param, f"{stem}{i}", f"{stem}{i}", Optional[str], description))  # noqa: UP045
            continue
        if param.choices:
            kind: Any = str
        elif param.kind is bool:
            kind = bool
        elif param.kind is int:
            kind = int
        elif param.kind is float:
            kind = float
        else:
            kind = str  # text, references, dates, durations and zones: the core parses the string
        annotation = kind if param.required else Optional[kind]  # noqa: UP045 - discord.py reads Optional
        options.append(_Option(param, param.name, param.option_name, annotation, description))
    return options


def _raw_arguments(spec: CommandSpec, values: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """Options as received → the raw strings the core's `bind` expects (variadic ones positionally)."""
    positional: list[str] = []
    named: dict[str, str] = {}
    for option in _options_for(spec):
        value = values.get(option.py_name)
        if value is None:
            continue
        raw = ("yes" if value else "no") if isinstance(value, bool) else str(value)
        if option.param.variadic:
            if raw.strip():
                positional.append(raw)
        else:
            named[option.param.name] = raw
    return positional, named


# ---------------------------------------------------------------- the adapter
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
        self._build_commands(client.tree)
        client.tree.error(self._on_tree_error)
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
        await self._sync_commands()
        log.info("discord: connected as %s to %d guild(s)", client.user, len(client.guilds))

    async def stop(self) -> None:
        await self.client.close()
        if self._gateway is not None:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(self._gateway, 10)
            self._gateway = None

    async def _sync_commands(self) -> None:
        """Upload the commands where they changed (guild commands appear at once, global ones within an hour)."""
        tree = self.client.tree
        guild_ids = self.app.settings.discord.guild_ids
        scopes: list[discord.Object | None] = [discord.Object(g) for g in guild_ids] or [None]
        for guild in scopes:
            if guild is not None:
                tree.copy_global_to(guild=guild)
            payload = [c.to_dict(tree) for c in tree.get_commands(guild=guild)]
            digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
            scope = f"{self.client.application_id}:{guild.id if guild else 'global'}"
            if await self.app.recall(PLATFORM, ANY_ROOM, "commands", scope) == digest:
                continue
            await tree.sync(guild=guild)
            await self.app.remember(PLATFORM, ANY_ROOM, "commands", scope, digest)
            log.info("discord: synced %d commands to %s", len(payload), f"guild {guild.id}" if guild else "all guilds")

    # ------------------------------------------------------------ building the slash commands
    def _build_commands(self, tree: app_commands.CommandTree) -> None:
        guild_only = app_commands.AppCommandContext(guild=True, dm_channel=False, private_channel=False)
        groups: dict[str, list[CommandSpec]] = {}
        for spec in self.app.registry:
            if spec.group is None:
                command = self._command(spec, parent=None)
                command.allowed_contexts = guild_only
                if spec.permission is Permission.MODERATOR:
                    command.default_permissions = MODERATOR_PERMISSIONS
                tree.add_command(command)
            else:
                groups.setdefault(spec.group, []).append(spec)
        for name, specs in groups.items():
            leaves = ", ".join(s.leaf for s in specs)
            all_moderator = all(s.permission is Permission.MODERATOR for s in specs)
            group = app_commands.Group(
                name=name,
                description=f"{name.capitalize()}: {leaves}"[:100],
                allowed_contexts=guild_only,
                default_permissions=MODERATOR_PERMISSIONS if all_moderator else None,
            )
            for spec in specs:
                group.add_command(self._command(spec, parent=group))
            tree.add_command(group)

    def _command(self, spec: CommandSpec, parent: app_commands.Group | None) -> app_commands.Command:
        options = _options_for(spec)
        adapter = self

        async def callback(interaction: discord.Interaction, **values: Any) -> None:
            await adapter.on_command(interaction, spec, values)

        parameters = [inspect.Parameter("interaction", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
        for option in options:
            default = inspect.Parameter.empty if option.param.required and not option.param.variadic else None
            parameters.append(
                inspect.Parameter(
                    option.py_name, inspect.Parameter.KEYWORD_ONLY, annotation=option.annotation, default=default
                )
            )
        if spec.name in UPLOAD_COMMANDS:
            parameters.append(
                inspect.Parameter(
                    UPLOAD_OPTION,
                    inspect.Parameter.KEYWORD_ONLY,
                    annotation=Optional[discord.Attachment],  # noqa: UP045
                    default=None,
                )
            )
        callback.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
        descriptions = {o.py_name: o.description for o in options}
        if spec.name in UPLOAD_COMMANDS:
            descriptions[UPLOAD_OPTION] = "The book's file: " + ", ".join(sorted({f[1:] for f in FORMATS}))[:80]
        app_commands.describe(**descriptions)(callback)
        renames = {o.py_name: o.display for o in options if o.display != o.py_name}
        if renames:
            app_commands.rename(**renames)(callback)
        choices = {
            o.py_name: [app_commands.Choice(name=c, value=c) for c in o.param.choices]
            for o in options
            if o.param.choices and len(o.param.choices) <= 25
        }
        if choices:
            app_commands.choices(**choices)(callback)
        completes: dict[str, Any] = {
            o.py_name: self._autocomplete(o.param.kind) for o in options if o.param.kind in AUTOCOMPLETE_KINDS
        }
        if completes:
            app_commands.autocomplete(**completes)(callback)
        return app_commands.Command(
            name=spec.leaf if parent else spec.name,
            description=spec.help[:100],
            callback=callback,
            parent=parent,
        )

    def _autocomplete(self, kind: type) -> Callable[..., Awaitable[list[app_commands.Choice[str]]]]:
        adapter = self

        async def complete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
            pairs = await adapter.app.complete(adapter._context(interaction), kind, current or "")
            return [app_commands.Choice(name=label[:100] or value, value=value[:100]) for label, value in pairs[:25]]

        return complete

    # ------------------------------------------------------------ incoming interactions
    def _context(self, interaction: discord.Interaction, uploads: tuple[Upload, ...] = ()) -> Context:
        channel = interaction.channel
        room_id = str(interaction.channel_id)
        thread_id = None
        if isinstance(channel, discord.Thread):
            thread_id, room_id = str(channel.id), str(channel.parent_id)
        user = interaction.user
        return Context(
            platform=PLATFORM,
            room_id=room_id,
            user_id=str(user.id),
            display_name=user.display_name,
            platform_moderator=self._is_moderator(interaction),
            uploads=uploads,
            thread_id=thread_id,
            prefix="/",
        )

    def _is_moderator(self, interaction: discord.Interaction) -> bool:
        """Manage Server (or administrator), or one of the roles named in bot.moderator_roles."""
        user = interaction.user
        if not isinstance(user, discord.Member):
            return False
        permissions = interaction.permissions
        if permissions.manage_guild or permissions.administrator:
            return True
        wanted = {name.casefold() for name in self.app.settings.bot.moderator_roles}
        return any(role.name.casefold() in wanted for role in user.roles)

    async def on_command(self, interaction: discord.Interaction, spec: CommandSpec, values: dict[str, Any]) -> None:
        attachment = values.pop(UPLOAD_OPTION, None)
        if isinstance(attachment, discord.Attachment):
            problem = self._upload_problem(attachment)
            if problem:
                await self._answer(interaction, Reply(text=problem, ephemeral=True, kind="error"))
                return
        positional, named = _raw_arguments(spec, values)

        async def work() -> Reply:
            uploads: tuple[Upload, ...] = ()
            if isinstance(attachment, discord.Attachment):
                uploads = (Upload(attachment.filename, await attachment.read()),)
            return await self.app.invoke(self._context(interaction, uploads), spec, positional, named)

        await self._run(interaction, work())

    def _upload_problem(self, attachment: discord.Attachment) -> str | None:
        """Refuse a file before downloading it: too large, or not a format the library reads."""
        limit = self.app.settings.library.max_upload_mb
        suffix = PurePosixPath(attachment.filename.lower()).suffix
        if suffix not in FORMATS:
            kinds = ", ".join(sorted({s[1:] for s in FORMATS}))
            return f"I can't read {attachment.filename}: attach a file of one of these kinds: {kinds}."
        if attachment.size > limit * 1024 * 1024:
            return f"{attachment.filename} is larger than the {limit} MB limit."
        return None

    async def on_component(self, interaction: discord.Interaction, token: str) -> None:
        """A button or menu choice: run its command as the member who pressed it; answer only them."""
        command = await self._decode(token)
        if command is None:
            await self._answer(interaction, Reply(text=EXPIRED_BUTTON, ephemeral=True, kind="error"))
            return
        if asks_for_text(command):
            await interaction.response.send_modal(TextForm(self, command, _component_label(interaction, token)))
            return
        await self._run(interaction, self.app.handle(self._context(interaction), command), ephemeral=True)

    async def on_text(self, interaction: discord.Interaction, command: str, text: str) -> None:
        """A text form was sent: run its command with the text, as the member; answer only them."""
        line = fill_text(command, text)
        await self._run(interaction, self.app.handle(self._context(interaction), line), ephemeral=True)

    async def _decode(self, token: str) -> str | None:
        kind, _, value = token.partition(":")
        if kind + ":" == HASHED_PREFIX:
            return await self.app.recall(PLATFORM, ANY_ROOM, "button", value)
        return value or None

    async def _run(self, interaction: discord.Interaction, work: Awaitable[Reply], *, ephemeral: bool = False) -> None:
        """Answer with the reply; when it takes longer than `defer_after`, acknowledge first (Discord's 3 s)."""
        task = asyncio.ensure_future(work)
        done, _ = await asyncio.wait({task}, timeout=self.defer_after)
        if task in done:
            await self._answer(interaction, task.result(), ephemeral=ephemeral)
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        reply = await task
        await self._answer_deferred(interaction, reply, ephemeral=ephemeral or reply.ephemeral)

    async def _answer(self, interaction: discord.Interaction, reply: Reply, *, ephemeral: bool = False) -> None:
        hidden = ephemeral or reply.ephemeral
        pages = await self._pages(reply)
        buttons: list[tuple[int, int]] = []
        for index, page in enumerate(pages):
            kwargs = _message_kwargs(page)
            if index == 0:
                response = await interaction.response.send_message(ephemeral=hidden, **kwargs)
                message_id = getattr(response, "message_id", None)
            else:
                message_id = (await interaction.followup.send(ephemeral=hidden, wait=True, **kwargs)).id
            if "view" in kwargs and message_id and interaction.channel_id:
                buttons.append((interaction.channel_id, message_id))
        if not hidden:
            await self._after_public(self._context(interaction).room_id, reply, buttons)

    async def _answer_deferred(self, interaction: discord.Interaction, reply: Reply, *, ephemeral: bool) -> None:
        pages = await self._pages(reply)
        if ephemeral:
            first, rest = pages[0], pages[1:]
            kwargs = _message_kwargs(first)
            files = kwargs.pop("files", [])
            await interaction.edit_original_response(attachments=files, **kwargs)
        else:
            # The deferred "thinking…" answer is private; the public answer follows it.
            await interaction.edit_original_response(content="Done; my answer is below.")
            rest = pages
        buttons: list[tuple[int, int]] = []
        for page in rest:
            kwargs = _message_kwargs(page)
            message = await interaction.followup.send(ephemeral=ephemeral, wait=True, **kwargs)
            if "view" in kwargs:
                buttons.append((message.channel.id, message.id))
        if not ephemeral:
            await self._after_public(self._context(interaction).room_id, reply, buttons)

    # ------------------------------------------------------------ polls: buttons off once closed
    async def _after_public(self, room_id: str, reply: Reply, buttons: Sequence[tuple[int, int]]) -> None:
        """After a public post: remember a poll's messages with buttons; a poll's results disable them."""
        key = poll_key(reply.choices) if reply.kind == "poll" else None
        if key and buttons:
            stored = await self.app.recall(PLATFORM, room_id, POLL_KIND, key)
            known = [*json.loads(stored), *buttons] if stored else list(buttons)
            await self.app.remember(PLATFORM, room_id, POLL_KIND, key, json.dumps(known))
        if reply.closes:
            await self._disable_poll(room_id, reply.closes)

    async def _disable_poll(self, room_id: str, key: str) -> None:
        """Grey out the buttons of every message that offered the commands `key …`, once; a message that cannot
        be edited (deleted, no permission) keeps its buttons, which answer that the poll is closed."""
        stored = await self.app.recall(PLATFORM, room_id, POLL_KIND, key)
        if stored is None:
            return
        for channel_id, message_id in json.loads(stored):
            try:
                channel = await self._messageable(int(channel_id))
                message = await channel.fetch_message(int(message_id))
                view = discord.ui.View.from_message(message, timeout=None)
                for item in view.children:
                    if isinstance(item, (discord.ui.Button, discord.ui.Select)):
                        item.disabled = True
                await message.edit(view=view)
            except discord.HTTPException as exc:
                log.warning("discord: could not disable the buttons of poll %s in %s: %s", key, room_id, exc)
        await self.app.forget_ref(PLATFORM, room_id, POLL_KIND, key)

    async def _pages(self, reply: Reply) -> list[Page]:
        rendered = render(reply)
        for key, command in rendered.hashed.items():
            await self.app.remember(PLATFORM, ANY_ROOM, "button", key, command)
        return rendered.pages

    async def _on_tree_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        if isinstance(error, app_commands.CommandSignatureMismatch | app_commands.CommandNotFound):
            log.warning("discord: stale command from the client: %s", error)
            text = STALE_COMMAND
        else:
            original = getattr(error, "original", error)
            log.error("discord: command failed", exc_info=(type(original), original, original.__traceback__))
            text = APOLOGY
        try:
            if interaction.response.is_done():
                await interaction.followup.send(text, ephemeral=True)
            else:
                await interaction.response.send_message(text, ephemeral=True)
        except Exception as exc:  # the interaction expired or the client is closing: nobody to tell
            log.debug("discord: could not report an error to the member: %s", exc)

    # ------------------------------------------------------------ scheduled posts
    async def send(
        self, room_id: str, reply: Reply, *, key: str, thread_key: str | None = None, starts_thread: bool = False
    ) -> str:
        if room_id.startswith(DIRECT_PREFIX):
            return await self._send_direct(int(room_id.removeprefix(DIRECT_PREFIX)), reply, key)
        channel = await self._messageable(int(room_id))
        guild = getattr(channel, "guild", None)
        if not self.client.connected_for(guild):
            raise ConnectionError(NOT_CONNECTED)  # the row stays in the outbox and goes out on a later tick
        target: Any = channel
        if thread_key and not starts_thread:
            thread_id = await self.app.recall(PLATFORM, room_id, "thread", thread_key)
            if thread_id:
                with contextlib.suppress(discord.NotFound, discord.Forbidden):
                    target = await self._messageable(int(thread_id))
        first: discord.Message | None = None
        buttons: list[tuple[int, int]] = []
        for index, page in enumerate(await self._pages(reply)):
            kwargs = _message_kwargs(page)
            message = await target.send(nonce=nonce_for(key, index), **kwargs)  # enforce_nonce is set with it
            first = first or message
            if "view" in kwargs:
                buttons.append((message.channel.id, message.id))
        assert first is not None
        if starts_thread and thread_key:
            await self._open_thread(room_id, first, reply, thread_key)
        await self._after_public(room_id, reply, buttons)
        return str(first.id)

    async def _send_direct(self, user_id: int, reply: Reply, key: str) -> str:
        """A private message (a nudge): the user's DM channel, opened on demand."""
        if not self.client.is_ready():
            raise ConnectionError(NOT_CONNECTED)
        user = self.client.get_user(user_id) or await self.client.fetch_user(user_id)
        first: discord.Message | None = None
        for index, page in enumerate(await self._pages(reply)):
            message = await user.send(nonce=nonce_for(key, index), **_message_kwargs(page))
            first = first or message
        assert first is not None
        return str(first.id)

    async def _open_thread(self, room_id: str, message: discord.Message, reply: Reply, thread_key: str) -> None:
        """Start the reading's thread on its post. A failure leaves the post delivered (no re-send loop); the
        reading's later posts then go to the channel itself."""
        thread = message.thread  # a repeated post (same nonce) may already have its thread
        if thread is None:
            try:
                thread = await message.create_thread(
                    name=thread_name(reply), auto_archive_duration=THREAD_ARCHIVE_MINUTES
                )
            except discord.HTTPException as exc:
                log.warning("discord: could not open the thread %s in %s: %s", thread_key, room_id, exc)
                return
        await self.app.remember(PLATFORM, room_id, "thread", thread_key, str(thread.id))

    async def _messageable(self, channel_id: int) -> Any:
        channel = self.client.get_channel(channel_id)
        if channel is None:
            channel = await self.client.fetch_channel(channel_id)
        return channel

    # ------------------------------------------------------------ meetings as Guild Scheduled Events
    async def sync_meetings(self, room_id: str, meetings: Sequence[MeetingEvent]) -> None:
        channel = await self._messageable(int(room_id))
        guild: discord.Guild | None = getattr(channel, "guild", None)
        if guild is None:
            return
        location = f"#{getattr(channel, 'name', 'reading group')}"
        known = await refs.of_kind(self.app.db, PLATFORM, room_id, "event")
        now = self.app.clock.now()
        wanted = {m.key: m for m in meetings}
        for meeting in meetings:
            try:
                await self._sync_event(guild, room_id, meeting, known.get(meeting.key), location, now)
            except discord.HTTPException as exc:
                log.warning("discord: could not mirror meeting %s: %s", meeting.key, exc)
        for key, event_id in known.items():
            if key in wanted:
                continue
            event = await self._event(guild, event_id)
            try:
                if event is not None:
                    await event.delete()
            except discord.NotFound:
                pass
            except discord.HTTPException as exc:
                log.warning("discord: could not cancel meeting %s: %s", key, exc)
                continue
            await self.app.forget_ref(PLATFORM, room_id, "event", key)

    async def _sync_event(
        self,
        guild: discord.Guild,
        room_id: str,
        meeting: MeetingEvent,
        event_id: str | None,
        location: str,
        now: datetime,
    ) -> None:
        fields: dict[str, Any] = {
            "name": meeting.title[:100] or "Meeting",
            "description": meeting.description[:1000],
            "start_time": meeting.starts_at,
            "end_time": meeting.ends_at,
            "location": location,
        }
        event = await self._event(guild, event_id) if event_id else None
        if meeting.starts_at <= now:
            return  # Discord keeps past events as they were; it refuses to create or move one into the past
        if event is None:
            event = await guild.create_scheduled_event(
                entity_type=discord.EntityType.external,
                privacy_level=discord.PrivacyLevel.guild_only,
                **fields,
            )
            await self.app.remember(PLATFORM, room_id, "event", meeting.key, str(event.id))
        elif (event.name, event.description or "", event.start_time, event.end_time, event.location) != (
            fields["name"],
            fields["description"],
            fields["start_time"],
            fields["end_time"],
            location,
        ):
            await event.edit(entity_type=discord.EntityType.external, **fields)

    async def _event(self, guild: discord.Guild, event_id: str) -> discord.ScheduledEvent | None:
        event = guild.get_scheduled_event(int(event_id))
        if event is not None:
            return event
        try:
            return await guild.fetch_scheduled_event(int(event_id))
        except discord.NotFound:
            return None


def _component_label(interaction: discord.Interaction, token: str) -> str:
    """The label of the pressed button (or chosen menu option), for the title of the form it opens."""
    message = interaction.message
    for row in message.components if message else []:
        for child in getattr(row, "children", []):
            if getattr(child, "custom_id", None) == token and getattr(child, "label", None):
                return str(child.label)
            for option in getattr(child, "options", []):
                if option.value == token:
                    return str(option.label)
    return "Your text"


def _message_kwargs(page: Page) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    if page.content:
        kwargs["content"] = page.content
    if page.embed:
        kwargs["embed"] = discord.Embed.from_dict(page.embed)
    if page.files:
        kwargs["files"] = [_discord_file(f) for f in page.files]
    if page.buttons or page.select:
        view = discord.ui.View(timeout=None)
        for index, button in enumerate(page.buttons):
            view.add_item(CommandButton(button.custom_id, button.label, button.style, row=index // 5))
        if page.select:
            view.add_item(CommandSelect([(o.label, o.value) for o in page.select]))
        kwargs["view"] = view
    return kwargs


def _discord_file(file: ReplyFile) -> discord.File:
    return discord.File(io.BytesIO(file.data), filename=file.filename)
