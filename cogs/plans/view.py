"""What members see of the plan: its meetings (history included once it has finished) and the next one."""

from __future__ import annotations

from bot.commands import Invocation, command
from bot.replies import Reply
from bot.storage import plans as plan_store
from bot.text import plural
from bot.timeutil import format_local
from cogs.plans.common import NEXT_BOOK, PREVIEW_LINES, book_title, plan_or_history, reading_line, split_met


@command("plan show", help="Show the study plan's upcoming meetings and readings.", default=True)
async def plan_show(inv: Invocation) -> Reply:
    _, plan, finished = await plan_or_history(inv)
    now = inv.now()
    zone = inv.zone
    readings = await plan_store.plan_readings(inv.db, plan.id)
    titles = [await book_title(inv.db, book_id) for book_id in dict.fromkeys(r.book_id for r in readings)]
    if finished:
        lines = [reading_line(r, zone, now, met=True) for r in readings[-PREVIEW_LINES:]]
        if len(readings) > PREVIEW_LINES:
            lines.insert(0, f"… {plural(len(readings) - PREVIEW_LINES, 'earlier reading')} before these.")
        last = format_local(readings[-1].meeting_at, zone) if readings else "—"
        return Reply(
            title=f"Study plan: {', '.join(titles)} — finished",
            text=f"All {plural(len(readings), 'reading')} met; the last meeting was {last}.\n"
            + "\n".join(lines)
            + f"\n{NEXT_BOOK}",
            kind="plan",
        )
    met, upcoming = split_met(plan, readings, now)
    lines = [reading_line(r, zone, now, met=False) for r in upcoming[:PREVIEW_LINES]]
    if len(upcoming) > PREVIEW_LINES:
        lines.append(f"… and {len(upcoming) - PREVIEW_LINES} more.")
    status = " — paused (`plan resume` continues it)" if plan.status == "paused" else ""
    return Reply(
        title=f"Study plan: {', '.join(titles)}{status}",
        text=f"Meetings {plan.cadence} ({zone}); {len(met)} of {plural(len(readings), 'reading')} met.\n"
        + "\n".join(lines),
        kind="plan",
    )


@command("plan next", help="Show the next meeting and what to read for it.")
async def plan_next(inv: Invocation) -> Reply:
    _, plan, finished = await plan_or_history(inv)
    now = inv.now()
    readings = await plan_store.plan_readings(inv.db, plan.id)
    _, upcoming = split_met(plan, readings, now)
    if finished or not upcoming:
        return Reply(text=f"There are no more meetings in this plan. {NEXT_BOOK}")
    nxt = upcoming[0]
    book = await book_title(inv.db, nxt.book_id)
    about = f"Reading {nxt.number} of {len(readings)}: {nxt.title} from *{book}*, about {nxt.minutes} min."
    if plan.status == "paused":
        when = "when the plan resumes" if nxt.meeting_at <= now else format_local(nxt.meeting_at, inv.zone)
        return Reply(
            title=f"Next meeting: {when}",
            text=f"{about} The plan is paused, so this may move.",
            kind="plan",
        )
    return Reply(title=f"Next meeting: {format_local(nxt.meeting_at, inv.zone)}", text=about, kind="plan")
