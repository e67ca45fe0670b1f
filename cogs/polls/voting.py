"""Voting, and showing polls while they are open."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.commands import Invocation, PollRef, Text, command
from bot.domain.votes import (
    option_label,
)
from bot.replies import Reply, UserError
from bot.storage import polls as poll_store
from bot.storage.polls import Poll
from bot.text import plural
from bot.timeutil import format_local
from cogs.polls.lookup import find_poll, group_zone, render
from cogs.polls.results import describe_choice, quorum_met, read_choice

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)


# ---------------------------------------------------------------- voting
@command(
    "vote",
    help="Vote in a poll: a letter, several letters, or a ranking such as B A C.",
    params={"poll": "The poll's number", "choices": "Letters, numbers or the start of option names"},
    details="Ranked polls: most preferred first, `vote 7 B A C`. Several words of one option name: separate "
    "options with commas. Voting again replaces your ballot until the poll closes.",
)
async def vote(inv: Invocation, poll: PollRef, choices: Text) -> Reply:
    group = inv.require_group()
    now = inv.now()
    async with inv.db.transaction() as tx:
        found = await find_poll(tx, group, poll)
        _require_open(found, now, group_zone(group))
        picked = read_choice(found, choices)
        outcome = await poll_store.cast_ballot(tx, found.id, inv.member_id, picked, now, commit=True)
    if outcome == "closed":  # pragma: no cover - _require_open saw it open inside the same transaction
        raise UserError(f"Poll #{found.id} is closed; `poll show {found.id}` shows its results.")
    return Reply(text=f"Your vote in poll #{found.id} is {outcome}: {describe_choice(found, picked)}.", ephemeral=True)


@command(
    "unvote",
    help="Take back your vote in a poll while it is open.",
    params={"poll": "The poll's number"},
    details="Matrix runs it for you when you remove your reaction or your answer to the Element poll.",
)
async def unvote(inv: Invocation, poll: PollRef) -> Reply:
    group = inv.require_group()
    async with inv.db.transaction() as tx:
        found = await find_poll(tx, group, poll)
        _require_open(found, inv.now(), group_zone(group))
        removed = await poll_store.withdraw_ballot(tx, found.id, inv.member_id)
    if not removed:
        return Reply(text=f"You have no vote in poll #{found.id} to take back.", ephemeral=True)
    return Reply(text=f"Your vote in poll #{found.id} is taken back.", ephemeral=True)


def _require_open(poll: Poll, now: datetime, zone: ZoneInfo) -> None:
    if not poll.is_open:
        raise UserError(f"Poll #{poll.id} is closed; `poll show {poll.id}` shows its results.")
    if poll.closes_at is not None and poll.closes_at <= now:
        raise UserError(
            f"Voting in poll #{poll.id} ended at {format_local(poll.closes_at, zone)}; "
            "the results will be posted in a moment."
        )


# ---------------------------------------------------------------- showing and closing
@command(
    "poll show",
    help="Show a poll: its options and how to vote, or its results once closed.",
    params={"poll": "The poll's number"},
    default=True,
)
async def poll_show(inv: Invocation, poll: PollRef | None = None) -> Reply:
    group = inv.require_group()
    if poll is None:
        return await poll_list(inv)
    found = await find_poll(inv.db, group, poll)
    return await render(inv.app, inv.db, found, group_zone(group), inv.context.prefix)


@command("poll list", help="List the group's open polls and the latest results.")
async def poll_list(inv: Invocation) -> Reply:
    group = inv.require_group()
    zone = group_zone(group)
    polls = await poll_store.of_group(inv.db, group.id, limit=20)
    if not polls:
        return Reply(text="This group has no polls yet; a moderator can open one with `poll create`.")
    lines = []
    for p in polls:
        if p.is_open:
            ballots = await poll_store.ballot_count(inv.db, p.id)
            closes = f", closes {format_local(p.closes_at, zone)}" if p.closes_at else ""
            lines.append(f"#{p.id} {p.question} — open, {plural(ballots, 'ballot')}{closes}")
        else:
            winners = p.winners or ()
            if not p.total_ballots:
                outcome = "nobody voted"
            elif not quorum_met(p, p.total_ballots):
                outcome = "quorum not met"
            elif len(winners) == 1:
                outcome = f"winner {option_label(winners[0])} {p.options[winners[0]].label}"
            else:
                outcome = "tie " + " / ".join(option_label(i) for i in winners)
            lines.append(f"#{p.id} {p.question} — closed, {outcome}")
    return Reply(title="Polls", text="\n".join(lines))
