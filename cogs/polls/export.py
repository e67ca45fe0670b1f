"""Poll autocomplete, forgetting a member's ballots, and the polls part of `export`."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from bot.domain.votes import (
    Tally,
    option_label,
)
from bot.features import ExportPart, ExportTable
from bot.storage import polls as poll_store
from cogs.polls.results import declared_winners, describe_choice, quorum_met, tally

if TYPE_CHECKING:
    from bot.services import Services
    from bot.storage.db import Executor, Transaction
    from bot.storage.groups import Group

log = logging.getLogger(__name__)


# ---------------------------------------------------------------- autocomplete, privacy, export
async def complete_polls(services: Services, group: Group | None, typed: str) -> list[tuple[str, str]]:
    """The group's open polls, newest first, matching the typed number or words of the question."""
    if group is None:
        return []
    needle = typed.strip().lower().lstrip("#")
    polls = await poll_store.of_group(services.db, group.id, open_only=True)
    return [
        (f"#{p.id} {p.question}"[:100], str(p.id))
        for p in polls
        if not needle or str(p.id).startswith(needle) or needle in p.question.lower()
    ]


async def forget_ballots(services: Services, tx: Transaction, member_id: int) -> int:
    return await poll_store.forget_member(tx, member_id)


async def export_polls(services: Services, db: Executor, group: Group) -> ExportPart:
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
