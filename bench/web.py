"""The reading page under load (run: python bench/web.py [--seconds S] [--clients N]).

A server process (this script with --serve) builds a temp-file database with a 10,000-word reading that the
group has opened, and serves it with the real web adapter (bot/adapters/web.py). This process then measures:

* render: the page built in-process (storage reads + template), one at a time, p50/p95;
* HTTP: N concurrent keep-alive clients on loopback for S seconds against the reading page and, beside it, two
  static files served by the same server: the stylesheet (3.5 KB) and the same reading page saved as a file
  (same bytes, no storage reads, no template); p50/p95 latency and requests/s; the ratios are the figures.
  Run twice: with the page micro-cache (bot/web/cache.py) as served, and with it off.

Goals (issue #12): render p95 < 50 ms, reading page ≥ 0.5× the static file's throughput. Not part of the tests.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402

from bot.adapters.web import PAGE_CACHE_SECONDS, RUNNER_ARGS, create_app, reading_page  # noqa: E402
from bot.app import App  # noqa: E402
from bot.clock import ManualClock  # noqa: E402
from bot.config import Settings, WebSettings  # noqa: E402
from bot.replies import Context  # noqa: E402
from bot.storage import books as book_store  # noqa: E402
from bot.storage import groups as group_store  # noqa: E402
from bot.storage import plans as plan_store  # noqa: E402
from bot.storage import web as web_store  # noqa: E402
from bot.storage.books import NewBook, NewParagraph, NewSection  # noqa: E402
from bot.web import content  # noqa: E402
from cogs import all_features  # noqa: E402

WORDS = 10_000
PARAGRAPHS = 100
START = datetime(2026, 11, 2, 9, tzinfo=UTC)
TEXTS = ROOT / "data" / "texts"  # real words in real proportions, so compression is realistic


def context(user: str) -> Context:
    return Context(platform="bench", room_id="room", user_id=user, display_name=user)


def corpus() -> list[str]:
    words = [w for path in sorted(TEXTS.glob("*.txt")) for w in path.read_text(encoding="utf-8").split()]
    assert len(words) >= WORDS * 2, "the default library is needed for realistic text"
    return words


def paragraph(words: list[str], n: int) -> str:
    """Paragraph n: a run of the library's own words, each paragraph from a different place."""
    size = WORDS // PARAGRAPHS
    start = (n * 7919) % (len(words) - size)
    return " ".join(words[start : start + size])


async def build(folder: Path) -> tuple[App, str]:
    settings = Settings().with_database(folder / "bench.sqlite3")
    app = await App.open(settings, clock=ManualClock(START), features=all_features())
    await app.setup_group(context("moderator"), name="Bench", timezone="Europe/Berlin")
    words = corpus()
    sections = tuple(
        NewSection(
            heading=f"Part {s}",
            level=1,
            paragraphs=tuple(NewParagraph(paragraph(words, p + 1000 * s)) for p in range(1, PARAGRAPHS + 1)),
            words=WORDS,
            minutes=WORDS // 150,
            notes=tuple(f"Note {k} on part {s}." for k in range(1, 11)),
        )
        for s in (1, 2)
    )
    book = NewBook("Bench Book", ("B. Author",), None, "bench.txt", "txt", "sha-bench", sections)
    async with app.db.transaction() as tx:
        book_id = await book_store.insert(tx, book, START)
    preview = await app.handle(
        context("moderator"), f'plan create {book_id} start:2026-11-03 every:"tuesday 19:00" per-meeting:"1 section"'
    )
    await app.handle(context("moderator"), preview.choices[0].command)
    group = (await app.db.fetchone("SELECT id FROM groups"))[0]  # type: ignore[index]
    readings = await plan_store.readings(app.db, group)
    await plan_store.mark_opened(app.db, [readings[0].id], START)
    token = (await web_store.enable(app.db, group, START)).token
    return app, token


async def render_once(app: App, group_id: int) -> int:
    return len(await render_page(app, group_id))


async def render_page(app: App, group_id: int) -> str:
    """What the reading route does, without HTTP: storage reads, the gate, the template."""
    group = await group_store.get(app.db, group_id)
    assert group is not None
    plan = await content.syllabus(app.db, group.id)
    reading = plan.by_number(1)
    assert reading is not None
    return await reading_page(app.db, group, plan, reading)


async def serve_forever(port: int, cache_seconds: float) -> None:
    """The web adapter as `serve` runs it, plus one bench-only route: the reading page saved as a static file of
    the same size (aiohttp's FileResponse), so the dynamic cost can be told apart from the bytes."""
    with tempfile.TemporaryDirectory() as folder:
        app, token = await build(Path(folder))
        group = (await app.db.fetchone("SELECT id FROM groups"))[0]  # type: ignore[index]
        copy = Path(folder) / "page.html"
        copy.write_text(await render_page(app, group), encoding="utf-8")
        settings = WebSettings(enabled=True, port=port, requests_per_minute=100_000)
        web_app = create_app(app.db, app.clock, settings, cache_seconds=cache_seconds)
        web_app.router.add_get("/bench/page.html", lambda request: web.FileResponse(copy))
        runner = web.AppRunner(web_app, **RUNNER_ARGS)  # type: ignore[arg-type]
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        print(f"READY {token}", flush=True)
        try:
            await asyncio.Event().wait()
        finally:
            await runner.cleanup()
            await app.close()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def load(url: str, clients: int, seconds: float) -> tuple[list[float], int, float]:
    latencies: list[float] = []
    size = 0
    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(connector=connector) as session:
        async with session.get(url) as first:
            assert first.status == 200, first.status
            size = len(await first.read())
        deadline = time.perf_counter() + seconds

        async def client() -> None:
            while time.perf_counter() < deadline:
                began = time.perf_counter()
                async with session.get(url) as response:
                    await response.read()
                    assert response.status == 200, response.status
                latencies.append(time.perf_counter() - began)

        began = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(clients)))
        elapsed = time.perf_counter() - began
    return latencies, size, elapsed


async def measure_render(iterations: int) -> tuple[list[float], int]:
    with tempfile.TemporaryDirectory() as folder:
        app, _ = await build(Path(folder))
        try:
            group = (await app.db.fetchone("SELECT id FROM groups"))[0]  # type: ignore[index]
            size = await render_once(app, group)  # warm the template cache
            times = []
            for _ in range(iterations):
                began = time.perf_counter()
                await render_once(app, group)
                times.append(time.perf_counter() - began)
            return times, size
        finally:
            await app.close()


async def over_http(seconds: float, clients: int, port: int, cache_seconds: float) -> list[Row]:
    """Start a server process, load the reading page and then the static file, stop the server."""
    server = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--serve",
        str(port),
        "--cache-seconds",
        str(cache_seconds),
        stdout=asyncio.subprocess.PIPE,
        cwd=ROOT,
    )
    rows = []
    try:
        assert server.stdout is not None
        line = (await server.stdout.readline()).decode().split()
        assert line and line[0] == "READY", "the server did not start"
        base = f"http://127.0.0.1:{port}"
        paths = (
            ("reading page", f"/g/{line[1]}/r/1"),
            ("stylesheet", "/static/reading.css"),
            ("same-size file", "/bench/page.html"),
        )
        for name, path in paths:
            latencies, size, elapsed = await load(base + path, clients, seconds)
            rows.append(Row(name, size, len(latencies) / elapsed, latencies))
    finally:
        server.terminate()
        await server.wait()
    return rows


@dataclass(frozen=True)
class Row:
    name: str
    size: int
    rate: float
    latencies: list[float]


async def main(seconds: float, clients: int, port: int) -> None:
    render_times, page_size = await measure_render(200)
    runs = [(cache, await over_http(seconds, clients, port, cache)) for cache in (PAGE_CACHE_SECONDS, 0.0)]
    load1, load5, _ = os.getloadavg()
    print(f"machine: {platform.machine()} {platform.system()}, {os.cpu_count()} cores, load {load1:.2f}/{load5:.2f}")
    print(f"python {platform.python_version()}, aiohttp {aiohttp.__version__}; {clients} clients, {seconds:.0f} s/row")
    print(f"\nrender of a {WORDS:,}-word reading ({page_size / 1024:.0f} KiB), in-process, uncached, 200 times:")
    print(
        f"  p50 {statistics.median(render_times) * 1000:.1f} ms   p95 {percentile(render_times, 0.95) * 1000:.1f} ms"
        "   (goal p95 < 50 ms)"
    )
    for cache, rows in runs:
        label = f"page cache {cache:g} s" if cache else "page cache off"
        print(f"\n{label:<18} {'bytes':>8} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8}")
        for row in rows:
            print(
                f"{row.name:<18} {row.size:>8} {row.rate:>8.0f} {statistics.median(row.latencies) * 1000:>8.1f}"
                f" {percentile(row.latencies, 0.95) * 1000:>8.1f}"
            )
        print(
            f"reading page throughput: {rows[0].rate / rows[1].rate:.2f}× the stylesheet's, "
            f"{rows[0].rate / rows[2].rate:.2f}× a static file of the same size (goal ≥ 0.5×)"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--cache-seconds", type=float, default=PAGE_CACHE_SECONDS, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.serve:
        asyncio.run(serve_forever(options.serve, options.cache_seconds))
    else:
        asyncio.run(main(options.seconds, options.clients, options.port))
