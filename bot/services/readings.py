"""Which reading: the one resolver of every documented form of a reading reference, and the spoiler gate (what
a group has reached). Shared by progress (`done`), discussion (`prompts`) and quotes."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain.spoilers import is_visible
from bot.replies import UserError
from bot.services.books import find_book
from bot.storage import books as book_store
from bot.storage import plans as plan_store
from bot.storage.books import Book, Section
from bot.storage.db import Executor
from bot.storage.plans import PlanReading
from bot.text import whole_number


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


# ---------------------------------------------------------------- resolving a reading reference
@dataclass(frozen=True)
class ResolvedReading:
    """What a reading reference names: sections to show, and the plan's reading when the reference is one of the
    group's planned readings (by number or title) or a section inside one (by book:section or heading)."""

    title: str
    section_ids: tuple[int, ...]
    planned: PlanReading | None = None
    book_id: int | None = None  # the book the sections are from (None only where a caller built one by hand)


_BOOK_SECTION = re.compile(r"(.+?)\s*[:#]\s*([0-9]+)")


async def resolve_reading(db: Executor, readings: Sequence[PlanReading], ref: str) -> ResolvedReading:
    """The one reader of `ReadingRef`: "3" (the plan's reading 3), "jacobins:3" (a book's section 3; "#" works
    too) or a fragment of a planned reading's title or of a section heading. UserError explains a miss."""
    text = ref.strip()
    if match := _BOOK_SECTION.fullmatch(text):
        book = await find_book(db, match.group(1))
        position = whole_number(match.group(2), limit=10**9) or 10**9  # 4,300+ digits: no int()
        section = await book_store.section(db, book.id, position) if position <= book.section_count else None
        if section is None:
            raise UserError(f"*{book.title}* has sections 1 to {book.section_count}, not {match.group(2)}.")
        return _from_section(book, section, readings)
    needle = text.lower().lstrip("#")
    if needle.isascii() and needle.isdigit():  # "²" is a digit to isdigit() and no number to int()
        number = whole_number(needle, limit=10**9) or 10**9
        if not readings:
            raise UserError("This group has no study plan, so name the reading by book and section, e.g. `jacobins:3`.")
        if not 1 <= number <= len(readings):
            raise UserError(f"The plan has readings 1 to {len(readings)}; there is no reading {number}.")
        return from_plan(readings[number - 1])
    planned = [r for r in readings if needle in r.title.lower()]
    if len(planned) == 1:
        return from_plan(planned[0])
    if planned:
        options = ", ".join(f"{r.number}. {r.title}" for r in planned[:4])
        raise UserError(f"“{ref}” matches several readings: {options}. Use the reading's number.")
    matches = []
    for book in await book_store.all_books(db):
        for section in await book_store.sections(db, book.id):
            if section.heading and needle in section.heading.lower():
                matches.append(_from_section(book, section, readings))
    if len(matches) == 1:
        return matches[0]
    if matches:
        options = "; ".join(m.title for m in matches[:3])
        raise UserError(f"“{ref}” matches several readings: {options}. Use book:section, e.g. `jacobins:3`.")
    raise UserError(f"I don't know a reading “{ref}”; use its number in the plan or book:section, e.g. `jacobins:3`.")


def from_plan(reading: PlanReading) -> ResolvedReading:
    return ResolvedReading(f"Reading {reading.number}: {reading.title}", reading.section_ids, reading, reading.book_id)


def _from_section(book: Book, section: Section, readings: Sequence[PlanReading]) -> ResolvedReading:
    planned = next((r for r in readings if section.id in r.section_ids), None)
    return ResolvedReading(f"{section.label} (*{book.title}* §{section.position})", (section.id,), planned, book.id)


async def current_reading(db: Executor, group_id: int, readings: Sequence[PlanReading]) -> PlanReading:
    """The reading the group is on: the last one opened, or the first before anything opened."""
    position = await plan_store.group_position(db, group_id)
    return readings[max(position, 0)]
