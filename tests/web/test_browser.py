"""A real browser reads a reading page: Debian's Chromium (.ci/install-browser) driven by Playwright for Python.

What a reader sees is checked, not the HTML: the text is on screen, a citation anchor (#p-§-¶) scrolls to and
highlights its paragraph, the stylesheet applies (light and dark), nothing is blocked or fails (console errors,
CSP violations, page errors, failed requests) and the page fits a 390 px phone screen without sideways scroll.
Screenshots go to tests/artifacts/ (gitignored) for a person to look at. No browser is ever downloaded.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.services.books import load_default_library
from bot.storage import books as book_store
from bot.storage import plans as plan_store
from tests.conftest import Room
from tests.web.support import enable_pages, group_id, plan_and_open, utc, web_client

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
INSTALLED = CHROMIUM.exists()


def watch(page: object) -> list[str]:
    """Everything that went wrong while the page loaded: console errors (CSP violations are logged there),
    uncaught script errors, failed requests and HTTP errors of any sub-resource."""
    problems: list[str] = []
    on = page.on  # type: ignore[attr-defined]
    on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    on("pageerror", lambda e: problems.append(f"page error: {e}"))
    on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
    on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    return problems


@pytest.fixture
async def browser() -> AsyncIterator[object]:
    if not INSTALLED:
        message = "Chromium is not installed; run .ci/install-browser"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            yield launched
        finally:
            await launched.close()


async def test_a_reader_on_a_phone_sees_the_reading(room: Room, clock: ManualClock, browser: object) -> None:
    await load_default_library(room.app.db, room.app.settings, room.app.clock.now)
    await plan_and_open(room, clock, "jacobins", utc(2026, 11, 4, 0, 0))
    readings = await plan_store.readings(room.app.db, await group_id(room.app))
    reading = readings[1]
    assert reading.opened
    section = next(s for s in await book_store.sections(room.app.db, reading.book_id) if s.id == reading.section_ids[0])
    assert section is not None
    paragraphs = await book_store.paragraphs(room.app.db, section.id)
    cited = paragraphs[min(9, len(paragraphs)) - 1]
    anchor = f"p-{section.position}-{cited.position}"
    token = await enable_pages(room.app)
    client = await web_client(room.app)
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        url = str(client.make_url(f"/g/{token}/r/{reading.number}"))
        for scheme in ("light", "dark"):
            context = await browser.new_context(  # type: ignore[attr-defined]
                viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, color_scheme=scheme
            )
            page = await context.new_page()
            problems = watch(page)

            response = await page.goto(f"{url}#{anchor}", wait_until="load")
            assert response is not None and response.status == 200
            assert reading.title in await page.title()
            main_text = await page.inner_text("main")
            assert paragraphs[0].text[:80] in " ".join(main_text.split())

            # the citation anchor is the paragraph, it is :target and scrolled into view
            target = await page.evaluate("document.querySelector(':target') && document.querySelector(':target').id")
            assert target == anchor
            box = await page.evaluate(
                "(id) => { const r = document.getElementById(id).getBoundingClientRect();"
                " return [r.top, r.bottom, window.innerHeight]; }",
                anchor,
            )
            assert 0 <= box[0] < box[2], f"the cited paragraph is not on screen: {box}"
            assert " ".join(cited.text.split())[:60] in " ".join((await page.inner_text(f"#{anchor}")).split())

            # the stylesheet applied (not blocked by the CSP) and follows the colour scheme
            background = await page.evaluate("getComputedStyle(document.body).backgroundColor")
            assert background == ("rgb(21, 22, 24)" if scheme == "dark" else "rgb(251, 250, 247)")
            assert await page.evaluate("getComputedStyle(document.querySelector('main')).maxWidth") != "none"

            # fits the phone: no sideways scrolling, body text at a readable size
            widths = await page.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.clientWidth, window.innerWidth]"
            )
            assert widths[0] <= widths[1] == PHONE["width"], f"horizontal scroll: {widths}"
            font = await page.evaluate("(id) => getComputedStyle(document.getElementById(id)).fontSize", anchor)
            assert float(font.removesuffix("px")) >= 16

            await page.screenshot(path=str(ARTIFACTS / f"reading-390-{scheme}.png"))
            if scheme == "light":
                await page.goto(url, wait_until="load")
                await page.screenshot(path=str(ARTIFACTS / "reading-390-top.png"))
                await page.goto(str(client.make_url(f"/g/{token}/")), wait_until="load")
                await page.screenshot(path=str(ARTIFACTS / "plan-390.png"), full_page=True)
                await page.goto(str(client.make_url(f"/g/{token}/progress")), wait_until="load")
                assert await page.evaluate("document.querySelector('img.chart').naturalWidth") > 0
                await page.screenshot(path=str(ARTIFACTS / "progress-390.png"), full_page=True)
            assert problems == []
            await context.close()
    finally:
        await client.close()
