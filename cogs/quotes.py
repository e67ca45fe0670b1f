"""Quotes from the reading: a good one on request, full-text search, and a quote of the day — never ahead of
the group.

Candidates are scored when a book is added (`index_book_quotes`, called in add_book's transaction). What a
group may see goes through one gate, `reading_gate`: with a plan, only sections of readings the group has
opened (see bot/domain/spoilers.py); without one, the whole library.
"""

from __future__ import annotations

import asyncio
import logging
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

from bot.commands import Invocation, Permission, Text, command
from bot.domain.plans import resolve_local_time
from bot.domain.spoilers import is_visible
from bot.ingest import booktype
from bot.ingest.keyphrases import LibraryIndex
from bot.ingest.quotes import SeenQuotes, find_quotes
from bot.replies import Field, Reply, UserError
from bot.scheduling import Post, job_handler
from bot.storage import books as book_store
from bot.storage import groups as group_store
from bot.storage import jobs as job_store
from bot.storage import plans as plan_store
from bot.storage import quotes as quote_store
from bot.storage.db import Executor
from bot.storage.groups import Group
from bot.storage.quotes import NewQuote, Quote
from bot.storage.search import BOLD, Hit, search_paragraphs
from bot.timeutil import format_local
from cogs.plans import zone_follower

if TYPE_CHECKING:
    from bot.app import App
    from bot.storage.db import Transaction
    from bot.storage.jobs import Job

log = logging.getLogger(__name__)

DAILY_KIND = "daily-quote"
DEFAULT_DAILY_AT = time(9, 0)
GOOD_RANK = 10  # a section's best ten quotes make the pool for `quote` and the quote of the day
MIN_DAILY_GAP = timedelta(hours=12)  # a zone change never brings two quotes of the day within half a day


# ---------------------------------------------------------------- the spoiler gate
@dataclass(frozen=True)
class Gate:
    """What a group may be shown. `reached` None: the group has no plan, so the whole library."""

    reached: frozenset[int] | None
    planned: frozenset[int] = frozenset()

    def shows(self, section_id: int) -> bool:
        """A section may be cited in the group: reached, or not part of the group's plan at all."""
        return self.reached is None or section_id in self.reached or section_id not in self.planned

    def pool(self, section_ids: Sequence[int] | None = None) -> list[int] | None:
        """Sections quotes may be drawn from (None: all), optionally narrowed to `section_ids`."""
        if self.reached is None:
            return list(section_ids) if section_ids is not None else None
        if section_ids is None:
            return sorted(self.reached)
        return [s for s in section_ids if s in self.reached]


OPEN = Gate(None)


async def reading_gate(db: Executor, group_id: int | None) -> Gate:
    """The one place that asks the plans which readings a group has reached."""
    if group_id is None:
        return OPEN
    readings = await plan_store.readings(db, group_id)
    if not readings:
        return OPEN
    position = await plan_store.group_position(db, group_id)
    reached = {s for r in readings if is_visible(r.position, position) for s in r.section_ids}
    planned = {s for r in readings for s in r.section_ids}
    return Gate(frozenset(reached), frozenset(planned))


async def reached_sections(db: Executor, group_id: int) -> set[int] | None:
    """Section ids of the readings the group has opened; None when it has no plan (everything may be shown)."""
    gate = await reading_gate(db, group_id)
    return set(gate.reached) if gate.reached is not None else None


# ---------------------------------------------------------------- the library index (shared with discussion)
_INDEX_CACHE: dict[tuple[tuple[int, int, int], ...], LibraryIndex] = {}


async def library_documents(db: Executor) -> list[tuple[book_store.Book, book_store.Section]]:
    return [(b, s) for b in await book_store.all_books(db) for s in await book_store.sections(db, b.id)]


def library_fingerprint(books: Sequence[book_store.Book]) -> tuple[tuple[int, int, int], ...]:
    return tuple((b.id, b.section_count, b.words) for b in books)


async def library_index(db: Executor) -> LibraryIndex:
    """Phrase document frequencies over the whole library, cached while the library is unchanged."""
    books = await book_store.all_books(db)
    key = library_fingerprint(books)
    if key not in _INDEX_CACHE:
        documents = [(b.id, s.text) for b in books for s in await book_store.sections(db, b.id)]
        _INDEX_CACHE.clear()
        _INDEX_CACHE[key] = await asyncio.to_thread(LibraryIndex.build, documents)
    return _INDEX_CACHE[key]


# ---------------------------------------------------------------- ingestion
async def index_book_quotes(db: Executor, book_id: int) -> int:
    """Score and store a newly added book's quote candidates; call in the transaction that stores the book."""
    index = await library_index(db)
    taken = SeenQuotes(await quote_store.texts_of_books(db))  # one trigram index for the whole book
    new: list[NewQuote] = []
    sections = [(s, await book_store.paragraphs(db, s.id)) for s in await book_store.sections(db, book_id)]
    narrative = booktype.classify(p.text for _, ps in sections for p in ps) == booktype.NARRATIVE
    for section, paragraphs in sections:
        found = await asyncio.to_thread(find_quotes, paragraphs, index, exclude=taken, narrative=narrative)
        for rank, q in enumerate(found, start=1):
            paragraph = paragraphs[q.paragraph - 1]
            new.append(
                NewQuote(
                    section_id=section.id,
                    paragraph_id=paragraph.id,
                    paragraph_position=paragraph.position,
                    first_sentence=q.first_sentence,
                    last_sentence=q.last_sentence,
                    start=q.start,
                    end=q.end,
                    text=q.text,
                    speaker=q.speaker,
                    score=q.score,
                    rank=rank,
                )
            )
    await quote_store.insert_many(db, book_id, new)
    return len(new)


# ---------------------------------------------------------------- choosing and showing
def choose_quote(quotes: Sequence[Quote], rng: random.Random | None = None) -> Quote | None:
    """Rarely shown quotes first; among those, the longest unseen and best (or a score-weighted draw with rng)."""
    if not quotes:
        return None
    least = min(q.shown_count for q in quotes)
    fresh = [q for q in quotes if q.shown_count == least]
    if rng is not None:
        return rng.choices(fresh, weights=[max(q.score, 0.01) ** 2 for q in fresh])[0]
    never = datetime.min.replace(tzinfo=UTC)
    return min(fresh, key=lambda q: (q.last_shown_at or never, -q.score, q.id))


def attribution(quote: Quote) -> str:
    """ "Trotsky, quoted by Vadim Rogovin in *Stalin's Terror…*" or "Vadim Rogovin, *Stalin's Terror…*"."""
    if quote.speaker and quote.speaker not in quote.authors:
        return f"{quote.speaker}, quoted by {quote.byline} in *{quote.book_title}*"
    return f"{quote.byline}, *{quote.book_title}*"


def section_citation(quote: Quote) -> str:
    """Where in its book a quote stands: “heading” (§n), paragraph p."""
    return f"“{_section_name(quote)}” (§{quote.section_position}), paragraph {quote.paragraph_position}"


def _section_name(quote: Quote) -> str:
    """The section's heading, or the name `library show` gives an untitled one."""
    return quote.heading or ("Opening" if quote.section_position == 1 else f"Section {quote.section_position}")


def quote_reply(quote: Quote, title: str = "Quote") -> Reply:
    """The passage, then who said it in which book (once, under the passage), then where in the book it stands."""
    heading = _section_name(quote)
    fields = (
        Field("Section", f"{heading} (§{quote.section_position})", inline=True),
        Field("Paragraph", str(quote.paragraph_position), inline=True),
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
    return quote_reply(quote)


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
    lines = []
    for hit in hits:
        heading = f"“{hit.heading}”" if hit.heading else f"section {hit.section_position}"
        cite = f"*{hit.book_title}*, {heading} (§{hit.section_position}), paragraph {hit.paragraph_position}"
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


def parse_time_of_day(text: str) -> time:
    """ "9:00", "07:30", "19:00", "7pm", "7:30am" → a wall-clock time."""
    match = re.fullmatch(r"\s*(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm)?\s*", text.lower())
    if not match or (match.group(2) is None and match.group(3) is None):
        raise UserError(f"I couldn't read the time “{text}”; use 24-hour time like 09:00 or 19:30, or 7pm.")
    hour, minute, ampm = int(match.group(1)), int(match.group(2) or 0), match.group(3)
    if ampm:
        if not 1 <= hour <= 12:
            raise UserError(f"I couldn't read the time “{text}”; with am/pm the hour is 1 to 12.")
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    if hour > 23 or minute > 59:
        raise UserError(f"I couldn't read the time “{text}”; use 24-hour time like 09:00 or 19:30.")
    return time(hour, minute)


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
    wall = parse_time_of_day(at) if at else DEFAULT_DAILY_AT
    first = next_local_occurrence(inv.now(), wall, zone)
    async with inv.db.transaction() as tx:
        await job_store.cancel(tx, DAILY_KIND, group.id)
        await job_store.add(tx, DAILY_KIND, first, {"at": wall.strftime("%H:%M")}, inv.now(), group_id=group.id)
    return Reply(
        text=f"A quote of the day will be posted every day at {wall:%H:%M} ({group.timezone}); the first on "
        f"{format_local(first, zone)}. It only quotes readings the group has opened."
    )


@zone_follower
async def rearm_daily_quote(app: App, tx: Transaction, group: Group, now: datetime) -> None:
    """The quote of the day keeps its local time in the group's new zone, and still comes once a day."""
    job = next((j for j in await job_store.pending(tx, group.id) if j.kind == DAILY_KIND), None)
    if job is None:
        return
    wall = time.fromisoformat(job.payload.get("at", "09:00"))
    previous = job.fire_at - timedelta(days=1)  # about when the last one was posted
    first = next_local_occurrence(max(now, previous + MIN_DAILY_GAP), wall, ZoneInfo(group.timezone))
    await job_store.cancel(tx, DAILY_KIND, group.id)
    await job_store.add(tx, DAILY_KIND, first, job.payload, now, group_id=group.id)


@job_handler(DAILY_KIND)
async def post_daily_quote(app: App, tx: Transaction, job: Job) -> list[Post]:
    """Post today's quote and arm tomorrow's in the same transaction."""
    group = await group_store.get(tx, job.group_id) if job.group_id is not None else None
    if group is None:
        return []
    zone = ZoneInfo(group.timezone)
    wall = time.fromisoformat(job.payload.get("at", "09:00"))
    now = app.clock.now()
    following = next_local_occurrence(max(now, job.fire_at), wall, zone)
    await job_store.add(tx, DAILY_KIND, following, job.payload, now, group_id=group.id)
    quote = await draw_quote(tx, group.id, now=now)
    if quote is None:
        log.info("no quote of the day for group %s: nothing reached yet", group.id)
        return []
    return [Post(group.id, quote_reply(quote, title="Quote of the day"))]
