"""Discussion prompts for a reading: generated from its text (cited), curated by moderators, suggested and
upvoted by members — and, like quotes, never from a reading the group has not opened.

Generated prompts are cached per section with a fingerprint of the library they were made from (a new book can
add connections), so ids stay stable for upvotes. With `[prompts] llm_url` set, a language model writes the
questions first (bot/llm.py), under a verification gate; the built-in prompts are the fallback for every failure.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot import llm
from bot.adapters.base import TEXT_PLACEHOLDER
from bot.commands import Invocation, Permission, ReadingRef, Text, command
from bot.config import Settings
from bot.ingest.claims import ArgumentModel
from bot.ingest.prompts import KINDS, Citation, Generator, PromptDraft, SectionDoc, load_templates
from bot.ingest.quotes import near_duplicate
from bot.replies import Choice, Field, Reply, UserError
from bot.storage import books as book_store
from bot.storage import claims as claim_store
from bot.storage import plans as plan_store
from bot.storage import prompts as prompt_store
from bot.storage import quotes as quote_store
from bot.storage.db import Database, Executor
from bot.storage.prompts import Prompt
from bot.storage.quotes import Quote
from bot.text import plural
from cogs.library import find_book
from cogs.plans import reading_extra
from cogs.privacy import forgetter
from cogs.quotes import (
    GOOD_RANK,
    Gate,
    attribution,
    choose_quote,
    library_fingerprint,
    library_index,
    reading_gate,
    section_citation,
)

if TYPE_CHECKING:
    from bot.app import App
    from bot.storage.db import Transaction
    from bot.storage.plans import PlanReading

GENERATOR_VERSION = "1"
MAX_PROMPT_CHARS = 500
NOT_YET = "That reading hasn't opened for the group yet, so its prompts stay hidden until it does (no spoilers)."


# ---------------------------------------------------------------- the generator for the current library
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
    return Path(__file__).resolve().parent.parent / configured


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
        stored = await claim_store.current(db, [base_key])  # the models built when the books were added
        generator = Generator(
            list(docs.values()), await library_index(db), load_templates(templates_path(settings)), models=stored
        )
        _LIBRARY.clear()
        cached = _LIBRARY[base_key] = _Library(base_key, (base_key,), generator, docs)
    # without the model (the reading-opens post) a model's cached rephrasing is as good as the built-in text
    accepted = (key,) if key != base_key else (base_key, f"{base_key}:llm:{settings.prompts.llm_model}")
    return _Library(key, accepted, cached.generator, cached.docs)


async def index_book_claims(settings: Settings, db: Executor, book_id: int) -> int:
    """Build and store the argument model of each reading of a newly added book; call in add_book's transaction
    (after its quotes), so the model is stored with the book or not at all. Returns the number of claims."""
    library = await _library(settings, db, use_llm=False)
    docs = [d for d in library.docs.values() if d.book_id == book_id]
    models = await asyncio.to_thread(lambda: [library.generator.model(d) for d in docs])  # off the event loop
    await claim_store.replace(db, book_id, library.key, models)
    return sum(len(m.claims) for m in models)


async def reading_model(app: App, db: Executor, section_id: int) -> ArgumentModel | None:
    """A reading's argument model under the current library (stored again when it had to be rebuilt)."""
    library = await _library(app.settings, db, use_llm=False)
    doc = library.docs.get(section_id)
    if doc is None:
        return None
    fresh = section_id not in library.generator.models
    model = library.generator.model(doc)
    if fresh:
        await claim_store.replace(db, doc.book_id, library.key, [model])
    return model


async def generated_prompts(
    app: App, db: Executor, section_id: int, *, use_llm: bool = True, transaction: bool = True
) -> list[Prompt]:
    """A section's generated prompts (every kind, connection alternatives included), from the cache or made now."""
    library = await _library(app.settings, db, use_llm=use_llm)
    cached = await prompt_store.generated(db, section_id, library.accepted)
    if cached is not None:
        return cached
    doc = library.docs.get(section_id)
    if doc is None:
        return []
    drafts = await asyncio.to_thread(library.generator.generate, doc)
    if use_llm and app.settings.prompts.llm_enabled:
        drafts = await _from_model(app.settings, library, doc) + drafts  # the model's first, built-in after
    now = app.clock.now()
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
        match = next((p for p in prompts if p.kind == kind and allowed(p)), None)
        if match is not None:
            chosen.append(match)
    if len(chosen) < 3:  # a reading of several sections: fill from the others' first choices
        chosen += [p for p in prompts if p not in chosen and p.rank == 0 and allowed(p)][: 3 - len(chosen)]
    return chosen


async def prompts_for_section(app: App, db: Executor, book_id: int, position: int) -> list[PromptDraft]:
    """The CLI's view: a section's discussion prompts with no group (nothing gated)."""
    section = await book_store.section(db, book_id, position)
    if section is None:
        return []
    return [p.draft() for p in choose_generated(await generated_prompts(app, db, section.id), None)]


# ---------------------------------------------------------------- which reading
@dataclass(frozen=True)
class ChosenReading:
    title: str
    section_ids: tuple[int, ...]


async def resolve_reading(inv: Invocation, ref: str | None) -> ChosenReading:
    """ "3" (the plan's reading 3), "jacobins:3" (a book's section 3) or a heading fragment; None: the current one."""
    readings = await plan_store.readings(inv.db, inv.group.id) if inv.group else []
    if ref is None:
        if inv.group is None or not readings:
            raise UserError("Name a reading, for example `prompts jacobins:3` (book and section number).")
        position = await plan_store.group_position(inv.db, inv.group.id)
        if position < 0:
            raise UserError("The group hasn't opened its first reading yet; prompts come when it does.")
        return _from_plan(readings[position])
    text = ref.strip()
    if match := re.fullmatch(r"(.+?)\s*[:#]\s*(\d+)", text):
        book = await find_book(inv.db, match.group(1))
        position = int(match.group(2))
        section = await book_store.section(inv.db, book.id, position) if position <= book.section_count else None
        if section is None:
            raise UserError(f"*{book.title}* has sections 1 to {book.section_count}, not {match.group(2)}.")
        return ChosenReading(f"{section.label} (*{book.title}* §{section.position})", (section.id,))
    if text.isdigit():
        number = int(text)
        if not readings:
            raise UserError("This group has no study plan, so name the reading by book and section, e.g. `jacobins:3`.")
        if not 1 <= number <= len(readings):
            raise UserError(f"The plan has readings 1 to {len(readings)}, not {number}.")
        return _from_plan(readings[number - 1])
    needle = text.lower()
    planned = [r for r in readings if needle in r.title.lower()]
    if len(planned) == 1:
        return _from_plan(planned[0])
    matches = []
    for book in await book_store.all_books(inv.db):
        for section in await book_store.sections(inv.db, book.id):
            if section.heading and needle in section.heading.lower():
                matches.append(ChosenReading(f"{section.label} (*{book.title}* §{section.position})", (section.id,)))
    if len(matches) == 1:
        return matches[0]
    if matches:
        options = "; ".join(m.title for m in matches[:3])
        raise UserError(f"“{ref}” matches several readings: {options}. Use book:section, e.g. `jacobins:3`.")
    raise UserError(f"I don't know a reading “{ref}”; use its number in the plan or book:section, e.g. `jacobins:3`.")


def _from_plan(reading: PlanReading) -> ChosenReading:
    return ChosenReading(f"Reading {reading.number}: {reading.title}", reading.section_ids)


async def _visible_reading(inv: Invocation, ref: str | None) -> tuple[ChosenReading, Gate]:
    chosen = await resolve_reading(inv, ref)
    gate = await reading_gate(inv.db, inv.group.id if inv.group else None)
    if not all(gate.shows(s) for s in chosen.section_ids):
        raise UserError(NOT_YET)
    return chosen, gate


def _cite(prompt: Prompt) -> str:
    return "; ".join(f"*{c.book}* §{c.section}, paragraph {c.paragraph}" for c in prompt.citations)


def _line(prompt: Prompt) -> str:
    """A prompt led by its #, the number `prompt upvote` takes (a list position would invite upvoting another)."""
    origin = {"curated": "from the moderators", "suggested": "suggested by a member"}.get(prompt.source, prompt.kind)
    votes = f", {plural(prompt.votes, 'upvote')}" if prompt.votes else ""
    cite = f"\n   — {_cite(prompt)}" if prompt.citations else ""
    return f"#{prompt.id} {prompt.text}{cite}\n   ({origin}{votes})"


async def discussion_set(
    app: App, db: Executor, group_id: int | None, chosen: ChosenReading, gate: Gate
) -> list[Prompt]:
    """What `prompts` shows: the group's curated prompts, its upvoted suggestions, then generated ones; at most 5."""
    own = await prompt_store.of_group(db, group_id, chosen.section_ids) if group_id else []
    curated = [p for p in own if p.source == "curated"]
    suggested = [p for p in own if p.source == "suggested" and p.votes > 0]
    generated: list[Prompt] = []
    for section_id in chosen.section_ids:
        generated += await generated_prompts(app, db, section_id)
    picked = choose_generated(generated, gate, chosen.section_ids)
    return (curated + suggested + picked)[:5]


# ---------------------------------------------------------------- commands
@command(
    "prompts",
    help="Discussion prompts for a reading (default: the group's current one), each citing its passage.",
    params={"reading": "Plan reading number, book:section (e.g. jacobins:3) or part of a heading"},
)
async def prompts(inv: Invocation, reading: ReadingRef | None = None) -> Reply:
    chosen, gate = await _visible_reading(inv, reading)
    shown = await discussion_set(inv.app, inv.db, inv.group.id if inv.group else None, chosen, gate)
    if not shown:
        raise UserError("I found no passage in that reading to ground a prompt in; a moderator can add one.")
    lines = [_line(p) for p in shown]
    lines += [
        "",
        f"Upvote one by its #, e.g. `prompt upvote {shown[0].id}`; "
        "suggest your own with `prompt suggest <reading> <question>`.",
    ]
    return Reply(title=f"Discussion: {chosen.title}", text="\n".join(lines), kind="prompt")


def _checked_question(text: str) -> str:
    """A member's question as it will be shown, or a UserError saying what is missing."""
    question = " ".join(text.split())
    if not question.endswith("?"):
        raise UserError("A discussion prompt is a question; end it with a question mark.")
    if len(re.findall(r"[^\W\d_]{2,}", question)) < 3:
        raise UserError("Write the question out (three words at least), e.g. `Was the ban on factions necessary?`")
    if len(question) > MAX_PROMPT_CHARS:
        raise UserError(f"Keep a prompt under {MAX_PROMPT_CHARS} characters; this one has {len(question)}.")
    return question


def _same_question(a: str, b: str) -> bool:
    """Duplicates differ only in case, spacing, punctuation or quotation mark style."""
    return re.sub(r"[\W_]+", " ", a).strip().lower() == re.sub(r"[\W_]+", " ", b).strip().lower()


async def _add(inv: Invocation, reading: str, text: str, source: prompt_store.Source) -> Prompt:
    group = inv.require_group()
    question = _checked_question(text)
    chosen = await resolve_reading(inv, reading)
    existing = await prompt_store.of_group(inv.db, group.id, chosen.section_ids)
    if twin := next((p for p in existing if _same_question(p.text, question)), None):
        raise UserError(f"That question is already prompt #{twin.id}; back it with `prompt upvote {twin.id}`.")
    async with inv.db.transaction() as tx:
        prompt_id = await prompt_store.add(
            tx,
            section_id=chosen.section_ids[0],
            group_id=group.id,
            source=source,
            text=question,
            citations=(),
            member_id=inv.member_id,
            now=inv.now(),
        )
    prompt = await prompt_store.get(inv.db, prompt_id)
    assert prompt is not None
    return prompt


@command(
    "prompt add",
    help="Add a curated discussion prompt to a reading.",
    params={"reading": "Plan reading number or book:section", "text": "The question"},
    permission=Permission.MODERATOR,
)
async def prompt_add(inv: Invocation, reading: ReadingRef, text: Text) -> Reply:
    prompt = await _add(inv, reading, text, "curated")
    gate = await reading_gate(inv.db, prompt.group_id)
    when = "now" if gate.shows(prompt.section_id) else "once the reading opens"
    return Reply(text=f"Added prompt #{prompt.id}; it leads the reading's `prompts` {when}.")


@command(
    "prompt suggest",
    help="Suggest a discussion prompt for a reading; upvoted suggestions join the reading's prompts.",
    params={"reading": "Plan reading number or book:section", "text": "The question"},
)
async def prompt_suggest(inv: Invocation, reading: ReadingRef, text: Text) -> Reply:
    prompt = await _add(inv, reading, text, "suggested")
    gate = await reading_gate(inv.db, prompt.group_id)
    when = "" if gate.shows(prompt.section_id) else " once the reading opens"
    return Reply(
        text=f"Thanks — suggestion #{prompt.id} is in; others can back it with `prompt upvote {prompt.id}`{when}."
    )


@command("prompt upvote", help="Upvote a discussion prompt (once per prompt).", params={"prompt": "The prompt's #"})
async def prompt_upvote(inv: Invocation, prompt: int) -> Reply:
    group = inv.require_group()
    found = await prompt_store.get(inv.db, prompt)
    gate = await reading_gate(inv.db, group.id)
    if found is None or found.group_id not in (None, group.id):
        raise UserError(f"There is no prompt #{prompt} in this group; `prompt list` shows them.")
    if not gate.shows(found.section_id) or not all(gate.shows(c.section_id) for c in found.citations):
        raise UserError(NOT_YET)
    if found.member_id is not None and found.member_id == inv.member_id:
        raise UserError("You can't upvote your own prompt; others back it if they want to discuss it.")
    async with inv.db.transaction() as tx:
        added = await prompt_store.upvote(tx, found.id, inv.member_id, inv.now())
    if not added:
        raise UserError(f"You have already upvoted prompt #{found.id}.")
    votes = (await prompt_store.votes_of(inv.db, [found.id])).get(found.id, 0)
    return Reply(text=f"Upvoted prompt #{found.id} ({plural(votes, 'upvote')}).")


async def _own_prompt(inv: Invocation, prompt: int) -> Prompt:
    group = inv.require_group()
    found = await prompt_store.get(inv.db, prompt)
    if found is None or found.group_id != group.id:
        raise UserError(f"There is no curated or suggested prompt #{prompt} in this group; `prompt list` shows them.")
    return found


@command(
    "prompt edit",
    help="Change the wording of a curated or suggested prompt (its upvotes stay).",
    params={"prompt": "The prompt's #", "text": "The new question"},
    permission=Permission.MODERATOR,
)
async def prompt_edit(inv: Invocation, prompt: int, text: Text) -> Reply:
    found = await _own_prompt(inv, prompt)
    question = _checked_question(text)
    others = await prompt_store.of_group(inv.db, found.group_id or 0, [found.section_id])
    if twin := next((p for p in others if p.id != found.id and _same_question(p.text, question)), None):
        raise UserError(f"That question is already prompt #{twin.id}; remove one of them instead.")
    async with inv.db.transaction() as tx:
        await prompt_store.set_text(tx, found.id, question)
    return Reply(text=f"Prompt #{found.id} now reads: {question}")


@command(
    "prompt remove",
    help="Remove a curated or suggested prompt and its upvotes.",
    params={"prompt": "The prompt's #"},
    permission=Permission.MODERATOR,
)
async def prompt_remove(inv: Invocation, prompt: int) -> Reply:
    found = await _own_prompt(inv, prompt)
    async with inv.db.transaction() as tx:
        await prompt_store.delete(tx, found.id)
    return Reply(text=f"Removed prompt #{found.id} ({plural(found.votes, 'upvote')} with it).")


@command(
    "prompt list",
    help="Every prompt of a reading with its # and upvotes, suggestions included.",
    params={"reading": "Plan reading number or book:section (default: the current reading)"},
)
async def prompt_list(inv: Invocation, reading: ReadingRef | None = None) -> Reply:
    chosen, gate = await _visible_reading(inv, reading)
    own = await prompt_store.of_group(inv.db, inv.group.id, chosen.section_ids) if inv.group else []
    generated: list[Prompt] = []
    for section_id in chosen.section_ids:
        generated += await generated_prompts(inv.app, inv.db, section_id)
    listed = own + choose_generated(generated, gate, chosen.section_ids)
    lines = [_line(p) for p in listed]
    return Reply(title=f"Prompts: {chosen.title}", text="\n".join(lines) or "No prompts yet.", kind="prompt")


# ---------------------------------------------------------------- for the reading-opens post
def apart_from(quotes: Sequence[Quote], excerpts: Sequence[str]) -> list[Quote]:
    """The quotes that share no passage with the prompt's citations: a post never quotes its own prompt."""
    return [q for q in quotes if not any(q.text in e or e in q.text or near_duplicate(q.text, e) for e in excerpts)]


async def top_prompt_and_quote(
    app: App, db: Executor, group_id: int, section_ids: Sequence[int]
) -> tuple[str | None, Quote | None]:
    """The reading's best prompt (curated, then upvoted, then generated) and a good quote from these sections.

    The caller vouches that the sections are opening now; connection prompts still only cite what the group may
    see. The quote is recorded as shown to the group. Safe inside the dispatcher's transaction (no model calls).
    """
    gate = await reading_gate(db, group_id)
    chosen = ChosenReading("", tuple(section_ids))
    own = await prompt_store.of_group(db, group_id, section_ids)
    text: str | None = own[0].text if own and (own[0].source == "curated" or own[0].votes > 0) else None
    cited: tuple[str, ...] = ()
    if text is None:
        generated: list[Prompt] = []
        for section_id in section_ids:
            generated += await generated_prompts(app, db, section_id, use_llm=False, transaction=False)
        picked = choose_generated(generated, gate, chosen.section_ids)
        text = picked[0].text if picked else None
        cited = tuple(c.excerpt for c in picked[0].citations) if picked else ()
    pool = await quote_store.pool(db, group_id, list(section_ids), max_rank=GOOD_RANK)
    quote = choose_quote(apart_from(pool, cited))
    if quote is not None:
        await quote_store.mark_shown(db, group_id, quote.id, app.clock.now())
    return text, quote


@reading_extra
async def reading_opens_extras(app: App, tx: Transaction, group_id: int, reading: PlanReading) -> list[Field | Choice]:
    """For the plans cog's reading-opens post: a prompt to start with, a quote of the reading, and a button
    to suggest a prompt (it asks for the question's text)."""
    prompt, quote = await top_prompt_and_quote(app, tx, group_id, reading.section_ids)
    fields: list[Field | Choice] = []
    if prompt:
        fields.append(Field("To discuss", prompt))
    if quote:
        fields.append(Field("Quote", f"> {quote.text}\n— {attribution(quote)}, {section_citation(quote)}"))
    fields.append(Choice("Suggest a prompt", f"prompt suggest {reading.number} {TEXT_PLACEHOLDER}"))
    return fields


@forgetter("prompt upvotes and suggestions")
async def forget_prompts(app: App, tx: Transaction, member_id: int) -> int:
    return await prompt_store.forget_member(tx, member_id)
