"""Incoming interactions: slash commands, button presses, menu choices and text forms, answered in time.

A slash command's options go to `App.invoke`; a button or menu runs the command it carries as the member who
pressed it and answers only them. Discord wants an answer within 3 seconds, so a slower command is deferred
first and its answer edited in or followed up.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Sequence
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.adapters.base import asks_for_text, fill_text
from bot.adapters.discord import posting
from bot.adapters.discord.components import TextForm, component_label, message_kwargs, text_limit
from bot.adapters.discord.names import as_registry_name, renamed
from bot.adapters.discord.posting import ANY_ROOM, PLATFORM
from bot.adapters.discord.render import CONTENT_LIMIT, HASHED_PREFIX, Page
from bot.adapters.discord.tree import UPLOAD_OPTION, raw_arguments
from bot.app import APOLOGY, App
from bot.commands import CommandSpec
from bot.ingest.loaders import FORMATS
from bot.replies import Context, Reply, Upload

if TYPE_CHECKING:
    from bot.adapters.discord.client import DiscordAdapter, ReadalongClient

log = logging.getLogger(__name__)

STALE_COMMAND = "Discord showed you an older version of this command; please try again in a minute."
HELP_COMMAND = "help"
INVALID_WEBHOOK_TOKEN = 50027  # docs: JSON Error Codes; an interaction token older than 15 minutes
LATE_PUBLIC = "here is my answer (it took longer than Discord lets me answer a command directly):"
LATE_PRIVATE = (
    "{mention} my answer to your command was ready after Discord's 15 minutes for a private answer, and I could "
    "not send you a direct message. Please run the command again."
)
EXPIRED_BUTTON = "This button no longer works; type the command instead (`/help` lists them)."


class Interactions:
    """Answers what members do in Discord; the adapter's current client (it is renewed on restart) posts."""

    def __init__(self, adapter: DiscordAdapter) -> None:
        self.adapter = adapter

    @property
    def app(self) -> App:
        return self.adapter.app

    @property
    def client(self) -> ReadalongClient:
        return self.adapter.client

    def context(self, interaction: discord.Interaction, uploads: tuple[Upload, ...] = ()) -> Context:
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

    # ------------------------------------------------------------ what members do
    async def on_command(self, interaction: discord.Interaction, spec: CommandSpec, values: dict[str, Any]) -> None:
        attachment = values.pop(UPLOAD_OPTION, None)
        if isinstance(attachment, discord.Attachment):
            problem = self._upload_problem(attachment)
            if problem:
                await self._answer(interaction, Reply(text=problem, ephemeral=True, kind="error"))
                return
        positional, named = raw_arguments(spec, values)
        if spec.name == HELP_COMMAND:  # the topic is a command as typed on Discord
            renames = renamed(self.app.registry)
            named = {key: as_registry_name(value, renames) for key, value in named.items()}

        async def work() -> Reply:
            uploads: tuple[Upload, ...] = ()
            if isinstance(attachment, discord.Attachment):
                uploads = (Upload(attachment.filename, await attachment.read()),)
            return await self.app.invoke(self.context(interaction, uploads), spec, positional, named)

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
            limit = text_limit(self.app.registry, command)
            await interaction.response.send_modal(
                TextForm(self, command, component_label(interaction, token), max_length=limit)
            )
            return
        await self._run(interaction, self.app.handle(self.context(interaction), command), ephemeral=True)

    async def on_text(self, interaction: discord.Interaction, command: str, text: str) -> None:
        """A text form was sent: run its command with the text, as the member; answer only them."""
        line = fill_text(command, text)
        await self._run(interaction, self.app.handle(self.context(interaction), line), ephemeral=True)

    async def _decode(self, token: str) -> str | None:
        kind, _, value = token.partition(":")
        if kind + ":" == HASHED_PREFIX:
            return await self.app.recall(PLATFORM, ANY_ROOM, "button", value)
        return value or None

    # ------------------------------------------------------------ answering
    async def _run(self, interaction: discord.Interaction, work: Awaitable[Reply], *, ephemeral: bool = False) -> None:
        """Answer with the reply; when it takes longer than `defer_after`, acknowledge first (Discord's 3 s)."""
        task = asyncio.ensure_future(work)
        done, _ = await asyncio.wait({task}, timeout=self.adapter.defer_after)
        if task in done:
            await self._answer(interaction, task.result(), ephemeral=ephemeral)
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        reply = await task
        hidden = ephemeral or reply.ephemeral
        try:
            await self._answer_deferred(interaction, reply, ephemeral=hidden)
        except discord.HTTPException as exc:
            if exc.code != INVALID_WEBHOOK_TOKEN:
                raise
            # The work outlived the interaction token (15 minutes, e.g. a large book): answer without it.
            log.info("discord: interaction %s expired before its answer; posting it instead", interaction.id)
            await self._answer_late(interaction, reply, ephemeral=hidden)

    async def _answer(self, interaction: discord.Interaction, reply: Reply, *, ephemeral: bool = False) -> None:
        hidden = ephemeral or reply.ephemeral
        pages = await posting.pages(self.app, reply)
        buttons: list[tuple[int, int]] = []
        for index, page in enumerate(pages):
            kwargs = message_kwargs(page)
            if index == 0:
                response = await interaction.response.send_message(ephemeral=hidden, **kwargs)
                message_id = getattr(response, "message_id", None)
            else:
                message_id = (await interaction.followup.send(ephemeral=hidden, wait=True, **kwargs)).id
            if "view" in kwargs and message_id and interaction.channel_id:
                buttons.append((interaction.channel_id, message_id))
        if not hidden:
            await self._after_public(interaction, reply, buttons)

    async def _answer_deferred(self, interaction: discord.Interaction, reply: Reply, *, ephemeral: bool) -> None:
        pages = await posting.pages(self.app, reply)
        if ephemeral:
            first, rest = pages[0], pages[1:]
            kwargs = message_kwargs(first)
            files = kwargs.pop("files", [])
            await interaction.edit_original_response(attachments=files, **kwargs)
        else:
            # The deferred "thinking…" answer is private; the public answer follows it.
            await interaction.edit_original_response(content="Done; my answer is below.")
            rest = pages
        buttons: list[tuple[int, int]] = []
        for page in rest:
            kwargs = message_kwargs(page)
            message = await interaction.followup.send(ephemeral=ephemeral, wait=True, **kwargs)
            if "view" in kwargs:
                buttons.append((message.channel.id, message.id))
        if not ephemeral:
            await self._after_public(interaction, reply, buttons)

    async def _answer_late(self, interaction: discord.Interaction, reply: Reply, *, ephemeral: bool) -> None:
        """The answer after the token expired: in the channel, mentioning the member; a private answer goes to
        the member's DMs instead, and only a note that it could not be delivered goes to the channel."""
        user = interaction.user
        mention = discord.AllowedMentions(users=[user], everyone=False, roles=False)
        pages = await posting.pages(self.app, reply)
        if ephemeral:
            try:
                for page in pages:
                    await user.send(**message_kwargs(page))
                return
            except discord.HTTPException as exc:
                log.info("discord: could not send %s their late private answer: %s", user.id, exc)
                pages = [Page(content=LATE_PRIVATE.format(mention=user.mention))]
        channel = await posting.messageable(self.client, int(interaction.channel_id or 0))
        buttons: list[tuple[int, int]] = []
        for index, page in enumerate(pages):
            kwargs = message_kwargs(page)
            if index == 0 and not ephemeral:
                content = f"{user.mention} {kwargs.get('content') or LATE_PUBLIC}".rstrip()
                if len(content) > CONTENT_LIMIT:
                    await channel.send(f"{user.mention} {LATE_PUBLIC}", allowed_mentions=mention)
                else:
                    kwargs["content"] = content
            message = await channel.send(allowed_mentions=mention, **kwargs)
            if "view" in kwargs:
                buttons.append((message.channel.id, message.id))
        if not ephemeral:
            await self._after_public(interaction, reply, buttons)

    async def _after_public(
        self, interaction: discord.Interaction, reply: Reply, buttons: Sequence[tuple[int, int]]
    ) -> None:
        await posting.after_public(self.app, self.client, self.context(interaction).room_id, reply, buttons)

    async def on_tree_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
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
