"""The library's quotes: the phrase index over every book, storing a new book's quote candidates, choosing a
quote and citing it. Shared by the quotes and discussion features, the library (a new book) and the CLI."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Sequence
from datetime import UTC, datetime

from bot.ingest.keyphrases import LibraryIndex
from bot.ingest.quotes import QuoteCandidate
from bot.services.links import NO_LINKS, GroupLinks, linked
from bot.storage import books as book_store
from bot.storage import quotes as quote_store
from bot.storage.db import Executor
from bot.storage.quotes import NewQuote, Quote

GOOD_RANK = 10  # a section's best ten quotes make the pool for `quote` and the quote of the day

_INDEX_CACHE: dict[tuple[tuple[int, int, int], ...], LibraryIndex] = {}


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
async def store_book_quotes(
    db: Executor, book_id: int, found: Sequence[Sequence[QuoteCandidate]], ids: Sequence[tuple[int, list[int]]]
) -> int:
    """Store a new book's quote candidates (computed by bot/ingest/analysis.py before its transaction) in the
    transaction that stores the book; `ids` from book_store.paragraph_ids map positions to the rows."""
    new = [
        NewQuote(
            section_id=section_id,
            paragraph_id=paragraph_ids[q.paragraph - 1],
            paragraph_position=q.paragraph,
            first_sentence=q.first_sentence,
            last_sentence=q.last_sentence,
            start=q.start,
            end=q.end,
            text=q.text,
            speaker=q.speaker,
            score=q.score,
            rank=rank,
        )
        for (section_id, paragraph_ids), quotes in zip(ids, found, strict=True)
        for rank, q in enumerate(quotes, start=1)
    ]
    await quote_store.insert_many(db, book_id, new)
    return len(new)


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


def section_citation(quote: Quote, links: GroupLinks = NO_LINKS) -> str:
    """Where in its book a quote stands: “heading” (§n), paragraph p — the paragraph a link to its place on the
    group's pages when there is one."""
    paragraph = linked(f"paragraph {quote.paragraph_position}", paragraph_url(quote, links))
    return f"“{section_name(quote)}” (§{quote.section_position}), {paragraph}"


def paragraph_url(quote: Quote, links: GroupLinks) -> str | None:
    """The quote's paragraph on the group's pages (None: no pages, or not in an opened reading)."""
    return links.paragraph(quote.section_id, quote.section_position, quote.paragraph_position)


def section_name(quote: Quote) -> str:
    """The section's heading, or the name `library show` gives an untitled one."""
    return quote.heading or ("Opening" if quote.section_position == 1 else f"Section {quote.section_position}")
