"""Builders for Discord API payloads, shaped as Discord documents them (API v10).

Pure functions over plain dicts: the fake server in ``discord_server`` keeps its state in these wire
shapes, so what it stores is exactly what it sends. Only the fields discord.py 2.7 reads (plus the
documented required ones) are filled in.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
import time
from typing import Any

import discord

DISCORD_EPOCH_MS = 1_420_070_400_000

# Channel types (https://discord.com/developers/docs/resources/channel#channel-object-channel-types)
GUILD_TEXT = 0
DM = 1
GUILD_VOICE = 2
GUILD_CATEGORY = 4
GUILD_ANNOUNCEMENT = 5
ANNOUNCEMENT_THREAD = 10
PUBLIC_THREAD = 11
PRIVATE_THREAD = 12
GUILD_STAGE_VOICE = 13
GUILD_FORUM = 15
THREAD_TYPES = (ANNOUNCEMENT_THREAD, PUBLIC_THREAD, PRIVATE_THREAD)

# Interaction types
APPLICATION_COMMAND = 2
MESSAGE_COMPONENT = 3
APPLICATION_COMMAND_AUTOCOMPLETE = 4
MODAL_SUBMIT = 5

# Application command option types
SUB_COMMAND = 1
SUB_COMMAND_GROUP = 2
STRING = 3
INTEGER = 4
BOOLEAN = 5
USER = 6
CHANNEL = 7
ROLE = 8
MENTIONABLE = 9
NUMBER = 10
ATTACHMENT = 11

# Message flags
EPHEMERAL = 1 << 6
LOADING = 1 << 7
HAS_THREAD = 1 << 5

ALL_PERMISSIONS = discord.Permissions.all().value
EVERYONE_PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    create_public_threads=True,
    read_message_history=True,
    add_reactions=True,
    embed_links=True,
    attach_files=True,
    use_application_commands=True,
    connect=True,
    speak=True,
).value


class SnowflakeGenerator:
    """Strictly increasing snowflakes whose timestamps are close to now."""

    def __init__(self) -> None:
        self._last = 0

    def next(self, *, new_millisecond: bool = False) -> int:
        now = (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22
        candidate = max(now, self._last + 1)
        if new_millisecond:
            # A fresh millisecond spreads guild ids over shards ((id >> 22) % shard_count).
            candidate = max(now, ((self._last >> 22) + 1) << 22)
        self._last = candidate
        return candidate


def iso_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


def guess_content_type(filename: str) -> str:
    return mimetypes.guess_type(filename)[0] or "application/octet-stream"


def user(user_id: int, name: str, *, bot: bool = False, global_name: str | None = None) -> dict[str, Any]:
    return {
        "id": str(user_id),
        "username": name,
        "discriminator": "0",
        "global_name": global_name,
        "avatar": None,
        "bot": bot,
        "system": False,
        "public_flags": 0,
        "flags": 0,
    }


def role(role_id: int, name: str, *, permissions: int, position: int, managed: bool = False) -> dict[str, Any]:
    return {
        "id": str(role_id),
        "name": name,
        "color": 0,
        "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
        "hoist": False,
        "icon": None,
        "unicode_emoji": None,
        "position": position,
        "permissions": str(permissions),
        "managed": managed,
        "mentionable": False,
        "flags": 0,
    }


def member(user_payload: dict[str, Any], *, roles: list[int], nick: str | None = None) -> dict[str, Any]:
    """A guild member as sent in GUILD_CREATE (the ``permissions`` key is added only in interactions)."""
    return {
        "user": user_payload,
        "nick": nick,
        "avatar": None,
        "roles": [str(r) for r in roles],
        "joined_at": iso_now(),
        "premium_since": None,
        "deaf": False,
        "mute": False,
        "flags": 0,
        "pending": False,
        "communication_disabled_until": None,
    }


def channel(
    channel_id: int,
    name: str,
    *,
    guild_id: int,
    type: int = GUILD_TEXT,
    position: int = 0,
    parent_id: int | None = None,
    topic: str | None = None,
) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "id": str(channel_id),
        "type": type,
        "guild_id": str(guild_id),
        "name": name,
        "position": position,
        "permission_overwrites": [],
        "nsfw": False,
        "parent_id": str(parent_id) if parent_id else None,
        "topic": topic,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "flags": 0,
    }
    if type in (GUILD_VOICE, GUILD_STAGE_VOICE):
        payload.update(bitrate=64000, user_limit=0, rtc_region=None)
    if type == GUILD_FORUM:
        payload.update(available_tags=[], default_reaction_emoji=None, default_sort_order=None)
    return payload


def thread(
    thread_id: int,
    name: str,
    *,
    guild_id: int,
    parent_id: int,
    owner_id: int,
    type: int = PUBLIC_THREAD,
    auto_archive_duration: int = 1440,
    invitable: bool = True,
) -> dict[str, Any]:
    now = iso_now()
    return {
        "id": str(thread_id),
        "type": type,
        "guild_id": str(guild_id),
        "parent_id": str(parent_id),
        "owner_id": str(owner_id),
        "name": name,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "message_count": 0,
        "member_count": 1,
        "total_message_sent": 0,
        "flags": 0,
        "applied_tags": [],
        "thread_metadata": {
            "archived": False,
            "auto_archive_duration": auto_archive_duration,
            "archive_timestamp": now,
            "locked": False,
            "invitable": invitable,
            "create_timestamp": now,
        },
        "member": {"id": str(thread_id), "user_id": str(owner_id), "join_timestamp": now, "flags": 0},
    }


def dm_channel(channel_id: int, recipient: dict[str, Any]) -> dict[str, Any]:
    return {"id": str(channel_id), "type": DM, "last_message_id": None, "recipients": [recipient]}


def attachment(
    attachment_id: int, filename: str, data: bytes, *, url: str, content_type: str | None = None
) -> dict[str, Any]:
    return {
        "id": str(attachment_id),
        "filename": filename,
        "size": len(data),
        "url": url,
        "proxy_url": url,
        "content_type": content_type or guess_content_type(filename),
        "description": None,
        "flags": 0,
    }


def message(
    message_id: int,
    *,
    channel_id: int,
    author: dict[str, Any],
    content: str = "",
    guild_id: int | None = None,
    embeds: list[dict[str, Any]] | None = None,
    components: list[dict[str, Any]] | None = None,
    attachments: list[dict[str, Any]] | None = None,
    flags: int = 0,
    message_type: int = 0,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "id": str(message_id),
        "channel_id": str(channel_id),
        "author": author,
        "content": content,
        "timestamp": iso_now(),
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": attachments or [],
        "embeds": embeds or [],
        "components": components or [],
        "reactions": [],
        "pinned": False,
        "type": message_type,
        "flags": flags,
    }
    if guild_id is not None:
        payload["guild_id"] = str(guild_id)
    if extra:
        payload.update(extra)
    return payload


def scheduled_event(event_id: int, *, guild_id: int, creator: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """A guild scheduled event built from a create request body (status 1 = SCHEDULED)."""
    return {
        "id": str(event_id),
        "guild_id": str(guild_id),
        "channel_id": body.get("channel_id"),
        "creator_id": creator["id"],
        "creator": creator,
        "name": body["name"],
        "description": body.get("description"),
        "scheduled_start_time": body["scheduled_start_time"],
        "scheduled_end_time": body.get("scheduled_end_time"),
        "privacy_level": body.get("privacy_level", 2),
        "status": body.get("status", 1),
        "entity_type": body["entity_type"],
        "entity_id": None,
        "entity_metadata": body.get("entity_metadata"),
        "user_count": 0,
        "image": body.get("image"),
        "recurrence_rule": body.get("recurrence_rule"),
    }


def application(app_id: int, owner: dict[str, Any], name: str) -> dict[str, Any]:
    return {
        "id": str(app_id),
        "name": name,
        "icon": None,
        "description": "",
        "rpc_origins": [],
        "bot_public": True,
        "bot_require_code_grant": False,
        "bot": owner,
        "owner": owner,
        "team": None,
        "verify_key": "0" * 64,
        "flags": 0,
        "tags": [],
        "redirect_uris": [],
        "interactions_endpoint_url": None,
        "integration_types_config": {},
    }


def command(body: dict[str, Any], *, command_id: int, application_id: int, guild_id: int | None) -> dict[str, Any]:
    """An application command as Discord returns it after a create/overwrite."""
    payload = {
        "type": 1,
        "description": "",
        "options": [],
        "default_member_permissions": None,
        "nsfw": False,
        **body,
        "id": str(command_id),
        "application_id": str(application_id),
        "version": str(command_id),
    }
    if guild_id is not None:
        payload["guild_id"] = str(guild_id)
    return payload


def error(message: str, code: int = 0, status: int = 404) -> dict[str, Any]:
    """Discord's JSON error body (``code`` is the JSON error code, e.g. 10008 Unknown Message)."""
    return {"message": message if code else f"{status}: {message}", "code": code}
