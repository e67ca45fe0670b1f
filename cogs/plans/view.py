"""What members see of the plan: its upcoming meetings and the next one."""

from __future__ import annotations

from bot.commands import Invocation, command
from bot.replies import Reply
from bot.storage import plans as plan_store
from bot.timeutil import format_local
from cogs.plans.common import PREVIEW_LINES, book_title, reading_line, require_plan


@command("plan show", help="Show the study plan's upcoming meetings and readings.", default=True)
async def plan_show(inv: Invocation) -> Reply:
    _, plan = await require_plan(inv)
    now = inv.now()
    zone = inv.zone
    readings = await plan_store.plan_readings(inv.db, plan.id)
    upcoming = [r for r in readings if r.meeting_at > now]
    done = len(readings) - len(upcoming)
    lines = [reading_line(r, zone, now) for r in upcoming[:PREVIEW_LINES]]
    if len(upcoming) > PREVIEW_LINES:
        lines.append(f"… and {len(upcoming) - PREVIEW_LINES} more.")
    status = " — paused (`plan resume` continues it)" if plan.status == "paused" else ""
    titles = [await book_title(inv.db, book_id) for book_id in dict.fromkeys(r.book_id for r in readings)]
    return Reply(
        title=f"Study plan: {', '.join(titles)}{status}",
        text=f"Meetings {plan.cadence} ({zone}); {done} of {len(readings)} readings met.\n" + "\n".join(lines),
        kind="plan",
    )


@command("plan next", help="Show the next meeting and what to read for it.")
async def plan_next(inv: Invocation) -> Reply:
    _, plan = await require_plan(inv)
    now = inv.now()
    readings = await plan_store.plan_readings(inv.db, plan.id)
    upcoming = [r for r in readings if r.meeting_at > now]
    if not upcoming:
        return Reply(text="There are no more meetings in this plan.")
    nxt = upcoming[0]
    paused = " The plan is paused, so this may move." if plan.status == "paused" else ""
    book = await book_title(inv.db, nxt.book_id)
    return Reply(
        title=f"Next meeting: {format_local(nxt.meeting_at, inv.zone)}",
        text=f"Reading {nxt.number} of {len(readings)}: {nxt.title} from *{book}*, about {nxt.minutes} min.{paused}",
        kind="plan",
    )
