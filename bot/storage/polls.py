"""Polls, their options, members' ballots and the frozen result of every closed poll.

A ballot is one row per (poll, member): casting again replaces it. Closing a poll copies its tally into
poll_results / poll_rounds in the same transaction, so the published result never changes afterwards, even
when ballots are deleted ("forget me") or dropped (anonymous polls keep no ballots once closed).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, cast

from bot.domain.votes import IrvRound, OptionCount, Tally
from bot.storage.db import Executor, Row, Transaction
from bot.timeutil import from_db, to_db

PollKind = Literal["single", "multi", "ranked"]
Purpose = Literal["general", "next-book", "meeting-time"]
CastResult = Literal["recorded", "replaced", "closed"]

METHODS: dict[str, Literal["single", "approval", "ranked"]] = {
    "single": "single",
    "multi": "approval",
    "ranked": "ranked",
}


@dataclass(frozen=True)
class PollOption:
    position: int  # 0-based, the index the tallies use
    label: str
    value: str | None  # what a special poll acts on: a book id, a cadence

    @classmethod
    def from_row(cls, row: Row) -> PollOption:
        return cls(row["position"], row["label"], row["value"])


@dataclass(frozen=True)
class Poll:
    id: int
    group_id: int
    question: str
    kind: PollKind
    purpose: Purpose
    anonymous: bool
    quorum: int | None
    created_by: int | None
    created_at: datetime
    closes_at: datetime | None
    closed_at: datetime | None
    total_ballots: int | None  # frozen at close
    winners: tuple[int, ...] | None  # frozen at close
    options: tuple[PollOption, ...]

    @classmethod
    def from_row(cls, row: Row, options: Sequence[PollOption]) -> Poll:
        return cls(
            id=row["id"],
            group_id=row["group_id"],
            question=row["question"],
            kind=row["kind"],
            purpose=row["purpose"],
            anonymous=bool(row["anonymous"]),
            quorum=row["quorum"],
            created_by=row["created_by"],
            created_at=from_db(row["created_at"]),
            closes_at=from_db(row["closes_at"]) if row["closes_at"] else None,
            closed_at=from_db(row["closed_at"]) if row["closed_at"] else None,
            total_ballots=row["total_ballots"],
            winners=tuple(json.loads(row["winners"])) if row["winners"] is not None else None,
            options=tuple(options),
        )

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(o.label for o in self.options)


@dataclass(frozen=True)
class Ballot:
    poll_id: int
    member_id: int
    choices: tuple[int, ...]
    cast_at: datetime

    @classmethod
    def from_row(cls, row: Row) -> Ballot:
        return cls(row["poll_id"], row["member_id"], tuple(json.loads(row["choices"])), from_db(row["cast_at"]))


_POLL_COLUMNS = (
    "id, group_id, question, kind, purpose, anonymous, quorum, created_by, created_at, closes_at, closed_at, "
    "total_ballots, winners"
)


async def create(
    db: Executor,
    *,
    group_id: int,
    question: str,
    kind: PollKind,
    options: Sequence[tuple[str, str | None]],
    now: datetime,
    anonymous: bool = False,
    quorum: int | None = None,
    closes_at: datetime | None = None,
    purpose: Purpose = "general",
    created_by: int | None = None,
) -> int:
    """Store a poll and its options (label, value) in list order; call inside a transaction."""
    poll_id = await db.insert(
        "INSERT INTO polls (group_id, question, kind, purpose, anonymous, quorum, created_by, created_at, closes_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            group_id,
            question,
            kind,
            purpose,
            int(anonymous),
            quorum,
            created_by,
            to_db(now),
            to_db(closes_at) if closes_at else None,
        ),
    )
    await db.executemany(
        "INSERT INTO poll_options (poll_id, position, label, value) VALUES (?, ?, ?, ?)",
        [(poll_id, position, label, value) for position, (label, value) in enumerate(options)],
    )
    return poll_id


async def get(db: Executor, poll_id: int) -> Poll | None:
    polls, options = await db.fetch_together(  # one round trip: every ballot reads its poll
        (f"SELECT {_POLL_COLUMNS} FROM polls WHERE id = ?", (poll_id,)),
        ("SELECT position, label, value FROM poll_options WHERE poll_id = ? ORDER BY position", (poll_id,)),
    )
    if not polls:
        return None
    return Poll.from_row(polls[0], [PollOption.from_row(r) for r in options])


async def of_group(db: Executor, group_id: int, *, open_only: bool = False, limit: int = 50) -> list[Poll]:
    """A group's polls, open ones first, newest first within each."""
    where = "group_id = ? AND closed_at IS NULL" if open_only else "group_id = ?"
    rows = await db.fetchall(
        f"SELECT {_POLL_COLUMNS} FROM polls WHERE {where} "
        "ORDER BY CASE WHEN closed_at IS NULL THEN 0 ELSE 1 END, id DESC LIMIT ?",
        (group_id, limit),
    )
    return [Poll.from_row(r, await _options(db, r["id"])) for r in rows]


async def _options(db: Executor, poll_id: int) -> list[PollOption]:
    rows = await db.fetchall(
        "SELECT position, label, value FROM poll_options WHERE poll_id = ? ORDER BY position", (poll_id,)
    )
    return [PollOption.from_row(r) for r in rows]


async def cast_ballot(
    db: Executor, poll_id: int, member_id: int, choices: Sequence[int], now: datetime, *, commit: bool = False
) -> CastResult:
    """Record or replace a member's ballot; "closed" (and nothing stored) when the poll has closed.

    Call inside a transaction so the check and the write see the same poll; `commit=True` when it is the
    transaction's last statement (the COMMIT travels with it: one round trip fewer per ballot).
    """
    existing, stored = await db.fetch_together(  # one round trip per ballot
        ("SELECT 1 FROM ballots WHERE poll_id = ? AND member_id = ?", (poll_id, member_id)),
        (
            "INSERT INTO ballots (poll_id, member_id, choices, cast_at) "
            "SELECT ?, ?, ?, ? FROM polls WHERE id = ? AND closed_at IS NULL "
            "ON CONFLICT (poll_id, member_id) DO UPDATE SET choices = excluded.choices, cast_at = excluded.cast_at "
            "RETURNING id",
            (poll_id, member_id, json.dumps(list(choices)), to_db(now), poll_id),
        ),
        commit=commit,
    )
    if not stored:
        return "closed"
    return "replaced" if existing else "recorded"


async def withdraw_ballot(db: Executor, poll_id: int, member_id: int) -> bool:
    """Delete a member's ballot while the poll is open; False when there was none (or the poll has closed)."""
    removed = await db.execute(
        "DELETE FROM ballots WHERE poll_id = ? AND member_id = ? "
        "AND EXISTS (SELECT 1 FROM polls WHERE id = ? AND closed_at IS NULL)",
        (poll_id, member_id, poll_id),
    )
    return removed > 0


async def ballots(db: Executor, poll_id: int) -> list[Ballot]:
    rows = await db.fetchall(
        "SELECT poll_id, member_id, choices, cast_at FROM ballots WHERE poll_id = ? ORDER BY id", (poll_id,)
    )
    return [Ballot.from_row(r) for r in rows]


async def ballots_with_voters(db: Executor, poll_id: int) -> list[tuple[Ballot, str]]:
    """Ballots with the voter's display name, in casting order; only for polls that are not anonymous."""
    rows = await db.fetchall(
        "SELECT b.poll_id, b.member_id, b.choices, b.cast_at, m.display_name FROM ballots b "
        "JOIN members m ON m.id = b.member_id WHERE b.poll_id = ? ORDER BY b.id",
        (poll_id,),
    )
    return [(Ballot.from_row(r), r["display_name"]) for r in rows]


async def ballot_count(db: Executor, poll_id: int) -> int:
    row = await db.fetchone("SELECT count(*) FROM ballots WHERE poll_id = ?", (poll_id,))
    return int(row[0]) if row else 0


async def close(db: Executor, poll_id: int, tally: Tally, now: datetime, *, drop_ballots: bool = False) -> bool:
    """Freeze a poll's result and mark it closed; False (nothing changed) if it was already closed.

    With `drop_ballots` the ballots are deleted once counted: an anonymous poll keeps only its totals.
    """
    changed = await db.execute(
        "UPDATE polls SET closed_at = ?, total_ballots = ?, winners = ? WHERE id = ? AND closed_at IS NULL",
        (to_db(now), tally.total_ballots, json.dumps(list(tally.winners)), poll_id),
    )
    if changed == 0:
        return False
    await db.executemany(
        "INSERT INTO poll_results (poll_id, position, votes) VALUES (?, ?, ?)",
        [(poll_id, c.index, c.votes) for c in tally.counts],
    )
    await db.executemany(
        "INSERT INTO poll_rounds (poll_id, number, votes, continuing, exhausted, eliminated, tie_break) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (
                poll_id,
                r.number,
                json.dumps(list(r.votes)),
                json.dumps(list(r.continuing)),
                r.exhausted,
                r.eliminated,
                r.tie_break,
            )
            for r in tally.rounds
        ],
    )
    if drop_ballots:
        await db.execute("DELETE FROM ballots WHERE poll_id = ?", (poll_id,))
    return True


async def frozen_tally(db: Executor, poll: Poll) -> Tally | None:
    """The result stored when the poll closed (None while it is open), exactly as it was published."""
    if poll.is_open or poll.total_ballots is None:
        return None
    rows = await db.fetchall("SELECT position, votes FROM poll_results WHERE poll_id = ? ORDER BY position", (poll.id,))
    votes = {r["position"]: int(r["votes"]) for r in rows}
    counted = sum(votes.values())
    ballots_total = poll.total_ballots
    counts = tuple(
        OptionCount(
            o.position,
            o.label,
            votes.get(o.position, 0),
            100.0 * votes.get(o.position, 0) / counted if counted else 0.0,
            100.0 * votes.get(o.position, 0) / ballots_total if ballots_total else 0.0,
        )
        for o in poll.options
    )
    round_rows = await db.fetchall(
        "SELECT number, votes, continuing, exhausted, eliminated, tie_break FROM poll_rounds "
        "WHERE poll_id = ? ORDER BY number",
        (poll.id,),
    )
    rounds = tuple(
        IrvRound(
            number=r["number"],
            votes=tuple(json.loads(r["votes"])),
            continuing=tuple(json.loads(r["continuing"])),
            exhausted=r["exhausted"],
            eliminated=r["eliminated"],
            tie_break=cast(Literal["earlier rounds", "option order"] | None, r["tie_break"]),
        )
        for r in round_rows
    )
    return Tally(METHODS[poll.kind], counts, ballots_total, poll.winners or (), rounds)


async def forget_member(db: Executor, member_id: int) -> int:
    """Delete every ballot of a member (closed polls keep their frozen totals) and unlink polls they created.

    Returns how many ballots were deleted.
    """
    deleted = await db.execute("DELETE FROM ballots WHERE member_id = ?", (member_id,))
    await db.execute("UPDATE polls SET created_by = NULL WHERE created_by = ?", (member_id,))
    return deleted


@contextlib.asynccontextmanager
async def savepoint(tx: Transaction, name: str = "poll_action") -> AsyncIterator[None]:
    """A nested unit inside a transaction: if the block fails, only its own statements are undone."""
    if not name.isidentifier():
        raise ValueError(f"bad savepoint name {name!r}")
    await tx.execute(f"SAVEPOINT {name}")
    try:
        yield
    except BaseException:
        await tx.execute(f"ROLLBACK TO SAVEPOINT {name}")
        await tx.execute(f"RELEASE SAVEPOINT {name}")
        raise
    else:
        await tx.execute(f"RELEASE SAVEPOINT {name}")
