"""Changing a running plan's meetings: skip, blackout, shift, cadence, and appending a book."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from bot.commands import BookRef, Invocation, Permission, Text, command
from bot.domain.layout import PlanRule, shifted_rule
from bot.domain.plans import PlanError, parse_cadence
from bot.replies import Reply, UserError
from bot.services.plans import append_book, apply_change, lay_out, sync_meetings
from bot.storage import plans as plan_store
from bot.storage.groups import Group
from bot.storage.plans import Plan, PlanReading
from bot.timeutil import format_duration, format_local
from cogs.plans.common import MAX_SHIFT, allocate, require_plan


async def _change_rule(
    inv: Invocation, group: Group, plan: Plan, rule: PlanRule, *, cadence: str | None = None
) -> list[PlanReading]:
    now = inv.now()
    if plan.status != "active":
        raise UserError("The plan is paused; `plan resume` it first.")
    try:
        async with inv.db.transaction() as tx:
            await plan_store.update(
                tx, plan.id, now, cadence=cadence, start=rule.start if cadence else None, blackouts=rule.blackouts
            )
            laid = await lay_out(tx, plan, rule, now)
            await apply_change(inv.app, tx, plan.id, now)
    except PlanError as exc:
        raise UserError(str(exc)) from None
    await sync_meetings(inv.app, group.id)
    return laid


def _future_day(inv: Invocation, day: date, zone: ZoneInfo) -> None:
    if day < inv.now().astimezone(zone).date():
        raise UserError(f"{day} is in the past; pick a date that is still to come.")


@command(
    "plan skip",
    help="Drop the meeting on a date; the readings move on by one meeting.",
    params={"day": "The meeting's date, e.g. 2026-12-08"},
    permission=Permission.MODERATOR,
)
async def plan_skip(inv: Invocation, day: date) -> Reply:
    group, plan = await require_plan(inv)
    rule = PlanRule.of(plan)
    _future_day(inv, day, rule.zone)
    readings = await plan_store.plan_readings(inv.db, plan.id)
    now = inv.now()
    if not any(r.meeting_at > now and r.meeting_at.astimezone(rule.zone).date() == day for r in readings):
        raise UserError(f"There is no upcoming meeting on {day:%A} {day.day} {day:%B %Y}, so there is nothing to skip.")
    rule = PlanRule(rule.cadence, rule.zone, rule.start, rule.until, rule.blackouts | {day})
    laid = await _change_rule(inv, group, plan, rule)
    return Reply(
        text=f"No meeting on {day:%a %d %b %Y}; the readings move on and the last meeting is now "
        f"{format_local(laid[-1].meeting_at, inv.zone)}."
    )


@command(
    "plan blackout",
    help="Keep a date free of meetings (a holiday); later readings move on.",
    params={"day": "The date, e.g. 2026-12-24"},
    permission=Permission.MODERATOR,
)
async def plan_blackout(inv: Invocation, day: date) -> Reply:
    group, plan = await require_plan(inv)
    rule = PlanRule.of(plan)
    _future_day(inv, day, rule.zone)
    if day in rule.blackouts:
        raise UserError(f"{day} is already kept free of meetings.")
    rule = PlanRule(rule.cadence, rule.zone, rule.start, rule.until, rule.blackouts | {day})
    laid = await _change_rule(inv, group, plan, rule)
    return Reply(
        text=f"No meeting will be on {day:%a %d %b %Y}; "
        f"the last meeting is {format_local(laid[-1].meeting_at, inv.zone)}."
    )


@command(
    "plan shift",
    help="Move every upcoming meeting, e.g. +3d or -1d or +1h (wall-clock time is kept).",
    params={"by": "How far: +3d, -1d, +2h, 1w"},
    permission=Permission.MODERATOR,
)
async def plan_shift(inv: Invocation, by: timedelta) -> Reply:
    group, plan = await require_plan(inv)
    if by == timedelta(0) or by % timedelta(minutes=1):
        raise UserError("Shift by whole minutes, hours or days, for example +3d or +1h.")
    if abs(by) > MAX_SHIFT:
        raise UserError(
            f"`by` should be at most {MAX_SHIFT.days} days either way, not {format_duration(by)}; "
            "to restart much later, `plan pause` and `plan resume`, or `plan cancel` and `plan create`."
        )
    now = inv.now()
    readings = await plan_store.plan_readings(inv.db, plan.id)
    pending = [r for r in readings if r.meeting_at > now]
    if not pending:
        raise UserError("There are no upcoming meetings to move.")
    rule, first = shifted_rule(PlanRule.of(plan), pending[0].meeting_at, by)
    if first <= now:
        raise UserError("That would move the next meeting into the past; shift by less.")
    laid = await _change_rule(inv, group, plan, rule, cadence=rule.cadence.describe())
    moved = next(r for r in laid if r.id == pending[0].id)
    return Reply(
        text=f"Meetings moved by {format_duration(by)}: now {rule.cadence.describe()}; "
        f"the next one is {format_local(moved.meeting_at, inv.zone)}."
    )


@command(
    "plan add",
    help="Append a book to the plan's syllabus.",
    params={"book": "Book number or part of its title"},
    permission=Permission.MODERATOR,
)
async def plan_add(inv: Invocation, book: BookRef) -> Reply:
    group, plan = await require_plan(inv)
    if plan.status != "active":
        raise UserError("The plan is paused; `plan resume` it first.")
    found, readings = await allocate(inv.db, book, plan.per_meeting)
    planned = [r for r in await plan_store.plan_readings(inv.db, plan.id) if r.book_id == found.id]
    if planned:
        numbers = f"{planned[0].number}–{planned[-1].number}" if len(planned) > 1 else str(planned[0].number)
        raise UserError(
            f"*{found.title}* is already in the plan ({'readings' if len(planned) > 1 else 'reading'} {numbers}); "
            "`plan show` lists the syllabus."
        )
    async with inv.db.transaction() as tx:
        laid = await append_book(inv.app, tx, group.id, found.id)
    await sync_meetings(inv.app, group.id)
    count = f"{len(readings)} reading{'' if len(readings) == 1 else 's'}"
    return Reply(
        text=f"Added *{found.title}* as {count}; the plan now ends {format_local(laid[-1].meeting_at, inv.zone)}."
    )


@command(
    "plan cadence",
    help="Change when the group meets from now on; the readings move to the new meetings.",
    params={"every": "When the group meets: “tuesday 19:00” or “2 weeks on sunday 17:00”"},
    permission=Permission.MODERATOR,
)
async def plan_cadence(inv: Invocation, every: Text) -> Reply:
    group, plan = await require_plan(inv)
    try:
        cadence = parse_cadence(every)
    except PlanError as exc:
        raise UserError(str(exc)) from None
    old = PlanRule.of(plan)
    today = inv.now().astimezone(old.zone).date()
    rule = PlanRule(cadence, old.zone, max(today, old.start), old.until, old.blackouts)
    laid = await _change_rule(inv, group, plan, rule, cadence=cadence.describe())
    upcoming = [r for r in laid if r.meeting_at > inv.now()]
    when = format_local(upcoming[0].meeting_at, inv.zone) if upcoming else "—"
    return Reply(text=f"The group now meets {cadence.describe()}; the next meeting is {when}.")
