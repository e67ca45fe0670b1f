"""Every citation the bot posts links to its paragraph on the group's pages: quotes, search hits and prompts, on a
real SQLite file with readings the real dispatcher opened — and no link where the page would be a 404."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

import pytest

from bot.clock import ManualClock
from bot.config import WebSettings
from bot.storage import web as web_store
from tests.cogs.support import plan_collins
from tests.conftest import Room
from tests.scheduling.support import RecordingAdapter, run_until
from tests.web.support import add_hostile_book, group_id, plan_and_open, utc

# "(§2), [paragraph 9](<https://read.example.org/g/TOKEN/r/2#p-2-9>)"
CITED = re.compile(
    r"\(§(\d+)\), \[paragraph (\d+)\]\(<https://read\.example\.org/g/([A-Za-z0-9_-]{43})/r/(\d+)#p-(\d+)-(\d+)>\)"
)
UNLINKED = re.compile(r"\(§(\d+)\), paragraph (\d+)")


def serve_pages(room: Room) -> None:
    room.app.settings = replace(
        room.app.settings, web=WebSettings(enabled=True, public_base_url="https://read.example.org")
    )


@pytest.fixture
async def opened(room: Room, clock: ManualClock) -> Room:
    """The hostile book planned one section a reading; readings 1 and 2 opened, 3 and 4 not."""
    book = await add_hostile_book(room.app)
    await plan_and_open(room, clock, book, utc(2026, 11, 4, 0, 0))
    return room


async def assert_links_lead_to_the_paragraph(room: Room, text: str) -> set[int]:
    """Every link names the section and paragraph its citation names, under the group's live token."""
    sections = set()
    for section, paragraph, token, reading, anchor_section, anchor_paragraph in CITED.findall(text):
        assert (anchor_section, anchor_paragraph) == (section, paragraph)
        assert reading == section  # one section a reading in this plan
        assert await web_store.group_for_token(room.app.db, token) == await group_id(room.app)
        sections.add(int(section))
    return sections


async def test_search_hits_link_to_their_paragraph_only_in_opened_readings(opened: Room) -> None:
    serve_pages(opened)
    found = await opened.say("quote search paragraph")
    assert found.kind == "quote" and await assert_links_lead_to_the_paragraph(opened, found.text) <= {1, 2}
    assert len(CITED.findall(found.text)) == len(UNLINKED.findall(found.text.replace("[paragraph", "paragraph")))
    linked: set[int] = set()
    unlinked: set[int] = set()
    for words in ("section 2", "section 3", "section 4"):  # the library's search is gated like quote search…
        library = await opened.say(f"library search {words}")
        linked |= await assert_links_lead_to_the_paragraph(opened, library.text)
        unlinked |= {int(s) for s, _ in UNLINKED.findall(library.text)} - linked
    assert linked == {2} or linked == {1, 2}
    assert not unlinked  # …so an unopened reading (whose page is a 404) is neither cited nor linked


async def test_no_links_without_pages_or_after_web_off(opened: Room) -> None:
    plain = await opened.say("quote search paragraph")
    assert UNLINKED.search(plain.text) and "](" not in plain.text  # this bot serves no pages
    serve_pages(opened)
    assert CITED.search((await opened.say("quote search paragraph")).text)
    await opened.say("web off")
    off = await opened.say("quote search paragraph")
    assert UNLINKED.search(off.text) and "](" not in off.text


async def test_rotate_changes_the_token_in_every_new_citation(opened: Room) -> None:
    serve_pages(opened)
    before = CITED.search((await opened.say("quote search paragraph")).text)
    await opened.say("web rotate")
    after = CITED.search((await opened.say("quote search paragraph")).text)
    assert before and after and before.group(3) != after.group(3)
    assert await web_store.group_for_token(opened.app.db, after.group(3)) is not None


@pytest.mark.default_library
async def test_quote_and_prompts_link_their_paragraphs(room: Room, adapter: RecordingAdapter) -> None:
    serve_pages(room)
    _, readings = await plan_collins(room)
    await room.app.tick()  # reading 1 opens at once: its meeting is less than a week away
    quote = await room.say("quote")
    (paragraph,) = [f.value for f in quote.fields if f.name == "Paragraph"]
    link = re.fullmatch(r"\[(\d+)\]\(<https://read\.example\.org/g/[A-Za-z0-9_-]{43}/r/1#p-(\d+)-(\d+)>\)", paragraph)
    assert link and link.group(1) == link.group(3)
    (section,) = [f.value for f in quote.fields if f.name == "Section"]
    assert section.endswith(f"(§{link.group(2)})")
    prompts = await room.say("prompts")
    assert prompts.kind == "prompt"
    own = re.findall(r"§(\d+), \[paragraph (\d+)\]\(<[^>]+/r/(\d+)#p-(\d+)-(\d+)>\)", prompts.text)
    own_book = [c for c in own if c[2] == "1"]
    assert own_book and all(c[0] == c[3] and c[1] == c[4] for c in own_book)
    # the opening post's quote is cited with its link too (discussion's listener)
    opens = [s.reply for s in adapter.sent if s.reply.title and " opens: " in s.reply.title]
    (cite,) = [f.value for f in opens[0].fields if f.name == "Quote"]
    assert re.search(r", \[paragraph (\d+)\]\(<https://read\.example\.org/g/[^>]+/r/1#p-\d+-\1>\)$", cite), cite
    assert readings[0].number == 1


@pytest.mark.default_library
async def test_the_quote_of_the_day_links_its_paragraph(
    room: Room, adapter: RecordingAdapter, clock: ManualClock
) -> None:
    serve_pages(room)
    await plan_collins(room)
    await room.app.tick()  # reading 1 opens at once
    assert (await room.say("quote daily on 10:00")).kind != "error"
    await run_until(room.app, clock, clock.now() + timedelta(days=1))
    (daily,) = [s.reply for s in adapter.sent if s.reply.title == "Quote of the day"]
    (paragraph,) = [f.value for f in daily.fields if f.name == "Paragraph"]
    assert re.fullmatch(r"\[(\d+)\]\(<https://read\.example\.org/g/[A-Za-z0-9_-]{43}/r/1#p-\d+-\1>\)", paragraph)
