"""Meetings mirrored as Guild Scheduled Events: created, moved when they change, cancelled when they go."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import discord

from bot.adapters.base import MeetingEvent
from bot.adapters.discord.posting import PLATFORM, messageable
from bot.app import App
from bot.storage import refs

if TYPE_CHECKING:
    from bot.adapters.discord.client import ReadalongClient

log = logging.getLogger(__name__)


async def sync_meetings(app: App, client: ReadalongClient, room_id: str, meetings: Sequence[MeetingEvent]) -> None:
    """Make the guild's events match `meetings`; one event that Discord refuses does not stop the others."""
    channel = await messageable(client, int(room_id))
    guild: discord.Guild | None = getattr(channel, "guild", None)
    if guild is None:
        return
    location = f"#{getattr(channel, 'name', 'reading group')}"
    known = await refs.of_kind(app.db, PLATFORM, room_id, "event")
    now = app.clock.now()
    wanted = {m.key: m for m in meetings}
    for meeting in meetings:
        try:
            await _sync_event(app, guild, room_id, meeting, known.get(meeting.key), location, now)
        except discord.HTTPException as exc:
            log.warning("discord: could not mirror meeting %s: %s", meeting.key, exc)
    for key, event_id in known.items():
        if key in wanted:
            continue
        event = await _event(guild, event_id)
        try:
            if event is not None:
                await event.delete()
        except discord.NotFound:
            pass
        except discord.HTTPException as exc:
            log.warning("discord: could not cancel meeting %s: %s", key, exc)
            continue
        await app.forget_ref(PLATFORM, room_id, "event", key)


async def _sync_event(
    app: App,
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
    event = await _event(guild, event_id) if event_id else None
    if meeting.starts_at <= now:
        return  # Discord keeps past events as they were; it refuses to create or move one into the past
    if event is None:
        event = await guild.create_scheduled_event(
            entity_type=discord.EntityType.external,
            privacy_level=discord.PrivacyLevel.guild_only,
            **fields,
        )
        await app.remember(PLATFORM, room_id, "event", meeting.key, str(event.id))
    elif (event.name, event.description or "", event.start_time, event.end_time, event.location) != (
        fields["name"],
        fields["description"],
        fields["start_time"],
        fields["end_time"],
        location,
    ):
        await event.edit(entity_type=discord.EntityType.external, **fields)


async def _event(guild: discord.Guild, event_id: str) -> discord.ScheduledEvent | None:
    event = guild.get_scheduled_event(int(event_id))
    if event is not None:
        return event
    try:
        return await guild.fetch_scheduled_event(int(event_id))
    except discord.NotFound:
        return None
