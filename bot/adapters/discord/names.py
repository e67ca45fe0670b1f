"""Where registry commands sit on Discord, and replies that name commands as Discord members type them.

Discord hides a command from members only by the `default_member_permissions` of a top-level command, so the
moderators' subcommands of a group that also has members' subcommands form their own group `<group>-admin`
(`/plan show` for everyone, `/plan-admin pause` for moderators). Replies are written once for every platform and
say `/plan pause`; on Discord they say `/plan-admin pause`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

from bot.commands import CommandSpec, Permission
from bot.replies import Reply

ADMIN_SUFFIX = "-admin"


def mixed_groups(specs: Iterable[CommandSpec]) -> set[str]:
    """Groups with both members' and moderators' subcommands: their moderator part moves to `<group>-admin`."""
    kinds: dict[str, set[bool]] = {}
    for spec in specs:
        if spec.group is not None:
            kinds.setdefault(spec.group, set()).add(spec.permission is Permission.MODERATOR)
    return {group for group, seen in kinds.items() if len(seen) == 2}


def slash_group(spec: CommandSpec, mixed: set[str]) -> str | None:
    """The Discord group a command sits in: its own group, or `<group>-admin` for a mixed group's moderators."""
    if spec.group is None:
        return None
    if spec.group in mixed and spec.permission is Permission.MODERATOR:
        return spec.group + ADMIN_SUFFIX
    return spec.group


def slash_name(spec: CommandSpec, specs: Iterable[CommandSpec]) -> str:
    """What a member types on Discord for a registry command: "plan show", "plan-admin pause", "help"."""
    group = slash_group(spec, mixed_groups(specs))
    return spec.name if group is None else f"{group} {spec.leaf}"


def renamed(specs: Iterable[CommandSpec]) -> dict[str, str]:
    """Registry name → Discord name, for the commands whose names differ ("plan pause" → "plan-admin pause")."""
    specs = list(specs)
    names = {spec.name: slash_name(spec, specs) for spec in specs}
    return {old: new for old, new in names.items() if old != new}


def as_typed_on_discord(reply: Reply, renames: dict[str, str]) -> Reply:
    """The reply with every command it names after a `/` or a backtick ("`/plan pause`", "`plan pause`") named
    as on Discord; other words are left alone."""
    if not renames:
        return reply
    pattern = re.compile(
        r"(?<=[/`])(" + "|".join(map(re.escape, sorted(renames, key=len, reverse=True))) + r")(?![\w-])"
    )

    def fix(text: str) -> str:
        return pattern.sub(lambda m: renames[m.group(1)], text)

    return replace(
        reply,
        text=fix(reply.text),
        title=fix(reply.title) if reply.title else reply.title,
        fields=tuple(replace(f, value=fix(f.value)) for f in reply.fields),
    )


def as_registry_name(value: str, renames: dict[str, str]) -> str:
    """A command a member named as on Discord ("plan-admin pause", "plan-admin"), as the core knows it; any other
    value unchanged. For options that name a command, like `/help topic:`."""
    wanted = " ".join(value.split()).lower()
    for old, new in renames.items():
        if wanted == new:
            return old
    for new in renames.values():
        group = new.split(" ")[0]
        if wanted == group:
            return group.removesuffix(ADMIN_SUFFIX)
    return value
