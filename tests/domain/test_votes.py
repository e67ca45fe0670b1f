from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.votes import (
    IrvRound,
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

OPTIONS = ["State and Revolution", "The Civil War in France", "The Communist Manifesto", "Capital"]
A, B, C, D = range(4)


# --- single and approval ----------------------------------------------------------------------------------


def test_single_counts_percentages_and_winner() -> None:
    tally = tally_single(OPTIONS, [A, B, A, C, A])
    assert [c.votes for c in tally.counts] == [3, 1, 1, 0]
    assert tally.counts[A].percent == pytest.approx(60.0)
    assert tally.counts[A].option == "State and Revolution"
    assert tally.total_ballots == 5
    assert tally.winners == (A,) and tally.winner == A and not tally.is_tie


def test_single_tie_and_empty() -> None:
    tie = tally_single(OPTIONS, [A, B])
    assert tie.winners == (A, B) and tie.is_tie and tie.winner is None
    empty = tally_single(OPTIONS, [])
    assert empty.winners == () and empty.total_ballots == 0
    assert all(c.percent == 0.0 for c in empty.counts)


def test_approval_counts_each_option_once_per_ballot() -> None:
    tally = tally_approval(OPTIONS, [{A, B}, {B}, [B, B, C], set()])
    assert [c.votes for c in tally.counts] == [1, 3, 1, 0]
    assert tally.total_ballots == 4
    assert tally.winners == (B,)
    assert tally.counts[B].ballot_percent == pytest.approx(75.0)  # approval rate
    assert sum(c.percent for c in tally.counts) == pytest.approx(100.0)


def test_out_of_range_ballots_are_programming_errors() -> None:
    with pytest.raises(ValueError):
        tally_single(OPTIONS, [7])
    with pytest.raises(ValueError):
        tally_approval(OPTIONS, [{-1}])
    with pytest.raises(ValueError):
        tally_ranked(OPTIONS, [(A, A)])
    with pytest.raises(ValueError):
        tally_single([], [])


# --- instant-runoff ---------------------------------------------------------------------------------------


def test_majority_first_preference_wins_in_round_one() -> None:
    tally = tally_ranked(OPTIONS, [(A, B), (A,), (B, A)])
    assert tally.winners == (A,)
    assert len(tally.rounds) == 1
    assert tally.rounds[0] == IrvRound(1, (2, 1, 0, 0), (A, B, C, D), 0, None, None)


def test_transfers_decide_the_winner() -> None:
    ballots = [(A,)] * 4 + [(B,)] * 3 + [(C, B)] * 2
    tally = tally_ranked(OPTIONS[:3], ballots)
    assert [c.votes for c in tally.counts] == [4, 3, 2]  # first preferences
    assert [r.eliminated for r in tally.rounds] == [C, None]
    assert tally.rounds[-1].votes == (4, 5, 0)
    assert tally.winners == (B,)


def test_exhausted_ballots_leave_the_count() -> None:
    ballots = [(A,)] * 3 + [(B,)] * 2 + [(C,)] * 2 + [()]
    tally = tally_ranked(OPTIONS[:3], ballots)
    # B and C tie for fewest with identical histories: option order eliminates C (listed last).
    assert tally.rounds[0].eliminated == C and tally.rounds[0].tie_break == "option order"
    assert tally.rounds[0].exhausted == 1
    assert tally.rounds[1].exhausted == 3
    assert tally.winners == (A,)  # 3 of the 5 ballots still counting


def test_tie_for_fewest_goes_to_option_order_only_after_earlier_rounds() -> None:
    ballots = [(A,)] * 7 + [(B,)] * 3 + [(C, B)] * 1 + [(C,)] * 2 + [(D,)] * 4
    tally = tally_ranked(OPTIONS, ballots)
    # Round 1: A7 B3 C3 D4 — B and C tie on 3 with no earlier round, so C (listed last) goes.
    # Round 2: A7 B4 D4 — B and D tie on 4; in round 1 B had 3 and D 4, so B goes.
    # Round 3: A7 D4 — A has 7 of 11 continuing ballots.
    assert [r.votes for r in tally.rounds] == [(7, 3, 3, 4), (7, 4, 0, 4), (7, 0, 0, 4)]
    assert [r.eliminated for r in tally.rounds] == [C, B, None]
    assert [r.tie_break for r in tally.rounds] == ["option order", "earlier rounds", None]
    assert [r.exhausted for r in tally.rounds] == [0, 2, 6]
    assert tally.winners == (A,)


def test_all_continuing_options_tied_is_a_tie_not_an_option_order_win() -> None:
    ballots = [(A,)] * 5 + [(B,)] * 4 + [(C,)] * 3 + [(D, B)] * 1 + [(D, C)] * 2
    tally = tally_ranked(OPTIONS, ballots)
    # Round 1: A5 B4 C3 D3 — C and D tie with identical histories, D (listed last) goes.
    # Round 2: A5 B5 C5 — every continuing option level: a genuine three-way tie.
    assert tally.rounds[0].eliminated == D and tally.rounds[0].tie_break == "option order"
    assert tally.rounds[1].votes == (5, 5, 5, 0) and tally.rounds[1].eliminated is None
    assert tally.winners == (A, B, C) and tally.is_tie


def test_no_ballots_no_winner() -> None:
    tally = tally_ranked(OPTIONS, [])
    assert tally.winners == () and len(tally.rounds) == 1
    assert tally_ranked(OPTIONS, [(), ()]).winners == ()


def test_two_way_tie_is_reported() -> None:
    tally = tally_ranked(OPTIONS[:2], [(A, B), (B, A)])
    assert tally.winners == (A, B)


ranked_ballots = st.integers(2, 5).flatmap(
    lambda n: st.tuples(
        st.just(n),
        st.lists(
            st.permutations(range(n)).flatmap(lambda p: st.integers(0, n).map(lambda k: tuple(p[:k]))),
            max_size=40,
        ),
    )
)


def reference_elimination(rnd: IrvRound, previous: list[IrvRound]) -> tuple[int, str | None]:
    """The documented rule, restated independently: fewest now, then fewest in earlier rounds, then last."""
    tied = [i for i in rnd.continuing if rnd.votes[i] == min(rnd.votes[j] for j in rnd.continuing)]
    if len(tied) == 1:
        return tied[0], None
    for earlier in reversed(previous):
        tied = [i for i in tied if earlier.votes[i] == min(earlier.votes[j] for j in tied)]
        if len(tied) == 1:
            return tied[0], "earlier rounds"
    return max(tied), "option order"


@settings(max_examples=300, deadline=None)
@given(case=ranked_ballots)
def test_irv_properties(case: tuple[int, list[tuple[int, ...]]]) -> None:
    n, ballots = case
    options = [f"Option {i}" for i in range(n)]
    tally = tally_ranked(options, ballots)
    assert tally.total_ballots == len(ballots)
    assert sum(c.votes for c in tally.counts) == sum(1 for b in ballots if b)
    gone: set[int] = set()
    for number, rnd in enumerate(tally.rounds, start=1):
        assert rnd.number == number
        assert sum(rnd.votes) + rnd.exhausted == len(ballots)
        assert not gone & set(rnd.continuing)
        assert all(rnd.votes[i] == 0 for i in gone)
        if rnd.eliminated is not None:
            assert rnd.eliminated in rnd.continuing
            assert (rnd.eliminated, rnd.tie_break) == reference_elimination(rnd, list(tally.rounds[: number - 1]))
            gone.add(rnd.eliminated)
    assert all(r.eliminated is not None for r in tally.rounds[:-1]) and tally.rounds[-1].eliminated is None
    assert set(tally.winners) <= set(tally.rounds[-1].continuing)
    first = tally.rounds[0]
    active = len(ballots) - first.exhausted
    majority = [i for i in range(n) if first.votes[i] * 2 > active]
    if majority:
        assert tally.winners == tuple(majority) and len(tally.rounds) == 1
    if any(ballots):
        assert tally.winners
        assert math.isclose(sum(c.percent for c in tally.counts), 100.0)


@given(n=st.integers(1, 6), data=st.data())
def test_single_and_approval_properties(n: int, data: st.DataObject) -> None:
    options = [f"Option {i}" for i in range(n)]
    singles = data.draw(st.lists(st.integers(0, n - 1), max_size=50))
    single = tally_single(options, singles)
    assert single.total_ballots == len(singles) == sum(c.votes for c in single.counts)
    if singles:
        assert math.isclose(sum(c.percent for c in single.counts), 100.0)
        top = max(c.votes for c in single.counts)
        assert single.winners == tuple(c.index for c in single.counts if c.votes == top)
    approvals = data.draw(st.lists(st.frozensets(st.integers(0, n - 1)), max_size=50))
    approval = tally_approval(options, approvals)
    assert approval.total_ballots == len(approvals)
    assert sum(c.votes for c in approval.counts) == sum(len(b) for b in approvals)
    if any(approvals):
        assert math.isclose(sum(c.percent for c in approval.counts), 100.0)
    assert all(0.0 <= c.ballot_percent <= 100.0 for c in approval.counts)


def test_tally_is_a_frozen_value() -> None:
    tally = tally_single(OPTIONS, [A])
    assert isinstance(tally, Tally)
    with pytest.raises(AttributeError):
        tally.total_ballots = 3  # type: ignore[misc]


# --- parsing typed votes ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("B A C", (B, A, C)),
        ("b a c", (B, A, C)),
        ("2 1 3", (B, A, C)),
        ("2, 1, 3", (B, A, C)),
        ("B > A > D", (B, A, D)),
        ("state, civil", (A, B)),
        ("The Communist, capital", (C, D)),
        ("  D  ", (D,)),
        ("C\nA", (C, A)),
    ],
)
def test_parse_ranked_choice(text: str, expected: tuple[int, ...]) -> None:
    assert parse_ranked_choice(text, OPTIONS) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "Your vote was empty"),
        ("B B", "You listed B twice"),
        ("2, b", "You listed B twice"),
        ("E", "I don't see an option “E”; use letters A–D, numbers 1–4"),
        ("9", "I don't see an option “9”"),
        ("the", "“the” matches both “The Civil War in France” and “The Communist Manifesto”"),
        ("Dialectics", "I don't see an option “Dialectics”"),
    ],
)
def test_parse_ranked_choice_errors(text: str, fragment: str) -> None:
    with pytest.raises(VoteError) as caught:
        parse_ranked_choice(text, OPTIONS)
    message = str(caught.value)
    assert fragment in message
    assert message.endswith(".") and "\n" not in message and message[0].isupper()


def test_exact_option_text_beats_a_longer_prefix_match() -> None:
    assert parse_ranked_choice("Emma", ["Emma", "Emma II"]) == (0,)


def test_single_and_approval_parsing() -> None:
    assert parse_single_choice("c", OPTIONS) == C
    with pytest.raises(VoteError, match="one choice"):
        parse_single_choice("a b", OPTIONS)
    assert parse_approval_choice("d, a", OPTIONS) == frozenset({A, D})


def test_option_labels() -> None:
    assert [option_label(i) for i in (0, 1, 25, 26)] == ["A", "B", "Z", "27"]
