"""Discussion prompts for a reading: generated from its text (cited), curated by moderators, suggested and
upvoted by members — and, like quotes, never from a reading the group has not opened.

Generated prompts are cached per section with a fingerprint of the library they were made from (a new book can
add connections), so ids stay stable for upvotes. With `[prompts] llm_url` set, a language model may rephrase
them (bot/llm.py); the built-in text is the fallback for every failure.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated

from bot.adapters.base import TEXT_PLACEHOLDER
from bot.commands import Invocation, MaxLength, Permission, ReadingRef, Text, command
from bot.events import ReadingOpening
from bot.features import Feature
from bot.replies import Choice, Field, Reply, UserError
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


def _cite(prompt: Prompt) -> str:
    return "; ".join(f"*{c.book}* §{c.section}, paragraph {c.paragraph}" for c in prompt.citations)


def _line(prompt: Prompt) -> str:
    """A prompt led by its #, the number `prompt upvote` takes (a list position would invite upvoting another)."""
    origin = {"curated": "from the moderators", "suggested": "suggested by a member"}.get(prompt.source, prompt.kind)
    votes = f", {plural(prompt.votes, 'upvote')}" if prompt.votes else ""
    cite = f"\n   — {_cite(prompt)}" if prompt.citations else ""
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
    lines = [_line(p) for p in shown]
    lines += [
        "",
        f"Upvote one by its #, e.g. `prompt upvote {shown[0].id}`; "
        "suggest your own with `prompt suggest <reading> <question>`.",
    ]
    return Reply(title=f"Discussion: {chosen.title}", text="\n".join(lines), kind="prompt")


async def _add(inv: Invocation, reading: str, text: str, source: prompt_store.Source) -> Prompt:
    group = inv.require_group()
    question = " ".join(text.split())
    if not question.endswith("?"):
        raise UserError("A discussion prompt is a question; end it with a question mark.")
    if len(question) > MAX_PROMPT_CHARS:
        raise UserError(f"Keep a prompt under {MAX_PROMPT_CHARS} characters; this one has {len(question)}.")
    chosen = await _reading(inv, reading)
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
    async with inv.db.transaction() as tx:
        added = await prompt_store.upvote(tx, found.id, group.id, inv.member_id, inv.now())
    if not added:
        raise UserError(f"You have already upvoted prompt #{found.id}.")
    votes = (await prompt_store.votes_of(inv.db, [found.id], group.id)).get(found.id, 0)
    return Reply(text=f"Upvoted prompt #{found.id} ({plural(votes, 'upvote')}).")


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
    lines = [_line(p) for p in listed]
    return Reply(title=f"Prompts: {chosen.title}", text="\n".join(lines) or "No prompts yet.", kind="prompt")


# ---------------------------------------------------------------- for the reading-opens post
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
    if text is None:
        generated: list[Prompt] = []
        for section_id in section_ids:
            generated += await generated_prompts(services, db, section_id, use_llm=False, transaction=False)
        picked = choose_generated(generated, gate, chosen.section_ids)
        text = picked[0].text if picked else None
    quote = choose_quote(await quote_store.pool(db, group_id, list(section_ids), max_rank=GOOD_RANK))
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
        event.extras.append(Field("Quote", f"> {quote.text}\n— {attribution(quote)}, {section_citation(quote)}"))
    event.extras.append(Choice("Suggest a prompt", f"prompt suggest {reading.number} {TEXT_PLACEHOLDER}"))


async def forget_prompts(services: Services, tx: Transaction, member_id: int) -> int:
    return await prompt_store.forget_member(tx, member_id)


FEATURE = Feature(
    name="discussion",
    commands=(prompts, prompt_add, prompt_suggest, prompt_upvote, prompt_list),
    forgetters={"prompt upvotes and suggestions": forget_prompts},
    listeners=((ReadingOpening, reading_opens_extras),),
)
