"""Generated discussion prompts: made from the library's text and each reading's argument model (cited), cached
per section with a fingerprint of the library they were made from. With `[prompts] llm_url` set, a language model
writes the questions first (bot/llm.py), under a verification gate; the built-in prompts are the fallback for
every failure. Used by the discussion feature, the library's `add_book` (the argument model) and the CLI."""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from bot import llm
from bot.config import Settings
from bot.ingest.claims import ArgumentModel
from bot.ingest.prompts import KINDS, Citation, Generator, PromptDraft, SectionDoc, load_templates
from bot.services.quotes import library_fingerprint, library_index
from bot.storage import books as book_store
from bot.storage import claims as claim_store
from bot.storage import prompts as prompt_store
from bot.storage.db import Database, Executor
from bot.storage.prompts import Prompt

if TYPE_CHECKING:
    from bot.services import Services
    from bot.services.readings import Gate  # readings → books → prompts: a type only, no import cycle

GENERATOR_VERSION = "1"


@dataclass
class _Library:
    key: str  # what prompts made now are stored under
    accepted: tuple[str, ...]  # cached prompts made under these keys are current
    generator: Generator
    docs: dict[int, SectionDoc]


_LIBRARY: dict[str, _Library] = {}


def templates_path(settings: Settings) -> Path:
    configured = settings.prompts.templates
    if configured.exists() or configured.is_absolute():
        return configured
    return Path(__file__).resolve().parents[2] / configured


def _base_key(books: Sequence[book_store.Book]) -> str:
    """What the built-in prompts and the argument models of this library are stored under."""
    digest = hashlib.sha256(repr(library_fingerprint(books)).encode()).hexdigest()[:16]
    return f"v{GENERATOR_VERSION}:{digest}"


async def _library(settings: Settings, db: Executor, *, use_llm: bool) -> _Library:
    books = await book_store.all_books(db)
    base_key = _base_key(books)
    llm_part = f":llm:{settings.prompts.llm_model}" if use_llm and settings.prompts.llm_enabled else ""
    key = f"{base_key}{llm_part}"
    cached = _LIBRARY.get(base_key)
    if cached is None:
        docs: dict[int, SectionDoc] = {}
        for book in books:
            for section in await book_store.sections(db, book.id):
                paragraphs = await book_store.paragraphs(db, section.id)
                docs[section.id] = SectionDoc(
                    book.id,
                    book.title,
                    book.authors,
                    section.id,
                    section.position,
                    section.heading,
                    paragraphs,
                    book.provenance,
                )
        stored = await claim_store.current(db, [base_key])  # the models built when the books were added
        generator = Generator(
            list(docs.values()), await library_index(db), load_templates(templates_path(settings)), models=stored
        )
        _LIBRARY.clear()
        cached = _LIBRARY[base_key] = _Library(base_key, (base_key,), generator, docs)
    # without the model (the reading-opens post) a model's cached rephrasing is as good as the built-in text
    accepted = (key,) if key != base_key else (base_key, f"{base_key}:llm:{settings.prompts.llm_model}")
    return _Library(key, accepted, cached.generator, cached.docs)


async def store_book_claims(
    db: Executor, book_id: int, models: Sequence[ArgumentModel], section_ids: Sequence[int]
) -> int:
    """Store the argument model of each reading of a newly added book (computed by bot/ingest/analysis.py before
    its transaction, numbered by position) in add_book's transaction, under the library key the book makes, so the
    model is stored with the book or not at all. Returns the number of claims."""
    key = _base_key(await book_store.all_books(db))
    stored = [replace(m, section_id=s) for m, s in zip(models, section_ids, strict=True)]
    await claim_store.replace(db, book_id, key, stored)
    return sum(len(m.claims) for m in stored)


async def reading_model(services: Services, db: Executor, section_id: int) -> ArgumentModel | None:
    """A reading's argument model under the current library (stored again when it had to be rebuilt)."""
    library = await _library(services.settings, db, use_llm=False)
    doc = library.docs.get(section_id)
    if doc is None:
        return None
    fresh = section_id not in library.generator.models
    model = library.generator.model(doc)
    if fresh:
        await claim_store.replace(db, doc.book_id, library.key, [model])
    return model


async def generated_prompts(
    services: Services, db: Executor, section_id: int, *, use_llm: bool = True, transaction: bool = True
) -> list[Prompt]:
    """A section's generated prompts (every kind, connection alternatives included), from the cache or made now."""
    library = await _library(services.settings, db, use_llm=use_llm)
    cached = await prompt_store.generated(db, section_id, library.accepted)
    if cached is not None:
        return cached
    doc = library.docs.get(section_id)
    if doc is None:
        return []
    drafts = await asyncio.to_thread(library.generator.generate, doc)
    if use_llm and services.settings.prompts.llm_enabled:
        drafts = await _from_model(services.settings, library, doc) + drafts  # the model's first, built-in after
    now = services.clock.now()
    if transaction and isinstance(db, Database):
        async with db.transaction() as tx:
            await prompt_store.replace_generated(tx, section_id, library.key, drafts, now)
    else:
        await prompt_store.replace_generated(db, section_id, library.key, drafts, now)
    return await prompt_store.generated(db, section_id, (library.key,)) or []


async def _from_model(settings: Settings, library: _Library, doc: SectionDoc) -> list[PromptDraft]:
    """The language model's questions for a reading that pass its verification gate (bot/llm.py).

    What it may quote: this reading, the earlier readings of its book and the other books (the group's gate still
    decides, per citation, what is shown). What it must not name: people and places that only the later readings
    of this book introduce.
    """
    opened = [
        llm.Opened(d.section_id, d.book_id, d.book_title, d.position, tuple(p.text for p in d.paragraphs))
        for d in library.docs.values()
        if d.book_id != doc.book_id or d.position <= doc.position
    ]
    seen = {w for o in opened if o.book_id == doc.book_id for p in o.paragraphs for w in _NAMES.findall(p)}
    later = {
        w
        for d in library.docs.values()
        if d.book_id == doc.book_id and d.position > doc.position
        for p in d.paragraphs
        for w in _NAMES.findall(p.text)
    }
    reading = next(o for o in opened if o.section_id == doc.section_id)
    questions = await llm.write_questions(
        settings.prompts,
        title=doc.book_title,
        heading=doc.heading or f"section {doc.position}",
        authors=doc.authors,
        model=library.generator.model(doc),
        reading=reading,
        opened=[reading, *(o for o in opened if o is not reading)],
        unseen_names=frozenset(later - seen),
        kinds=KINDS,
    )
    return [
        PromptDraft(
            q.kind,
            q.text,
            tuple(Citation(o.book_id, o.title, o.section_id, o.position, n, text) for o, n, text in q.passages),
        )
        for q in questions
    ]


_NAMES = re.compile(r"(?<=[a-z,;] )[A-Z][a-z]{2,}")  # capitalised words inside a sentence: names, places


def choose_generated(prompts: Sequence[Prompt], shows: Gate | None, sections: Sequence[int] = ()) -> list[Prompt]:
    """One generated prompt of each kind whose citations the group may see, in kind order."""

    def allowed(prompt: Prompt) -> bool:
        return shows is None or all(c.section_id in sections or shows.shows(c.section_id) for c in prompt.citations)

    chosen: list[Prompt] = []
    for kind in KINDS:
        # a first choice of any section before an alternative (a gated connection's stand-in, a narration filler)
        match = next((p for p in prompts if p.kind == kind and p.first_choice and allowed(p)), None)
        match = match or next((p for p in prompts if p.kind == kind and allowed(p)), None)
        if match is not None:
            chosen.append(match)
    if len(chosen) < 3:  # a reading of several sections: fill from the others' first choices
        chosen += [p for p in prompts if p not in chosen and p.first_choice and allowed(p)][: 3 - len(chosen)]
    return chosen


async def prompts_for_section(services: Services, db: Executor, book_id: int, position: int) -> list[PromptDraft]:
    """The CLI's view: a section's discussion prompts with no group (nothing gated)."""
    section = await book_store.section(db, book_id, position)
    if section is None:
        return []
    return [p.draft() for p in choose_generated(await generated_prompts(services, db, section.id), None)]
