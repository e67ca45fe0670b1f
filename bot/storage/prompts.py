"""Discussion prompts: the generator's (cached per section), moderators' curated ones and members' suggestions,
with one upvote per member and prompt in each group: a generated prompt is shared by every group reading its
section, and an upvote counts only in the group where it was cast."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from bot.ingest.prompts import Citation, PromptDraft
from bot.storage.db import Executor, Row, placeholders
from bot.timeutil import from_db, to_db

Source = Literal["generated", "curated", "suggested"]


@dataclass(frozen=True)
class Prompt:
    id: int
    section_id: int
    group_id: int | None
    source: Source
    kind: str
    text: str
    citations: tuple[Citation, ...]
    rank: int
    member_id: int | None
    created_at: datetime
    votes: int

    @classmethod
    def from_row(cls, row: Row) -> Prompt:
        return cls(
            id=row["id"],
            section_id=row["section_id"],
            group_id=row["group_id"],
            source=row["source"],
            kind=row["kind"],
            text=row["text"],
            citations=tuple(Citation(**c) for c in json.loads(row["citations"])),
            rank=row["rank"],
            member_id=row["member_id"],
            created_at=from_db(row["created_at"]),
            votes=row["votes"],
        )

    @property
    def first_choice(self) -> bool:
        """The generator's first choice of its kind for the section, not a stand-in for when that one is gated."""
        return self.rank < ALTERNATES

    def draft(self) -> PromptDraft:
        alternative = 0 if self.first_choice else self.rank - ALTERNATES + 1
        return PromptDraft(self.kind, self.text, self.citations, alternative=alternative)


# a generated prompt's rank is its place in the generator's list; an alternative's is offset by this, so that the
# first choices of every section of a reading come before any section's alternatives
ALTERNATES = 1000


# A prompt's votes are those of its own group; a shared (generated) prompt read without a group shows none
# (`with_group_votes` gives it a group's count).
_SELECT = (
    "SELECT p.id, p.section_id, p.group_id, p.source, p.kind, p.text, p.citations, p.rank, p.member_id, "
    "p.created_at, (SELECT count(*) FROM prompt_votes v WHERE v.prompt_id = p.id AND v.group_id = p.group_id) "
    "AS votes FROM prompts p"
)


def _citations_json(citations: Sequence[Citation]) -> str:
    return json.dumps(
        [
            {
                "book_id": c.book_id,
                "book": c.book,
                "section_id": c.section_id,
                "section": c.section,
                "paragraph": c.paragraph,
                "excerpt": c.excerpt,
            }
            for c in citations
        ],
        ensure_ascii=False,
    )


async def generated(db: Executor, section_id: int, library_keys: Sequence[str]) -> list[Prompt] | None:
    """The cached generated prompts of a section, or None unless they were made under one of `library_keys`."""
    rows = await db.fetchall(
        _SELECT + " WHERE p.section_id = ? AND p.source = 'generated' ORDER BY p.id", (section_id,)
    )
    keys = await db.fetchall(
        "SELECT DISTINCT library_key FROM prompts WHERE section_id = ? AND source = 'generated'", (section_id,)
    )
    if not rows or len(keys) != 1 or keys[0]["library_key"] not in library_keys:
        return None
    return [Prompt.from_row(r) for r in rows]


async def replace_generated(
    db: Executor, section_id: int, library_key: str, drafts: Sequence[PromptDraft], now: datetime
) -> None:
    """Store a section's generated prompts; unchanged texts keep their ids (and upvotes), stale ones go."""
    existing = {
        r["text"]: r["id"]
        for r in await db.fetchall(
            "SELECT id, text FROM prompts WHERE section_id = ? AND source = 'generated'", (section_id,)
        )
    }
    wanted = {d.text for d in drafts}
    stale = [pid for text, pid in existing.items() if text not in wanted]
    if stale:
        await db.execute(f"DELETE FROM prompts WHERE id IN ({placeholders(stale)})", stale)
    for position, draft in enumerate(drafts):
        order = position + (ALTERNATES if draft.alternative else 0)
        if draft.text in existing:
            await db.execute(
                "UPDATE prompts SET kind = ?, citations = ?, rank = ?, library_key = ? WHERE id = ?",
                (draft.kind, _citations_json(draft.citations), order, library_key, existing[draft.text]),
            )
        else:
            await db.insert(
                "INSERT INTO prompts (section_id, group_id, source, kind, text, citations, rank, library_key, "
                "created_at) VALUES (?, NULL, 'generated', ?, ?, ?, ?, ?, ?)",
                (section_id, draft.kind, draft.text, _citations_json(draft.citations), order, library_key, to_db(now)),
            )


async def add(
    db: Executor,
    *,
    section_id: int,
    group_id: int,
    source: Source,
    text: str,
    citations: Sequence[Citation],
    member_id: int,
    now: datetime,
) -> int:
    return await db.insert(
        "INSERT INTO prompts (section_id, group_id, source, kind, text, citations, rank, member_id, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)",
        (section_id, group_id, source, source, text, _citations_json(citations), member_id, to_db(now)),
    )


async def of_group(db: Executor, group_id: int, section_ids: Sequence[int]) -> list[Prompt]:
    """A group's own prompts (curated, suggested) for these sections: curated first, then by votes."""
    if not section_ids:
        return []
    rows = await db.fetchall(
        _SELECT + f" WHERE p.group_id = ? AND p.section_id IN ({placeholders(section_ids)}) "
        "ORDER BY CASE p.source WHEN 'curated' THEN 0 ELSE 1 END, votes DESC, p.id",
        (group_id, *section_ids),
    )
    return [Prompt.from_row(r) for r in rows]


async def stored_generated(db: Executor, section_ids: Sequence[int]) -> list[Prompt]:
    """Generated prompts already stored for these sections, whichever generator made them, in rank order.

    For read-only views (the web pages) that must never run the generator; `generated` is the cache check.
    """
    if not section_ids:
        return []
    rows = await db.fetchall(
        _SELECT + f" WHERE p.source = 'generated' AND p.section_id IN ({placeholders(section_ids)}) "
        "ORDER BY p.rank, p.id",
        list(section_ids),
    )
    return [Prompt.from_row(r) for r in rows]


async def get(db: Executor, prompt_id: int) -> Prompt | None:
    row = await db.fetchone(_SELECT + " WHERE p.id = ?", (prompt_id,))
    return Prompt.from_row(row) if row else None


async def set_text(db: Executor, prompt_id: int, text: str) -> None:
    await db.execute("UPDATE prompts SET text = ? WHERE id = ? AND source != 'generated'", (text, prompt_id))


async def delete(db: Executor, prompt_id: int) -> None:
    """A group's own prompt and its upvotes (prompt_votes cascade)."""
    await db.execute("DELETE FROM prompts WHERE id = ? AND source != 'generated'", (prompt_id,))


async def upvote(db: Executor, prompt_id: int, group_id: int, member_id: int, now: datetime) -> bool:
    """Record a member's upvote in a group; False when they had already upvoted this prompt there."""

    changed = await db.execute(
        "INSERT INTO prompt_votes (prompt_id, group_id, member_id, created_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (prompt_id, group_id, member_id) DO NOTHING",
        (prompt_id, group_id, member_id, to_db(now)),
    )
    return changed == 1


async def votes_of(db: Executor, prompt_ids: Sequence[int], group_id: int) -> dict[int, int]:
    """prompt id → its upvotes in this group (prompts without any are absent)."""
    if not prompt_ids:
        return {}
    rows = await db.fetchall(
        f"SELECT prompt_id, count(*) AS n FROM prompt_votes WHERE group_id = ? "
        f"AND prompt_id IN ({placeholders(prompt_ids)}) GROUP BY prompt_id",
        (group_id, *prompt_ids),
    )
    return {r["prompt_id"]: r["n"] for r in rows}


async def with_group_votes(db: Executor, prompts: Sequence[Prompt], group_id: int | None) -> list[Prompt]:
    """The prompts with each one's upvotes as counted in this group (none without a group)."""
    counts = await votes_of(db, [p.id for p in prompts], group_id) if group_id is not None else {}
    return [replace(p, votes=counts.get(p.id, 0)) for p in prompts]


async def forget_member(db: Executor, member_id: int) -> int:
    """Delete a member's upvotes and suggestions (curated prompts stay, without their author)."""
    removed = await db.execute("DELETE FROM prompt_votes WHERE member_id = ?", (member_id,))
    removed += await db.execute("DELETE FROM prompts WHERE source = 'suggested' AND member_id = ?", (member_id,))
    await db.execute("UPDATE prompts SET member_id = NULL WHERE member_id = ?", (member_id,))
    return removed
