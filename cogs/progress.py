"""Progress: who has read what. `done`, `undo`, `progress`, `progress group`, `progress summary`, `nudge`.

The numbers come from bot/domain/progress.py over the group's current plan (bot/storage/plans.py): reading i
of the plan is discussed at meeting i. Nothing here is public by default: a member's own progress is answered
privately, the group view shows counts, never names, and nudges are private messages to members who asked.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.adapters.base import direct_room
from bot.commands import Invocation, Permission, ReadingRef, command
from bot.domain.progress import member_progress, progress_bar, readings_behind
from bot.events import MeetingsChanged
from bot.features import ExportPart, ExportTable, Feature
from bot.replies import File, Reply, UserError
from bot.scheduling import Post
from bot.services.readings import current_reading, resolve_reading
from bot.storage import groups as group_store
from bot.storage import jobs as job_store
from bot.storage import members as member_store
from bot.storage import plans as plan_store
from bot.storage import progress as progress_store
from bot.storage.db import Executor, Transaction
from bot.storage.groups import Group
from bot.storage.jobs import Job
from bot.storage.plans import PlanReading
from bot.text import plural
from bot.timeutil import format_local, to_db

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)

NUDGE_RECHECK = timedelta(days=1)  # with no upcoming meeting, look again tomorrow (a plan may appear)


async def _plan_readings(db: Executor, group: Group) -> list[PlanReading]:
    readings = await plan_store.readings(db, group.id)
    if not readings:
        raise UserError("This group has no study plan yet; a moderator can make one with `plan create`.")
    return readings


async def complete_readings(services: Services, group: Group | None, typed: str) -> list[tuple[str, str]]:
    if group is None:
        return []
    needle = typed.strip().lower()
    readings = await plan_store.readings(services.db, group.id)
    return [
        (f"{r.number}. {r.title}"[:100], str(r.number))
        for r in readings
        if not needle or needle in r.title.lower() or needle == str(r.number)
    ]


@command(
    "done",
    help="Mark a reading as finished (the current one unless you name another).",
    params={"reading": "Reading number or part of its title"},
)
async def done(inv: Invocation, reading: ReadingRef | None = None) -> Reply:
    group = inv.require_group()
    readings = await _plan_readings(inv.db, group)
    target = await _target(inv, group, readings, reading)
    new = await progress_store.mark_done(inv.db, inv.member_id, target.id, inv.now())
    finished = await progress_store.done_by(inv.db, inv.member_id, [r.id for r in readings])
    tally = (
        f"You have finished {len(finished)} of {len(readings)} readings {progress_bar(len(finished), len(readings))}"
    )
    if not new:
        return Reply(text=f"You had already marked {target.number}. *{target.title}* as read. {tally}", ephemeral=True)
    return Reply(text=f"✓ {target.number}. *{target.title}* marked as read. {tally}", ephemeral=True)


async def _target(inv: Invocation, group: Group, readings: list[PlanReading], ref: str | None) -> PlanReading:
    """The reading `done` marks: the named one (any form `resolve_reading` knows), else the group's current one."""
    if ref is None:
        return await current_reading(inv.db, group.id, readings)
    resolved = await resolve_reading(inv.db, readings, ref)
    if resolved.planned is None:
        raise UserError(f"{resolved.title} is not part of the group's plan; `plan show` lists its readings.")
    return resolved.planned


@command("undo", help="Take back your most recent `done`.")
async def undo(inv: Invocation) -> Reply:
    group = inv.require_group()
    readings = await _plan_readings(inv.db, group)
    latest = await progress_store.latest_done(inv.db, inv.member_id, [r.id for r in readings])
    if latest is None:
        raise UserError("You haven't marked any reading of this plan as read, so there is nothing to undo.")
    left_before = await progress_store.undo_left(inv.db, group.id, inv.member_id)
    if left_before is not None and latest in left_before:
        raise UserError(
            "You already took back your latest `done`; `undo` takes back only the most recent one, "
            "so your earlier readings stay marked."
        )
    async with inv.db.transaction() as tx:
        await progress_store.unmark(tx, inv.member_id, latest)
        left = await progress_store.done_by(tx, inv.member_id, [r.id for r in readings])
        await progress_store.set_undo_left(tx, group.id, inv.member_id, list(left))
    reading = next(r for r in readings if r.id == latest)
    return Reply(text=f"{reading.number}. *{reading.title}* is no longer marked as read.", ephemeral=True)


@command("progress me", help="Your own progress: position, streak and pace.", default=True)
async def progress_me(inv: Invocation) -> Reply:
    group = inv.require_group()
    readings = await _plan_readings(inv.db, group)
    zone = ZoneInfo(group.timezone)
    by_id = await progress_store.done_by(inv.db, inv.member_id, [r.id for r in readings])
    done_map = {r.position: by_id[r.id] for r in readings if r.id in by_id}
    card = member_progress(done_map, [r.meeting_at for r in readings], inv.now(), zone)
    lines = [f"{card.bar} {card.done_count} of {card.total} readings finished"]
    if card.next_reading is not None:
        nxt = readings[card.next_reading]
        lines.append(f"Next for you: {nxt.number}. *{nxt.title}* (meeting {format_local(nxt.meeting_at, zone)})")
    else:
        lines.append("You have finished the whole syllabus.")
    lines.append(f"Streak: {plural(card.streak, 'meeting')} in a row read in time")
    if card.behind:
        lines.append("Still to catch up: " + ", ".join(str(readings[i].number) for i in card.behind))
    if card.forecast and card.next_reading is not None:
        lines.append(f"At your pace you finish the syllabus on {card.forecast.finish_on:%-d %B %Y}.")
    return Reply(title="Your progress", text="\n".join(lines), ephemeral=True)


async def _group_counts(db: Executor, group: Group, readings: list[PlanReading]) -> tuple[int, list[int]]:
    members = await member_store.count(db, group.id)
    counts = await progress_store.finished_counts(db, [r.id for r in readings])
    return members, [counts.get(r.id, 0) for r in readings]


@command("progress group", help="How many members finished each reading, with a chart.")
async def progress_group(inv: Invocation) -> Reply:
    group = inv.require_group()
    readings = await _plan_readings(inv.db, group)
    members, finished = await _group_counts(inv.db, group, readings)
    lines = [
        f"{r.number}. {progress_bar(n, members)} {n}/{members} — {r.title}"
        for r, n in zip(readings, finished, strict=True)
    ]
    from bot.charts import progress_chart

    labels = [f"{r.number}. {r.title}" for r in readings]  # drawn in a worker thread: seconds of CPU for a long plan
    chart = await asyncio.to_thread(progress_chart, labels, finished, members, f"{group.name}: progress")
    return Reply(
        title="Group progress",
        text="\n".join(lines),
        files=(File("progress.png", chart, "image/png"),),
        kind="progress",
    )


@command(
    "progress summary",
    help="Post a neutral summary of the group's progress (counts, no names).",
    permission=Permission.MODERATOR,
)
async def progress_summary(inv: Invocation) -> Reply:
    group = inv.require_group()
    readings = await _plan_readings(inv.db, group)
    members, finished = await _group_counts(inv.db, group, readings)
    current = await current_reading(inv.db, group.id, readings)
    n = finished[current.position]
    return Reply(
        title="Where the group stands",
        text=(
            f"Current reading: {current.number}. *{current.title}* — {n} of {members} members have finished it.\n"
            f"Readings finished by everyone: {sum(1 for c in finished if members and c >= members)} "
            f"of {len(readings)}."
        ),
    )


@command(
    "nudge on",
    help="Get a private reminder before a meeting when you are behind.",
    params={"hours": "How many hours before the meeting (default 12)"},
)
async def nudge_on(inv: Invocation, hours: int = 12) -> Reply:
    group = inv.require_group()
    if not 1 <= hours <= 168:
        raise UserError(
            f"`hours` should be between 1 and 168 (a week) before the meeting, not {hours}; "
            "for example `nudge on hours:12`."
        )
    async with inv.db.transaction() as tx:
        await progress_store.set_nudge(tx, group.id, inv.member_id, hours)
        await _arm_nudge(tx, group, inv.member_id, hours, inv.now())
    return Reply(
        text=f"I'll message you privately {hours} h before a meeting if you haven't finished its reading.",
        ephemeral=True,
    )


@command("nudge off", help="Stop private reminders before meetings.")
async def nudge_off(inv: Invocation) -> Reply:
    group = inv.require_group()
    async with inv.db.transaction() as tx:
        had = await progress_store.clear_nudge(tx, group.id, inv.member_id)
        await job_store.cancel_ref(tx, "nudge", _nudge_ref(group.id, inv.member_id))
    return Reply(text="Nudges are off." if had else "Nudges were already off.", ephemeral=True)


def _nudge_ref(group_id: int, member_id: int) -> str:
    return f"nudge:{group_id}:{member_id}"


async def _arm_nudge(tx: Transaction, group: Group, member_id: int, hours: int, now: datetime) -> None:
    """Arm the member's next nudge: `hours` before the next meeting, or a re-check tomorrow without one."""
    readings = await plan_store.readings(tx, group.id)
    lead = timedelta(hours=hours)
    upcoming = [r for r in readings if r.meeting_at - lead > now]
    fire_at = upcoming[0].meeting_at - lead if upcoming else now + NUDGE_RECHECK
    payload = {"member_id": member_id, "hours": hours}
    await job_store.add(tx, "nudge", fire_at, payload, now, group.id, ref=_nudge_ref(group.id, member_id))


async def send_nudge(services: Services, tx: Transaction, job: Job) -> list[Post]:
    """Before a meeting: a private message to an opted-in member who has not finished; then re-arm."""
    group = await group_store.get(tx, job.group_id or 0)
    member_id = int(job.payload["member_id"])
    hours = await progress_store.nudge_hours(tx, group.id, member_id) if group else None
    if group is None or hours is None:
        return []
    member = await member_store.get(tx, member_id)
    plan = await plan_store.live(tx, group.id)
    # a paused plan sends nothing, private nudges included; the job re-arms and looks again
    readings = await plan_store.plan_readings(tx, plan.id) if plan is not None and plan.status == "active" else []
    posts: list[Post] = []
    lead = timedelta(hours=hours)
    meeting_index = next(
        (i for i, r in enumerate(readings) if abs(r.meeting_at - lead - job.fire_at) <= timedelta(minutes=1)), None
    )
    if member is not None and meeting_index is not None:
        by_id = await progress_store.done_by(tx, member_id, [r.id for r in readings])
        done_map = {r.position: by_id[r.id] for r in readings if r.id in by_id}
        behind = readings_behind(done_map, [r.meeting_at for r in readings], meeting_index)
        if behind:
            meeting = readings[meeting_index]
            zone = ZoneInfo(group.timezone)
            todo = ", ".join(f"{readings[i].number}. {readings[i].title}" for i in behind)
            posts.append(
                Post(
                    group_id=group.id,
                    reply=Reply(
                        title=f"Before the meeting of {format_local(meeting.meeting_at, zone)}",
                        text=f"Still to read for *{group.name}*: {todo}. {_where_to_answer(group)}",
                    ),
                    room=direct_room(member.user_id),
                )
            )
    await _arm_nudge(tx, group, member_id, hours, job.fire_at + timedelta(minutes=1))
    return posts


def _where_to_answer(group: Group) -> str:
    """A nudge arrives in a private chat, where the group's commands do not work: say where they do."""
    place = "channel" if group.platform == "discord" else "room"
    return f"In the *{group.name}* {place}, `done` marks a reading as finished and `nudge off` stops these messages."


async def rearm_nudges(services: Services, event: MeetingsChanged) -> None:
    """The plan's meetings moved (a skip, a shift, a new zone…): every member's next nudge moves with them."""
    tx, group, now = event.tx, event.group, event.now
    for member_id, hours in await progress_store.nudges_of_group(tx, group.id):
        await _arm_nudge(tx, group, member_id, hours, now)


async def forget_progress(services: Services, tx: Transaction, member_id: int) -> int:
    return await progress_store.forget_member(tx, member_id)


async def export_progress(services: Services, db: Executor, group: Group) -> ExportPart:
    """Per reading: how many finished; per member: which readings and when (moderators' export only)."""
    readings = await plan_store.readings(db, group.id)
    names = {m.id: m.display_name for m, _ in await member_store.of_group(db, group.id)}
    by_id = {r.id: r for r in readings}
    rows = [
        [by_id[reading_id].number, by_id[reading_id].title, names.get(member_id, f"member {member_id}"), to_db(when)]
        for member_id, reading_id, when in await progress_store.all_rows(db, list(by_id))
    ]
    counts = await progress_store.finished_counts(db, list(by_id))
    data = [
        {"reading": r.number, "title": r.title, "meeting_at": to_db(r.meeting_at), "finished": counts.get(r.id, 0)}
        for r in readings
    ]
    return ExportPart(
        name="progress",
        data=data,
        tables=(ExportTable("progress", ("reading", "title", "member", "finished_at"), rows),),
    )


FEATURE = Feature(
    name="progress",
    commands=(done, undo, progress_me, progress_group, progress_summary, nudge_on, nudge_off),
    jobs={"nudge": send_nudge},
    completers={ReadingRef: complete_readings},
    forgetters={"reading progress and nudge settings": forget_progress},
    exporters={"progress": export_progress},
    listeners=((MeetingsChanged, rearm_nudges),),
)
