"""The web pages through aiohttp's test client on a real socket, over a real SQLite file: routes, the token gate,
the spoiler gate, escaping, headers and bad input. The plan is made and opened by the real commands and dispatcher:
readings 1 and 2 are open, 3 and 4 are not."""

from __future__ import annotations

import asyncio
import gzip
import logging
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from aiohttp.test_utils import TestClient

from bot.adapters.web import CSP
from bot.app import App
from bot.clock import ManualClock
from bot.config import WebSettings
from bot.storage import web as web_store
from tests.conftest import Room
from tests.scheduling.support import run_until
from tests.web.support import (
    HOSTILE,
    add_hostile_book,
    enable_pages,
    group_id,
    opened_numbers,
    plan_and_open,
    utc,
    web_client,
)

NOT_FOUND_BODY = "Not found.\n"


@dataclass
class Site:
    app: App
    room: Room
    clock: ManualClock
    client: TestClient
    token: str

    def url(self, rest: str = "") -> str:
        return f"/g/{self.token}/{rest}"


@pytest.fixture
async def site(room: Room, clock: ManualClock) -> AsyncIterator[Site]:
    book = await add_hostile_book(room.app)
    await plan_and_open(room, clock, book, utc(2026, 11, 4, 0, 0))
    assert await opened_numbers(room.app) == [1, 2]
    token = await enable_pages(room.app)
    client = await web_client(room.app)
    yield Site(room.app, room, clock, client, token)
    await client.close()


async def get_text(client: TestClient, path: str, status: int = 200) -> str:
    response = await client.get(path, allow_redirects=False)
    text = await response.text()
    assert response.status == status, (path, response.status, text[:200])
    return text


def assert_plain_404(status: int, body: str) -> None:
    assert (status, body) == (404, NOT_FOUND_BODY)


# ---------------------------------------------------------------- pages
async def test_plan_page_lists_meetings_in_the_group_zone_and_links_only_opened_readings(site: Site) -> None:
    page = await get_text(site.client, site.url())
    assert "Times in Europe/Berlin." in page
    assert "Tue 03 Nov 2026, 19:00 CET" in page  # 18:00 UTC shown in the group's zone
    assert 'href="r/1"' in page and 'href="r/2"' in page
    assert 'href="r/3"' not in page and 'href="r/4"' not in page
    assert "3. Chapter 3 &lt;script&gt;" in page and "about 20 min · opens Tue 10 Nov 2026, 19:00 CET" in page
    assert f"webcal://127.0.0.1:8080/g/{site.token}/calendar.ics" in page
    assert f"http://127.0.0.1:8080/g/{site.token}/calendar.ics" in page


async def test_reading_page_has_the_text_anchors_notes_and_neighbours(site: Site) -> None:
    page = await get_text(site.client, site.url("r/2"))
    for number in range(1, 11):
        assert f'<p class="para" id="p-2-{number}">' in page
    assert "Paragraph 9 of section 2, with words enough" in page
    assert 'id="n-2-1"' in page and "Note two of §2." in page
    assert '<a class="prev" rel="prev" href="1">' in page
    assert 'href="3"' not in page and "Next: 3. Chapter 3" in page and "(opens Tue 10 Nov 2026, 19:00 CET)" in page
    assert '<link rel="stylesheet" href="../../../static/reading.css">' in page
    first = await get_text(site.client, site.url("r/1"))
    assert 'rel="next" href="2"' in first and 'rel="prev"' not in first


async def test_hostile_titles_headings_texts_and_notes_are_escaped_everywhere(site: Site) -> None:
    await site.room.say(f"prompt add 2 Why would anyone write {HOSTILE}?")
    pages = [await get_text(site.client, site.url(p)) for p in ("", "r/2", "r/2.html", "progress")]
    for page in pages:
        assert "<script" not in page.lower()
        assert "<img src=x" not in page and "<b>as text" not in page and "<i>Author" not in page
    reading = pages[1]
    assert "Chapter 2 &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in reading
    assert "Why would anyone write &lt;script&gt;" in reading  # the curated prompt is shown, as text
    assert "&lt;img src=x onerror=alert(1)&gt;" in reading
    assert re.search(r"<cite>Night &lt;script&gt;.*&amp; Day</cite>", reading)


async def test_progress_shows_counts_and_the_chart_never_names(site: Site) -> None:
    await site.room.say("done 1", who="Zelda")
    await site.room.say("done 1", who="alice")
    page = await get_text(site.client, site.url("progress"))
    assert re.search(r"1\. Opening</td><td class=\"n\">2 of 2</td>", page), page
    assert "zelda" not in page.lower() and "alice" not in page.lower()
    response = await site.client.get(site.url("progress.png"))
    assert response.status == 200 and response.content_type == "image/png"
    assert (await response.read()).startswith(b"\x89PNG\r\n\x1a\n")


async def test_closed_polls_show_results_open_ones_do_not(site: Site) -> None:
    await site.room.say('poll create "Which <em>chapter</em> first?" "Lenin" "Trotsky"')
    await site.room.say("vote 1 B")
    await site.room.say("poll close 1")
    await site.room.say('poll create "Still open?" "Yes" "No"')
    page = await get_text(site.client, site.url("polls"))
    assert "Which &lt;em&gt;chapter&lt;/em&gt; first?" in page
    assert "Trotsky (winner)" in page and "1 ballot" in page
    assert "Still open?" not in page


async def test_calendar_feed_is_the_plan_ics_file_and_follows_a_skip(site: Site) -> None:
    feed = await site.client.get(site.url("calendar.ics"))
    assert feed.status == 200 and feed.content_type == "text/calendar"
    chat = await site.room.say("plan ics")
    assert await feed.read() == chat.files[0].data  # same events, UIDs, SEQUENCE and DTSTAMP at the same instant
    uids = re.findall(r"UID:(\S+)", (await feed.read()).decode())
    gid = await group_id(site.app)
    assert [re.sub(r"@[0-9a-f]+\.readalong$", "@<installation>.readalong", u) for u in uids] == [
        f"group-{gid}-reading-{n}@<installation>.readalong" for n in (1, 2, 3, 4)
    ]
    skipped = await site.room.say("plan skip 2026-11-10")
    assert skipped.kind != "error", skipped.text
    after = (await (await site.client.get(site.url("calendar.ics"))).read()).decode()
    assert re.findall(r"UID:(\S+)", after) == uids  # the same events, moved
    assert "SEQUENCE:1" in after


async def test_calendar_feed_of_a_group_without_a_plan_is_a_valid_empty_calendar(room: Room) -> None:
    token = await enable_pages(room.app)
    client = await web_client(room.app)
    try:
        feed = await client.get(f"/g/{token}/calendar.ics")
        body = (await feed.read()).decode()
        assert feed.status == 200 and feed.content_type == "text/calendar"
        assert body.startswith("BEGIN:VCALENDAR") and "BEGIN:VEVENT" not in body  # subscribed before the plan
        assert (await room.say("plan ics")).kind == "error"  # the chat command still says there is no plan
    finally:
        await client.close()


async def test_reading_files_download(site: Site) -> None:
    epub = await site.client.get(site.url("r/2.epub"))
    assert epub.status == 200 and epub.content_type == "application/epub+zip"
    assert epub.headers["Content-Disposition"] == 'attachment; filename="reading-2.epub"'
    assert (await epub.read())[:4] == b"PK\x03\x04"
    html = await site.client.get(site.url("r/2.html"))
    assert html.headers["Content-Disposition"] == 'attachment; filename="reading-2.html"'
    assert "<style>" in await html.text()


async def test_stylesheet_and_robots(site: Site) -> None:
    css = await site.client.get("/static/reading.css")
    assert css.status == 200 and css.content_type == "text/css"
    assert "prefers-color-scheme: dark" in await css.text()
    robots = await get_text(site.client, "/robots.txt")
    assert "Disallow: /" in robots


# ---------------------------------------------------------------- the spoiler gate
async def test_unopened_and_unknown_readings_are_the_same_plain_404(site: Site) -> None:
    for rest in ("r/3", "r/4", "r/5", "r/0", "r/3.epub", "r/3.html", "r/9999", "r/99999", "r/-1", "r/01x"):
        response = await site.client.get(site.url(rest))
        assert_plain_404(response.status, await response.text())
    await run_until(site.app, site.clock, utc(2026, 11, 10, 18, 1))
    assert 3 in await opened_numbers(site.app)
    assert "Paragraph 9 of section 3" in await get_text(site.client, site.url("r/3"))
    assert_plain_404(*await _status_text(site.client, site.url("r/4")))


async def _status_text(client: TestClient, path: str) -> tuple[int, str]:
    response = await client.get(path, allow_redirects=False)
    return response.status, await response.text()


# ---------------------------------------------------------------- tokens
async def test_wrong_rotated_and_disabled_tokens_are_plain_404s(site: Site) -> None:
    gid = await group_id(site.app)
    wrong = web_store.new_token()
    for path in (f"/g/{wrong}/", f"/g/{wrong}/r/1", f"/g/{wrong}", "/g/short/", f"/g/{site.token}x!/", "/g/", "/"):
        assert_plain_404(*await _status_text(site.client, path))
    old = site.token
    rotated = await web_store.rotate(site.app.db, gid, site.clock.now())
    assert rotated.token != old
    for rest in ("", "r/1", "calendar.ics", "progress.png"):
        assert_plain_404(*await _status_text(site.client, f"/g/{old}/{rest}"))
    await get_text(site.client, f"/g/{rotated.token}/r/1")
    assert await web_store.disable(site.app.db, gid)
    assert_plain_404(*await _status_text(site.client, f"/g/{rotated.token}/r/1"))
    again = await web_store.enable(site.app.db, gid, site.clock.now())
    assert again.token == rotated.token
    await get_text(site.client, f"/g/{again.token}/")


async def test_token_without_slash_redirects_only_when_valid(site: Site) -> None:
    response = await site.client.get(f"/g/{site.token}", allow_redirects=False)
    assert response.status == 301 and response.headers["Location"] == f"{site.token}/"


# ---------------------------------------------------------------- headers, methods, bad input
async def test_security_headers_on_pages_and_errors(site: Site) -> None:
    for path, status in ((site.url("r/1"), 200), (site.url("r/3"), 404), ("/static/reading.css", 200), ("/x", 404)):
        response = await site.client.get(path)
        assert response.status == status
        assert response.headers["Content-Security-Policy"] == CSP
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["X-Frame-Options"] == "DENY"
    assert "unsafe-inline" not in CSP and "script-src" not in CSP and "default-src 'none'" in CSP
    page = await site.client.get(site.url("r/1"))
    assert page.headers["Cache-Control"] == "no-store"
    assert "<script" not in (await page.text()) and "style=" not in (await page.text())


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"])
async def test_only_get_and_head(site: Site, method: str) -> None:
    for path in (site.url("r/1"), "/nowhere", f"/g/{web_store.new_token()}/"):
        response = await site.client.request(method, path, data=b"x")
        assert response.status == 405
        assert response.headers["Allow"] == "GET, HEAD"


async def test_head_answers_without_a_body(site: Site) -> None:
    response = await site.client.head(site.url("r/1"))
    assert response.status == 200 and await response.read() == b""
    assert response.headers["Content-Security-Policy"] == CSP


async def raw_get(client: TestClient, target: str, extra: str = "") -> tuple[int, str]:
    """Send a request line exactly as written (an HTTP client library would normalise it) and read the answer."""
    server = client.server
    reader, writer = await asyncio.open_connection(server.host, server.port)
    try:
        writer.write(f"GET {target} HTTP/1.1\r\nHost: localhost\r\n{extra}Connection: close\r\n\r\n".encode("latin-1"))
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(), timeout=10)
    finally:
        writer.close()
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body.decode("utf-8", "replace")


async def test_malformed_paths_and_queries(site: Site) -> None:
    token = site.token
    for target in (
        "/g/../bot/config.py",
        "/static/../bot/config.py",
        "/static/%2e%2e/bot/config.py",
        "/static/%2e%2e%2fbot%2fconfig.py",
        "/static/",
        "//etc/passwd",
        "/g/%00/",
        f"/g/{token}/r/%2e%2e",
        f"/g/{token}/r/1/../../../../etc/passwd",
        f"/g/{token}/../../../etc/passwd",
        f"/g/{token}/r/abc",
        f"/g/{token}/r/1.exe",
        f"/g/{token}/%ff%fe",
        f"/g/{token}%2fr%2f1",
        "*",
        "http://evil.example/",
        "/%",
    ):
        status, body = await raw_get(site.client, target)
        assert status in (400, 404), (target, status)
        assert "Traceback" not in body and token not in body and "readalong" not in body.lower()
        assert "Paragraph" not in body and "[bot]" not in body
    # a query string is never read: a garbled one changes nothing
    status, page = await raw_get(site.client, f"/g/{token}/r/1?%zz=&&==;;x=%ff")
    assert status == 200 and "Paragraph 1 of section 1" in page


async def test_oversized_header_and_request_line_are_plain_400(site: Site) -> None:
    status, body = await raw_get(site.client, site.url("r/1"), extra=f"X-Big: {'a' * 9000}\r\n")
    assert status == 400 and site.token not in body and "Paragraph" not in body
    # aiohttp's own plain-text 400 (before any handler): it quotes the start of the client's own request line
    # back to that client, nothing else
    status, body = await raw_get(site.client, site.url("r/1?" + "q" * 9000))
    assert status == 400 and "Paragraph" not in body and body.startswith("Got more than 4096 bytes")
    many = "".join(f"X-H{i}: v\r\n" for i in range(100))
    status, _ = await raw_get(site.client, site.url("r/1"), extra=many)
    assert status == 400


async def test_rate_limit_per_client(room: Room, clock: ManualClock) -> None:
    await add_hostile_book(room.app)
    token = await enable_pages(room.app)
    client = await web_client(room.app, WebSettings(enabled=True, requests_per_minute=10))
    try:
        statuses = [(await client.get(f"/g/{token}/")).status for _ in range(12)]
        assert statuses[:10] == [200] * 10
        assert statuses[10:] == [429, 429]
        limited = await client.get("/static/reading.css")
        assert limited.status == 429 and int(limited.headers["Retry-After"]) >= 1
    finally:
        await client.close()


async def test_no_log_line_carries_the_token(site: Site, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    paths = ("", "r/1", "r/3", "r/1.epub", "progress.png", "calendar.ics", "r/%ff")
    for rest in paths:
        await site.client.get(site.url(rest))
    await site.client.post(site.url("r/1"))
    await raw_get(site.client, site.url("r/1"), extra=f"X-Big: {'a' * 9000}\r\n")
    await raw_get(site.client, f"/g/{site.token}/r/%ff%fe")
    assert caplog.records, "the test must see the log records it checks"
    for record in caplog.records:
        assert site.token not in record.getMessage()
        assert site.token not in str(record.args or "") and site.token not in (record.exc_text or "")


async def test_cached_pages_still_check_the_token_and_compress_for_clients_that_accept_it(site: Site) -> None:
    plain = await site.client.get(site.url("r/1"), headers={"Accept-Encoding": "identity"})
    body = await plain.read()
    assert plain.headers.get("Content-Encoding") is None and plain.headers["Vary"] == "Accept-Encoding"
    packed = await site.client.get(site.url("r/1"), headers={"Accept-Encoding": "gzip"}, auto_decompress=False)
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(await packed.read()) == body
    refused = await site.client.get(site.url("r/1"), headers={"Accept-Encoding": "gzip;q=0"})
    assert refused.headers.get("Content-Encoding") is None
    cached = await site.client.get(site.url("r/1"))
    assert cached.headers["Content-Security-Policy"] == CSP and cached.headers["Cache-Control"] == "no-store"
    gid = await group_id(site.app)
    await web_store.rotate(site.app.db, gid, site.clock.now())  # within the cache's two seconds
    assert_plain_404(*await _status_text(site.client, site.url("r/1")))
    assert_plain_404(*await _status_text(site.client, site.url()))


async def test_the_pages_position_is_the_one_quotes_use(site: Site) -> None:
    """content.syllabus computes the group's position from the readings; it must agree with group_position."""
    from bot.storage import plans as plan_store
    from bot.web import content

    gid = await group_id(site.app)
    seen = []
    for until in (utc(2026, 11, 4), utc(2026, 11, 10, 18, 1), utc(2026, 11, 30)):
        await run_until(site.app, site.clock, until)
        plan = await content.syllabus(site.app.db, gid)
        assert plan.position == await plan_store.group_position(site.app.db, gid)
        seen.append(plan.position)
    assert seen == [1, 2, 3]
