"""What the web pages and reading files show, read from storage with the spoiler gate applied.

Read-only on purpose: nothing here writes (a page view does not count as a quote shown) or runs the prompt
generator. A reading is visible exactly when `bot.domain.spoilers.is_visible` says the group may see it, the
rule `quote` and `prompts` follow, so a page never shows what the chat would not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain.spoilers import NOTHING_OPENED, is_visible
from bot.domain.votes import Tally
from bot.ingest.prompts import KINDS
from bot.storage import books as book_store
from bot.storage import members as member_store
from bot.storage import plans as plan_store
from bot.storage import polls as poll_store
from bot.storage import progress as progress_store
from bot.storage import prompts as prompt_store
from bot.storage import quotes as quote_store
from bot.storage.db import Executor
from bot.storage.plans import PlanReading
from bot.storage.polls import Poll
from bot.storage.quotes import Quote
from bot.web.document import ReadingText, TextParagraph, TextSection

MAX_PROMPTS = 4


@dataclass(frozen=True)
class Syllabus:
    """The group's current plan's readings and how far the group has opened them."""

    readings: tuple[PlanReading, ...]
    position: int  # last opened reading's index, -1 when none

    def visible(self, reading: PlanReading) -> bool:
        return is_visible(reading.position, self.position)

    def by_number(self, number: int) -> PlanReading | None:
        """The plan's reading `number` (1-based) when the group may see it; None otherwise."""
        if not 1 <= number <= len(self.readings):
            return None
        reading = self.readings[number - 1]
        return reading if self.visible(reading) else None

    def neighbours(self, reading: PlanReading) -> tuple[PlanReading | None, PlanReading | None]:
        index = reading.position
        before = self.readings[index - 1] if index > 0 else None
        after = self.readings[index + 1] if index + 1 < len(self.readings) else None
        return before, after

    def shows_section(self, section_id: int) -> bool:
        """A section may be cited: part of an opened reading, or not in the plan at all (cogs/quotes.Gate)."""
        planned = any(section_id in r.section_ids for r in self.readings)
        return not planned or any(section_id in r.section_ids for r in self.readings if self.visible(r))


async def syllabus(db: Executor, group_id: int) -> Syllabus:
    """The current plan's readings; the group's position is computed from them exactly as
    `plan_store.group_position` does (the last opened reading of the same plan), saving two reads a page."""
    readings = await plan_store.readings(db, group_id)
    position = max((r.position for r in readings if r.opened), default=NOTHING_OPENED)
    return Syllabus(tuple(readings), position)


async def reading_text(db: Executor, reading: PlanReading) -> ReadingText:
    """The reading's sections with numbered paragraphs and notes, from the library."""
    return await sections_text(db, reading.book_id, reading.section_ids, reading.title, reading.number)


async def sections_text(
    db: Executor, book_id: int, section_ids: Sequence[int], title: str, number: int | None = None
) -> ReadingText:
    """Sections of one book as a reading's text (`number`: the plan's reading number, when it is one)."""
    book = await book_store.get(db, book_id)
    order = {section_id: index for index, section_id in enumerate(section_ids)}
    stored = await book_store.sections_with_paragraphs(db, book_id, section_ids)
    stored.sort(key=lambda pair: order[pair[0].id])  # the reading's order (a plan's is the book's)
    sections = [
        TextSection(
            number=section.position,
            heading=section.heading,
            level=section.level,
            paragraphs=tuple(TextParagraph(p.position, p.text) for p in paragraphs),
            notes=section.notes,
        )
        for section, paragraphs in stored
    ]
    numbers = "-".join(str(s.number) for s in sections) or "none"
    return ReadingText(
        identifier=f"book-{book_id}-sections-{numbers}",
        title=title,
        book_title=book.title if book else "",
        authors=book.authors if book else (),
        sections=tuple(sections),
        number=number,
    )


@dataclass(frozen=True)
class Discussion:
    prompts: tuple[str, ...]
    quote: Quote | None


async def discussion(db: Executor, group_id: int, plan: Syllabus, reading: PlanReading) -> Discussion:
    """The reading's prompts (the group's curated and upvoted ones, then stored generated ones whose citations the
    group may see, one per kind) and its best quote."""
    own = await prompt_store.of_group(db, group_id, reading.section_ids)
    texts = [p.text for p in own if p.source == "curated" or p.votes > 0]
    generated = await prompt_store.stored_generated(db, reading.section_ids)
    for kind in KINDS:
        match = next(
            (
                p
                for p in generated
                if p.kind == kind
                and p.text not in texts
                and all(c.section_id in reading.section_ids or plan.shows_section(c.section_id) for c in p.citations)
            ),
            None,
        )
        if match is not None:
            texts.append(match.text)
    quotes = await quote_store.pool(db, group_id, list(reading.section_ids), max_rank=1)
    best = max(quotes, key=lambda q: (q.score, -q.id), default=None)
    return Discussion(tuple(texts[:MAX_PROMPTS]), best)


@dataclass(frozen=True)
class Progress:
    members: int
    finished: tuple[int, ...]  # per reading, in plan order


async def progress(db: Executor, group_id: int, readings: Sequence[PlanReading]) -> Progress:
    """Counts only: how many members finished each reading, never who."""
    members = await member_store.count(db, group_id)
    counts = await progress_store.finished_counts(db, [r.id for r in readings])
    return Progress(members, tuple(counts.get(r.id, 0) for r in readings))


async def closed_polls(db: Executor, group_id: int, limit: int = 20) -> list[tuple[Poll, Tally]]:
    """The group's closed polls with their results as published, newest first (counts, never voters)."""
    polls = [p for p in await poll_store.of_group(db, group_id, limit=200) if not p.is_open]
    polls.sort(key=lambda p: (p.closed_at, p.id), reverse=True)
    results = []
    for poll in polls[:limit]:
        tally = await poll_store.frozen_tally(db, poll)
        if tally is not None:
            results.append((poll, tally))
    return results
