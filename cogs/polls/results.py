"""How polls read and show: the constants, reading a ballot, tallying and the open and results posts."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

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
from bot.storage.polls import Poll
from bot.text import plural
from bot.timeutil import format_local

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)


CLOSE_JOB = "poll-close"
MAX_OPTIONS = 20
MAX_QUESTION = 200
MAX_LABEL = 100
MAX_OPEN_FOR = timedelta(days=366)  # a poll closes within a year
Kind = Literal["single", "multi", "ranked"]
KIND_NAMES = {"single": "single choice", "multi": "multiple choice", "ranked": "ranked (instant-runoff)"}
POLL_OPTIONS_HELP = {
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


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _button_label(poll: Poll, index: int) -> str:
    return shorten(f"{option_label(index)}: {poll.options[index].label}", 80)  # Discord's limit


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
