"""Closing polls by hand or at the deadline (job kind "poll-close"); special polls act on their winner."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.commands import Invocation, Permission, PollRef, command
from bot.domain.votes import (
    Tally,
    option_label,
)
from bot.events import PlanChanged
from bot.replies import Choice, Reply, UserError
from bot.scheduling import CatchUp, Post, job_catch_up
from bot.services.plans import append_book
from bot.storage import groups as group_store
from bot.storage import polls as poll_store
from bot.storage.polls import Poll
from cogs.polls.lookup import find_poll, group_zone
from cogs.polls.results import declared_winners, results_reply, tally

if TYPE_CHECKING:
    from bot.services import Services
    from bot.storage.db import Transaction
    from bot.storage.jobs import Job

log = logging.getLogger(__name__)


@command(
    "poll close",
    help="Close a poll now and post its results.",
    params={"poll": "The poll's number"},
    permission=Permission.MODERATOR,
)
async def poll_close(inv: Invocation, poll: PollRef) -> Reply:
    group = inv.require_group()
    async with inv.db.transaction() as tx:
        found = await find_poll(tx, group, poll)
        if not found.is_open:
            raise UserError(f"Poll #{found.id} is already closed; `poll show {found.id}` shows its results.")
        reply = await close_poll(inv.app, tx, found, inv.now(), group_zone(group))
    if found.purpose == "next-book":
        await inv.app.dispatch(PlanChanged(group.id))  # committed: the winner may be in the plan now
    return reply


async def close_poll(services: Services, tx: Transaction, poll: Poll, now: datetime, zone: ZoneInfo) -> Reply:
    """Count, freeze and announce a poll inside the caller's transaction; special polls act on their winner."""
    ballots = await poll_store.ballots(tx, poll.id)
    result = tally(poll, [b.choices for b in ballots])
    if not await poll_store.close(tx, poll.id, result, now, drop_ballots=poll.anonymous):
        raise UserError(f"Poll #{poll.id} is already closed; `poll show {poll.id}` shows its results.")
    closed = replace(poll, closed_at=now, total_ballots=result.total_ballots, winners=result.winners)
    extra, choices = await _act_on_result(services, tx, closed, result)
    log.info("poll %s closed with %d ballots", poll.id, result.total_ballots)
    reply = results_reply(closed, result, zone=zone, extra=extra, choices=choices)
    return replace(reply, closes=f"vote {poll.id}")  # ends the poll whose buttons were `vote <id> <letter>`


@job_catch_up(CatchUp())  # a poll's results are news however late: posted (marked late), never dropped
async def close_when_due(services: Services, tx: Transaction, job: Job) -> list[Post]:
    """The deadline of a poll: close it and post the results to its group (nothing if already closed)."""
    poll = await poll_store.get(tx, int(job.payload["poll_id"]))
    if poll is None or not poll.is_open:
        return []
    group = await group_store.get(tx, poll.group_id)
    if group is None:
        return []
    reply = await close_poll(services, tx, poll, poll.closes_at or job.fire_at, group_zone(group))
    if poll.purpose == "next-book":
        services.after_commit(
            lambda: services.dispatch(PlanChanged(group.id))
        )  # the winner may be in the plan once committed
    return [Post(group_id=group.id, reply=reply)]


# ---------------------------------------------------------------- special polls act on their winner
async def _act_on_result(
    services: Services, tx: Transaction, poll: Poll, result: Tally
) -> tuple[list[str], list[Choice]]:
    winners = declared_winners(poll, result)
    if not winners or poll.purpose == "general":
        return [], []
    values = [poll.options[i].value or "" for i in winners]
    if poll.purpose == "next-book":
        if len(winners) == 1:
            book_id = int(values[0])
            added, note = await _append_to_plan(services, tx, poll.group_id, book_id)
            if added:
                return [f"*{poll.options[winners[0]].label}* is added to the end of the group's plan."], []
            lines = [note] if note else []
            lines.append("A moderator can add it to the plan with the button.")
            return lines, [Choice("Add to the plan", f"plan add {book_id}", "success")]
        return ["A moderator can pick one of the tied books for the plan."], [
            Choice(f"Add {option_label(i)} to the plan", f"plan add {value}", "success")
            for i, value in zip(winners, values, strict=True)
        ]
    if len(winners) == 1:
        return ["A moderator can make it the group's meeting time with the button."], [
            Choice("Use this time", f'plan cadence "{values[0]}"', "success")
        ]
    return ["A moderator can pick one of the tied times."], [
        Choice(f"Use {option_label(i)}", f'plan cadence "{value}"', "success")
        for i, value in zip(winners, values, strict=True)
    ]


async def _append_to_plan(services: Services, tx: Transaction, group_id: int, book_id: int) -> tuple[bool, str | None]:
    """Append the winning book to the group's plan (bot/services/plans.py).

    It runs in a savepoint of the closing transaction: if it fails, its writes are undone and the poll still
    closes, with a button instead.
    """
    try:
        async with poll_store.savepoint(tx, "poll_append_book"):
            await append_book(services, tx, group_id, book_id)
    except UserError as exc:
        return False, str(exc)
    except Exception:
        log.exception("appending book %s to the plan of group %s failed", book_id, group_id)
        return False, None
    return True, None
