"""Poll tallying and vote parsing, kept pure so every platform's poll (buttons, reactions, typed text) and
the tests count the same way.

Ballots are option indices (0-based, in the order the options were listed). Three methods:

* single choice (plurality): one index per ballot;
* approval: any set of indices per ballot, each approved option gets one vote;
* ranked (instant-runoff): an ordered tuple of indices per ballot, most preferred first.

Instant-runoff rules, in full, so a member can check the result by hand:

1. Each round, every ballot counts for its highest-ranked option still in the race; a ballot whose ranked
   options have all been eliminated (or that ranked nothing) is *exhausted* for the rest of the count.
2. An option with more than half of the non-exhausted ballots wins.
3. Otherwise, if every option still in the race has the same number of votes, the poll is a tie between
   them: list order never decides a winner.
4. Otherwise exactly one option is eliminated: the one with the fewest votes this round. A tie for fewest
   is broken by the fewest votes in the previous round, then the round before, back to round 1 (the
   "backwards" rule); if they tied in every round, the option listed *last* is eliminated.
5. With no counted ballots at all there is no winner.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "IrvRound",
    "OptionCount",
    "Tally",
    "VoteError",
    "option_label",
    "parse_approval_choice",
    "parse_ranked_choice",
    "parse_single_choice",
    "tally_approval",
    "tally_ranked",
    "tally_single",
]


class VoteError(ValueError):
    """A vote a member typed that cannot be read; ``str()`` is one sentence they can act on."""


@dataclass(frozen=True)
class OptionCount:
    """One option's result."""

    index: int
    option: str
    votes: int
    percent: float  # share of all votes counted in this tally; the options' percents sum to 100
    ballot_percent: float  # share of ballots that gave it a vote (approval: its approval rate)


@dataclass(frozen=True)
class IrvRound:
    """One instant-runoff round, recorded so the bot can show how the winner emerged."""

    number: int  # 1-based
    votes: tuple[int, ...]  # per option index; options no longer in the race show 0
    continuing: tuple[int, ...]  # option indices still in the race during this round
    exhausted: int  # ballots with no continuing option left
    eliminated: int | None  # option removed at the end of this round, None in the final round
    tie_break: Literal["earlier rounds", "option order"] | None  # how a tie for fewest was broken


@dataclass(frozen=True)
class Tally:
    """A poll result. For ranked polls ``counts`` are first preferences and ``rounds`` hold the runoff."""

    method: Literal["single", "approval", "ranked"]
    counts: tuple[OptionCount, ...]  # in option order
    total_ballots: int
    winners: tuple[int, ...]  # one index, several for a tie, empty when nobody voted
    rounds: tuple[IrvRound, ...] = ()

    @property
    def winner(self) -> int | None:
        return self.winners[0] if len(self.winners) == 1 else None

    @property
    def is_tie(self) -> bool:
        return len(self.winners) > 1


def tally_single(options: Sequence[str], ballots: Sequence[int]) -> Tally:
    """Plurality: the option(s) with the most ballots win."""
    _check_options(options)
    votes = [0] * len(options)
    for ballot in ballots:
        _check_index(ballot, options)
        votes[ballot] += 1
    return Tally("single", _counts(options, votes, len(ballots)), len(ballots), _top(votes))


def tally_approval(options: Sequence[str], ballots: Sequence[Collection[int]]) -> Tally:
    """Approval: each ballot approves any number of options (repeats count once); most approvals win.

    An empty ballot still counts towards ``total_ballots``: the member voted and approved nothing.
    """
    _check_options(options)
    votes = [0] * len(options)
    for ballot in ballots:
        for index in set(ballot):
            _check_index(index, options)
            votes[index] += 1
    return Tally("approval", _counts(options, votes, len(ballots)), len(ballots), _top(votes))


def tally_ranked(options: Sequence[str], ballots: Sequence[Sequence[int]]) -> Tally:
    """Instant-runoff with the rules in the module docstring; every round is recorded."""
    _check_options(options)
    for ballot in ballots:
        for index in ballot:
            _check_index(index, options)
        if len(set(ballot)) != len(ballot):
            raise ValueError("a ranked ballot lists each option at most once")
    first = [0] * len(options)
    for ballot in ballots:
        if ballot:
            first[ballot[0]] += 1
    continuing = list(range(len(options)))
    history: list[list[int]] = []
    rounds: list[IrvRound] = []
    winners: tuple[int, ...] = ()
    while True:
        votes = [0] * len(options)
        exhausted = 0
        for ballot in ballots:
            top = next((index for index in ballot if index in continuing), None)
            if top is None:
                exhausted += 1
            else:
                votes[top] += 1
        history.append(votes)
        active = len(ballots) - exhausted
        number = len(history)
        leaders = [index for index in continuing if votes[index] * 2 > active]
        if active == 0 or leaders or len({votes[index] for index in continuing}) == 1:
            if active > 0:
                winners = tuple(leaders) if leaders else tuple(continuing)
            rounds.append(IrvRound(number, tuple(votes), tuple(continuing), exhausted, None, None))
            break
        loser, how = _eliminate(continuing, history)
        rounds.append(IrvRound(number, tuple(votes), tuple(continuing), exhausted, loser, how))
        continuing.remove(loser)
    return Tally("ranked", _counts(options, first, len(ballots)), len(ballots), winners, tuple(rounds))


def _eliminate(
    continuing: Sequence[int], history: Sequence[Sequence[int]]
) -> tuple[int, Literal["earlier rounds", "option order"] | None]:
    current = history[-1]
    fewest = min(current[index] for index in continuing)
    tied = [index for index in continuing if current[index] == fewest]
    if len(tied) == 1:
        return tied[0], None
    for earlier in reversed(history[:-1]):
        low = min(earlier[index] for index in tied)
        tied = [index for index in tied if earlier[index] == low]
        if len(tied) == 1:
            return tied[0], "earlier rounds"
    return max(tied), "option order"


def _check_options(options: Sequence[str]) -> None:
    if not options:
        raise ValueError("a poll needs at least one option")


def _check_index(index: int, options: Sequence[str]) -> None:
    if not 0 <= index < len(options):
        raise ValueError(f"option index {index} is out of range for {len(options)} options")


def _counts(options: Sequence[str], votes: Sequence[int], ballots: int) -> tuple[OptionCount, ...]:
    total = sum(votes)
    return tuple(
        OptionCount(
            index,
            option,
            votes[index],
            100.0 * votes[index] / total if total else 0.0,
            100.0 * votes[index] / ballots if ballots else 0.0,
        )
        for index, option in enumerate(options)
    )


def _top(votes: Sequence[int]) -> tuple[int, ...]:
    best = max(votes)
    return () if best == 0 else tuple(index for index, count in enumerate(votes) if count == best)


# ---------------------------------------------------------------------------------------------------------
# Reading a typed vote


_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def option_label(index: int) -> str:
    """The letter a member types for an option (A for the first); past Z, its number."""
    return _LETTERS[index] if index < len(_LETTERS) else str(index + 1)


def parse_ranked_choice(text: str, options: Sequence[str]) -> tuple[int, ...]:
    """Read a ranking such as "B A C", "2, 1, 3", "b > a" or "state, civil" into option indices.

    Each item is a letter (A…), a number (1…) or the start of an option's text (case-insensitive, a leading
    "the"/"a"/"an" optional); an item matching several options is an error unless one matches exactly.
    Items are separated by commas, semicolons, ">" or new lines; if there are none of those, by spaces, so
    "B A C" works and "War and Peace, Emma" still reads option names with spaces in them.
    """
    items = _split_items(text)
    if not items:
        raise VoteError(f"Your vote was empty; list options in order, like “{_example(options)}”.")
    picked: list[int] = []
    for item in items:
        index = _resolve_item(item, options)
        if index in picked:
            raise VoteError(f"You listed {option_label(index)} twice; name each option once.")
        picked.append(index)
    return tuple(picked)


def parse_single_choice(text: str, options: Sequence[str]) -> int:
    """Read one option (letter, number or name prefix) for a single-choice poll."""
    picked = parse_ranked_choice(text, options)
    if len(picked) != 1:
        raise VoteError("This poll takes one choice; send just one letter, number or option name.")
    return picked[0]


def parse_approval_choice(text: str, options: Sequence[str]) -> frozenset[int]:
    """Read the options a member approves of; order does not matter."""
    return frozenset(parse_ranked_choice(text, options))


def _split_items(text: str) -> list[str]:
    cleaned = text.strip()
    parts = re.split(r"[,;>\n]", cleaned) if re.search(r"[,;>\n]", cleaned) else cleaned.split()
    return [part.strip().strip(".") for part in parts if part.strip().strip(".")]


def _resolve_item(item: str, options: Sequence[str]) -> int:
    if len(item) == 1 and item.isalpha() and item.upper() in _LETTERS[: len(options)]:
        return _LETTERS.index(item.upper())
    if item.isascii() and item.isdigit() and len(item) <= 6 and 1 <= int(item) <= len(options):
        return int(item) - 1
    wanted = _comparable(item)
    names = [_comparable(option) for option in options]
    matches = [i for i, name in enumerate(names) if name.startswith(wanted) or _drop_article(name).startswith(wanted)]
    exact = [i for i in matches if wanted in (names[i], _drop_article(names[i]))]
    if len(exact) == 1 or len(matches) == 1:
        return (exact or matches)[0]
    if len(matches) > 1:
        first, second = options[matches[0]], options[matches[1]]
        raise VoteError(
            f"Your choice “{item}” matches both “{first}” and “{second}”; type more of the name or use its letter."
        )
    last = len(options)
    raise VoteError(
        f"I don't see an option “{item}”; use letters A–{option_label(last - 1)}, numbers 1–{last} "
        "or the start of an option's name."
    )


def _comparable(text: str) -> str:
    return " ".join(text.casefold().split())


def _drop_article(name: str) -> str:
    """Let "civil" find "The Civil War in France": members rarely type the article."""
    for article in ("the ", "a ", "an "):
        if name.startswith(article):
            return name[len(article) :]
    return name


def _example(options: Sequence[str]) -> str:
    return " ".join(option_label(i) for i in reversed(range(min(len(options), 3))))
