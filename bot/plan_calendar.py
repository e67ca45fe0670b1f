"""The group's plan as iCalendar bytes: the one function behind `plan ics` and the web page's calendar feed.

It sits in the core (not in cogs/plans.py) so the web server can serve the very same events, UIDs and
SEQUENCE numbers without importing a feature: a calendar subscribed to the feed follows every skip, shift and
cadence change exactly as re-importing `plan ics` would.
"""

from __future__ import annotations

from datetime import datetime

from bot.domain.calendar import MeetingInfo, meetings_to_ics
from bot.storage import plans as plan_store
from bot.storage.db import Executor
from bot.storage.groups import Group


async def plan_ics(db: Executor, group: Group, now: datetime) -> bytes:
    """The group's current plan as an iCalendar file (stable UIDs per reading, SEQUENCE = its revision)."""
    plan = await plan_store.latest(db, group.id, plan_store.CURRENT)
    readings = await plan_store.plan_readings(db, plan.id) if plan else []
    meetings = [
        MeetingInfo(
            reading_id=r.id,
            starts_at=r.meeting_at,
            reading_title=r.title,
            description=f"Reading {r.number}: {r.title} (about {r.minutes} min).",
            sequence=r.revision,
        )
        for r in readings
    ]
    return meetings_to_ics(group.name, meetings, group.timezone, group_id=group.id, generated_at=now)
