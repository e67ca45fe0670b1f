"""Meeting reminders: `reminders set 24h 1h`, `reminders show`, and the "reminder" schedule kind.

Each offset is one schedule row per plan ("plan:<id>:remind:<seconds>", rule {"plan": id, "before": seconds}).
An offset of whole days means the same wall-clock time that many days before (bot.domain.plans.reminder_time):
"24h" before a Monday 19:00 meeting is Sunday 19:00 even when the clocks changed overnight (23 or 25 real
hours); the rest of an offset is exact ("1h" is always 60 minutes). A reminder goes into its reading's thread.
Catch-up: a reminder handled late is posted (marked late) only while its meeting has not started, worded for
the time actually left, and only when no closer reminder of the same meeting is due as well. A reminder that
waits in the outbox (its room failing) expires when its meeting starts: the sender records it missed instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

from bot.commands import Invocation, MaxCount, Permission, command
from bot.domain.plans import reminder_time
from bot.features import Feature
from bot.replies import Reply, UserError
from bot.scheduling import LATE_AFTER, CatchUp, Due, Firing, Outcome, Post, ScheduleKind
from bot.services.plans import DEFAULT_REMINDER_OFFSETS, NEVER, current_plan, finish_if_over, refresh_schedules
from bot.storage import plans as plan_store
from bot.storage import schedules as schedule_store
from bot.storage.db import Transaction
from bot.storage.schedules import Schedule
from bot.timeutil import DurationTooLong, TimeInputError, format_duration, format_local, parse_duration

if TYPE_CHECKING:
    from bot.services import Services

MAX_OFFSETS = 5
MAX_OFFSET = timedelta(days=14)


def next_reminder(meetings: Sequence[datetime], before: timedelta, zone: ZoneInfo, after: datetime) -> datetime | None:
    """Pure: the first reminder time strictly after `after`, for meeting instants in ascending order."""
    for meeting in meetings:
        if meeting <= after:
            continue  # its reminder is before the meeting, so before `after` too
        when = reminder_time(meeting, before, zone)
        if when > after:
            return when
    return None


def describe_before(before: timedelta) -> str:
    if before % timedelta(days=1) == timedelta(0):
        days = before.days
        return "tomorrow" if days == 1 else f"in {days} days"
    return f"in {format_duration(before)}"


def describe_left(meeting_at: datetime, now: datetime, before: timedelta, fire_at: datetime) -> str:
    """Pure: how a reminder names its meeting at the moment it is posted. On time it says what its offset
    says ("tomorrow", "in 1h"); handled late it says the time actually left, to the minute ("in 28m"), so a
    restart half an hour before a meeting never posts "Meeting tomorrow"."""
    if now - fire_at <= LATE_AFTER:
        return describe_before(before)
    left = max(meeting_at - now, timedelta(minutes=1))
    return f"in {format_duration(left - left % timedelta(minutes=1))}"


def superseded(
    meeting_at: datetime, before: timedelta, offsets: Sequence[timedelta], zone: ZoneInfo, now: datetime
) -> bool:
    """Pure: a late reminder is dropped when a closer reminder of the same meeting is due too (the bot was down
    across both): members get one reminder, the latest one, worded for the moment it is sent."""
    return any(o < before and reminder_time(meeting_at, o, zone) <= now for o in offsets)


async def _fire(services: Services, tx: Transaction, dues: Sequence[Due]) -> list[Outcome]:
    """Remind of the meetings whose reminder time has come, for a batch of schedules (one offset each)."""
    plan_ids = [int(d.schedule.rule["plan"]) for d in dues]
    plans = {i: p for i, p in (await plan_store.plans_by_ids(tx, plan_ids)).items() if p.status == "active"}
    readings = await plan_store.readings_of_plans(tx, list(plans), min(d.fire_at for d in dues))
    totals = await plan_store.reading_counts(tx, list(plans))
    zones = await plan_store.group_timezones(tx, [p.group_id for p in plans.values()])
    now = services.clock.now()
    outcomes = []
    for due in dues:
        plan = plans.get(int(due.schedule.rule["plan"]))
        if plan is None:
            outcomes.append(Outcome(Firing(), None))
            continue
        before = timedelta(seconds=int(due.schedule.rule["before"]))
        zone = ZoneInfo(plan.timezone)
        ahead = readings.get(plan.id, [])
        near = [r for r in ahead if abs(r.meeting_at - before - due.fire_at) <= timedelta(hours=3)]  # DST: ≤ 2 h
        reminded = [r for r in near if reminder_time(r.meeting_at, before, zone) == due.fire_at]
        shown = ZoneInfo(zones.get(plan.group_id, plan.timezone))
        if now - due.fire_at > LATE_AFTER and reminded:
            offsets = await schedule_store.reminder_offsets(tx, plan.group_id)
            offsets = list(DEFAULT_REMINDER_OFFSETS) if offsets is None else offsets
            reminded = [r for r in reminded if not superseded(r.meeting_at, before, offsets, zone, now)]
        posts = [
            Post(
                plan.group_id,
                Reply(
                    title=f"⏰ Meeting {describe_left(r.meeting_at, now, before, due.fire_at)}: {r.title}",
                    text=(
                        f"We meet {format_local(r.meeting_at, shown)} to discuss reading {r.number} of "
                        f"{totals.get(plan.id, 0)}: *{r.title}* (about {r.minutes} min). The reading is in this thread."
                    ),
                    kind="reminder",
                ),
                thread_key=f"reading:{r.id}",
                expires_at=r.meeting_at,  # a reminder still unsent when its meeting starts is given up
            )
            for r in reminded
        ]
        meeting = min((r.meeting_at for r in reminded), default=None)
        following = next_reminder([r.meeting_at for r in ahead], before, zone, due.fire_at)
        outcomes.append(Outcome(Firing(posts, meeting_at=meeting), following))
    return outcomes


async def _next(services: Services, tx: Transaction, schedule: Schedule, after: datetime) -> datetime | None:
    plan = await plan_store.get(tx, int(schedule.rule["plan"]))
    if plan is None or plan.status != "active":
        return None
    meetings = [r.meeting_at for r in await plan_store.plan_readings(tx, plan.id)]
    return next_reminder(meetings, timedelta(seconds=int(schedule.rule["before"])), ZoneInfo(plan.timezone), after)


async def _rebuild(services: Services, tx: Transaction, schedules: Sequence[Schedule]) -> dict[int, datetime | None]:
    plans = await plan_store.active_plans(tx)
    meetings = await plan_store.meetings_of_active_plans(tx)
    result: dict[int, datetime | None] = {}
    for schedule in schedules:
        plan = plans.get(int(schedule.rule["plan"]))
        if plan is None:
            result[schedule.id] = None
            continue
        before = timedelta(seconds=int(schedule.rule["before"]))
        after = schedule.last_fire_at or NEVER
        result[schedule.id] = next_reminder(meetings.get(plan.id, []), before, ZoneInfo(plan.timezone), after)
    return result


REMINDER = ScheduleKind(
    "reminder",
    fire=_fire,
    next_fire=_next,
    rebuild=_rebuild,
    catch_up=CatchUp(until_meeting=True),  # a late reminder is useful until its meeting starts
)


async def _offsets(inv: Invocation, group_id: int) -> list[timedelta]:
    stored = await schedule_store.reminder_offsets(inv.db, group_id)
    return list(DEFAULT_REMINDER_OFFSETS) if stored is None else stored


def _describe(offsets: Sequence[timedelta]) -> str:
    if not offsets:
        return "no reminders before meetings"
    return ", ".join(format_duration(o) for o in offsets) + " before each meeting"


@command(
    "reminders set",
    help="Choose when to remind before meetings, e.g. `reminders set 24h 1h` (or `off`).",
    params={"offsets": "How long before each meeting: 24h, 1h, 30m … or off"},
    permission=Permission.MODERATOR,
)
async def reminders_set(inv: Invocation, *offsets: Annotated[str, MaxCount(MAX_OFFSETS)]) -> Reply:
    group = inv.require_group()
    if not offsets:
        raise UserError("Say when to remind, for example `reminders set 24h 1h`, or `reminders set off`.")
    parsed: list[timedelta] = []
    if [o.lower() for o in offsets] not in (["off"], ["none"]):
        for raw in offsets:
            try:
                value = parse_duration(raw)
            except DurationTooLong:
                value = MAX_OFFSET * 2  # far too long, refused just below
            except TimeInputError as exc:
                raise UserError(str(exc)) from None
            if value <= timedelta(0) or value > MAX_OFFSET or value % timedelta(minutes=1):
                raise UserError(f"“{raw}” should be whole minutes between 1 minute and 14 days before the meeting.")
            parsed.append(value)
        if len(set(parsed)) > MAX_OFFSETS:
            raise UserError(f"Choose at most {MAX_OFFSETS} reminders per meeting.")
    now = inv.now()
    async with inv.db.transaction() as tx:
        await schedule_store.set_reminder_offsets(tx, group.id, parsed)
        plan = await plan_store.live(tx, group.id)
        if plan is not None:
            await refresh_schedules(inv.app, tx, plan, now)
    inv.app.reschedule()
    chosen = await _offsets(inv, group.id)
    return Reply(text=f"Reminders: {_describe(chosen)}, plus the post when each reading opens.")


@command("reminders show", help="Show when reminders are posted and the next ones.", default=True)
async def reminders_show(inv: Invocation) -> Reply:
    group = inv.require_group()
    offsets = await _offsets(inv, group.id)
    lines = [f"Reminders: {_describe(offsets)}, plus the post when each reading opens."]
    if any(o % timedelta(days=1) == timedelta(0) for o in offsets):
        lines.append("Whole days mean the same clock time that many days before, even across a daylight-saving change.")
    await finish_if_over(inv.db, group.id, inv.now())
    plan = await current_plan(inv.db, group.id, inv.now())
    if plan is not None and plan.status == "active":
        now = inv.now()
        upcoming = []
        for schedule in await schedule_store.of_owner(inv.db, f"plan:{plan.id}"):
            if schedule.next_fire_at and schedule.kind == "reminder":
                upcoming.append(schedule.next_fire_at)
        if upcoming:
            lines.append(f"Next reminder: {format_local(max(min(upcoming), now), inv.zone)}.")
    return Reply(title="Reminders", text="\n".join(lines))


FEATURE = Feature(name="reminders", commands=(reminders_set, reminders_show), schedule_kinds=(REMINDER,))
