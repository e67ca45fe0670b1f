"""Quotes through a chat room: a quote on request, search, the quote of the day through the scheduler, the
candidates stored for the default library, and never a quote from a reading the group has not opened."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest

from bot.app import App
from bot.clock import ManualClock
from bot.ingest.quotes import near_duplicate, problems
from bot.replies import Upload
from bot.services.quotes import GOOD_RANK
from bot.services.readings import reached_sections
from bot.storage import books as book_store
from bot.storage import jobs as job_store
from bot.storage import outbox as outbox_store
from bot.storage import plans as plan_store
from bot.storage import quotes as quote_store
from cogs.discussion import (
    top_prompt_and_quote,
)
from cogs.quotes import DAILY_KIND, quote_reply
from tests.cogs.support import COLLINS, plan_collins, start_sunday_plan
from tests.conftest import Room
from tests.scheduling.support import RecordingAdapter, add_book

SMALL_BOOK = (
    b"# Notes on Thermidor\n\nBy Ada Example\n\n## The argument\n\n"
    b"The Thermidorian reaction in France ended the rule of the Jacobins in the summer of 1794.\n\n"
    b"Revolutions are not defeated only by armies; they are also worn down by exhaustion and scarcity.\n\n"
    b"A bureaucracy rises when the masses withdraw from political life after years of sacrifice.\n\n"
    b"The Tenth Congress of the Russian party banned factions in March 1921, during the Kronstadt rising.\n"
)


async def quotes_of_the_day(room: Room) -> list[str]:
    rows = await outbox_store.unsent(room.app.db, ("test",))
    payloads = [json.loads(r.payload) for r in rows]
    return [p["text"] for p in payloads if p["title"] == "Quote of the day"]


async def test_quote_of_the_day_rearms_daily_at_local_time_without_repeats(room: Room) -> None:
    app = room.app
    added = await room.say("library add", uploads=(Upload("thermidor.md", SMALL_BOOK),))
    assert added.title == "Added to the library", added.text
    pool = await quote_store.pool(app.db, 1, None)
    assert 2 <= len(pool) <= 4

    refused = await room.say("quote daily on 08:30", who="bob")
    assert refused.text == "Only moderators can use `quote daily`."
    bad = await room.say("quote daily on 25:00")
    assert "couldn't read the time" in bad.text
    on = await room.say("quote daily on 08:30")
    assert "every day at 08:30 (Europe/Berlin)" in on.text
    (job,) = await job_store.pending(app.db, 1)
    assert job.kind == DAILY_KIND and job.fire_at == datetime(2026, 11, 3, 7, 30, tzinfo=UTC)  # 08:30 in Berlin

    for day in range(len(pool) + 1):
        app.clock.set(datetime(2026, 11, 3, 7, 30, tzinfo=UTC) + timedelta(days=day))  # type: ignore[attr-defined]
        await app.tick()
        (following,) = await job_store.pending(app.db, 1)
        assert following.fire_at == datetime(2026, 11, 4, 7, 30, tzinfo=UTC) + timedelta(days=day)
    posted = await quotes_of_the_day(room)
    assert len(posted) == len(pool) + 1
    assert len(set(posted[:-1])) == len(pool)  # no repeat until every quote has been shown
    assert posted[-1] in posted[:-1]
    shown = await quote_store.pool(app.db, 1, None)
    assert sorted(q.shown_count for q in shown) == [1] * (len(pool) - 1) + [2]

    app.clock.set(datetime(2027, 3, 27, 12, 0, tzinfo=UTC))  # type: ignore[attr-defined]
    await room.say("quote daily on 08:30")
    (job,) = await job_store.pending(app.db, 1)
    assert job.fire_at == datetime(2027, 3, 28, 6, 30, tzinfo=UTC)  # the clocks went forward overnight

    off = await room.say("quote daily off")
    assert off.text == "The quote of the day is off."
    assert await job_store.pending(app.db, 1) == []
    assert "no quote of the day to stop" in (await room.say("quote daily off")).text


@pytest.mark.default_library
async def test_quote_search_bolds_the_words_in_every_hit(room: Room) -> None:
    found = await room.say("quote search Kronstadt", who="bob")
    passages = [line for line in found.text.splitlines() if line.startswith("  > ")]
    assert len(passages) == 5
    assert all("**Kronstadt**" in p for p in passages), passages  # stored quotes and snippets alike


@pytest.mark.default_library
async def test_a_quote_card_names_book_and_author_once(room: Room) -> None:
    card = await room.say("quote", who="bob")
    assert card.kind == "quote"
    [passage, attribution] = card.text.splitlines()
    assert passage.startswith("> ") and attribution.startswith("— ")
    assert [f.name for f in card.fields] == ["Section", "Paragraph"]
    book = attribution.split("*")[1]
    assert card.plain().count(book) == 1


async def test_changing_the_zone_moves_the_quote_of_the_day_and_nudges(room: Room, adapter: RecordingAdapter) -> None:
    await add_book(room.app)
    await start_sunday_plan(room)  # Sundays 19:00, the first on 8 November
    await room.say("quote daily on 09:00")
    await room.say("nudge on 6", who="bob")
    await room.say("group timezone America/New_York")
    jobs = {j.kind: j.fire_at for j in await job_store.pending(room.app.db, 1)}
    assert jobs["daily-quote"] == datetime(2026, 11, 3, 14, tzinfo=UTC)  # 09:00 in New York, not in Berlin
    assert jobs["nudge"] == datetime(2026, 11, 8, 18, tzinfo=UTC)  # 6 h before Sunday 19:00 in New York
    await room.say("quote daily on 07:00")
    await room.say("group timezone Asia/Tokyo")
    jobs = {j.kind: j.fire_at for j in await job_store.pending(room.app.db, 1)}
    assert jobs["daily-quote"] == datetime(2026, 11, 2, 22, tzinfo=UTC)  # 07:00 in Tokyo on 3 November


async def test_a_zone_change_never_brings_two_quotes_of_the_day_in_a_day(room: Room, clock: ManualClock) -> None:
    await room.say("quote daily on 09:00")  # Berlin: 08:00 UTC; the first on 3 November
    clock.advance(timedelta(days=1, hours=1))  # 3 November, 10:00 in Berlin: today's quote has gone out
    await room.app.tick()
    await room.say("group timezone America/New_York")  # 09:00 in New York is still ahead today, 14:00 UTC
    [job] = await job_store.pending(room.app.db, 1)
    assert job.fire_at == datetime(2026, 11, 4, 14, tzinfo=UTC)  # tomorrow, not six hours after today's


@pytest.mark.default_library
async def test_every_stored_quote_stands_alone_and_is_cited(app: App) -> None:
    total = 0
    for book in await book_store.all_books(app.db):
        quotes = await quote_store.of_book(app.db, book.id, limit=10_000)
        assert quotes, book.title
        total += len(quotes)
        for section in await book_store.sections(app.db, book.id):
            paragraphs = {p.position: p for p in await book_store.paragraphs(app.db, section.id)}
            for q in (q for q in quotes if q.section_id == section.id):
                assert problems(q.text) == [], q.text
                assert q.text in paragraphs[q.paragraph_position].text  # verbatim, at the cited paragraph
                assert q.speaker is None or q.speaker[0].isupper()
        for i, a in enumerate(quotes):
            assert not any(near_duplicate(a.text, b.text) for b in quotes[i + 1 :]), a.text
    assert total > 150


@pytest.mark.default_library
async def test_quote_cards_name_the_person_quoted_and_the_citation(room: Room) -> None:
    rogovin = await quote_store.of_book(room.app.db, 1, limit=1000)
    quoted = next(q for q in rogovin if "Marxism is inherently flawed" in q.text)
    assert quoted.speaker == "Trotsky"
    card = quote_reply(quoted)
    assert card.kind == "quote"
    assert "— Trotsky, quoted by Vadim Rogovin in *Stalin's Terror of 1937–1938" in card.text
    fields = {f.name: f.value for f in card.fields}
    assert fields == {"Section": "Opening (§1)", "Paragraph": str(quoted.paragraph_position)}

    own = next(q for q in rogovin if q.speaker is None)
    assert f"— Vadim Rogovin, *{own.book_title}*" in quote_reply(own).text

    found = await room.say("quote search swim against the stream", who="bob")
    # paragraph 6: the editors' standfirst that opened the text is the book's provenance now (#13)
    assert found.kind == "quote" and "paragraph 6" in found.text and "*Stalin's Terror" in found.text
    drawn = await room.say("quote", who="bob")  # no plan: the whole library
    assert drawn.kind == "quote" and drawn.text.startswith("> ") and len(drawn.fields) == 2


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
    # rarely shown ones first: every quote of the opened readings' pool before any comes round again (the pool
    # holds only quotes worth posting, so the narrated opening sections give fewer than their length suggests)
    pool = await quote_store.pool(app.db, group_id, sorted(allowed), max_rank=GOOD_RANK)
    assert len(pool) >= 10 and len(seen) == min(60, len(pool))

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
