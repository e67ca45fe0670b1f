"""Permissions as Discord computes them: base permissions from @everyone and roles, then channel overwrites.

Pure functions over the fake's wire-shaped state (role payloads, member payloads, channel payloads with
``permission_overwrites``), following docs: Topics › Permissions › Permission Hierarchy / Permission Overwrites
(the documented ``compute_base_permissions`` and ``compute_overwrites``) and Implicit Permissions.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import discord

ALL = discord.Permissions.all().value
CREATE_INSTANT_INVITE = 1 << 0
ADMINISTRATOR = 1 << 3
MANAGE_CHANNELS = 1 << 4
MANAGE_GUILD = 1 << 5
ADD_REACTIONS = 1 << 6
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
SEND_TTS_MESSAGES = 1 << 12
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
MENTION_EVERYONE = 1 << 17
MANAGE_ROLES = 1 << 28
MANAGE_EVENTS = 1 << 33
MANAGE_THREADS = 1 << 34
CREATE_PUBLIC_THREADS = 1 << 35
CREATE_PRIVATE_THREADS = 1 << 36
SEND_MESSAGES_IN_THREADS = 1 << 38
CREATE_EVENTS = 1 << 44
PIN_MESSAGES = 1 << 51

README = Path(__file__).resolve().parents[2] / "README.md"
# The invite integer the README gave until #15 (View Channels, Send Messages, Send Messages in Threads, Create
# Public Threads, Embed Links, Attach Files, Read Message History, Manage Events): no Create Events.
MANAGE_EVENTS_ONLY_INVITE = 317827697664


def readme_invite() -> int:
    """The permissions integer of the README's invite URL: what a server that followed the README granted."""
    match = re.search(r"[?&]permissions=(\d+)", README.read_text(encoding="utf-8"))
    if match is None:
        raise LookupError(f"{README} has no invite URL with permissions=…")
    return int(match.group(1))


# The fake's default for the bot's role, so the fake grants what the README asks servers to grant.
README_INVITE = readme_invite()

# docs: Topics › Permissions › Implicit Permissions — without SEND_MESSAGES these are denied too.
_NEEDS_SEND = MENTION_EVERYONE | SEND_TTS_MESSAGES | ATTACH_FILES | EMBED_LINKS

ROLE_OVERWRITE, MEMBER_OVERWRITE = 0, 1


def base_permissions(
    guild_id: int, owner_id: int, roles: dict[int, dict[str, Any]], user_id: int, member_roles: list[str]
) -> int:
    """docs: Permissions › Permission Overwrites (compute_base_permissions): the owner has everything;
    otherwise @everyone's permissions OR every role's; ADMINISTRATOR means everything."""
    if user_id == owner_id:
        return ALL
    permissions = int(roles[guild_id]["permissions"])
    for role_id in member_roles:
        role = roles.get(int(role_id))
        if role is not None:
            permissions |= int(role["permissions"])
    if permissions & ADMINISTRATOR:
        return ALL
    return permissions


def overwritten(
    base: int,
    guild_id: int,
    user_id: int,
    member_roles: list[str],
    overwrites: list[dict[str, Any]],
    *,
    thread: bool = False,
) -> int:
    """docs: Permissions › Permission Overwrites (compute_overwrites), in the documented order: the
    @everyone overwrite, then all role overwrites together (denies, then allows), then the member's own."""
    if base & ADMINISTRATOR or base == ALL:
        return ALL
    by_id = {int(o["id"]): o for o in overwrites}
    permissions = base
    everyone = by_id.get(guild_id)
    if everyone is not None:
        permissions &= ~int(everyone.get("deny", 0))
        permissions |= int(everyone.get("allow", 0))
    allow = deny = 0
    for role_id in member_roles:
        overwrite = by_id.get(int(role_id))
        if overwrite is not None and int(overwrite.get("type", ROLE_OVERWRITE)) == ROLE_OVERWRITE:
            allow |= int(overwrite.get("allow", 0))
            deny |= int(overwrite.get("deny", 0))
    permissions &= ~deny
    permissions |= allow
    mine = by_id.get(user_id)
    if mine is not None and int(mine.get("type", MEMBER_OVERWRITE)) == MEMBER_OVERWRITE:
        permissions &= ~int(mine.get("deny", 0))
        permissions |= int(mine.get("allow", 0))
    return implicit(permissions, send=SEND_MESSAGES_IN_THREADS if thread else SEND_MESSAGES)


def implicit(permissions: int, send: int = SEND_MESSAGES) -> int:
    """docs: Permissions › Implicit Permissions — no VIEW_CHANNEL means no permission in the channel at all;
    no right to send (SEND_MESSAGES; in a thread SEND_MESSAGES_IN_THREADS) means none of the permissions
    that only make sense when sending."""
    if permissions == ALL:
        return permissions
    if not permissions & VIEW_CHANNEL:
        return 0
    if not permissions & send:
        permissions &= ~_NEEDS_SEND
    return permissions


def names(permissions: int) -> list[str]:
    """The discord.py names of the set flags, for readable failure messages."""
    return [name for name, value in discord.Permissions(permissions) if value]
