"""Helpers the cog tests share: a weekly plan started through the room, and a plan of the default library."""

from __future__ import annotations

from bot.storage import plans as plan_store
from tests.conftest import Room

SUNDAY_PLAN = 'plan create "{book}" start:2026-11-03 every:"sunday 19:00" per-meeting:"1 section"'

COLLINS = 5  # "Russia: How the Bureaucracy Seized Power", 22 sections


async def start_sunday_plan(room: Room, book: str = "Test Book", extra: str = "") -> None:
    preview = await room.say(SUNDAY_PLAN.format(book=book) + extra)
    assert preview.kind != "error", preview.text
    confirmed = await room.say(preview.choices[0].command)
    assert confirmed.kind != "error", confirmed.text


async def plan_collins(room: Room) -> tuple[int, list[plan_store.PlanReading]]:
    """A study plan of Collins, one section a reading (callers are marked `default_library`)."""
    preview = await room.say('plan create collins 2026-11-03 "tuesday 19:00" "1 section"')
    assert preview.choices, preview.text
    confirmed = await room.say(preview.choices[0].command)
    assert confirmed.title == "The study plan is on", confirmed.text
    group_id = 1
    return group_id, await plan_store.readings(room.app.db, group_id)
