"""Quotes from the reading: a good one on request, full-text search, and a quote of the day — never ahead of
the group.

Candidates are scored when a book is added (`bot.ingest.analysis.analyse_book` in the worker process, stored by
`bot.services.quotes.store_book_quotes` in add_book's transaction). What a group may see goes through one gate,
`reading_gate`: with a plan, only sections of readings the group has opened (see bot/domain/spoilers.py); without
one, the whole library.
"""

from __future__ import annotations

import logging
import random
import re
from collections.abc import Sequence
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

from bot.commands import Invocation, Permission, Text, command
from bot.domain.plans import PlanError, parse_time_of_day, resolve_local_time
from bot.events import ZoneChanged
from bot.features import Feature
from bot.replies import Field, Reply, UserError
from bot.scheduling import Post
from bot.services.books import citation
from bot.services.links import NO_LINKS, GroupLinks, group_links, linked
from bot.services.quotes import GOOD_RANK, attribution, choose_quote, paragraph_url, section_name
from bot.services.readings import reading_gate
from bot.storage import groups as group_store
from bot.storage import jobs as job_store
from bot.storage import plans as plan_store
from bot.storage import quotes as quote_store
from bot.storage.db import Executor
from bot.storage.quotes import Quote
from bot.storage.search import BOLD, Hit, search_paragraphs
from bot.timeutil import format_local

if TYPE_CHECKING:
    from bot.services import Services
    from bot.storage.db import Transaction
    from bot.storage.jobs import Job

log = logging.getLogger(__name__)

DAILY_KIND = "daily-quote"
DEFAULT_DAILY_AT = time(9, 0)
MIN_DAILY_GAP = timedelta(hours=12)  # a zone change never brings two quotes of the day within half a day


# ---------------------------------------------------------------- choosing and showing
def quote_reply(quote: Quote, title: str = "Quote", links: GroupLinks = NO_LINKS) -> Reply:
    """The passage, then who said it in which book (once, under the passage), then where in the book it stands
    (the paragraph a link to its place on the group's pages when there is one)."""
    heading = section_name(quote)
    fields = (
        Field("Section", f"{heading} (§{quote.section_position})", inline=True),
        Field("Paragraph", linked(str(quote.paragraph_position), paragraph_url(quote, links)), inline=True),
    )
    return Reply(title=title, text=f"> {quote.text}\n— {attribution(quote)}", fields=fields, kind="quote")


async def draw_quote(
    db: Executor,
    group_id: int | None,
    *,
    section_ids: Sequence[int] | None = None,
    rng: random.Random | None = None,
    now: datetime | None = None,
) -> Quote | None:
    """A good quote the group may see (from `section_ids` when given), recorded as shown when `now` is given."""
    gate = await reading_gate(db, group_id)
    sections = gate.pool(section_ids)
    quote = choose_quote(await quote_store.pool(db, group_id, sections, max_rank=GOOD_RANK), rng)
    if quote is not None and group_id is not None and now is not None:
        await quote_store.mark_shown(db, group_id, quote.id, now)
    return quote


# ---------------------------------------------------------------- commands
@command("quote random", help="A quote from what the group has read so far, with its citation.", default=True)
async def quote_random(inv: Invocation) -> Reply:
    group_id = inv.group.id if inv.group else None
    async with inv.db.transaction() as tx:
        quote = await draw_quote(tx, group_id, rng=random.Random(), now=inv.now())
    if quote is None:
        if group_id is not None and (await reading_gate(inv.db, group_id)).reached is not None:
            raise UserError(
                "The group hasn't opened its first reading yet, so there is nothing to quote without spoilers."
            )
        raise UserError("There are no quotes yet; a moderator can add a book with `library add`.")
    return quote_reply(quote, links=await group_links(inv.db, inv.app.settings.web, group_id, inv.now()))


@command(
    "quote search",
    help="Find passages by their words; every hit is cited by book, section and paragraph.",
    params={"words": "Words to look for"},
)
async def quote_search(inv: Invocation, words: Text) -> Reply:
    gate = await reading_gate(inv.db, inv.group.id if inv.group else None)
    hits = [h for h in await search_paragraphs(inv.db, words, limit=50) if gate.shows(h.section_id)][:5]
    if not hits:
        raise UserError(f"Nothing the group has read so far matches “{words}”.")
    stored = await quote_store.containing(inv.db, [h.paragraph_id for h in hits])
    links = await group_links(inv.db, inv.app.settings.web, inv.group.id if inv.group else None, inv.now())
    lines = []
    for hit in hits:
        cite = citation(hit, links)
        best = _matching_quote(stored.get(hit.paragraph_id, []), words)
        lines.append(f"• {cite}\n  > {_passage(hit, best)}")
    return Reply(title=f"Quotes: {words}", text="\n".join(lines), kind="quote")


def _passage(hit: Hit, quote: Quote | None) -> str:
    """The stored quote of the hit's paragraph, else the search snippet; the matched words bold in either."""
    at = hit.text.find(quote.text) if quote else -1
    if quote is None or at < 0:
        return hit.snippet
    passage = hit.excerpt(at, at + len(quote.text))
    return passage if BOLD in passage else hit.snippet  # the quote holds the words only inside others


def _matching_quote(quotes: Sequence[Quote], words: str) -> Quote | None:
    wanted = [w.lower() for w in re.findall(r"\w+", words)]
    for quote in quotes:
        lowered = quote.text.lower()
        if all(w in lowered for w in wanted):
            return quote
    return None


def next_local_occurrence(after: datetime, at: time, zone: ZoneInfo) -> datetime:
    """The first instant strictly after `after` when the group's wall clock shows `at` (DST rules of plans)."""
    day = after.astimezone(zone).date()
    while True:
        candidate = resolve_local_time(day, at, zone)
        if candidate > after:
            return candidate
        day += timedelta(days=1)


@command(
    "quote daily",
    help="Post a quote of the day at the group's local time (on [time]) or stop it (off).",
    params={"state": "on or off", "at": "Local time, e.g. 09:00 (default 09:00)"},
    permission=Permission.MODERATOR,
)
async def quote_daily(inv: Invocation, state: Literal["on", "off"], at: str | None = None) -> Reply:
    group = inv.require_group()
    zone = ZoneInfo(group.timezone)
    if state == "off":
        async with inv.db.transaction() as tx:
            cancelled = await job_store.cancel(tx, DAILY_KIND, group.id)
        if not cancelled:
            raise UserError("There is no quote of the day to stop.")
        return Reply(text="The quote of the day is off.")
    try:
        wall = parse_time_of_day(at) if at else DEFAULT_DAILY_AT
    except PlanError as exc:
        raise UserError(str(exc)) from None
    first = next_local_occurrence(inv.now(), wall, zone)
    async with inv.db.transaction() as tx:
        await job_store.cancel(tx, DAILY_KIND, group.id)
        await job_store.add(tx, DAILY_KIND, first, {"at": wall.strftime("%H:%M")}, inv.now(), group_id=group.id)
    return Reply(
        text=f"A quote of the day will be posted every day at {wall:%H:%M} ({group.timezone}); "
        f"{await _first_posted(inv, group.id, first, wall, zone)} It only quotes readings the group has opened."
    )


async def _first_posted(inv: Invocation, group_id: int, first: datetime, wall: time, zone: ZoneInfo) -> str:
    """Name the first day on which a quote is really posted: nothing is posted before the first reading opens."""
    if await draw_quote(inv.db, group_id) is not None:
        return f"the first on {format_local(first, zone)}."
    waiting = [r.opens_at for r in await plan_store.readings(inv.db, group_id) if not r.opened]
    if (await reading_gate(inv.db, group_id)).reached is not None and waiting:
        day = next_local_occurrence(max(first, min(waiting)) - timedelta(microseconds=1), wall, zone)
        return f"the first on {format_local(day, zone)}, once the first reading has opened."
    return "the first as soon as the library has quotes (none yet)."


async def rearm_daily_quote(services: Services, event: ZoneChanged) -> None:
    """The quote of the day keeps its local time in the group's new zone, and still comes once a day."""
    tx, group, now = event.tx, event.group, event.now
    job = next((j for j in await job_store.pending(tx, group.id) if j.kind == DAILY_KIND), None)
    if job is None:
        return
    wall = time.fromisoformat(job.payload.get("at", "09:00"))
    previous = job.fire_at - timedelta(days=1)  # about when the last one was posted
    first = next_local_occurrence(max(now, previous + MIN_DAILY_GAP), wall, ZoneInfo(group.timezone))
    await job_store.cancel(tx, DAILY_KIND, group.id)
    await job_store.add(tx, DAILY_KIND, first, job.payload, now, group_id=group.id)


async def post_daily_quote(services: Services, tx: Transaction, job: Job) -> list[Post]:
    """Post today's quote and arm tomorrow's in the same transaction."""
    group = await group_store.get(tx, job.group_id) if job.group_id is not None else None
    if group is None:
        return []
    zone = ZoneInfo(group.timezone)
    wall = time.fromisoformat(job.payload.get("at", "09:00"))
    now = services.clock.now()
    following = next_local_occurrence(max(now, job.fire_at), wall, zone)
    await job_store.add(tx, DAILY_KIND, following, job.payload, now, group_id=group.id)
    quote = await draw_quote(tx, group.id, now=now)
    if quote is None:
        log.info("no quote of the day for group %s: nothing reached yet", group.id)
        return []
    links = await group_links(tx, services.settings.web, group.id, now)
    return [Post(group.id, quote_reply(quote, title="Quote of the day", links=links))]


FEATURE = Feature(
    name="quotes",
    commands=(quote_random, quote_search, quote_daily),
    jobs={DAILY_KIND: post_daily_quote},
    listeners=((ZoneChanged, rearm_daily_quote),),
)
