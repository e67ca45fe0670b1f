"""Polls and votes (issue #6): moderators open polls, every member votes, results are frozen when a poll closes.

Commands (the console shows them with `/`):

    poll create "question" "option A" "option B" … [kind:single|multi|ranked] [anonymous] [closes:2d] [quorum:5]
    poll next-book [kind:…] [anonymous] [closes:…] [quorum:…]        options: the library's books
    poll meeting-time "tuesday 19:00" "thursday 18:30" … [kind:…] …    options: weekly meeting slots
    poll show <poll> · poll list · poll close <poll> (moderators)
    vote <poll> <choices>                                               "vote 7 B", "vote 7 A C", "vote 7 B A C"

A poll closes at its deadline through the scheduler (job kind "poll-close", posting the results to the room)
or when a moderator closes it. Closing tallies the ballots with bot.domain.votes, stores the totals and the
instant-runoff rounds, and for anonymous polls deletes the ballots. Anonymous polls show no running counts
while open (watching a count move would tell who voted what), and exports give their totals only.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo

from bot.commands import MAX_INT, Invocation, Permission, PollRef, Text, command, completer
from bot.domain.plans import PlanError, WeeklyCadence, parse_cadence
from bot.domain.votes import (
    OptionCount,
    Tally,
    VoteError,
    option_label,
    parse_approval_choice,
    parse_ranked_choice,
    parse_single_choice,
    tally_approval,
    tally_ranked,
    tally_single,
)
from bot.replies import Choice, Field, Reply, UserError
from bot.scheduling import Post, job_handler
from bot.storage import books as book_store
from bot.storage import groups as group_store
from bot.storage import jobs as job_store
from bot.storage import polls as poll_store
from bot.storage.polls import Poll, PollKind, Purpose
from bot.text import plural
from bot.timeutil import DurationTooLong, TimeInputError, format_local, parse_duration, parse_instant
from cogs.privacy import ExportPart, ExportTable, exporter, forgetter

if TYPE_CHECKING:
    from bot.app import App
    from bot.storage.db import Executor, Transaction
    from bot.storage.groups import Group
    from bot.storage.jobs import Job

log = logging.getLogger(__name__)

CLOSE_JOB = "poll-close"
MAX_OPTIONS = 20
MAX_QUESTION = 200
MAX_LABEL = 100
MAX_OPEN_FOR = timedelta(days=366)  # a poll closes within a year
Kind = Literal["single", "multi", "ranked"]
KIND_NAMES = {"single": "single choice", "multi": "multiple choice", "ranked": "ranked (instant-runoff)"}
_POLL_OPTIONS_HELP = {
    "kind": "single (one choice), multi (any number) or ranked (instant-runoff)",
    "anonymous": "Nobody sees who voted what; results only when it closes",
    "closes": "When voting ends: a duration such as 2d, or a date-time such as 2026-12-01T19:00",
    "quorum": "Fewest ballots for the result to count",
}


# ---------------------------------------------------------------- pure helpers
def tally(poll: Poll, ballots: Sequence[Sequence[int]]) -> Tally:
    """Count ballots (option positions) the way the poll's kind says, with the pure tallies."""
    if poll.kind == "single":
        return tally_single(poll.labels, [ballot[0] for ballot in ballots])
    if poll.kind == "multi":
        return tally_approval(poll.labels, [frozenset(ballot) for ballot in ballots])
    return tally_ranked(poll.labels, ballots)


def read_choice(poll: Poll, text: str) -> tuple[int, ...]:
    """A member's typed vote as option positions; a several-word option name works without commas."""
    try:
        return _parse(poll, text)
    except VoteError as first:
        if " " in text.strip() and not any(sep in text for sep in ",;>\n"):
            try:
                return _parse(poll, text + ",")  # read it once more as a single option name
            except VoteError:
                pass
        raise UserError(str(first)) from None


def _parse(poll: Poll, text: str) -> tuple[int, ...]:
    if poll.kind == "single":
        return (parse_single_choice(text, poll.labels),)
    if poll.kind == "multi":
        return tuple(sorted(parse_approval_choice(text, poll.labels)))
    return parse_ranked_choice(text, poll.labels)


def describe_choice(poll: Poll, choices: Sequence[int]) -> str:
    letters = [option_label(i) for i in choices]
    return " > ".join(letters) if poll.kind == "ranked" else ", ".join(letters)


def quorum_met(poll: Poll, ballots: int) -> bool:
    return poll.quorum is None or ballots >= poll.quorum


def declared_winners(poll: Poll, result: Tally) -> tuple[int, ...]:
    """The winner (or tied options) the group acts on: none when the quorum was not met."""
    return result.winners if quorum_met(poll, result.total_ballots) else ()


def _pct(value: float) -> str:
    return f"{value:.0f}%"


def _option_line(poll: Poll, index: int) -> str:
    return f"**{option_label(index)}** {poll.options[index].label}"


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _button_label(poll: Poll, index: int) -> str:
    return _shorten(f"{option_label(index)}: {poll.options[index].label}", 80)  # Discord's limit


def _how_to_vote(poll: Poll, prefix: str) -> str:
    example = " ".join(option_label(i) for i in reversed(range(min(3, len(poll.options)))))
    several = f"{option_label(0)} {option_label(min(2, len(poll.options) - 1))}"  # "A C", or "A B" with two options
    if poll.kind == "ranked":
        return (
            f"Rank the options, most preferred first: `{prefix}vote {poll.id} {example}`. A button records only "
            "your first preference. Voting again replaces your ballot."
        )
    if poll.kind == "multi":
        return (
            f"Choose every option you like: `{prefix}vote {poll.id} {several}` (a button chooses just that one). "
            "Voting again replaces your ballot."
        )
    return f"Vote with a button or `{prefix}vote {poll.id} A`. Voting again replaces your vote."


def open_poll_reply(
    poll: Poll, *, ballots: int, live: Tally | None, zone: ZoneInfo, now: datetime, prefix: str = "/"
) -> Reply:
    """An open poll: its options as buttons (one `vote <id> <letter>` each) and how to vote by text."""
    lines = []
    for option in poll.options:
        line = _option_line(poll, option.position)
        if live is not None and not poll.anonymous:
            line += f" — {_count_text(poll, live.counts[option.position])}"
        lines.append(line)
    ended = poll.closes_at is not None and poll.closes_at <= now
    lines.append("")
    if ended:
        lines.append("Voting has ended; the results will be posted in a moment.")
    else:
        lines.append(_how_to_vote(poll, prefix))
    if poll.anonymous:
        lines.append("Anonymous poll: nobody sees who voted what, and the results are shown when it closes.")
    fields = [Field("Kind", KIND_NAMES[poll.kind], inline=True), Field("Ballots", str(ballots), inline=True)]
    closes = format_local(poll.closes_at, zone) if poll.closes_at else "when a moderator closes it"
    fields.append(Field("Closes", closes, inline=True))
    if poll.quorum:
        fields.append(Field("Quorum", plural(poll.quorum, "ballot"), inline=True))
    choices = (
        ()
        if ended
        else tuple(
            Choice(_button_label(poll, i), f"vote {poll.id} {option_label(i)}") for i in range(len(poll.options))
        )
    )
    return Reply(
        title=f"Poll #{poll.id}: {poll.question}",
        text="\n".join(lines),
        fields=tuple(fields),
        choices=choices,
        kind="poll",
        anonymous=poll.anonymous,
        max_selections=len(poll.options) if poll.kind == "multi" else 1,
    )


def _count_text(poll: Poll, count: OptionCount) -> str:
    """One option's count as the poll's kind counts it; the same words while open and in the results."""
    if poll.kind == "multi":
        return f"{plural(count.votes, 'vote')} ({_pct(count.ballot_percent)} of ballots)"
    if poll.kind == "ranked":
        return f"{count.votes} first {'preference' if count.votes == 1 else 'preferences'} ({_pct(count.percent)})"
    return f"{plural(count.votes, 'vote')} ({_pct(count.percent)})"


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def results_lines(poll: Poll, result: Tally) -> list[str]:
    """Counts and percentages per option, the runoff rounds of a ranked poll, and the outcome."""
    lines = []
    for count in result.counts:
        lines.append(f"{_option_line(poll, count.index)} — {_count_text(poll, count)}")
    if poll.kind == "ranked" and result.rounds and result.total_ballots:
        lines += ["", "Instant-runoff rounds:"]
        for rnd in result.rounds:
            parts = " · ".join(f"{option_label(i)} {rnd.votes[i]}" for i in rnd.continuing)
            line = f"Round {rnd.number}: {parts}"
            if rnd.exhausted:
                line += f" ({plural(rnd.exhausted, 'ballot')} exhausted)"
            if rnd.eliminated is not None:
                line += f" — {option_label(rnd.eliminated)} eliminated"
                if rnd.tie_break == "earlier rounds":
                    line += " (tie for fewest broken by earlier rounds)"
                elif rnd.tie_break == "option order":
                    line += " (tie for fewest: the option listed last goes)"
            lines.append(line)
    lines.append("")
    if result.total_ballots == 0:
        lines.append("Nobody voted.")
    elif not quorum_met(poll, result.total_ballots):
        lines.append(
            f"Quorum not met: {plural(result.total_ballots, 'ballot')}, {poll.quorum} needed — no result is declared."
        )
    elif result.is_tie:
        tied = _and([_option_line(poll, i) for i in result.winners])
        lines.append(f"Tie between {tied}.")
    elif result.winner is not None:
        lines.append(f"Winner: {_option_line(poll, result.winner)}.")
    else:
        lines.append("No option received a vote.")
    return lines


def results_reply(
    poll: Poll, result: Tally, *, zone: ZoneInfo, extra: Sequence[str] = (), choices: Sequence[Choice] = ()
) -> Reply:
    fields = [Field("Kind", KIND_NAMES[poll.kind], inline=True), Field("Ballots", str(result.total_ballots), True)]
    if poll.closed_at:
        fields.append(Field("Closed", format_local(poll.closed_at, zone), inline=True))
    if poll.anonymous:
        fields.append(Field("Anonymous", "totals only", inline=True))
    lines = results_lines(poll, result)
    if extra:
        lines += ["", *extra]
    return Reply(
        title=f"Poll #{poll.id} results: {poll.question}",
        text="\n".join(lines),
        fields=tuple(fields),
        choices=tuple(choices),
        kind="poll-results",  # not "poll": adapters turn kind "poll" with choices into a native poll
    )


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


def _zone(group: Group) -> ZoneInfo:
    return ZoneInfo(group.timezone)


async def render(app: App, db: Executor, poll: Poll, zone: ZoneInfo, prefix: str = "/") -> Reply:
    """A poll as members see it now: results once closed, otherwise the ballot (with live counts if public)."""
    frozen = await poll_store.frozen_tally(db, poll)
    if frozen is not None:
        return results_reply(poll, frozen, zone=zone)
    rows = await poll_store.ballots(db, poll.id)
    live = None if poll.anonymous else tally(poll, [b.choices for b in rows])
    return open_poll_reply(poll, ballots=len(rows), live=live, zone=zone, now=app.clock.now(), prefix=prefix)


# ---------------------------------------------------------------- opening polls
def _deadline(text: str, now: datetime, zone: ZoneInfo) -> datetime:
    try:
        delta = parse_duration(text)
    except DurationTooLong:
        delta = MAX_OPEN_FOR * 2
    except TimeInputError:
        try:
            when = parse_instant(text, zone)
        except TimeInputError:
            raise UserError(
                f"`closes` should be a duration like 2d or a date and time like 2026-12-01T19:00 "
                f"(in the group's time zone, {zone}), not “{text}”."
            ) from None
    else:
        when = now + min(delta, MAX_OPEN_FOR * 2)
    if when <= now:
        raise UserError(f"`closes` must be in the future; “{text}” is not.")
    if when > now + MAX_OPEN_FOR:
        raise UserError(f"`closes` should be within a year; “{text}” is too far off.")
    return when


async def open_poll(
    inv: Invocation,
    *,
    question: str,
    options: Sequence[tuple[str, str | None]],
    kind: PollKind,
    anonymous: bool,
    closes: str | None,
    quorum: int | None,
    purpose: Purpose = "general",
) -> Reply:
    group = inv.require_group()
    question = " ".join(question.split())
    if not question:
        raise UserError("The poll needs a question; put it in quotes before the options.")
    if len(question) > MAX_QUESTION:
        raise UserError(f"The question is too long; keep it under {MAX_QUESTION} characters.")
    labels = [" ".join(label.split()) for label, _ in options]
    if len(labels) < 2:
        raise UserError('A poll needs at least two options, each in quotes: `poll create "Question?" "Yes" "No"`.')
    if len(labels) > MAX_OPTIONS:
        raise UserError(f"A poll can have at most {MAX_OPTIONS} options, not {len(labels)}.")
    seen: dict[str, str] = {}
    for label in labels:
        if not label:
            raise UserError("An option is empty; give every option some text.")
        if len(label) > MAX_LABEL:
            raise UserError(f"The option “{label[:30]}…” is too long; keep options under {MAX_LABEL} characters.")
        if label.casefold() in seen:
            raise UserError(f"The option “{label}” is listed twice; list each option once.")
        seen[label.casefold()] = label
    if quorum is not None and quorum < 1:
        raise UserError("`quorum` should be at least 1 ballot.")
    now = inv.now()
    zone = _zone(group)
    closes_at = _deadline(closes, now, zone) if closes else None
    async with inv.db.transaction() as tx:
        poll_id = await poll_store.create(
            tx,
            group_id=group.id,
            question=question,
            kind=kind,
            options=[(label, value) for label, (_, value) in zip(labels, options, strict=True)],
            now=now,
            anonymous=anonymous,
            quorum=quorum,
            closes_at=closes_at,
            purpose=purpose,
            created_by=inv.member_id,
        )
        if closes_at is not None:
            await job_store.add(tx, CLOSE_JOB, closes_at, {"poll_id": poll_id}, now, group.id)
        poll = await poll_store.get(tx, poll_id)
    assert poll is not None
    log.info("poll %s opened (%s, %d options)", poll_id, kind, len(labels))
    if closes_at is not None:
        reschedule = getattr(inv.app, "reschedule", None)  # wake the dispatcher timer for the new deadline
        if reschedule is not None:
            reschedule()
    return open_poll_reply(poll, ballots=0, live=None, zone=zone, now=now, prefix=inv.context.prefix)


@command(
    "poll create",
    help="Open a poll: a question and its options, each in quotes.",
    params={"question": "The question, in quotes", "options": "The options, each in quotes", **_POLL_OPTIONS_HELP},
    permission=Permission.MODERATOR,
    details='Example: `poll create "Which chapter first?" "Lenin" "Trotsky" kind:ranked closes:2d`. '
    "Moderators open and close polls; every member votes.",
)
async def poll_create(
    inv: Invocation,
    question: str,
    *options: str,
    kind: Kind = "single",
    anonymous: bool = False,
    closes: str | None = None,
    quorum: int | None = None,
) -> Reply:
    return await open_poll(
        inv,
        question=question,
        options=[(option, None) for option in options],
        kind=kind,
        anonymous=anonymous,
        closes=closes,
        quorum=quorum,
    )


@command(
    "poll next-book",
    help="Open a poll on the book to read next; the winner can join the plan.",
    params=_POLL_OPTIONS_HELP,
    permission=Permission.MODERATOR,
    details="The options are the library's books not yet in the group's plan (at most 20).",
)
async def poll_next_book(
    inv: Invocation,
    kind: Kind = "single",
    anonymous: bool = False,
    closes: str | None = None,
    quorum: int | None = None,
) -> Reply:
    group = inv.require_group()
    books = await book_store.all_books(inv.db)
    if not books:
        raise UserError("The library is empty; a moderator can add books with `library add` first.")
    planned = await _planned_books(inv.app, inv.db, group.id)
    candidates = [b for b in books if b.id not in planned][:MAX_OPTIONS]
    if not candidates:
        raise UserError("Every book in the library is already in the plan; add another with `library add`.")
    if len(candidates) == 1:
        only = candidates[0]
        raise UserError(
            f"Only one book is left to choose, #{only.id} *{only.title}*; add it with `plan add {only.id}`."
        )
    titles = [_shorten(b.title, MAX_LABEL - 8) for b in candidates]
    options: list[tuple[str, str | None]] = [
        (title if titles.count(title) == 1 else f"{title} (#{b.id})", str(b.id))
        for title, b in zip(titles, candidates, strict=True)
    ]
    return await open_poll(
        inv,
        question="Which book should we read next?",
        options=options,
        kind=kind,
        anonymous=anonymous,
        closes=closes,
        quorum=quorum,
        purpose="next-book",
    )


@command(
    "poll meeting-time",
    help="Open a poll on when the group meets: weekday-and-time options in quotes.",
    params={"slots": 'Weekly times in quotes, e.g. "tuesday 19:00"', **_POLL_OPTIONS_HELP},
    permission=Permission.MODERATOR,
    details='Example: `poll meeting-time "tuesday 19:00" "thursday 18:30"`. Members can choose every slot that '
    "suits them (kind:multi is the default); a moderator confirms the winner as the plan's cadence.",
)
async def poll_meeting_time(
    inv: Invocation,
    *slots: str,
    kind: Kind = "multi",
    anonymous: bool = False,
    closes: str | None = None,
    quorum: int | None = None,
) -> Reply:
    options: list[tuple[str, str | None]] = []
    for slot in slots:
        try:
            cadence = parse_cadence(slot)
        except PlanError as exc:
            raise UserError(str(exc)) from None
        if not isinstance(cadence, WeeklyCadence):
            raise UserError(f"“{slot}” is a list of dates; a meeting-time option is a weekday and a time.")
        value = cadence.describe()
        label = value.removeprefix("every ") if cadence.every_weeks == 1 else value
        if any(value == existing for _, existing in options):
            raise UserError(f"“{slot}” is the same time as another option; list each time once.")
        options.append((label[0].upper() + label[1:], value))
    return await open_poll(
        inv,
        question="When should we meet?",
        options=options,
        kind=kind,
        anonymous=anonymous,
        closes=closes,
        quorum=quorum,
        purpose="meeting-time",
    )


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
        _require_open(found, now, _zone(group))
        picked = read_choice(found, choices)
        outcome = await poll_store.cast_ballot(tx, found.id, inv.member_id, picked, now)
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
        _require_open(found, inv.now(), _zone(group))
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
    return await render(inv.app, inv.db, found, _zone(group), inv.context.prefix)


@command("poll list", help="List the group's open polls and the latest results.")
async def poll_list(inv: Invocation) -> Reply:
    group = inv.require_group()
    zone = _zone(group)
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
        reply = await close_poll(inv.app, tx, found, inv.now(), _zone(group))
    if found.purpose == "next-book":
        await _plan_changed(inv.app, group.id)  # committed: the winner may be in the plan now
    return reply


async def close_poll(app: App, tx: Transaction, poll: Poll, now: datetime, zone: ZoneInfo) -> Reply:
    """Count, freeze and announce a poll inside the caller's transaction; special polls act on their winner."""
    ballots = await poll_store.ballots(tx, poll.id)
    result = tally(poll, [b.choices for b in ballots])
    if not await poll_store.close(tx, poll.id, result, now, drop_ballots=poll.anonymous):
        raise UserError(f"Poll #{poll.id} is already closed; `poll show {poll.id}` shows its results.")
    closed = replace(poll, closed_at=now, total_ballots=result.total_ballots, winners=result.winners)
    extra, choices = await _act_on_result(app, tx, closed, result)
    log.info("poll %s closed with %d ballots", poll.id, result.total_ballots)
    reply = results_reply(closed, result, zone=zone, extra=extra, choices=choices)
    return replace(reply, closes=f"vote {poll.id}")  # ends the poll whose buttons were `vote <id> <letter>`


@job_handler(CLOSE_JOB)
async def close_when_due(app: App, tx: Transaction, job: Job) -> list[Post]:
    """The deadline of a poll: close it and post the results to its group (nothing if already closed)."""
    poll = await poll_store.get(tx, int(job.payload["poll_id"]))
    if poll is None or not poll.is_open:
        return []
    group = await group_store.get(tx, poll.group_id)
    if group is None:
        return []
    reply = await close_poll(app, tx, poll, poll.closes_at or job.fire_at, _zone(group))
    if poll.purpose == "next-book":
        app.after_commit(lambda: _plan_changed(app, group.id))  # the winner may be in the plan once this commits
    return [Post(group_id=group.id, reply=reply)]


# ---------------------------------------------------------------- special polls act on their winner
async def _act_on_result(app: App, tx: Transaction, poll: Poll, result: Tally) -> tuple[list[str], list[Choice]]:
    winners = declared_winners(poll, result)
    if not winners or poll.purpose == "general":
        return [], []
    values = [poll.options[i].value or "" for i in winners]
    if poll.purpose == "next-book":
        if len(winners) == 1:
            book_id = int(values[0])
            added, note = await _append_to_plan(app, tx, poll.group_id, book_id)
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


def _plans_hook(name: str) -> Any:
    """A function the plans cog may provide (it is written separately); None when it does not exist yet."""
    try:
        module = importlib.import_module("cogs.plans")
    except ModuleNotFoundError:
        return None
    return getattr(module, name, None)


async def _append_to_plan(app: App, tx: Transaction, group_id: int, book_id: int) -> tuple[bool, str | None]:
    """Append the winning book through `cogs.plans.append_book(app, tx, group_id, book_id)` when it exists.

    It runs in a savepoint of the closing transaction: if it fails, its writes are undone and the poll still
    closes, with a button instead.
    """
    append = _plans_hook("append_book")
    if append is None:
        return False, None
    try:
        async with poll_store.savepoint(tx, "poll_append_book"):
            await append(app, tx, group_id, book_id)
    except UserError as exc:
        return False, str(exc)
    except Exception:
        log.exception("appending book %s to the plan of group %s failed", book_id, group_id)
        return False, None
    return True, None


async def _plan_changed(app: App, group_id: int) -> None:
    """After a committed append: `cogs.plans.plan_changed` mirrors the meetings on the platform's calendar."""
    changed = _plans_hook("plan_changed")
    if changed is not None:
        await changed(app, group_id)


async def _planned_books(app: App, db: Executor, group_id: int) -> set[int]:
    """Books already in the group's plan, via `cogs.plans.planned_book_ids(app, db, group_id)` if it exists."""
    planned = _plans_hook("planned_book_ids")
    if planned is None:
        return set()
    try:
        return {int(book_id) for book_id in await planned(app, db, group_id)}
    except Exception:
        log.exception("could not read the plan of group %s; offering every book", group_id)
        return set()


# ---------------------------------------------------------------- autocomplete, privacy, export
@completer(PollRef)
async def complete_polls(app: App, group: Group | None, typed: str) -> list[tuple[str, str]]:
    """The group's open polls, newest first, matching the typed number or words of the question."""
    if group is None:
        return []
    needle = typed.strip().lower().lstrip("#")
    polls = await poll_store.of_group(app.db, group.id, open_only=True)
    return [
        (f"#{p.id} {p.question}"[:100], str(p.id))
        for p in polls
        if not needle or str(p.id).startswith(needle) or needle in p.question.lower()
    ]


@forgetter("poll ballots")
async def forget_ballots(app: App, tx: Transaction, member_id: int) -> int:
    return await poll_store.forget_member(tx, member_id)


@exporter("polls")
async def export_polls(app: App, db: Executor, group: Group) -> ExportPart:
    """Every poll of the group with its totals; ballots (who chose what) only for polls that are not anonymous.

    An open anonymous poll gives only its number of ballots, like in chat.
    """
    data: list[dict[str, Any]] = []
    poll_rows: list[list[Any]] = []
    result_rows: list[list[Any]] = []
    round_rows: list[list[Any]] = []
    ballot_rows: list[list[Any]] = []
    for poll in reversed(await poll_store.of_group(db, group.id, limit=10_000)):
        frozen = await poll_store.frozen_tally(db, poll)
        voters = [] if poll.anonymous else await poll_store.ballots_with_voters(db, poll.id)
        if frozen is not None:
            result: Tally | None = frozen
            ballots = frozen.total_ballots
        elif poll.anonymous:
            result, ballots = None, await poll_store.ballot_count(db, poll.id)
        else:
            result, ballots = tally(poll, [b.choices for b, _ in voters]), len(voters)
        winners = declared_winners(poll, result) if result is not None and not poll.is_open else ()
        status = "open" if poll.is_open else "closed"
        entry: dict[str, Any] = {
            "id": poll.id,
            "question": poll.question,
            "kind": poll.kind,
            "purpose": poll.purpose,
            "anonymous": poll.anonymous,
            "status": status,
            "created_at": poll.created_at.isoformat(),
            "closes_at": poll.closes_at.isoformat() if poll.closes_at else None,
            "closed_at": poll.closed_at.isoformat() if poll.closed_at else None,
            "quorum": poll.quorum,
            "quorum_met": quorum_met(poll, ballots),
            "ballots": ballots,
            "winners": [option_label(i) for i in winners],
            "options": [],
        }
        poll_rows.append(
            [
                poll.id,
                poll.question,
                poll.kind,
                poll.purpose,
                poll.anonymous,
                status,
                entry["created_at"],
                entry["closes_at"],
                entry["closed_at"],
                poll.quorum,
                ballots,
                entry["quorum_met"],
                " ".join(entry["winners"]),
            ]
        )
        for option in poll.options:
            letter = option_label(option.position)
            item: dict[str, Any] = {"letter": letter, "label": option.label}
            if result is not None:
                count = result.counts[option.position]
                item |= {
                    "votes": count.votes,
                    "percent": round(count.percent, 2),
                    "ballot_percent": round(count.ballot_percent, 2),
                }
                result_rows.append(
                    [
                        poll.id,
                        status,
                        letter,
                        option.label,
                        count.votes,
                        item["percent"],
                        item["ballot_percent"],
                        option.position in winners,
                    ]
                )
            entry["options"].append(item)
        if result is not None and result.rounds:
            entry["rounds"] = [
                {
                    "round": r.number,
                    "votes": {option_label(i): r.votes[i] for i in r.continuing},
                    "exhausted": r.exhausted,
                    "eliminated": option_label(r.eliminated) if r.eliminated is not None else None,
                }
                for r in result.rounds
            ]
            for r in result.rounds:
                round_rows.extend(
                    [poll.id, r.number, option_label(i), r.votes[i], r.eliminated == i] for i in r.continuing
                )
        if not poll.anonymous:
            entry["ballots_cast"] = [
                {"voter": name, "choices": describe_choice(poll, b.choices), "cast_at": b.cast_at.isoformat()}
                for b, name in voters
            ]
            ballot_rows.extend(
                [poll.id, name, describe_choice(poll, b.choices), b.cast_at.isoformat()] for b, name in voters
            )
        data.append(entry)
    return ExportPart(
        name="polls",
        data=data,
        tables=(
            ExportTable(
                "polls",
                (
                    "poll",
                    "question",
                    "kind",
                    "purpose",
                    "anonymous",
                    "status",
                    "created_at",
                    "closes_at",
                    "closed_at",
                    "quorum",
                    "ballots",
                    "quorum_met",
                    "winners",
                ),
                poll_rows,
            ),
            ExportTable(
                "poll_results",
                ("poll", "status", "option", "label", "votes", "percent", "ballot_percent", "winner"),
                result_rows,
            ),
            ExportTable("poll_rounds", ("poll", "round", "option", "votes", "eliminated"), round_rows),
            ExportTable("poll_ballots", ("poll", "voter", "choices", "cast_at"), ballot_rows),
        ),
    )
