"""Generated discussion prompts: made from the library's text (cited), cached per section with a fingerprint of
the library they were made from, optionally rephrased by a language model. Used by the discussion feature and
the CLI's `prompts`."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from bot import llm
from bot.config import Settings
from bot.ingest.prompts import KINDS, Generator, PromptDraft, SectionDoc, load_templates
from bot.services.quotes import library_fingerprint, library_index
from bot.services.readings import Gate
from bot.storage import books as book_store
from bot.storage import prompts as prompt_store
from bot.storage.db import Database, Executor
from bot.storage.prompts import Prompt

if TYPE_CHECKING:
    from bot.services import Services

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


async def _library(settings: Settings, db: Executor, *, use_llm: bool) -> _Library:
    books = await book_store.all_books(db)
    digest = hashlib.sha256(repr(library_fingerprint(books)).encode()).hexdigest()[:16]
    llm_part = f":llm:{settings.prompts.llm_model}" if use_llm and settings.prompts.llm_enabled else ""
    key = f"v{GENERATOR_VERSION}:{digest}{llm_part}"
    base_key = f"v{GENERATOR_VERSION}:{digest}"
    cached = _LIBRARY.get(base_key)
    if cached is None:
        docs: dict[int, SectionDoc] = {}
        for book in books:
            for section in await book_store.sections(db, book.id):
                paragraphs = await book_store.paragraphs(db, section.id)
                docs[section.id] = SectionDoc(
                    book.id, book.title, book.authors, section.id, section.position, section.heading, paragraphs
                )
        generator = Generator(list(docs.values()), await library_index(db), load_templates(templates_path(settings)))
        _LIBRARY.clear()
        cached = _LIBRARY[base_key] = _Library(base_key, (base_key,), generator, docs)
    # without the model (the reading-opens post) a model's cached rephrasing is as good as the built-in text
    accepted = (key,) if key != base_key else (base_key, f"{base_key}:llm:{settings.prompts.llm_model}")
    return _Library(key, accepted, cached.generator, cached.docs)


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
        drafts = [await _rephrased(services.settings, d) for d in drafts]
    now = services.clock.now()
    if transaction and isinstance(db, Database):
        async with db.transaction() as tx:
            await prompt_store.replace_generated(tx, section_id, library.key, drafts, now)
    else:
        await prompt_store.replace_generated(db, section_id, library.key, drafts, now)
    return await prompt_store.generated(db, section_id, (library.key,)) or []


async def _rephrased(settings: Settings, draft: PromptDraft) -> PromptDraft:
    better = await llm.rephrase(settings.prompts, draft.text, [c.excerpt for c in draft.citations])
    return replace(draft, text=better) if better else draft


def choose_generated(prompts: Sequence[Prompt], shows: Gate | None, sections: Sequence[int] = ()) -> list[Prompt]:
    """One generated prompt of each kind whose citations the group may see, in kind order."""

    def allowed(prompt: Prompt) -> bool:
        return shows is None or all(c.section_id in sections or shows.shows(c.section_id) for c in prompt.citations)

    chosen: list[Prompt] = []
    for kind in KINDS:
        match = next((p for p in prompts if p.kind == kind and allowed(p)), None)
        if match is not None:
            chosen.append(match)
    if len(chosen) < 3:  # a reading of several sections: fill from the others' first choices
        chosen += [p for p in prompts if p not in chosen and p.rank == 0 and allowed(p)][: 3 - len(chosen)]
    return chosen


async def prompts_for_section(services: Services, db: Executor, book_id: int, position: int) -> list[PromptDraft]:
    """The CLI's view: a section's discussion prompts with no group (nothing gated)."""
    section = await book_store.section(db, book_id, position)
    if section is None:
        return []
    return [p.draft() for p in choose_generated(await generated_prompts(services, db, section.id), None)]
