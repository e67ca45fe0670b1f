"""A group's study plan as the features share it: the current plan (read only), laying readings on meetings,
keeping the plan's schedule rows in step, appending a book, and the meetings to mirror on a platform calendar.

Used by the plans feature's commands and schedule kind, by polls (a next-book poll's winner joins the plan), by
reminders and by the CLI. The pure rules are bot/domain/layout.py and bot/domain/plans.py.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, TypedDict, Unpack
from zoneinfo import ZoneInfo

from bot.adapters.base import MeetingEvent
from bot.domain.calendar import DEFAULT_DURATION, MeetingInfo, meetings_to_ics
from bot.domain.layout import PlanRule, next_meetings, opening_times
from bot.domain.plans import PlanError, Reading, SectionLength, allocate_readings, parse_per_meeting
from bot.events import MeetingsChanged, ZoneChanged
from bot.replies import UserError
from bot.storage import books as book_store
from bot.storage import groups as group_store
from bot.storage import meta
from bot.storage import plans as plan_store
from bot.storage import schedules as schedule_store
from bot.storage.db import Database, Executor, Transaction
from bot.storage.groups import Group
from bot.storage.plans import NewReading, Plan, PlanReading, PlanStatus

if TYPE_CHECKING:
    from bot.services import Services

DEFAULT_REMINDER_OFFSETS = (timedelta(days=1), timedelta(hours=1))  # "24 h" = same wall-clock time the day before
NEVER = datetime.min.replace(tzinfo=UTC)


async def current_plan(db: Executor, group_id: int, now: datetime) -> Plan | None:
    """The group's live plan, read only: None when there is none or an active plan's last meeting has passed
    (`finish_if_over` records that)."""
    plan = await plan_store.live(db, group_id)
    if plan is None or plan.status != "active":
        return plan
    return None if _over(await plan_store.plan_readings(db, plan.id), now) else plan


async def finish_if_over(db: Database, group_id: int, now: datetime) -> bool:
    """Mark an active plan whose last meeting has passed (every reading opened) finished and drop its schedules.

    While its opens schedule still waits to post the closing message, the dispatcher finishes the plan instead
    (readers of the plan treat it as over either way)."""
    plan = await plan_store.live(db, group_id)
    if plan is None or plan.status != "active" or not _over(await plan_store.plan_readings(db, plan.id), now):
        return False
    opens = await schedule_store.get(db, f"{plan_owner(plan.id)}:opens")
    if opens is not None and opens.next_fire_at is not None:
        return False
    async with db.transaction() as tx:
        await plan_store.update(tx, plan.id, now, status="finished")
        await schedule_store.delete_owner(tx, plan_owner(plan.id))
    return True


def _over(readings: Sequence[PlanReading], now: datetime) -> bool:
    return bool(readings) and readings[-1].meeting_at <= now and all(r.opened for r in readings)


async def lay_out(
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


async def refresh_schedules(services: Services, tx: Transaction, plan: Plan, now: datetime) -> None:
    """Make the plan's schedule rows match it: an opens row and one reminder row per offset; paused plans keep
    their rows with nothing due; ended plans lose them. Reminders already past are not sent after a change."""
    owner = plan_owner(plan.id)
    group = await group_store.get(tx, plan.group_id)
    if group is not None:
        await services.dispatch(MeetingsChanged(group, tx, now))
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
        handler = services.schedule_kinds.get(kind)
        if schedule is None or handler is None:
            continue
        following = await handler.next_fire(services, tx, schedule, cursor or NEVER)
        await schedule_store.set_next(tx, [(schedule.id, following)], now)


def section_lengths(sections: Sequence[book_store.Section]) -> list[SectionLength]:
    return [SectionLength(s.id, s.book_id, s.minutes, s.heading, s.position) for s in sections]


async def book_readings(db: Executor, book: book_store.Book, per_meeting: str) -> list[Reading]:
    # a heading with no text of its own ("Part One") is structure, not something to read at a meeting
    sections = [s for s in await book_store.sections(db, book.id) if s.words > 0]
    if not sections:
        raise UserError(f"*{book.title}* has no sections to read yet, so I can't plan it.")
    try:
        amount = parse_per_meeting(per_meeting)
    except PlanError as exc:
        raise UserError(str(exc)) from None
    return allocate_readings(section_lengths(sections), amount)


async def append_book(services: Services, tx: Transaction, group_id: int, book_id: int) -> list[PlanReading]:
    """Append a book to the group's active plan inside the caller's transaction; UserError when impossible."""
    plan = await plan_store.live(tx, group_id)
    if plan is None or plan.status != "active":
        raise UserError("This group has no running study plan to add the book to; start one with `plan create`.")
    book = await book_store.get(tx, book_id)
    if book is None:
        raise UserError("That book is no longer in the library.")
    readings = await book_readings(tx, book, plan.per_meeting)
    now = services.clock.now()
    try:
        laid = await lay_out(tx, plan, PlanRule.of(plan), now, new=[(book.id, r) for r in readings])
    except PlanError as exc:
        raise UserError(str(exc)) from None
    await refresh_schedules(services, tx, plan, now)
    services.reschedule()
    return laid


async def planned_book_ids(db: Executor, group_id: int) -> set[int]:
    """Books in the group's current plan."""
    return {r.book_id for r in await plan_store.readings(db, group_id)}


async def meeting_events(db: Executor, group: Group, plan: Plan | None, now: datetime) -> list[MeetingEvent]:
    if plan is None or plan.status != "active":
        return []
    events = []
    readings = await plan_store.plan_readings(db, plan.id)
    titles = await _book_titles(db, readings)
    for r in readings:
        if r.meeting_at + DEFAULT_DURATION > now:
            events.append(
                MeetingEvent(
                    key=f"reading:{r.id}",
                    title=f"{group.name}: {r.title}",
                    starts_at=r.meeting_at,
                    ends_at=r.meeting_at + DEFAULT_DURATION,
                    description=meeting_description(r, titles[r.book_id]),
                )
            )
    return events


async def sync_meetings(services: Services, group_id: int) -> None:
    """After a committed change of a group's plan: mirror its meetings on the platform's calendar and wake the
    dispatcher (the plan commands, and the `PlanChanged` event when a poll's winner was appended)."""
    group = await group_store.get(services.db, group_id)
    if group is not None:
        plan = await plan_store.live(services.db, group_id)
        await services.sync_meetings(group, await meeting_events(services.db, group, plan, services.clock.now()))
    services.reschedule()


class PlanChanges(TypedDict, total=False):
    """The fields `plan_store.update` changes (only those given)."""

    status: PlanStatus
    cadence: str | None
    timezone: str | None
    start: date | None
    blackouts: Iterable[date] | None
    paused_at: datetime | None
    clear_paused: bool
    clear_token: bool


async def apply_change(
    services: Services, tx: Transaction, plan_id: int, now: datetime, **changes: Unpack[PlanChanges]
) -> Plan:
    """Store changed plan fields, read the plan back and bring its schedule rows in step: the one sequence every
    plan change ends with, inside the caller's transaction."""
    if changes:
        await plan_store.update(tx, plan_id, now, **changes)
    plan = await plan_store.get(tx, plan_id)
    assert plan is not None
    await refresh_schedules(services, tx, plan, now)
    return plan


async def move_to_zone(services: Services, group: Group, zone: ZoneInfo, now: datetime) -> list[PlanReading] | None:
    """Set the group's time zone; a running plan moves with it, keeping its meetings' local time of day, and
    `ZoneChanged` listeners re-arm their jobs in the same transaction. Returns the plan's readings as laid out
    again, or None without a plan; PlanError when the plan no longer fits."""
    await finish_if_over(services.db, group.id, now)
    plan = await current_plan(services.db, group.id, now)
    laid: list[PlanReading] = []
    async with services.db.transaction() as tx:
        await group_store.update(tx, group.id, timezone=str(zone))
        if plan is not None:
            old = PlanRule.of(plan)
            await plan_store.update(tx, plan.id, now, timezone=str(zone))
            rule = PlanRule(old.cadence, zone, old.start, old.until, old.blackouts)
            keep_until = plan.paused_at if plan.status == "paused" else None
            laid = await lay_out(tx, plan, rule, now, keep_until=keep_until)
            await apply_change(services, tx, plan.id, now)
        await services.dispatch(ZoneChanged(replace(group, timezone=str(zone)), tx, now))
    if plan is None:
        services.reschedule()
        return None
    await sync_meetings(services, group.id)
    return laid


INSTALLATION_KEY = "installation_id"


async def installation_id(db: Database) -> str:
    """This installation's id, made once and kept in the database: calendar UIDs carry it, so two installations
    (each with its group 1 and reading 1) never write events a calendar app would take for one another."""
    found = await meta.get(db, INSTALLATION_KEY)
    if found:
        return found
    async with db.transaction() as tx:
        found = await meta.get(tx, INSTALLATION_KEY)
        if not found:
            found = secrets.token_hex(8)
            await meta.put(tx, INSTALLATION_KEY, found)
    return found


def meeting_description(reading: PlanReading, book_title: str) -> str:
    """What a calendar event says about its meeting: the reading and the book it is from."""
    return f"Reading {reading.number}: {reading.title} from {book_title} (about {reading.minutes} min)."


async def _book_titles(db: Executor, readings: Sequence[PlanReading]) -> dict[int, str]:
    titles = {}
    for book_id in {r.book_id for r in readings}:
        book = await book_store.get(db, book_id)
        titles[book_id] = book.title if book else f"book #{book_id}"
    return titles


async def plan_ics(db: Database, group: Group, now: datetime, *, feed: bool = False) -> bytes:
    """The group's current (or last finished) plan as an iCalendar file (stable UIDs per reading and
    installation, SEQUENCE = its revision); PlanError when the group never had a plan — except for the web
    page's subscribed `feed`, which stays a valid, empty calendar until the first plan fills it."""
    plan = await plan_store.latest(db, group.id, plan_store.CURRENT)
    if plan is None and not feed:
        raise PlanError(f"The group “{group.name}” has no study plan, so there is no calendar to export.")
    readings = await plan_store.plan_readings(db, plan.id) if plan is not None else []
    titles = await _book_titles(db, readings)
    meetings = [
        MeetingInfo(
            reading_id=r.id,
            starts_at=r.meeting_at,
            reading_title=r.title,
            description=meeting_description(r, titles[r.book_id]),
            sequence=r.revision,
        )
        for r in readings
    ]
    domain = f"{await installation_id(db)}.readalong"
    return meetings_to_ics(group.name, meetings, group.timezone, group_id=group.id, generated_at=now, domain=domain)
