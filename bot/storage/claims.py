"""The stored argument model of each reading (bot/ingest/claims.py): built when a book is added, read by the
prompt generator and `readalong claims`. A model is stored under the library key it was built with."""

from __future__ import annotations

import json
from collections.abc import Sequence

from bot.ingest.claims import ArgumentModel, Claim, Passage
from bot.storage.db import Executor, Row, placeholders


def _passage_json(p: Passage) -> dict[str, object]:
    return {"paragraph": p.paragraph, "first": p.first, "last": p.last, "text": p.text}


def _passage(d: dict[str, object]) -> Passage:
    return Passage(int(d["paragraph"]), int(d["first"]), int(d["last"]), str(d["text"]))  # type: ignore[call-overload]


async def replace(db: Executor, book_id: int, library_key: str, models: Sequence[ArgumentModel]) -> None:
    """Store (or replace) the models of some readings of a book."""
    for model in models:
        await db.execute("DELETE FROM reading_models WHERE section_id = ?", (model.section_id,))
        await db.execute(
            "INSERT INTO reading_models (section_id, book_id, library_key, book_kind, terms, editorial) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (
                model.section_id,
                book_id,
                library_key,
                model.book_kind,
                json.dumps(list(model.terms), ensure_ascii=False),
                json.dumps(list(model.editorial)),
            ),
        )
        await db.executemany(
            "INSERT INTO claims (section_id, rank, kind, voice, speaker, paragraph_position, first_sentence, "
            "last_sentence, text, score, evidence, opponent, term, topics) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    model.section_id,
                    rank,
                    c.kind,
                    c.voice,
                    c.speaker,
                    c.passage.paragraph,
                    c.passage.first,
                    c.passage.last,
                    c.text,
                    c.score,
                    json.dumps([_passage_json(p) for p in c.evidence], ensure_ascii=False),
                    c.opponent,
                    c.term,
                    json.dumps(list(c.topics), ensure_ascii=False),
                )
                for rank, c in enumerate(model.claims, start=1)
            ],
        )


def _claim(row: Row) -> Claim:
    return Claim(
        kind=row["kind"],
        passage=Passage(row["paragraph_position"], row["first_sentence"], row["last_sentence"], row["text"]),
        voice=row["voice"],
        speaker=row["speaker"],
        score=row["score"],
        evidence=tuple(_passage(p) for p in json.loads(row["evidence"])),
        opponent=row["opponent"],
        term=row["term"],
        topics=tuple(json.loads(row["topics"])),
    )


async def current(
    db: Executor, library_keys: Sequence[str], section_ids: Sequence[int] | None = None
) -> dict[int, ArgumentModel]:
    """The stored models built under one of `library_keys` (of the given sections, or all), by section id."""
    if not library_keys or (section_ids is not None and not section_ids):
        return {}
    where = f"library_key IN ({placeholders(library_keys)})"
    params: list[object] = list(library_keys)
    if section_ids is not None:
        where += f" AND section_id IN ({placeholders(section_ids)})"
        params.extend(section_ids)
    heads = await db.fetchall(f"SELECT * FROM reading_models WHERE {where}", params)
    if not heads:
        return {}
    ids = [h["section_id"] for h in heads]
    rows = await db.fetchall(
        f"SELECT * FROM claims WHERE section_id IN ({placeholders(ids)}) ORDER BY section_id, rank", ids
    )
    by_section: dict[int, list[Claim]] = {}
    for row in rows:
        by_section.setdefault(row["section_id"], []).append(_claim(row))
    return {
        h["section_id"]: ArgumentModel(
            h["section_id"],
            h["book_kind"],
            tuple(by_section.get(h["section_id"], ())),
            tuple(json.loads(h["terms"])),
            tuple(json.loads(h["editorial"])),
        )
        for h in heads
    }


async def count(db: Executor, book_id: int) -> int:
    row = await db.fetchone(
        "SELECT count(*) FROM claims c JOIN reading_models m ON m.section_id = c.section_id WHERE m.book_id = ?",
        (book_id,),
    )
    return int(row[0]) if row else 0
