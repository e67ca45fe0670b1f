"""Meetings mirrored as Guild Scheduled Events: created, moved when they change, cancelled when they go.

Discord keeps at most 100 uncompleted events per server (error 30038), and a plan may hold hundreds of meetings,
so only a rolling window of the next `WINDOW` meetings is mirrored. The whole list is remembered, and the window
is topped up whenever the adapter posts to the room and a meeting of the window has passed.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import discord

from bot.adapters.base import MeetingEvent
from bot.adapters.discord.posting import PLATFORM, messageable
from bot.adapters.discord.render import shorten
from bot.app import App
from bot.storage import refs

if TYPE_CHECKING:
    from bot.adapters.discord.client import ReadalongClient

log = logging.getLogger(__name__)

WINDOW = 20  # upcoming meetings mirrored per room; a server with five reading groups stays under Discord's 100
CALENDAR_KIND, CALENDAR_KEY = "calendar", "meetings"  # the room's whole meeting list, for topping the window up
EVENT_LIMIT_REACHED = 30038  # docs: Opcodes and Status Codes › JSON Error Codes
# docs: Resources › Guild Scheduled Event › Guild Scheduled Event Object (name 1-100, description 1-1000) and
# Entity Metadata (location 1-100)
NAME_LIMIT, DESCRIPTION_LIMIT, LOCATION_LIMIT = 100, 1000, 100


def window(meetings: Sequence[MeetingEvent], now: datetime) -> list[MeetingEvent]:
    """The meetings to mirror: the next `WINDOW` that have not started."""
    return sorted((m for m in meetings if m.starts_at > now), key=lambda m: m.starts_at)[:WINDOW]


async def sync_meetings(app: App, client: ReadalongClient, room_id: str, meetings: Sequence[MeetingEvent]) -> None:
    """Remember the room's meetings and make the guild's events match the window of the next ones."""
    # All of them: a top-up must keep the events of meetings that started as a full sync does.
    await app.remember(PLATFORM, room_id, CALENDAR_KIND, CALENDAR_KEY, _dump(meetings))
    await _sync(app, client, room_id, meetings)


async def top_up(app: App, client: ReadalongClient, room_id: str) -> None:
    """After meetings passed, mirror the ones that moved into the window (nothing to do otherwise)."""
    stored = await app.recall(PLATFORM, room_id, CALENDAR_KIND, CALENDAR_KEY)
    if not stored:
        return
    meetings = _load(stored)
    known = await refs.of_kind(app.db, PLATFORM, room_id, "event")
    if all(m.key in known for m in window(meetings, app.clock.now())):
        return
    await _sync(app, client, room_id, meetings)


async def _sync(app: App, client: ReadalongClient, room_id: str, meetings: Sequence[MeetingEvent]) -> None:
    """One event that Discord refuses does not stop the others; the event cap stops the creating."""
    channel = await messageable(client, int(room_id))
    guild: discord.Guild | None = getattr(channel, "guild", None)
    if guild is None:
        return
    location = shorten(f"#{getattr(channel, 'name', 'reading group')}", LOCATION_LIMIT)
    known = await refs.of_kind(app.db, PLATFORM, room_id, "event")
    now = app.clock.now()
    shown = window(meetings, now)
    # Events of meetings that have started stay as Discord completes them; the rest outside the window go.
    kept = {m.key for m in shown} | {m.key for m in meetings if m.starts_at <= now}
    for key, event_id in known.items():
        if key not in kept:
            await _cancel(app, guild, room_id, key, event_id)
    for meeting in shown:
        try:
            await _sync_event(app, guild, room_id, meeting, known.get(meeting.key), location, now)
        except discord.HTTPException as exc:
            log.warning("discord: could not mirror meeting %s: %s", meeting.key, exc)
            if exc.code == EVENT_LIMIT_REACHED:
                break  # the server is full of events (other bots, other groups): the next sync tries again


async def _cancel(app: App, guild: discord.Guild, room_id: str, key: str, event_id: str) -> None:
    event = await _event(guild, event_id)
    try:
        if event is not None:
            await event.delete()
    except discord.NotFound:
        pass
    except discord.HTTPException as exc:
        log.warning("discord: could not cancel meeting %s: %s", key, exc)
        return
    await app.forget_ref(PLATFORM, room_id, "event", key)


def _dump(meetings: Sequence[MeetingEvent]) -> str:
    return json.dumps(
        [[m.key, m.title, m.starts_at.isoformat(), m.ends_at.isoformat(), m.description] for m in meetings]
    )


def _load(stored: str) -> list[MeetingEvent]:
    return [
        MeetingEvent(key, title, datetime.fromisoformat(starts), datetime.fromisoformat(ends), description)
        for key, title, starts, ends, description in json.loads(stored)
    ]


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
        "name": shorten(meeting.title, NAME_LIMIT) or "Meeting",
        "description": shorten(meeting.description, DESCRIPTION_LIMIT),
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
