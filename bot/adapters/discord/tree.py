"""The slash commands, generated from the command registry, and their upload to Discord when they change.

Every registry command becomes a slash command (a two-word name becomes a subcommand of a group) whose options
come from the command's typed parameters; a received option is turned back into its raw string and handed to
`App.invoke`, so the core parses, validates and answers once for every platform.

Discord hides a command from members only by the `default_member_permissions` of a top-level command, so the
moderators' subcommands of a group that also has members' subcommands form their own group: `/plan show` for
everyone, `/plan-admin pause` for members with Manage Server (a server may grant it to other roles in Server
Settings → Integrations). The core still checks the permission of every command it runs.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Optional

import discord
from discord import app_commands

from bot.adapters.discord.names import mixed_groups, slash_group
from bot.adapters.discord.posting import ANY_ROOM, PLATFORM
from bot.adapters.discord.render import shorten
from bot.app import App
from bot.commands import BookRef, CommandSpec, Param, Permission, PollRef, ReadingRef
from bot.ingest.loaders import FORMATS

if TYPE_CHECKING:
    from bot.adapters.discord.client import ReadalongClient
    from bot.adapters.discord.interactions import Interactions

log = logging.getLogger(__name__)

UPLOAD_COMMANDS = frozenset({"library add"})  # these get an optional attachment option
UPLOAD_OPTION = "file"
VARIADIC_OPTIONS = 10  # a `*options` parameter without a MaxCount becomes option1 … option10
OPTIONS_LIMIT = 25  # docs: Application Commands › Application Command Object (options: max 25)
AUTOCOMPLETE_KINDS = (BookRef, ReadingRef, PollRef)
MODERATOR_PERMISSIONS = discord.Permissions(manage_guild=True)
DESCRIPTION_LIMIT = 100
# Guild installs, used in guilds only (docs: Interactions › Application Commands › Contexts, Installation Context).
GUILD_ONLY = app_commands.AppCommandContext(guild=True, dm_channel=False, private_channel=False)
GUILD_INSTALL = app_commands.AppInstallationType(guild=True, user=False)


class _TopLevel:
    """Uploads without `dm_permission`: deprecated, and redundant beside `contexts` (docs: Application Commands ›
    Application Command Object, dm_permission "Deprecated (use contexts instead)")."""

    def to_dict(self, tree: app_commands.CommandTree) -> dict[str, Any]:
        payload: dict[str, Any] = super().to_dict(tree)  # type: ignore[misc]
        payload.pop("dm_permission", None)
        return payload


class SlashCommand(_TopLevel, app_commands.Command):
    pass


class SlashGroup(_TopLevel, app_commands.Group):
    pass


def new_tree(client: discord.Client) -> app_commands.CommandTree:
    """The command tree: every command for guild installs, offered in guilds only."""
    return app_commands.CommandTree(client, allowed_contexts=GUILD_ONLY, allowed_installs=GUILD_INSTALL)


# ---------------------------------------------------------------- slash command options
class _Option:
    """How one Param appears on Discord: the Python parameter name, its Discord name, type and description."""

    def __init__(self, param: Param, py_name: str, display: str, annotation: Any, description: str) -> None:
        self.param = param
        self.py_name = py_name
        self.display = display
        self.annotation = annotation
        self.description = shorten(description, DESCRIPTION_LIMIT) or "…"


def variadic_slots(spec: CommandSpec, param: Param) -> int:
    """How many numbered options a `*values` parameter gets: what the command accepts (its MaxCount, else
    `VARIADIC_OPTIONS`), within Discord's 25 options of a command beside the command's other options."""
    others = sum(1 for p in spec.params if not p.variadic) + (1 if spec.name in UPLOAD_COMMANDS else 0)
    return max(0, min(param.max_count or VARIADIC_OPTIONS, OPTIONS_LIMIT - others))


def _options_for(spec: CommandSpec) -> list[_Option]:
    options: list[_Option] = []
    for param in spec.params:
        description = param.help or param.type_name
        if param.variadic:
            stem = param.name[:-1] if param.name.endswith("s") and len(param.name) > 1 else param.name
            for i in range(1, variadic_slots(spec, param) + 1):
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
        elif param.max_length is not None:
            kind = app_commands.Range[str, None, param.max_length]  # uploaded as the option's max_length
        else:
            kind = str  # text, references, dates, durations and zones: the core parses the string
        annotation = kind if param.required else Optional[kind]  # noqa: UP045 - discord.py reads Optional
        options.append(_Option(param, param.name, param.option_name, annotation, description))
    return options


def raw_arguments(spec: CommandSpec, values: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
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


# ---------------------------------------------------------------- building the tree
def build_commands(tree: app_commands.CommandTree, app: App, interactions: Interactions) -> None:
    """One slash command per registry command (grouped by their first word); `interactions` answers them."""
    mixed = mixed_groups(app.registry)
    groups: dict[str, list[CommandSpec]] = {}
    for spec in app.registry:
        group_name = slash_group(spec, mixed)
        if group_name is None:
            command = _command(spec, interactions, parent=None)
            if spec.permission is Permission.MODERATOR:
                command.default_permissions = MODERATOR_PERMISSIONS
            tree.add_command(command)
        else:
            groups.setdefault(group_name, []).append(spec)
    for name, specs in groups.items():
        leaves = ", ".join(s.leaf for s in specs)
        moderators = all(s.permission is Permission.MODERATOR for s in specs)
        title = (specs[0].group or name).capitalize() + (" (moderators)" if moderators else "")
        group = SlashGroup(
            name=name,
            description=shorten(f"{title}: {leaves}", DESCRIPTION_LIMIT),
            default_permissions=MODERATOR_PERMISSIONS if moderators else None,
        )
        for spec in specs:
            group.add_command(_command(spec, interactions, parent=group))
        tree.add_command(group)
    tree.error(interactions.on_tree_error)


def _command(spec: CommandSpec, interactions: Interactions, parent: app_commands.Group | None) -> app_commands.Command:
    options = _options_for(spec)

    async def callback(interaction: discord.Interaction, **values: Any) -> None:
        await interactions.on_command(interaction, spec, values)

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
        descriptions[UPLOAD_OPTION] = shorten(
            "The book's file: " + ", ".join(sorted({f[1:] for f in FORMATS})), DESCRIPTION_LIMIT
        )
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
        o.py_name: _autocomplete(interactions, o.param.kind) for o in options if o.param.kind in AUTOCOMPLETE_KINDS
    }
    if completes:
        app_commands.autocomplete(**completes)(callback)
    return SlashCommand(
        name=spec.leaf if parent else spec.name,
        description=shorten(spec.help, DESCRIPTION_LIMIT),
        callback=callback,
        parent=parent,
    )


def _autocomplete(interactions: Interactions, kind: type) -> Callable[..., Awaitable[list[app_commands.Choice[str]]]]:
    async def complete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        pairs = await interactions.app.complete(interactions.context(interaction), kind, current or "")
        return [
            app_commands.Choice(name=shorten(label, 100) or value, value=value[:100]) for label, value in pairs[:25]
        ]

    return complete


# ---------------------------------------------------------------- uploading
async def sync_commands(app: App, client: ReadalongClient) -> None:
    """Upload the commands where they changed (guild commands appear at once, global ones within an hour)."""
    tree = client.tree
    guild_ids = app.settings.discord.guild_ids
    scopes: list[discord.Object | None] = [discord.Object(g) for g in guild_ids] or [None]
    for guild in scopes:
        if guild is not None:
            tree.copy_global_to(guild=guild)
        payload = [c.to_dict(tree) for c in tree.get_commands(guild=guild)]
        digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
        scope = f"{client.application_id}:{guild.id if guild else 'global'}"
        if await app.recall(PLATFORM, ANY_ROOM, "commands", scope) == digest:
            continue
        await tree.sync(guild=guild)
        await app.remember(PLATFORM, ANY_ROOM, "commands", scope, digest)
        log.info("discord: synced %d commands to %s", len(payload), f"guild {guild.id}" if guild else "all guilds")
