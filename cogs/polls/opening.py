"""Opening polls: a general question, the next book from the library, a meeting time."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

from bot.commands import Invocation, MaxCount, Permission, command
from bot.domain.plans import PlanError, WeeklyCadence, parse_cadence
from bot.replies import Reply, UserError
from bot.services.plans import planned_book_ids
from bot.storage import books as book_store
from bot.storage import jobs as job_store
from bot.storage import polls as poll_store
from bot.storage.polls import PollKind, Purpose
from bot.timeutil import DurationTooLong, TimeInputError, parse_duration, parse_instant
from cogs.polls.lookup import group_zone
from cogs.polls.results import (
    CLOSE_JOB,
    MAX_LABEL,
    MAX_OPEN_FOR,
    MAX_OPTIONS,
    MAX_QUESTION,
    POLL_OPTIONS_HELP,
    Kind,
    open_poll_reply,
    shorten,
)

if TYPE_CHECKING:
    from bot.storage.db import Executor

log = logging.getLogger(__name__)


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
    zone = group_zone(group)
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
        inv.app.reschedule()  # wake the dispatcher timer for the new deadline
    return open_poll_reply(poll, ballots=0, live=None, zone=zone, now=now, prefix=inv.context.prefix)


@command(
    "poll create",
    help="Open a poll: a question and its options, each in quotes.",
    params={"question": "The question, in quotes", "options": "The options, each in quotes", **POLL_OPTIONS_HELP},
    permission=Permission.MODERATOR,
    details='Example: `poll create "Which chapter first?" "Lenin" "Trotsky" kind:ranked closes:2d`. '
    "Moderators open and close polls; every member votes.",
)
async def poll_create(
    inv: Invocation,
    question: str,
    *options: Annotated[str, MaxCount(MAX_OPTIONS)],
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
    params=POLL_OPTIONS_HELP,
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
    planned = await _planned_books(inv.db, group.id)
    candidates = [b for b in books if b.id not in planned][:MAX_OPTIONS]
    if not candidates:
        raise UserError("Every book in the library is already in the plan; add another with `library add`.")
    if len(candidates) == 1:
        only = candidates[0]
        raise UserError(
            f"Only one book is left to choose, #{only.id} *{only.title}*; add it with `plan add {only.id}`."
        )
    titles = [shorten(b.title, MAX_LABEL - 8) for b in candidates]
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
    params={"slots": 'Weekly times in quotes, e.g. "tuesday 19:00"', **POLL_OPTIONS_HELP},
    permission=Permission.MODERATOR,
    details='Example: `poll meeting-time "tuesday 19:00" "thursday 18:30"`. Members can choose every slot that '
    "suits them (kind:multi is the default); a moderator confirms the winner as the plan's cadence.",
)
async def poll_meeting_time(
    inv: Invocation,
    *slots: Annotated[str, MaxCount(MAX_OPTIONS)],
    kind: Kind = "multi",
    anonymous: bool = False,
    closes: str | None = None,
    quorum: int | None = None,
) -> Reply:
    if not slots:
        raise UserError(
            "Name the weekly times to choose from, each in quotes: "
            '`poll meeting-time "tuesday 19:00" "thursday 18:30"`.'
        )
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


async def _planned_books(db: Executor, group_id: int) -> set[int]:
    """Books already in the group's plan; a failure to read it offers every book."""
    try:
        return await planned_book_ids(db, group_id)
    except Exception:
        log.exception("could not read the plan of group %s; offering every book", group_id)
        return set()
