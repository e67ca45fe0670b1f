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
from bot.storage import plans as plan_store
from bot.storage.db import Executor
from bot.storage.groups import Group
from bot.storage.plans import Plan, PlanReading
from bot.timeutil import format_local

NO_PLAN = "This group has no study plan yet; a moderator can start one with `plan create`."
NEXT_BOOK = "A moderator can let the group choose the next book with `poll next-book`, or start one with `plan create`."
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
        raise UserError(NO_PLAN)
    return group, plan


async def plan_or_history(inv: Invocation) -> tuple[Group, Plan, bool]:
    """The group's running plan, or else its last finished one (history stays visible): (group, plan, finished)."""
    group = inv.require_group()
    plan = await live_plan(inv, group, inv.now())
    if plan is not None:
        return group, plan, False
    last = await plan_store.latest(inv.db, group.id, plan_store.CURRENT)
    if last is None:
        raise UserError(NO_PLAN)
    return group, last, True


async def book_title(db: Executor, book_id: int) -> str:
    book = await book_store.get(db, book_id)
    return book.title if book else f"book #{book_id}"


def met_until(plan: Plan, now: datetime) -> datetime:
    """Readings whose meeting started by this moment were met: `now`, or the moment a paused plan was paused
    (meetings that fell in the pause were not held; they move when the plan resumes)."""
    if plan.status == "paused" and plan.paused_at is not None:
        return min(now, plan.paused_at)
    return now


def split_met(plan: Plan, readings: list[PlanReading], now: datetime) -> tuple[list[PlanReading], list[PlanReading]]:
    """(met, still to come) in syllabus order."""
    cutoff = met_until(plan, now)
    return [r for r in readings if r.meeting_at <= cutoff], [r for r in readings if r.meeting_at > cutoff]


def reading_line(reading: PlanReading, zone: ZoneInfo, now: datetime, *, met: bool | None = None) -> str:
    """One reading of a list; a reading not met whose meeting time has passed (a paused plan) says it moves."""
    met = reading.meeting_at <= now if met is None else met
    state = " (open)" if reading.opened and not met else ""
    when = format_local(reading.meeting_at, zone)
    if not met and reading.meeting_at <= now:
        when = "date to follow when the plan resumes"
    return f"{reading.number}. {when} — {reading.title} (~{reading.minutes} min){state}"


async def allocate(db: Executor, book_ref: str, per_meeting: str) -> tuple[book_store.Book, list[Reading]]:
    book = await find_book(db, book_ref)
    return book, await book_readings(db, book, per_meeting)
