"""Never ahead of the group: with a real study plan at reading 3, nothing from reading 4 on is quoted or cited."""

from __future__ import annotations

import json
import re

import pytest

from bot.ingest.prompts import Citation
from bot.storage import books as book_store
from bot.storage import outbox as outbox_store
from bot.storage import plans as plan_store
from cogs.discussion import choose_generated, generated_prompts, reading_opens_extras, top_prompt_and_quote
from cogs.plans import READING_EXTRAS
from cogs.quotes import Gate, reached_sections
from tests.conftest import Room

COLLINS = 5  # "Russia: How the Bureaucracy Seized Power", 22 sections


async def plan_collins(room: Room) -> tuple[int, list[plan_store.PlanReading]]:
    """A study plan of Collins, one section a reading (callers are marked `default_library`)."""
    preview = await room.say('plan create collins 2026-11-03 "tuesday 19:00" "1 section"')
    assert preview.choices, preview.text
    confirmed = await room.say(preview.choices[0].command)
    assert confirmed.title == "The study plan is on", confirmed.text
    group_id = 1
    return group_id, await plan_store.readings(room.app.db, group_id)


@pytest.mark.default_library
async def test_a_group_at_reading_3_never_sees_reading_4_or_later(room: Room) -> None:
    app = room.app
    group_id, readings = await plan_collins(room)
    assert await reached_sections(app.db, group_id) == set()  # planned, nothing opened yet
    nothing = await room.say("quote", who="bob")
    assert nothing.kind == "error" and "hasn't opened its first reading" in nothing.text

    await plan_store.mark_opened(app.db, [r.id for r in readings[:3]], app.clock.now())
    assert await plan_store.group_position(app.db, group_id) == 2
    allowed = {s for r in readings[:3] for s in r.section_ids}
    assert await reached_sections(app.db, group_id) == allowed
    sections = {s.id: s.position for s in await book_store.sections(app.db, COLLINS)}
    allowed_positions = {sections[s] for s in allowed}

    seen = set()
    for _ in range(60):
        reply = await room.say("quote", who="bob")
        assert reply.kind == "quote", reply.text
        fields = {f.name: f.value for f in reply.fields}
        assert reply.text.endswith("*Russia: How the Bureaucracy Seized Power*")
        position = int(re.search(r"§(\d+)", fields["Section"]).group(1))  # type: ignore[union-attr]
        assert position in allowed_positions
        seen.add(reply.text)
    assert len(seen) > 20  # many different quotes, rarely shown ones first

    searched = await room.say("quote search Kronstadt", who="bob")  # Kronstadt is Collins §9–10: not yet
    assert "Russia: How the Bureaucracy" not in searched.text
    later = await room.say("quote search Kronstadt uprising sailors", who="bob")
    assert later.kind == "error" or "Russia: How the Bureaucracy" not in later.text

    current = await room.say("prompts", who="bob")
    assert current.kind == "prompt" and current.title == f"Discussion: Reading 3: {readings[2].title}"
    for book, section in re.findall(r"\*([^*]+)\* §(\d+)", current.text):
        if book.startswith("Russia"):
            assert int(section) in allowed_positions
    for ref in ("4", "collins:9", '"Kronstadt Uprising"'):
        refused = await room.say(f"prompts {ref}", who="bob")
        assert refused.kind == "error" and "hasn't opened for the group yet" in refused.text, ref
    assert (await room.say("prompts 2", who="bob")).kind == "prompt"

    prompt, quote = await top_prompt_and_quote(app, app.db, group_id, readings[2].section_ids)
    assert prompt and prompt.endswith("?")
    assert quote is not None and quote.section_id in readings[2].section_ids


@pytest.mark.default_library
async def test_connection_prompts_skip_texts_the_group_has_not_reached(room: Room) -> None:
    app = room.app
    kronstadt = await book_store.section(app.db, COLLINS, 9)
    assert kronstadt is not None
    generated = await generated_prompts(app, app.db, kronstadt.id)
    links = [p for p in generated if p.kind == "connection"]
    assert len(links) >= 2
    first_other = links[0].citations[1].section_id
    everything = choose_generated(generated, Gate(None))
    assert next(p for p in everything if p.kind == "connection") == links[0]
    gate = Gate(reached=frozenset({kronstadt.id}), planned=frozenset({kronstadt.id, first_other}))
    gated = choose_generated(generated, gate)
    link = next(p for p in gated if p.kind == "connection")
    assert all(c.section_id != first_other for c in link.citations)
    assert all(isinstance(c, Citation) for c in link.citations)


@pytest.mark.default_library
async def test_the_reading_opens_post_carries_a_prompt_and_a_quote(room: Room) -> None:
    app = room.app
    assert reading_opens_extras in READING_EXTRAS
    _, readings = await plan_collins(room)
    app.clock.set(max(readings[0].opens_at, app.clock.now()))  # type: ignore[attr-defined]
    await app.tick()
    rows = await outbox_store.unsent(app.db, ("test",))
    opening = next(json.loads(r.payload) for r in rows if json.loads(r.payload)["kind"] == "reading")
    fields = {name: value for name, value, _ in opening["fields"]}
    assert fields["To discuss"].endswith("?")
    assert fields["Quote"].startswith("> ") and "Russia: How the Bureaucracy Seized Power" in fields["Quote"]
    assert "§1)" in fields["Quote"]
    opened = await room.say("quote", who="bob")  # the first reading is open now: it can be quoted
    assert opened.kind == "quote" and "(§1)" in {f.name: f.value for f in opened.fields}["Section"]
