"""Finding a group's poll by its number and rendering it in its current state."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.commands import MAX_INT
from bot.replies import Reply, UserError
from bot.storage import polls as poll_store
from bot.storage.polls import Poll
from cogs.polls.results import open_poll_reply, results_reply, tally

if TYPE_CHECKING:
    from bot.services import Services
    from bot.storage.db import Executor
    from bot.storage.groups import Group

log = logging.getLogger(__name__)


# ---------------------------------------------------------------- finding polls
def poll_number(ref: str) -> int:
    text = ref.strip().lstrip("#")
    if not text.isdigit():
        raise UserError(f"“{ref}” is not a poll number; `poll list` shows the group's polls.")
    return int(text)


async def find_poll(db: Executor, group: Group, ref: str) -> Poll:
    number = poll_number(ref)
    poll = await poll_store.get(db, number) if number <= MAX_INT else None
    if poll is None or poll.group_id != group.id:
        raise UserError(f"There is no poll #{number} in this group; `poll list` shows the group's polls.")
    return poll


def group_zone(group: Group) -> ZoneInfo:
    return ZoneInfo(group.timezone)


async def render(services: Services, db: Executor, poll: Poll, zone: ZoneInfo, prefix: str = "/") -> Reply:
    """A poll as members see it now: results once closed, otherwise the ballot (with live counts if public)."""
    frozen = await poll_store.frozen_tally(db, poll)
    if frozen is not None:
        return results_reply(poll, frozen, zone=zone)
    rows = await poll_store.ballots(db, poll.id)
    live = None if poll.anonymous else tally(poll, [b.choices for b in rows])
    return open_poll_reply(poll, ballots=len(rows), live=live, zone=zone, now=services.clock.now(), prefix=prefix)
