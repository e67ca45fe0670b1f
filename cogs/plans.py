"""Study plans: a syllabus of readings laid on a group's meetings, run by the scheduler.

Moderators `plan create` (a preview with Confirm/Discard buttons; the draft is stored, not kept in memory),
then pause, resume, skip, shift, add, blackout or cancel it; everyone can `plan show`, `plan next` and
`plan ics`. The calendar maths is bot/domain/plans.py; this module stores the result, keeps the plan's
schedules (one "reading-opens" row, one "reminder" row per offset, see cogs/reminders.py) in step, and
builds the reading-opens posts.

When things happen (the contract the README documents):

* Meetings come from the plan's rule (weekdays + local time + IANA zone, start, optional end, blackout dates)
  with the DST rules of bot/domain/plans.py, and readings are laid on them in order.
* A reading opens when the previous reading's meeting starts; the first one a week before its meeting (same
  wall-clock time), or at once if that moment has passed. The reading-opens post starts the reading's thread
  (thread key `reading:<reading id>`), and its reminders go to the same thread.
* A reading whose meeting has started is "met" and keeps its time; every change (skip, shift, add, blackout,
  resume) lays the not-yet-met readings on the next meetings the rule allows.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.adapters.base import MeetingEvent
from bot.commands import BookRef, Invocation, Permission, Text, command
from bot.domain.calendar import DEFAULT_DURATION
from bot.domain.plans import (
    Cadence,
    DateListCadence,
    PlanError,
    Reading,
    SectionLength,
    WeeklyCadence,
    allocate_readings,
    meeting_times,
    parse_cadence,
    parse_per_meeting,
    reminder_time,
    resolve_local_time,
)
from bot.plan_calendar import plan_ics
from bot.replies import Choice, Field, File, Reply, UserError
from bot.scheduling import Due, Firing, Outcome, Post, ScheduleKind
from bot.storage import books as book_store
from bot.storage import groups as group_store
from bot.storage import plans as plan_store
from bot.storage import schedules as schedule_store
from bot.storage.db import Database, Executor, Transaction
from bot.storage.groups import Group
from bot.storage.plans import NewReading, Plan, PlanReading, ReadingSource
from bot.storage.schedules import Schedule
from bot.timeutil import format_duration, format_local

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

FIRST_OPENS_BEFORE = timedelta(days=7)  # the first reading opens a week (same wall-clock time) before its meeting
DEFAULT_REMINDER_OFFSETS = (timedelta(days=1), timedelta(hours=1))  # "24 h" = same wall-clock time the day before
PREVIEW_LINES = 12
MAX_SHIFT = timedelta(days=366)  # `plan shift` moves meetings by up to a year either way
NEVER = datetime.min.replace(tzinfo=UTC)


# ================================================================ pure: the rule and the layout
@dataclass(frozen=True)
class PlanRule:
    """A plan's rule as the domain functions want it."""

    cadence: Cadence
    zone: ZoneInfo
    start: date
    until: date | None
    blackouts: frozenset[date]

    @classmethod
    def of(cls, plan: Plan) -> PlanRule:
        return cls(parse_cadence(plan.cadence), ZoneInfo(plan.timezone), plan.start, plan.until, plan.blackouts)


def next_meetings(rule: PlanRule, count: int, after: datetime) -> list[datetime]:
    """`count` meetings strictly after `after`, or PlanError saying why they do not fit."""
    if count == 0:
        return []
    found = meeting_times(
        rule.cadence, rule.start, rule.zone, count=count, until=rule.until, blackouts=rule.blackouts, after=after
    )
    if not found:
        window = f"between {rule.start} and {rule.until}" if rule.until else f"on or after {rule.start}"
        if isinstance(rule.cadence, DateListCadence):
            raise PlanError("None of the listed meeting dates is still ahead; list dates that are still to come.")
        raise PlanError(
            f"No meeting {rule.cadence.describe()} falls {window}; pick a later end date or other meeting days."
        )
    if len(found) < count:
        where = f" before {rule.until}" if rule.until else " in the listed dates"
        raise PlanError(
            f"The readings need {count} meetings but only {len(found)} fit{where}; "
            "choose a later end date, add meeting days or read more per meeting."
        )
    return found


def opening_times(meetings: Sequence[datetime], zone: ZoneInfo) -> list[datetime]:
    """When each reading opens: at the previous meeting; the first one a week before its own meeting."""
    if not meetings:
        return []
    return [reminder_time(meetings[0], FIRST_OPENS_BEFORE, zone), *meetings[:-1]]


def shifted_rule(rule: PlanRule, first_pending: datetime, delta: timedelta) -> tuple[PlanRule, datetime]:
    """The rule with every meeting from `first_pending` on moved by `delta` in wall-clock time, and the new
    first meeting. Whole days move weekdays (Tuesday +3d → Friday); hours move the time of day."""
    old_local = first_pending.astimezone(rule.zone).replace(tzinfo=None)
    new_local = old_local + delta
    days = (new_local.date() - old_local.date()).days
    cadence: Cadence
    if isinstance(rule.cadence, WeeklyCadence):
        weekdays = tuple(sorted({(d + days) % 7 for d in rule.cadence.weekdays}))
        cadence = WeeklyCadence(weekdays, new_local.time(), rule.cadence.every_weeks)
    else:
        moved = []
        for day, at in rule.cadence.meetings:
            if day >= old_local.date():
                when = datetime.combine(day, at) + delta
                moved.append((when.date(), when.time()))
            else:
                moved.append((day, at))
        cadence = DateListCadence(tuple(sorted(dict(moved).items())))
    blackouts = frozenset(d + timedelta(days=days) if d >= old_local.date() else d for d in rule.blackouts)
    new_rule = PlanRule(cadence, rule.zone, new_local.date(), rule.until, blackouts)
    return new_rule, resolve_local_time(new_local.date(), new_local.time(), rule.zone)


# ================================================================ laying readings on meetings (storage)
async def _lay_out(
    tx: Transaction,
    plan: Plan,
    rule: PlanRule,
    now: datetime,
    *,
    keep_until: datetime | None = None,
    new: Sequence[tuple[int, Reading]] = (),
) -> list[PlanReading]:
    """Keep readings whose meeting started by `keep_until` (default now); lay the rest, then `new` (book id,
    reading) appended to the syllabus, on the next meetings; store times; return the readings."""
    existing = await plan_store.plan_readings(tx, plan.id)
    keep_until = keep_until or now
    kept = [r for r in existing if r.meeting_at <= keep_until]
    pending = [r for r in existing if r.meeting_at > keep_until]
    after = max([now, *(r.meeting_at for r in kept)])
    meetings = [r.meeting_at for r in kept] + next_meetings(rule, len(pending) + len(new), after)
    opens = opening_times(meetings, rule.zone)

    def open_time(computed: datetime, stored: datetime | None) -> datetime:
        if computed >= now:
            return computed
        if plan.status == "active" and stored is not None and stored <= now:
            return stored  # already due and not yet handled: it keeps its due time for the catch-up policy
        return now

    updates = []
    for reading, meeting, computed in zip(existing, meetings, opens, strict=False):
        updates.append(
            (reading.id, meeting, reading.opens_at if reading.opened else open_time(computed, reading.opens_at))
        )
    await plan_store.set_times(tx, updates)
    if new:
        tail = list(zip(new, meetings[len(existing) :], opens[len(existing) :], strict=True))
        await plan_store.add_readings(
            tx,
            plan.id,
            len(existing),
            [
                NewReading(book_id, r.section_ids, r.title, r.minutes, meeting, open_time(computed, None))
                for (book_id, r), meeting, computed in tail
            ],
        )
    return await plan_store.plan_readings(tx, plan.id)


def plan_owner(plan_id: int) -> str:
    return f"plan:{plan_id}"


async def refresh_schedules(app: App, tx: Transaction, plan: Plan, now: datetime) -> None:
    """Make the plan's schedule rows match it: an opens row and one reminder row per offset; paused plans keep
    their rows with nothing due; ended plans lose them. Reminders already past are not sent after a change."""
    owner = plan_owner(plan.id)
    await _tell_meeting_followers(app, tx, plan.group_id, now)
    if plan.status not in ("active", "paused"):
        await schedule_store.delete_owner(tx, owner)
        return
    offsets = await schedule_store.reminder_offsets(tx, plan.group_id)
    if offsets is None:
        offsets = list(DEFAULT_REMINDER_OFFSETS)
    wanted = {f"{owner}:opens": ("reading-opens", {"plan": plan.id})}
    for offset in offsets:
        seconds = int(offset.total_seconds())
        wanted[f"{owner}:remind:{seconds}"] = ("reminder", {"plan": plan.id, "before": seconds})
    stale = [s.name for s in await schedule_store.of_owner(tx, owner) if s.name not in wanted]
    await schedule_store.delete(tx, stale)
    for name, (kind, rule) in wanted.items():
        cursor = now if kind == "reminder" else None
        await schedule_store.put(
            tx,
            name=name,
            owner=owner,
            kind=kind,
            group_id=plan.group_id,
            rule=rule,
            next_fire_at=None,
            now=now,
            last_fire_at=cursor,
        )
        if plan.status != "active":
            continue
        schedule = await schedule_store.get(tx, name)
        handler = app.schedule_kinds.get(kind)
        if schedule is None or handler is None:
            continue
        following = await handler.next_fire(app, tx, schedule, cursor or NEVER)
        await schedule_store.set_next(tx, [(schedule.id, following)], now)


# ================================================================ the reading-opens schedule
ReadingExtra = Callable[["App", Transaction, int, PlanReading], Awaitable[Sequence[Field | Choice]]]
READING_EXTRAS: list[ReadingExtra] = []


def reading_extra(builder: ReadingExtra) -> ReadingExtra:
    """Register a builder of extra fields and choices for reading-opens posts (issue #5: the reading's top prompt
    and quote, a button to suggest a prompt).

    Called as `await builder(app, tx, group_id, reading)` inside the dispatcher's transaction; a builder that
    raises is logged and left out, so it can never stop a reading from opening.
    """
    if builder not in READING_EXTRAS:
        READING_EXTRAS.append(builder)
    return builder


def sections_label(numbers: Sequence[int]) -> str:
    if not numbers:
        return "no sections"
    if len(numbers) == 1:
        return f"section {numbers[0]}"
    return f"sections {numbers[0]}–{numbers[-1]}"


def reading_opens_reply(reading: PlanReading, total: int, source: ReadingSource, zone: ZoneInfo) -> Reply:
    fields = [
        Field(
            "Where to find it",
            f"`library show {reading.book_id}` — {sections_label(source.section_numbers)} of *{source.book_title}*",
        ),
        Field("Meeting", format_local(reading.meeting_at, zone), inline=True),
        Field("Length", f"about {reading.minutes} min", inline=True),
    ]
    return Reply(
        title=f"📖 Reading {reading.number} of {total} opens: {reading.title}",
        text=(
            f"From *{source.book_title}*, about {reading.minutes} minutes of reading. "
            "Discussion here until the meeting."
        ),
        fields=tuple(fields),
        kind="reading",
    )


async def _extras(app: App, tx: Transaction, group_id: int, reading: PlanReading) -> list[Field | Choice]:
    extras: list[Field | Choice] = []
    for builder in READING_EXTRAS:
        try:
            extras.extend(await builder(app, tx, group_id, reading))
        except Exception:
            log.exception("reading extra %s failed for reading %s", getattr(builder, "__name__", builder), reading.id)
    return extras


async def _fire_opens(app: App, tx: Transaction, dues: Sequence[Due]) -> list[Outcome]:
    """Open every reading whose time has come, for a batch of plans: a handful of queries for the batch."""
    plan_ids = [int(d.schedule.rule["plan"]) for d in dues]
    plans = {i: p for i, p in (await plan_store.plans_by_ids(tx, plan_ids)).items() if p.status == "active"}
    waiting = await plan_store.unopened_due(tx, list(plans), max(d.fire_at for d in dues))
    due_now = {
        d.schedule.id: [r for r in waiting.get(int(d.schedule.rule["plan"]), []) if r.opens_at <= d.fire_at]
        for d in dues
    }
    opening = [r for readings in due_now.values() for r in readings]
    sources = await plan_store.reading_sources(tx, opening)
    totals = await plan_store.reading_counts(tx, [r.plan_id for r in opening])
    zones = await plan_store.group_timezones(tx, [p.group_id for p in plans.values()])
    await plan_store.mark_opened(tx, [r.id for r in opening], app.clock.now())
    following = await plan_store.next_openings(tx, list(plans))
    outcomes = []
    for due in dues:
        plan = plans.get(int(due.schedule.rule["plan"]))
        if plan is None:
            outcomes.append(Outcome(Firing(), None))
            continue
        zone = ZoneInfo(zones.get(plan.group_id, plan.timezone))
        posts = []
        for reading in due_now[due.schedule.id]:
            reply = reading_opens_reply(reading, totals.get(plan.id, 0), sources[reading.id], zone)
            if READING_EXTRAS:
                extras = await _extras(app, tx, plan.group_id, reading)
                fields = tuple(e for e in extras if isinstance(e, Field))
                choices = tuple(e for e in extras if isinstance(e, Choice))
                reply = replace(reply, fields=reply.fields + fields, choices=reply.choices + choices)
            posts.append(Post(plan.group_id, reply, thread_key=f"reading:{reading.id}", starts_thread=True))
        outcomes.append(Outcome(Firing(posts), following.get(plan.id)))
    return outcomes


async def _next_opens(app: App, tx: Transaction, schedule: Schedule, after: datetime) -> datetime | None:
    plan = await plan_store.get(tx, int(schedule.rule["plan"]))
    if plan is None or plan.status != "active":
        return None
    return (await plan_store.next_openings(tx, [plan.id])).get(plan.id)


async def _rebuild_opens(app: App, tx: Transaction, schedules: Sequence[Schedule]) -> dict[int, datetime | None]:
    openings = await plan_store.openings_of_active_plans(tx)
    return {schedule.id: openings.get(int(schedule.rule["plan"])) for schedule in schedules}


READING_OPENS = ScheduleKind("reading-opens", fire=_fire_opens, next_fire=_next_opens, rebuild=_rebuild_opens)


# ================================================================ shared helpers for commands
def _fail(exc: PlanError) -> UserError:
    return UserError(str(exc))


async def current_plan(app: App, group: Group, now: datetime) -> Plan | None:
    """The group's live plan; an active plan whose last meeting has passed is marked finished on the way."""
    plan = await plan_store.live(app.db, group.id)
    if plan is None or plan.status != "active":
        return plan
    readings = await plan_store.plan_readings(app.db, plan.id)
    if readings and readings[-1].meeting_at <= now and all(r.opened for r in readings):
        async with app.db.transaction() as tx:
            await plan_store.update(tx, plan.id, now, status="finished")
            await schedule_store.delete_owner(tx, plan_owner(plan.id))
        return None
    return plan


async def _require_plan(inv: Invocation) -> tuple[Group, Plan]:
    group = inv.require_group()
    plan = await current_plan(inv.app, group, inv.now())
    if plan is None:
        raise UserError("This group has no study plan yet; a moderator can start one with `plan create`.")
    return group, plan


async def _book_title(db: Executor, book_id: int) -> str:
    book = await book_store.get(db, book_id)
    return book.title if book else f"book #{book_id}"


def _reading_line(reading: PlanReading, zone: ZoneInfo, now: datetime) -> str:
    state = " (open)" if reading.opened and reading.meeting_at > now else ""
    return (
        f"{reading.number}. {format_local(reading.meeting_at, zone)} — {reading.title} (~{reading.minutes} min){state}"
    )


def _section_lengths(sections: Sequence[book_store.Section]) -> list[SectionLength]:
    return [SectionLength(s.id, s.book_id, s.minutes, s.heading, s.position) for s in sections]


async def _allocate(db: Database, book_ref: str, per_meeting: str) -> tuple[book_store.Book, list[Reading]]:
    from cogs.library import find_book

    book = await find_book(db, book_ref)
    return book, await _book_readings(db, book, per_meeting)


async def _book_readings(db: Executor, book: book_store.Book, per_meeting: str) -> list[Reading]:
    # a heading with no text of its own ("Part One") is structure, not something to read at a meeting
    sections = [s for s in await book_store.sections(db, book.id) if s.words > 0]
    if not sections:
        raise UserError(f"*{book.title}* has no sections to read yet, so I can't plan it.")
    try:
        amount = parse_per_meeting(per_meeting)
    except PlanError as exc:
        raise _fail(exc) from None
    return allocate_readings(_section_lengths(sections), amount)


# ---------------------------------------------------------------- hooks other cogs call (votes)
async def append_book(app: App, tx: Transaction, group_id: int, book_id: int) -> list[PlanReading]:
    """Append a book to the group's active plan inside the caller's transaction; UserError when impossible."""
    plan = await plan_store.live(tx, group_id)
    if plan is None or plan.status != "active":
        raise UserError("This group has no running study plan to add the book to; start one with `plan create`.")
    book = await book_store.get(tx, book_id)
    if book is None:
        raise UserError("That book is no longer in the library.")
    readings = await _book_readings(tx, book, plan.per_meeting)
    now = app.clock.now()
    try:
        laid = await _lay_out(tx, plan, PlanRule.of(plan), now, new=[(book.id, r) for r in readings])
    except PlanError as exc:
        raise _fail(exc) from None
    await refresh_schedules(app, tx, plan, now)
    app.reschedule()
    return laid


async def planned_book_ids(app: App, db: Executor, group_id: int) -> set[int]:
    """Books in the group's current plan."""
    return {r.book_id for r in await plan_store.readings(db, group_id)}


async def meeting_events(db: Executor, group: Group, plan: Plan | None, now: datetime) -> list[MeetingEvent]:
    if plan is None or plan.status != "active":
        return []
    events = []
    for r in await plan_store.plan_readings(db, plan.id):
        if r.meeting_at + DEFAULT_DURATION > now:
            events.append(
                MeetingEvent(
                    key=f"reading:{r.id}",
                    title=f"{group.name}: {r.title}",
                    starts_at=r.meeting_at,
                    ends_at=r.meeting_at + DEFAULT_DURATION,
                    description=f"Reading {r.number}: {r.title} (about {r.minutes} min).",
                )
            )
    return events


async def plan_changed(app: App, group_id: int) -> None:
    """After another cog changed a group's plan and committed (votes appends a book): mirror the meetings on the
    platform's calendar and wake the dispatcher, as the plan commands do."""
    group = await group_store.get(app.db, group_id)
    if group is not None:
        plan = await plan_store.live(app.db, group_id)
        await app.sync_meetings(group, await meeting_events(app.db, group, plan, app.clock.now()))
    app.reschedule()


async def _after_change(inv: Invocation, group: Group, plan_id: int) -> None:
    plan = await plan_store.get(inv.db, plan_id)
    await inv.app.sync_meetings(group, await meeting_events(inv.db, group, plan, inv.now()))
    inv.app.reschedule()


# ================================================================ commands
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
    existing = await current_plan(inv.app, group, now)
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
        raise _fail(exc) from None
    found, readings = await _allocate(inv.db, book, per_meeting)
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
            laid = await _lay_out(tx, plan, rule, now, new=[(found.id, r) for r in readings])
    except PlanError as exc:
        raise _fail(exc) from None
    lines = [_reading_line(r, zone, now) for r in laid[:PREVIEW_LINES]]
    if len(laid) > PREVIEW_LINES:
        lines.append(f"… and {len(laid) - PREVIEW_LINES} more, the last on {format_local(laid[-1].meeting_at, zone)}.")
    end = f" until {until}" if until else ""
    return Reply(
        title=f"Plan preview: {found.title}",
        text=(
            f"{len(laid)} meetings {cadence.describe()} ({zone}) from {start}{end}, {amount.describe()} each.\n"
            + "\n".join(lines)
        ),
        choices=(
            Choice("Confirm", f"plan confirm {token}", "success"),
            Choice("Discard", f"plan discard {token}", "danger"),
        ),
        kind="plan",
    )


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
    if await current_plan(inv.app, group, now) is not None:
        raise UserError("This group already has a study plan; a moderator can end it with `plan cancel` first.")
    try:
        async with inv.db.transaction() as tx:
            laid = await _lay_out(tx, draft, PlanRule.of(draft), now)  # again from now: the preview may be old
            await plan_store.update(tx, draft.id, now, status="active", clear_token=True)
            if draft.timezone != group.timezone:
                await group_store.update(tx, group.id, timezone=draft.timezone)
            plan = await plan_store.get(tx, draft.id)
            assert plan is not None
            await refresh_schedules(inv.app, tx, plan, now)
    except PlanError as exc:
        raise _fail(exc) from None
    group = await group_store.get(inv.db, group.id) or group
    await _after_change(inv, group, plan.id)
    zone = ZoneInfo(group.timezone)
    first = laid[0]
    opens = "now" if first.opens_at <= now else format_local(first.opens_at, zone)
    return Reply(
        title="The study plan is on",
        text=(
            f"{len(laid)} meetings from {format_local(first.meeting_at, zone)} to "
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


@command("plan show", help="Show the study plan's upcoming meetings and readings.", default=True)
async def plan_show(inv: Invocation) -> Reply:
    _, plan = await _require_plan(inv)
    now = inv.now()
    zone = inv.zone
    readings = await plan_store.plan_readings(inv.db, plan.id)
    upcoming = [r for r in readings if r.meeting_at > now]
    done = len(readings) - len(upcoming)
    lines = [_reading_line(r, zone, now) for r in upcoming[:PREVIEW_LINES]]
    if len(upcoming) > PREVIEW_LINES:
        lines.append(f"… and {len(upcoming) - PREVIEW_LINES} more.")
    status = " — paused (`plan resume` continues it)" if plan.status == "paused" else ""
    titles = [await _book_title(inv.db, book_id) for book_id in dict.fromkeys(r.book_id for r in readings)]
    return Reply(
        title=f"Study plan: {', '.join(titles)}{status}",
        text=f"Meetings {plan.cadence} ({zone}); {done} of {len(readings)} readings met.\n" + "\n".join(lines),
        kind="plan",
    )


@command("plan next", help="Show the next meeting and what to read for it.")
async def plan_next(inv: Invocation) -> Reply:
    _, plan = await _require_plan(inv)
    now = inv.now()
    readings = await plan_store.plan_readings(inv.db, plan.id)
    upcoming = [r for r in readings if r.meeting_at > now]
    if not upcoming:
        return Reply(text="There are no more meetings in this plan.")
    nxt = upcoming[0]
    paused = " The plan is paused, so this may move." if plan.status == "paused" else ""
    book = await _book_title(inv.db, nxt.book_id)
    return Reply(
        title=f"Next meeting: {format_local(nxt.meeting_at, inv.zone)}",
        text=f"Reading {nxt.number} of {len(readings)}: {nxt.title} from *{book}*, about {nxt.minutes} min.{paused}",
        kind="plan",
    )


@command(
    "plan pause", help="Pause the plan: no posts or reminders until it is resumed.", permission=Permission.MODERATOR
)
async def plan_pause(inv: Invocation) -> Reply:
    group, plan = await _require_plan(inv)
    if plan.status == "paused":
        raise UserError("The plan is already paused; `plan resume` continues it.")
    now = inv.now()
    async with inv.db.transaction() as tx:
        await plan_store.update(tx, plan.id, now, status="paused", paused_at=now)
        paused = await plan_store.get(tx, plan.id)
        assert paused is not None
        await refresh_schedules(inv.app, tx, paused, now)
    await _after_change(inv, group, plan.id)
    return Reply(text="The plan is paused. `plan resume` continues with the next reading at the next meeting.")


@command("plan resume", help="Resume a paused plan from the next meeting on.", permission=Permission.MODERATOR)
async def plan_resume(inv: Invocation) -> Reply:
    group, plan = await _require_plan(inv)
    if plan.status != "paused":
        raise UserError("The plan is not paused.")
    now = inv.now()
    try:
        async with inv.db.transaction() as tx:
            laid = await _lay_out(tx, plan, PlanRule.of(plan), now, keep_until=plan.paused_at)
            await plan_store.update(tx, plan.id, now, status="active", clear_paused=True)
            resumed = await plan_store.get(tx, plan.id)
            assert resumed is not None
            await refresh_schedules(inv.app, tx, resumed, now)
    except PlanError as exc:
        raise _fail(exc) from None
    await _after_change(inv, group, plan.id)
    upcoming = [r for r in laid if r.meeting_at > now]
    when = format_local(upcoming[0].meeting_at, inv.zone) if upcoming else "—"
    return Reply(text=f"The plan is running again; the next meeting is {when}.")


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
            laid = await _lay_out(tx, plan, rule, now)
            changed = await plan_store.get(tx, plan.id)
            assert changed is not None
            await refresh_schedules(inv.app, tx, changed, now)
    except PlanError as exc:
        raise _fail(exc) from None
    await _after_change(inv, group, plan.id)
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
    group, plan = await _require_plan(inv)
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
    group, plan = await _require_plan(inv)
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
    group, plan = await _require_plan(inv)
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
    group, plan = await _require_plan(inv)
    if plan.status != "active":
        raise UserError("The plan is paused; `plan resume` it first.")
    found, readings = await _allocate(inv.db, book, plan.per_meeting)
    planned = [r for r in await plan_store.plan_readings(inv.db, plan.id) if r.book_id == found.id]
    if planned:
        numbers = f"{planned[0].number}–{planned[-1].number}" if len(planned) > 1 else str(planned[0].number)
        raise UserError(
            f"*{found.title}* is already in the plan ({'readings' if len(planned) > 1 else 'reading'} {numbers}); "
            "`plan show` lists the syllabus."
        )
    async with inv.db.transaction() as tx:
        laid = await append_book(inv.app, tx, group.id, found.id)
    await _after_change(inv, group, plan.id)
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
    group, plan = await _require_plan(inv)
    try:
        cadence = parse_cadence(every)
    except PlanError as exc:
        raise _fail(exc) from None
    old = PlanRule.of(plan)
    today = inv.now().astimezone(old.zone).date()
    rule = PlanRule(cadence, old.zone, max(today, old.start), old.until, old.blackouts)
    laid = await _change_rule(inv, group, plan, rule, cadence=cadence.describe())
    upcoming = [r for r in laid if r.meeting_at > inv.now()]
    when = format_local(upcoming[0].meeting_at, inv.zone) if upcoming else "—"
    return Reply(text=f"The group now meets {cadence.describe()}; the next meeting is {when}.")


# Jobs armed at a moment derived from the group's zone (the quote of the day at 09:00 local, nudges before
# meetings) register here to be re-armed when the zone changes; called as `await rearm(app, tx, group, now)`
# with the group in its new zone, in the transaction that moves it (after the plan has moved).
GroupRearm = Callable[["App", Transaction, Group, datetime], Awaitable[None]]
ZONE_FOLLOWERS: list[GroupRearm] = []


# Jobs armed relative to the plan's meetings (nudges before a meeting) register here to be re-armed whenever
# the plan's meetings may have moved (create, skip, shift, blackout, cadence, pause, resume, cancel, a zone
# change): called as `await rearm(app, tx, group, now)` after the readings were laid out again.
MEETING_FOLLOWERS: list[GroupRearm] = []


def meeting_follower(rearm: GroupRearm) -> GroupRearm:
    """Register a re-armer of a cog's jobs for when a group's meetings change."""
    if rearm not in MEETING_FOLLOWERS:
        MEETING_FOLLOWERS.append(rearm)
    return rearm


async def _tell_meeting_followers(app: App, tx: Transaction, group_id: int, now: datetime) -> None:
    group = await group_store.get(tx, group_id)
    if group is not None:
        for rearm in MEETING_FOLLOWERS:
            await rearm(app, tx, group, now)


def zone_follower(rearm: GroupRearm) -> GroupRearm:
    """Register a re-armer of a cog's jobs for when a group's time zone changes."""
    if rearm not in ZONE_FOLLOWERS:
        ZONE_FOLLOWERS.append(rearm)
    return rearm


async def move_to_zone(inv: Invocation, group: Group, zone: ZoneInfo) -> str:
    """Set the group's time zone; a running plan moves with it, keeping its meetings' local time of day, and
    the zone followers re-arm their jobs.

    Returns a sentence about the next meeting ("" without a plan)."""
    now = inv.now()
    plan = await current_plan(inv.app, group, now)
    old = PlanRule.of(plan) if plan is not None else None
    laid: list[PlanReading] = []
    try:
        async with inv.db.transaction() as tx:
            await group_store.update(tx, group.id, timezone=str(zone))
            if plan is not None and old is not None:
                await plan_store.update(tx, plan.id, now, timezone=str(zone))
                rule = PlanRule(old.cadence, zone, old.start, old.until, old.blackouts)
                keep_until = plan.paused_at if plan.status == "paused" else None
                laid = await _lay_out(tx, plan, rule, now, keep_until=keep_until)
                moved = await plan_store.get(tx, plan.id)
                assert moved is not None
                await refresh_schedules(inv.app, tx, moved, now)
            for rearm in ZONE_FOLLOWERS:
                await rearm(inv.app, tx, replace(group, timezone=str(zone)), now)
    except PlanError as exc:
        raise _fail(exc) from None
    if plan is None:
        inv.app.reschedule()
        return ""
    group = await group_store.get(inv.db, group.id) or group
    await _after_change(inv, group, plan.id)
    upcoming = [r for r in laid if r.meeting_at > now]
    if not upcoming:
        return ""
    return (
        f" The plan keeps its local times ({plan.cadence}); the next meeting is "
        f"{format_local(upcoming[0].meeting_at, zone)}."
    )


@command("plan cancel", help="End the study plan: no more readings or reminders.", permission=Permission.MODERATOR)
async def plan_cancel(inv: Invocation) -> Reply:
    group, plan = await _require_plan(inv)
    now = inv.now()
    async with inv.db.transaction() as tx:
        await plan_store.update(tx, plan.id, now, status="cancelled")
        cancelled = await plan_store.get(tx, plan.id)
        assert cancelled is not None
        await refresh_schedules(inv.app, tx, cancelled, now)
    await _after_change(inv, group, plan.id)
    return Reply(text="The study plan is cancelled; no more readings or reminders will be posted.")


@command("plan ics", help="Download the plan's meetings as a calendar file (.ics).")
async def plan_ics_command(inv: Invocation) -> Reply:
    group, _ = await _require_plan(inv)
    data = await plan_ics(inv.db, group, inv.now())
    return Reply(
        text="Import this file into your calendar; importing a newer one updates the same events.",
        files=(File("readalong-plan.ics", data, "text/calendar"),),
    )
