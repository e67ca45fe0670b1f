"""Starting and ending a plan: create (a stored preview), confirm, discard, pause, resume, cancel."""

from __future__ import annotations

import secrets
from datetime import date
from zoneinfo import ZoneInfo

from bot.commands import BookRef, Invocation, Permission, command
from bot.domain.layout import PlanRule
from bot.domain.plans import Cadence, DateListCadence, PlanError, parse_cadence, parse_per_meeting, target_notes
from bot.replies import Choice, Reply, UserError
from bot.services.plans import apply_change, lay_out, sync_meetings
from bot.storage import groups as group_store
from bot.storage import plans as plan_store
from bot.storage.groups import Group
from bot.storage.plans import Plan, PlanReading
from bot.text import plural
from bot.timeutil import format_local
from cogs.plans.common import PREVIEW_LINES, allocate, live_plan, reading_line, require_plan


@command(
    "plan create",
    help="Plan a book onto the group's meetings; shows a preview to confirm.",
    params={
        "book": "Book number or part of its title",
        "start": "First possible meeting date, e.g. 2026-12-01",
        "every": "When the group meets: “tuesday 19:00” or “2 weeks on sunday 17:00”",
        "per_meeting": "How much per meeting: “1 section” or “40 minutes”",
        "tz": "IANA time zone, e.g. Europe/Berlin (default: the group's)",
        "until": "Last possible meeting date",
    },
    permission=Permission.MODERATOR,
)
async def plan_create(
    inv: Invocation,
    book: BookRef,
    start: date,
    every: str,
    per_meeting: str,
    tz: ZoneInfo | None = None,
    until: date | None = None,
) -> Reply:
    group = inv.require_group()
    now = inv.now()
    existing = await live_plan(inv, group, now)
    if existing is not None:
        raise UserError(
            f"This group already has a study plan ({existing.status}); a moderator can end it with `plan cancel` first."
        )
    zone = tz or inv.zone
    if start < now.astimezone(zone).date():
        raise UserError(f"The start date {start} is in the past; pick today or a later date.")
    if until is not None and until < start:
        raise UserError(f"The end date {until} is before the start date {start}; pick a later end date.")
    try:
        cadence = parse_cadence(every)
    except PlanError as exc:
        raise UserError(str(exc)) from None
    found, readings = await allocate(inv.db, book, per_meeting)
    amount = parse_per_meeting(per_meeting)
    token = secrets.token_hex(4)
    rule = PlanRule(cadence, zone, start, until, frozenset())
    try:
        async with inv.db.transaction() as tx:
            await plan_store.discard_drafts(tx, group.id, now)
            plan_id = await plan_store.create(
                tx,
                group_id=group.id,
                status="draft",
                token=token,
                cadence=cadence.describe(),
                per_meeting=amount.describe(),
                timezone=str(zone),
                start=start,
                until=until,
                blackouts=(),
                created_by=inv.member_id,
                now=now,
            )
            plan = await plan_store.get(tx, plan_id)
            assert plan is not None
            laid = await lay_out(tx, plan, rule, now, new=[(found.id, r) for r in readings])
    except PlanError as exc:
        raise UserError(str(exc)) from None
    lines = [reading_line(r, zone, now) for r in laid[:PREVIEW_LINES]]
    if len(laid) > PREVIEW_LINES:
        lines.append(f"… and {len(laid) - PREVIEW_LINES} more, the last on {format_local(laid[-1].meeting_at, zone)}.")
    lines += target_notes(readings, amount) + _unused_dates(cadence, laid, zone)
    end = f" until {until}" if until else ""
    return Reply(
        title=f"Plan preview: {found.title}",
        text=(
            f"{plural(len(laid), 'meeting')} {cadence.describe()} ({zone}) from {start}{end}, "
            f"{amount.describe()} each.\n" + "\n".join(lines)
        ),
        choices=(
            Choice("Confirm", f"plan confirm {token}", "success"),
            Choice("Discard", f"plan discard {token}", "danger"),
        ),
        kind="plan",
    )


def _unused_dates(cadence: Cadence, laid: list[PlanReading], zone: ZoneInfo) -> list[str]:
    """A listed date the plan does not use is said, with the reason, never silently dropped."""
    if not isinstance(cadence, DateListCadence) or not laid:
        return []
    used = {r.meeting_at.astimezone(zone).date() for r in laid}
    unused = [day for day, _ in cadence.meetings if day not in used]
    early = [day for day in unused if day < min(used)]
    late = [day for day in unused if day > max(used)]
    notes = []
    if early:
        notes.append(f"Not used: {_days(early)} — before the start date or already past.")
    if late:
        notes.append(f"Not used: {_days(late)} — the readings need only {plural(len(laid), 'meeting')}.")
    return notes


def _days(days: list[date]) -> str:
    return ", ".join(f"{day:%a %d %b %Y}" for day in days)


async def _draft(inv: Invocation, token: str) -> tuple[Group, Plan]:
    group = inv.require_group()
    plan = await plan_store.by_token(inv.db, group.id, token.strip())
    if plan is None or plan.status != "draft":
        raise UserError("That plan preview is no longer waiting; start again with `plan create`.")
    return group, plan


@command(
    "plan confirm",
    help="Start the previewed plan.",
    params={"token": "The code shown on the preview's buttons"},
    permission=Permission.MODERATOR,
)
async def plan_confirm(inv: Invocation, token: str) -> Reply:
    group, draft = await _draft(inv, token)
    now = inv.now()
    if await live_plan(inv, group, now) is not None:
        raise UserError("This group already has a study plan; a moderator can end it with `plan cancel` first.")
    try:
        async with inv.db.transaction() as tx:
            laid = await lay_out(tx, draft, PlanRule.of(draft), now)  # again from now: the preview may be old
            if draft.timezone != group.timezone:
                await group_store.update(tx, group.id, timezone=draft.timezone)
            await apply_change(inv.app, tx, draft.id, now, status="active", clear_token=True)
    except PlanError as exc:
        raise UserError(str(exc)) from None
    group = await group_store.get(inv.db, group.id) or group
    await sync_meetings(inv.app, group.id)
    zone = ZoneInfo(group.timezone)
    first = laid[0]
    opens = "now" if first.opens_at <= now else format_local(first.opens_at, zone)
    return Reply(
        title="The study plan is on",
        text=(
            f"{plural(len(laid), 'meeting')} from {format_local(first.meeting_at, zone)} to "
            f"{format_local(laid[-1].meeting_at, zone)}. The first reading opens {opens}; "
            "`plan show` lists them all."
        ),
        kind="plan",
    )


@command(
    "plan discard",
    help="Throw away a plan preview.",
    params={"token": "The code shown on the preview's buttons"},
    permission=Permission.MODERATOR,
)
async def plan_discard(inv: Invocation, token: str) -> Reply:
    _, draft = await _draft(inv, token)
    async with inv.db.transaction() as tx:
        await plan_store.update(tx, draft.id, inv.now(), status="discarded", clear_token=True)
    return Reply(text="The plan preview is discarded; nothing was scheduled.")


@command(
    "plan pause", help="Pause the plan: no posts or reminders until it is resumed.", permission=Permission.MODERATOR
)
async def plan_pause(inv: Invocation) -> Reply:
    group, plan = await require_plan(inv)
    if plan.status == "paused":
        raise UserError("The plan is already paused; `plan resume` continues it.")
    now = inv.now()
    async with inv.db.transaction() as tx:
        await apply_change(inv.app, tx, plan.id, now, status="paused", paused_at=now)
    await sync_meetings(inv.app, group.id)
    return Reply(text="The plan is paused. `plan resume` continues with the next reading at the next meeting.")


@command("plan resume", help="Resume a paused plan from the next meeting on.", permission=Permission.MODERATOR)
async def plan_resume(inv: Invocation) -> Reply:
    group, plan = await require_plan(inv)
    if plan.status != "paused":
        raise UserError("The plan is not paused.")
    now = inv.now()
    try:
        async with inv.db.transaction() as tx:
            laid = await lay_out(tx, plan, PlanRule.of(plan), now, keep_until=plan.paused_at)
            await apply_change(inv.app, tx, plan.id, now, status="active", clear_paused=True)
    except PlanError as exc:
        raise UserError(str(exc)) from None
    await sync_meetings(inv.app, group.id)
    upcoming = [r for r in laid if r.meeting_at > now]
    when = format_local(upcoming[0].meeting_at, inv.zone) if upcoming else "—"
    return Reply(text=f"The plan is running again; the next meeting is {when}.")


@command("plan cancel", help="End the study plan: no more readings or reminders.", permission=Permission.MODERATOR)
async def plan_cancel(inv: Invocation) -> Reply:
    group, plan = await require_plan(inv)
    now = inv.now()
    async with inv.db.transaction() as tx:
        await apply_change(inv.app, tx, plan.id, now, status="cancelled")
    await sync_meetings(inv.app, group.id)
    return Reply(text="The study plan is cancelled; no more readings or reminders will be posted.")
