"""The plan in calendars: the `plan ics` file, and mirroring the meetings on the platform's calendar when
another feature changed the plan (the plan commands mirror their own changes)."""

from __future__ import annotations

from bot.commands import Invocation, command
from bot.events import PlanChanged
from bot.replies import File, Reply
from bot.services import Services
from bot.services.plans import plan_ics, sync_meetings
from cogs.plans.common import plan_or_history


@command("plan ics", help="Download the plan's meetings as a calendar file (.ics).")
async def plan_ics_command(inv: Invocation) -> Reply:
    group, _, _ = await plan_or_history(inv)  # a finished plan's calendar still downloads
    data = await plan_ics(inv.db, group, inv.now())
    return Reply(
        text="Import this file into your calendar; importing a newer one updates the same events.",
        files=(File("readalong-plan.ics", data, "text/calendar"),),
    )


async def mirror_changed_plan(services: Services, event: PlanChanged) -> None:
    """A poll's winner was appended and committed: mirror the meetings and wake the dispatcher."""
    await sync_meetings(services, event.group_id)
