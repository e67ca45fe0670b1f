"""The reading-opens schedule kind: when a reading's time comes, its post starts the reading's thread (thread key
`reading:<reading id>`); other features add to the post by listening to `ReadingOpening`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.events import ReadingOpening
from bot.replies import Choice, Field, Reply
from bot.scheduling import CatchUp, Due, Firing, Outcome, Post, ScheduleKind
from bot.storage import plans as plan_store
from bot.storage import schedules as schedule_store
from bot.storage.db import Transaction
from bot.storage.plans import PlanReading, ReadingSource
from bot.storage.schedules import Schedule
from bot.timeutil import format_local

if TYPE_CHECKING:
    from bot.services import Services


def sections_label(numbers: Sequence[int]) -> str:
    if not numbers:
        return "no sections"
    if len(numbers) == 1:
        return f"section {numbers[0]}"
    return f"sections {numbers[0]}–{numbers[-1]}"


def reading_opens_reply(reading: PlanReading, total: int, source: ReadingSource, zone: ZoneInfo) -> Reply:
    fields = [
        # where it stands in the book; how to read it (`read N`, the web page) is the reading feature's field
        Field("In the book", f"{sections_label(source.section_numbers)} of *{source.book_title}*"),
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


async def _fire_opens(services: Services, tx: Transaction, dues: Sequence[Due]) -> list[Outcome]:
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
    await plan_store.mark_opened(tx, [r.id for r in opening], services.clock.now())
    following: dict[int, datetime | None] = dict(await plan_store.next_openings(tx, list(plans)))
    outcomes = []
    for due in dues:
        plan = plans.get(int(due.schedule.rule["plan"]))
        if plan is None:
            outcomes.append(Outcome(Firing(), None))
            continue
        if plan.id not in following:  # every reading is open: what is left is the closing post after the last meeting
            last = await _last_meeting(tx, plan.id)
            if last is not None and last <= due.fire_at and not due_now[due.schedule.id]:
                outcomes.append(Outcome(Firing([await _close(tx, due.schedule, plan.id, services)]), None))
                continue
            following[plan.id] = last if last is not None and last > due.fire_at else None
        zone = ZoneInfo(zones.get(plan.group_id, plan.timezone))
        posts = []
        for reading in due_now[due.schedule.id]:
            reply = reading_opens_reply(reading, totals.get(plan.id, 0), sources[reading.id], zone)
            event = ReadingOpening(plan.group_id, reading, tx)
            await services.dispatch(event)  # other features add fields and choices (discussion: a prompt, a quote)
            if event.extras:
                fields = tuple(e for e in event.extras if isinstance(e, Field))
                choices = tuple(e for e in event.extras if isinstance(e, Choice))
                reply = replace(reply, fields=reply.fields + fields, choices=reply.choices + choices)
            posts.append(Post(plan.group_id, reply, thread_key=f"reading:{reading.id}", starts_thread=True))
        outcomes.append(Outcome(Firing(posts), following.get(plan.id)))
    return outcomes


def closing_reply(title: str, count: int) -> Reply:
    return Reply(
        title=f"🏁 The study plan is finished: {title}",
        text=(
            f"That was the last of {count} meeting{'' if count == 1 else 's'} — thank you for reading along. "
            "`plan show` keeps the plan's history and `plan ics` its calendar. What next? A moderator can let the "
            "group choose the next book with `poll next-book`, or start a plan with `plan create`."
        ),
        kind="plan",
    )


async def _last_meeting(tx: Transaction, plan_id: int) -> datetime | None:
    readings = await plan_store.plan_readings(tx, plan_id)
    return readings[-1].meeting_at if readings else None


async def _close(tx: Transaction, schedule: Schedule, plan_id: int, services: Services) -> Post:
    """The last meeting has started: the plan is finished (its history stays), its other schedules go, and the
    group is invited to choose what comes next."""
    plan = await plan_store.get(tx, plan_id)
    assert plan is not None
    readings = await plan_store.plan_readings(tx, plan_id)
    titles = []
    for source in (await plan_store.reading_sources(tx, readings)).values():
        if source.book_title not in titles:
            titles.append(source.book_title)
    await plan_store.update(tx, plan_id, services.clock.now(), status="finished")
    others = [s.name for s in await schedule_store.of_owner(tx, schedule.owner) if s.name != schedule.name]
    await schedule_store.delete(tx, others)
    return Post(plan.group_id, closing_reply(", ".join(titles) or "the plan", len(readings)))


async def _next_opens(services: Services, tx: Transaction, schedule: Schedule, after: datetime) -> datetime | None:
    plan = await plan_store.get(tx, int(schedule.rule["plan"]))
    if plan is None or plan.status != "active":
        return None
    found = (await plan_store.next_openings(tx, [plan.id])).get(plan.id)
    if found is not None:
        return found
    last = await _last_meeting(tx, plan.id)  # the closing post
    return last if last is not None and last > after else None


async def _rebuild_opens(
    services: Services, tx: Transaction, schedules: Sequence[Schedule]
) -> dict[int, datetime | None]:
    openings = await plan_store.openings_of_active_plans(tx)
    meetings = await plan_store.meetings_of_active_plans(tx)
    result: dict[int, datetime | None] = {}
    for schedule in schedules:
        plan_id = int(schedule.rule["plan"])
        closing = meetings[plan_id][-1] if meetings.get(plan_id) else None
        if closing is not None and schedule.last_fire_at is not None and closing <= schedule.last_fire_at:
            closing = None  # already closed
        result[schedule.id] = openings.get(plan_id, closing)
    return result


READING_OPENS = ScheduleKind(
    "reading-opens",
    fire=_fire_opens,
    next_fire=_next_opens,
    rebuild=_rebuild_opens,
    catch_up=CatchUp(grace=timedelta(hours=2)),  # a late opening is still worth posting for two hours
)
