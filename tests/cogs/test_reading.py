"""`read` and `web link/rotate/off` through the chat commands, on a real SQLite file with a plan the real
dispatcher opened (readings 1 and 2 open, 3 and 4 not)."""

from __future__ import annotations

import io
import logging
import re
import zipfile
from dataclasses import replace

import pytest
from lxml import etree

from bot.clock import ManualClock
from bot.config import WebSettings
from bot.storage import books as book_store
from bot.storage import web as web_store
from tests.cogs.support import plan_collins
from tests.conftest import Room
from tests.scheduling.support import RecordingAdapter
from tests.web.support import HOSTILE, add_hostile_book, group_id, plan_and_open, utc

LINK = re.compile(r"https://read\.example\.org/g/([A-Za-z0-9_-]{43})/")


@pytest.fixture
async def opened(room: Room, clock: ManualClock) -> Room:
    book = await add_hostile_book(room.app)
    await plan_and_open(room, clock, book, utc(2026, 11, 4, 0, 0))
    return room


def serve_pages(room: Room) -> None:
    room.app.settings = replace(
        room.app.settings, web=WebSettings(enabled=True, public_base_url="https://read.example.org")
    )


async def test_read_attaches_the_current_reading_as_epub_and_html(opened: Room) -> None:
    reply = await opened.say("read", who="bob")
    assert reply.kind == "reading" and reply.title == 'Reading 2: Chapter 2 <script>alert("x")</script>'
    assert [f.filename for f in reply.files] == ["reading-2.epub", "reading-2.html"]
    epub, page = reply.files
    assert epub.content_type == "application/epub+zip" and page.content_type == "text/html"
    with zipfile.ZipFile(io.BytesIO(epub.data)) as archive:
        assert archive.namelist()[0] == "mimetype"
        text = etree.fromstring(archive.read("OEBPS/text.xhtml"))
    assert text.xpath("string(//*[@id='p-2-9'])").startswith("9 Paragraph 9 of section 2")
    assert 'id="p-2-9"' in page.data.decode() and "&lt;script&gt;" in page.data.decode()
    assert "Read it online" not in reply.text  # this bot serves no pages


async def test_read_by_number_or_title_and_only_opened_readings(opened: Room) -> None:
    assert (await opened.say("read 1")).title == "Reading 1: Opening"
    assert (await opened.say("read opening")).title == "Reading 1: Opening"
    refused = await opened.say("read 3")
    assert refused.kind == "error" and not refused.files
    assert refused.text == (
        "Reading 3 opens Tue 10 Nov 2026, 19:00 CET; I only give out readings the group has reached."
    )
    assert (await opened.say("read 9")).text == "The plan has readings 1 to 4; there is no reading 9."
    assert (await opened.say("read chapter")).text.startswith("“chapter” matches several readings: 2. Chapter 2")
    assert (await opened.say("read zebra")).text == (
        "I don't know a reading “zebra”; use its number in the plan or book:section, e.g. `jacobins:3`."
    )


async def test_read_without_a_plan_or_before_anything_opened(room: Room) -> None:
    assert (await room.say("read")).text == "This group has no study plan yet, so there is no reading to give out."


async def test_read_carries_the_web_link_when_pages_are_served(opened: Room) -> None:
    serve_pages(opened)
    reply = await opened.say("read 2")
    match = LINK.search(reply.text)
    assert match and f"{match.group(0)}r/2" in reply.text
    assert await web_store.group_for_token(opened.app.db, match.group(1)) == await group_id(opened.app)


async def test_web_link_rotate_and_off(opened: Room) -> None:
    assert (await opened.say("web link")).text.startswith("This bot does not serve web pages")
    serve_pages(opened)
    shown = await opened.say("web link", who="bob")
    first = LINK.search(shown.text)
    assert first and f"webcal://read.example.org/g/{first.group(1)}/calendar.ics" in shown.text
    assert LINK.search((await opened.say("web link")).text).group(1) == first.group(1)  # type: ignore[union-attr]
    assert (await opened.say("web rotate", who="bob")).text == "Only moderators can use `web rotate`."
    assert (await opened.say("web off", who="bob")).text == "Only moderators can use `web off`."
    rotated = LINK.search((await opened.say("web rotate")).text)
    assert rotated and rotated.group(1) != first.group(1)
    assert await web_store.group_for_token(opened.app.db, first.group(1)) is None
    off = await opened.say("web off")
    assert off.text.startswith("The group's web pages are off")
    assert await web_store.group_for_token(opened.app.db, rotated.group(1)) is None
    assert (await opened.say("web link", who="bob")).text.startswith("The group's web pages are turned off")
    assert "Read it online" not in (await opened.say("read")).text
    assert (await opened.say("web off")).text == "The group's web pages are already off."
    assert LINK.search((await opened.say("web rotate")).text)


async def test_no_log_line_carries_a_token(opened: Room, caplog: pytest.LogCaptureFixture) -> None:
    serve_pages(opened)
    caplog.set_level(logging.DEBUG)
    tokens = [LINK.search((await opened.say(line)).text).group(1) for line in ("web link", "web rotate", "read")]  # type: ignore[union-attr]
    # DEBUG logging was on (statements run inside one function per round trip, so aiosqlite no longer logs SQL)
    assert any(r.name == "aiosqlite" for r in caplog.records)
    for token in tokens:
        assert token not in caplog.text


async def test_read_a_section_by_book_and_number_through_the_one_resolver(opened: Room) -> None:
    serve_pages(opened)
    (book,) = [b.id for b in await book_store.all_books(opened.app.db) if b.title.startswith("Night")]
    reply = await opened.say(f"read {book}:2")
    assert reply.title == f"Chapter 2 {HOSTILE} (*Night {HOSTILE} & Day* §2)"
    # the section is the whole of reading 2 here, so the files and the page are the reading's
    assert [f.filename for f in reply.files] == ["reading-2.epub", "reading-2.html"]
    assert 'id="p-2-9"' in reply.files[1].data.decode()
    link = LINK.search(reply.text)
    assert link and reply.text.endswith(f"{link.group(0)}r/2") and "meeting Tue 10 Nov 2026" in reply.text
    refused = await opened.say(f"read {book}#3")
    assert refused.kind == "error" and not refused.files
    assert refused.text == "Reading 3 opens Tue 10 Nov 2026, 19:00 CET; I only give out readings the group has reached."
    assert (await opened.say(f"read {book}:7")).text == f"*Night {HOSTILE} & Day* has sections 1 to 4, not 7."


@pytest.mark.default_library
async def test_read_names_readings_as_everywhere_else(room: Room, adapter: RecordingAdapter) -> None:
    _, readings = await plan_collins(room)
    await room.app.tick()  # reading 1 opens at once: its meeting is less than a week away
    assert (await room.say("read 1")).title == f"Reading 1: {readings[0].title}"
    jacobins = await room.say("read jacobins:3")  # a book outside the plan: no spoiler to keep
    assert jacobins.kind == "reading" and jacobins.title and jacobins.title.endswith("§3)")
    assert [f.filename.rsplit(".", 1)[1] for f in jacobins.files] == ["epub", "html"]
    sections = await book_store.sections(room.app.db, 4)
    heading = sections[2].heading
    assert heading and len([s for s in sections if s.heading and heading.lower() in s.heading.lower()]) == 1
    assert (await room.say(f"read {heading}")).title == jacobins.title
    later = await room.say("read collins:2")
    assert later.kind == "error" and later.text.startswith("Reading 2 opens ")


async def test_reading_opens_post_says_read_and_links_the_page(room: Room, clock: ManualClock) -> None:
    serve_pages(room)
    book = await add_hostile_book(room.app)
    await plan_and_open(room, clock, book, utc(2026, 11, 4, 0, 0))
    recorder = room.app.adapters["test"]
    assert isinstance(recorder, RecordingAdapter)
    posts = [s.reply for s in recorder.sent if s.reply.title and " opens: " in s.reply.title]
    assert len(posts) == 2
    for number, post in enumerate(posts, start=1):
        (field,) = [f for f in post.fields if f.name == "Read it"]
        assert field.value.startswith(f"`read {number}` attaches it as EPUB and HTML files. Or read it on [the")
        link = re.search(r"\]\(<(https://read\.example\.org/g/([A-Za-z0-9_-]{43})/r/(\d+))>\)", field.value)
        assert link and link.group(3) == str(number)
        assert await web_store.group_for_token(room.app.db, link.group(2)) == await group_id(room.app)


async def test_reading_opens_post_without_pages_still_says_read(opened: Room) -> None:
    recorder = opened.app.adapters["test"]
    assert isinstance(recorder, RecordingAdapter)
    (post, *_) = [s.reply for s in recorder.sent if s.reply.title and " opens: " in s.reply.title]
    assert [f.value for f in post.fields if f.name == "Read it"] == ["`read 1` attaches it as EPUB and HTML files."]


async def test_a_section_inside_a_longer_reading_is_its_own_file_and_links_into_the_page(
    room: Room, clock: ManualClock
) -> None:
    serve_pages(room)
    book = await add_hostile_book(room.app)
    room.app.adapters["test"] = RecordingAdapter(clock)
    preview = await room.say(f'plan create {book} start:2026-11-03 every:"tuesday 19:00" per-meeting:"2 sections"')
    assert (await room.say(preview.choices[0].command)).kind != "error"
    await room.app.tick()  # reading 1 (sections 1 and 2) opens at once: its meeting is tomorrow
    reply = await room.say(f"read {book}:2")
    assert reply.title == f"Chapter 2 {HOSTILE} (*Night {HOSTILE} & Day* §2)"
    assert [f.filename for f in reply.files] == [f"book-{book}-sections-2.epub", f"book-{book}-sections-2.html"]
    page = reply.files[1].data.decode()
    assert 'id="p-2-9"' in page and 'id="p-1-1"' not in page
    link = LINK.search(reply.text)
    assert link and reply.text.endswith(f"{link.group(0)}r/1#s-2")
    assert (await room.say(f"read {book}:3")).text.startswith("Reading 2 opens ")
