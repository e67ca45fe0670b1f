"""What the plan commands share: finding the group's plan, a reading's line, allocating a book."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.commands import Invocation
from bot.domain.plans import Reading
from bot.replies import UserError
from bot.services.books import find_book
from bot.services.plans import book_readings, current_plan, finish_if_over
from bot.storage import books as book_store
from bot.storage.db import Executor
from bot.storage.groups import Group
from bot.storage.plans import Plan, PlanReading
from bot.timeutil import format_local

PREVIEW_LINES = 12
MAX_SHIFT = timedelta(days=366)  # `plan shift` moves meetings by up to a year either way


async def live_plan(inv: Invocation, group: Group, now: datetime) -> Plan | None:
    """The group's current plan, after recording a plan whose last meeting has passed as finished."""
    await finish_if_over(inv.db, group.id, now)
    return await current_plan(inv.db, group.id, now)


async def require_plan(inv: Invocation) -> tuple[Group, Plan]:
    group = inv.require_group()
    plan = await live_plan(inv, group, inv.now())
    if plan is None:
        raise UserError("This group has no study plan yet; a moderator can start one with `plan create`.")
    return group, plan


async def book_title(db: Executor, book_id: int) -> str:
    book = await book_store.get(db, book_id)
    return book.title if book else f"book #{book_id}"


def reading_line(reading: PlanReading, zone: ZoneInfo, now: datetime) -> str:
    state = " (open)" if reading.opened and reading.meeting_at > now else ""
    return (
        f"{reading.number}. {format_local(reading.meeting_at, zone)} — {reading.title} (~{reading.minutes} min){state}"
    )


async def allocate(db: Executor, book_ref: str, per_meeting: str) -> tuple[book_store.Book, list[Reading]]:
    book = await find_book(db, book_ref)
    return book, await book_readings(db, book, per_meeting)
