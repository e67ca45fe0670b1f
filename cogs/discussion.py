"""Discussion prompts for a reading: generated from its text (cited), curated by moderators, suggested and
upvoted by members — and, like quotes, never from a reading the group has not opened.

Generated prompts are cached per section with a fingerprint of the library they were made from (a new book can
add connections), so ids stay stable for upvotes. With `[prompts] llm_url` set, a language model writes the
questions first (bot/llm.py), under a verification gate; the built-in prompts are the fallback for every failure.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated

from bot.adapters.base import TEXT_PLACEHOLDER
from bot.commands import Invocation, MaxLength, Permission, ReadingRef, Text, command
from bot.events import ReadingOpening
from bot.features import Feature
from bot.ingest.quotes import near_duplicate
from bot.replies import Choice, Field, Reply, UserError
from bot.services.links import NO_LINKS, GroupLinks, group_links, linked
from bot.services.prompts import choose_generated, generated_prompts
from bot.services.quotes import GOOD_RANK, attribution, choose_quote, section_citation
from bot.services.readings import Gate, ResolvedReading, from_plan, reading_gate, resolve_reading
from bot.storage import plans as plan_store
from bot.storage import prompts as prompt_store
from bot.storage import quotes as quote_store
from bot.storage.db import Executor
from bot.storage.prompts import Prompt
from bot.storage.quotes import Quote
from bot.text import plural

if TYPE_CHECKING:
    from bot.services import Services
    from bot.storage.db import Transaction

MAX_PROMPT_CHARS = 500
NOT_YET = "That reading hasn't opened for the group yet, so its prompts stay hidden until it does (no spoilers)."


# ---------------------------------------------------------------- which reading
async def _reading(inv: Invocation, ref: str | None) -> ResolvedReading:
    """The named reading (every form `resolve_reading` knows), or the group's current one."""
    readings = await plan_store.readings(inv.db, inv.group.id) if inv.group else []
    if ref is not None:
        return await resolve_reading(inv.db, readings, ref)
    if inv.group is None or not readings:
        raise UserError("Name a reading, for example `prompts jacobins:3` (book and section number).")
    position = await plan_store.group_position(inv.db, inv.group.id)
    if position < 0:
        raise UserError("The group hasn't opened its first reading yet; prompts come when it does.")
    return from_plan(readings[position])


async def _visible_reading(inv: Invocation, ref: str | None) -> tuple[ResolvedReading, Gate]:
    chosen = await _reading(inv, ref)
    gate = await reading_gate(inv.db, inv.group.id if inv.group else None)
    if not all(gate.shows(s) for s in chosen.section_ids):
        raise UserError(NOT_YET)
    return chosen, gate


def _cite(prompt: Prompt, links: GroupLinks = NO_LINKS) -> str:
    """Each passage the prompt grounds in, its paragraph a link to the group's page when there is one."""
    cites = []
    for c in prompt.citations:
        if c.from_provenance:  # the notes kept with the book are no paragraph of a reading: nothing to link
            cites.append(f"*{c.book}*, the publishers' note")
            continue
        paragraph = linked(f"paragraph {c.paragraph}", links.paragraph(c.section_id, c.section, c.paragraph))
        cites.append(f"*{c.book}* §{c.section}, {paragraph}")
    return "; ".join(cites)


def _line(prompt: Prompt, links: GroupLinks = NO_LINKS) -> str:
    """A prompt led by its #, the number `prompt upvote` takes (a list position would invite upvoting another)."""
    origin = {"curated": "from the moderators", "suggested": "suggested by a member"}.get(prompt.source, prompt.kind)
    votes = f", {plural(prompt.votes, 'upvote')}" if prompt.votes else ""
    cite = f"\n   — {_cite(prompt, links)}" if prompt.citations else ""
    return f"#{prompt.id} {prompt.text}{cite}\n   ({origin}{votes})"


async def discussion_set(
    services: Services, db: Executor, group_id: int | None, chosen: ResolvedReading, gate: Gate
) -> list[Prompt]:
    """What `prompts` shows: the group's curated prompts, its upvoted suggestions, then generated ones; at most 5."""
    own = await prompt_store.of_group(db, group_id, chosen.section_ids) if group_id else []
    curated = [p for p in own if p.source == "curated"]
    suggested = [p for p in own if p.source == "suggested" and p.votes > 0]
    generated: list[Prompt] = []
    for section_id in chosen.section_ids:
        generated += await generated_prompts(services, db, section_id)
    picked = await prompt_store.with_group_votes(db, choose_generated(generated, gate, chosen.section_ids), group_id)
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
    links = await group_links(inv.db, inv.app.settings.web, inv.group.id if inv.group else None, inv.now())
    lines = [_line(p, links) for p in shown]
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
    chosen = await _reading(inv, reading)
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
async def prompt_add(inv: Invocation, reading: ReadingRef, text: Annotated[Text, MaxLength(MAX_PROMPT_CHARS)]) -> Reply:
    prompt = await _add(inv, reading, text, "curated")
    gate = await reading_gate(inv.db, prompt.group_id)
    when = "now" if gate.shows(prompt.section_id) else "once the reading opens"
    return Reply(text=f"Added prompt #{prompt.id}; it leads the reading's `prompts` {when}.")


@command(
    "prompt suggest",
    help="Suggest a discussion prompt for a reading; upvoted suggestions join the reading's prompts.",
    params={"reading": "Plan reading number or book:section", "text": "The question"},
)
async def prompt_suggest(
    inv: Invocation, reading: ReadingRef, text: Annotated[Text, MaxLength(MAX_PROMPT_CHARS)]
) -> Reply:
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
        added = await prompt_store.upvote(tx, found.id, group.id, inv.member_id, inv.now())
    if not added:
        raise UserError(f"You have already upvoted prompt #{found.id}.")
    votes = (await prompt_store.votes_of(inv.db, [found.id], group.id)).get(found.id, 0)
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
async def prompt_edit(inv: Invocation, prompt: int, text: Annotated[Text, MaxLength(MAX_PROMPT_CHARS)]) -> Reply:
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
    group_id = inv.group.id if inv.group else None
    listed = own + await prompt_store.with_group_votes(
        inv.db, choose_generated(generated, gate, chosen.section_ids), group_id
    )
    links = await group_links(inv.db, inv.app.settings.web, group_id, inv.now())
    lines = [_line(p, links) for p in listed]
    return Reply(title=f"Prompts: {chosen.title}", text="\n".join(lines) or "No prompts yet.", kind="prompt")


# ---------------------------------------------------------------- for the reading-opens post
def apart_from(quotes: Sequence[Quote], excerpts: Sequence[str]) -> list[Quote]:
    """The quotes that share no passage with the prompt's citations: a post never quotes its own prompt."""
    return [q for q in quotes if not any(q.text in e or e in q.text or near_duplicate(q.text, e) for e in excerpts)]


async def top_prompt_and_quote(
    services: Services, db: Executor, group_id: int, section_ids: Sequence[int]
) -> tuple[str | None, Quote | None]:
    """The reading's best prompt (curated, then upvoted, then generated) and a good quote from these sections.

    The caller vouches that the sections are opening now; connection prompts still only cite what the group may
    see. The quote is recorded as shown to the group. Safe inside the dispatcher's transaction (no model calls).
    """
    gate = await reading_gate(db, group_id)
    chosen = ResolvedReading("", tuple(section_ids))
    own = await prompt_store.of_group(db, group_id, section_ids)
    text: str | None = own[0].text if own and (own[0].source == "curated" or own[0].votes > 0) else None
    cited: tuple[str, ...] = ()
    if text is None:
        generated: list[Prompt] = []
        for section_id in section_ids:
            generated += await generated_prompts(services, db, section_id, use_llm=False, transaction=False)
        picked = choose_generated(generated, gate, chosen.section_ids)
        text = picked[0].text if picked else None
        # apart from every prompt `prompts` shows for the reading, not just the one posted: a member who asks for
        # the prompts should not meet the post's quote again as a question
        cited = tuple(c.excerpt for p in picked for c in p.citations)
    pool = await quote_store.pool(db, group_id, list(section_ids), max_rank=GOOD_RANK)
    quote = choose_quote(apart_from(pool, cited))
    if quote is not None:
        await quote_store.mark_shown(db, group_id, quote.id, services.clock.now())
    return text, quote


async def reading_opens_extras(services: Services, event: ReadingOpening) -> None:
    """For the reading-opens post: a prompt to start with, a quote of the reading, and a button to suggest a
    prompt (it asks for the question's text)."""
    reading = event.reading
    prompt, quote = await top_prompt_and_quote(services, event.tx, event.group_id, reading.section_ids)
    if prompt:
        event.extras.append(Field("To discuss", prompt))
    if quote:
        links = await group_links(event.tx, services.settings.web, event.group_id, services.clock.now())
        cite = f"{attribution(quote)}, {section_citation(quote, links)}"
        event.extras.append(Field("Quote", f"> {quote.text}\n— {cite}"))
    event.extras.append(Choice("Suggest a prompt", f"prompt suggest {reading.number} {TEXT_PLACEHOLDER}"))


async def forget_prompts(services: Services, tx: Transaction, member_id: int) -> int:
    return await prompt_store.forget_member(tx, member_id)


FEATURE = Feature(
    name="discussion",
    commands=(prompts, prompt_add, prompt_suggest, prompt_upvote, prompt_edit, prompt_remove, prompt_list),
    forgetters={"prompt upvotes and suggestions": forget_prompts},
    listeners=((ReadingOpening, reading_opens_extras),),
)
