"""The groups' reading pages over HTTP (aiohttp): read-only, each group under its own unguessable token.

An adapter like the chat ones (browser → server → content → page), so it lives here where aiohttp may be
imported (tests/test_guards.py); what it shows is built by the platform-free bot/web package.

Everything a browser gets is decided here: routes, the token → group lookup, the spoiler gate (a reading the
group has not opened is the same plain 404 as a wrong token), security headers, a per-address rate limit and
plain-text errors that name nothing. No access log is written and no log line carries a path, because the
path holds the token.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.charts import progress_chart
from bot.clock import Clock
from bot.config import WebSettings
from bot.services.plans import plan_ics
from bot.storage import web as web_store
from bot.storage.db import Database
from bot.storage.groups import Group
from bot.storage.plans import PlanReading
from bot.text import plural
from bot.timeutil import format_local
from bot.web import content, links, logs, render
from bot.web.cache import Cached, PageCache
from bot.web.epub import MEDIA_TYPE as EPUB_TYPE
from bot.web.epub import reading_epub
from bot.web.ratelimit import RateLimiter
from bot.web.render import PageLinks
from bot.web.tokens import TokenCache

log = logging.getLogger(__name__)

CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Resource-Policy": "same-origin",
    "X-Robots-Tag": "noindex, nofollow",
}
ALLOWED_METHODS = ("GET", "HEAD")
# aiohttp answers a longer request line or header with a plain 400 before any handler runs
RUNNER_ARGS: dict[str, object] = {"access_log": None, "max_line_size": 4096, "max_field_size": 4096, "max_headers": 64}

PAGE_CACHE_SECONDS = 2.0
TOKEN = r"{token:[A-Za-z0-9_-]{22,86}}"
NUMBER = r"{number:[1-9][0-9]{0,3}}"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
DB_KEY = web.AppKey("db", Database)


@dataclass
class WebState:
    clock: Clock
    settings: WebSettings
    limiter: RateLimiter
    charts: OrderedDict[tuple[object, ...], bytes]
    chart_lock: asyncio.Lock
    pages: PageCache
    tokens: TokenCache
    building: dict[tuple[int, str], asyncio.Future[Cached | None]] = field(default_factory=dict)


STATE_KEY = web.AppKey("state", WebState)


def create_app(
    db: Database, clock: Clock, settings: WebSettings, *, cache_seconds: float = PAGE_CACHE_SECONDS
) -> web.Application:
    """The aiohttp application; serve it with `serve` (or aiohttp's test server with RUNNER_ARGS).

    ``cache_seconds=0`` turns the page micro-cache (bot/web/cache.py) and the token map (bot/web/tokens.py) off."""
    logs.install()
    app = web.Application(middlewares=[_guard])
    app[DB_KEY] = db
    app[STATE_KEY] = WebState(
        clock,
        settings,
        RateLimiter(settings.requests_per_minute),
        OrderedDict(),
        asyncio.Lock(),
        PageCache(cache_seconds),
        TokenCache(cache_seconds, web_store.changes),
    )
    app.on_response_prepare.append(_headers)
    for name in render.STATIC_TYPES:
        app.router.add_get(f"/static/{name}", _static)
    app.router.add_get("/robots.txt", _robots)
    app.router.add_get(f"/g/{TOKEN}", _to_slash)
    app.router.add_get(f"/g/{TOKEN}/", _plan)
    app.router.add_get(f"/g/{TOKEN}/r/{NUMBER}", _reading)
    app.router.add_get(f"/g/{TOKEN}/r/{NUMBER}.{{kind:epub|html}}", _reading_file)
    app.router.add_get(f"/g/{TOKEN}/progress", _progress)
    app.router.add_get(f"/g/{TOKEN}/progress.png", _progress_chart)
    app.router.add_get(f"/g/{TOKEN}/polls", _polls)
    app.router.add_get(f"/g/{TOKEN}/calendar.ics", _calendar)
    return app


async def serve(
    db: Database, clock: Clock, settings: WebSettings, *, cache_seconds: float = PAGE_CACHE_SECONDS
) -> web.AppRunner:
    """Start listening on settings.host:port; the caller awaits `runner.cleanup()` to stop."""
    app = create_app(db, clock, settings, cache_seconds=cache_seconds)
    runner = web.AppRunner(app, **RUNNER_ARGS)  # type: ignore[arg-type]
    await runner.setup()
    await web.TCPSite(runner, settings.host, settings.port).start()
    log.info("web pages listening on %s:%d", settings.host, settings.port)
    return runner


# ---------------------------------------------------------------- middleware and headers
def _plain(status: int, text: str, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(status=status, text=text + "\n", content_type="text/plain", headers=headers)


NOT_FOUND = "Not found."


@web.middleware
async def _guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.method not in ALLOWED_METHODS:
        return _plain(405, "Only GET and HEAD are allowed.", {"Allow": ", ".join(ALLOWED_METHODS)})
    state = request.app[STATE_KEY]
    if not state.limiter.allow(request.remote or "unknown"):
        return _plain(429, "Too many requests; wait a moment.", {"Retry-After": str(state.limiter.retry_after())})
    try:
        return await handler(request)
    except web.HTTPNotFound:
        return _plain(404, NOT_FOUND)
    except web.HTTPMethodNotAllowed:
        return _plain(405, "Only GET and HEAD are allowed.", {"Allow": ", ".join(ALLOWED_METHODS)})
    except web.HTTPRedirection:
        raise
    except web.HTTPException as exc:
        return _plain(exc.status, exc.reason)
    except Exception:
        # never the path or the query: they hold the token
        log.exception("web page failed (%s %s)", request.method, request.match_info.route.resource or "no route")
        return _plain(500, "Something went wrong on our side.")


async def _headers(request: web.Request, response: web.StreamResponse) -> None:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.path.startswith("/g/"):
        response.headers["Cache-Control"] = "no-store"


# ---------------------------------------------------------------- helpers
GROUP_KEY = web.RequestKey("group", Group)


async def _group(request: web.Request) -> tuple[Database, Group]:
    """The group whose enabled pages the path's token opens (looked up once per request), or a plain 404."""
    db = request.app[DB_KEY]
    group = request.get(GROUP_KEY)
    if group is None:
        token = request.match_info["token"]
        tokens = request.app[STATE_KEY].tokens
        group = tokens.get(token)
        if group is None:
            changes = web_store.changes()
            group = await web_store.group_of_token(db, token)
            if group is None:
                raise web.HTTPNotFound()
            tokens.put(token, group, changes)
        request[GROUP_KEY] = group
    return db, group


def cached(handler: Handler) -> Handler:
    """Serve a group's page from the micro-cache once its token has been checked; store what the handler built."""

    async def wrapper(request: web.Request) -> web.StreamResponse:
        _, group = await _group(request)
        state = request.app[STATE_KEY]
        key = (group.id, request.path)  # with the token: a page may show its own links (the calendar feed)
        page = state.pages.get(*key)
        if page is None and state.pages.seconds > 0 and key in state.building:
            page = await asyncio.shield(state.building[key])  # a burst builds the page once (None: build it here)
        if page is None:
            building = state.building.setdefault(key, asyncio.get_running_loop().create_future())
            try:
                response = await handler(request)
                if not isinstance(response, web.Response) or response.status != 200 or response.body is None:
                    return response
                assert isinstance(response.body, bytes)
                page = Cached.of(response.body, response.headers["Content-Type"], _kept_headers(response))
                state.pages.put(*key, page)
            finally:
                if state.building.get(key) is building:
                    del state.building[key]
                    if not building.done():
                        building.set_result(page)
        headers = {"Content-Type": page.content_type, "Vary": "Accept-Encoding", **dict(page.headers)}
        if page.gzipped is not None and _accepts_gzip(request):
            return web.Response(body=page.gzipped, headers={**headers, "Content-Encoding": "gzip"})
        return web.Response(body=page.body, headers=headers)

    return wrapper


def _accepts_gzip(request: web.Request) -> bool:
    for part in request.headers.get("Accept-Encoding", "").lower().split(","):
        name, _, params = part.strip().partition(";")
        if name.strip() == "gzip":
            return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def _kept_headers(response: web.Response) -> tuple[tuple[str, str], ...]:
    return tuple((k, v) for k, v in response.headers.items() if k in ("Content-Disposition",))


GROUP_LINKS = PageLinks(group_url="", static_url="../../static/")
READING_LINKS = PageLinks(group_url="../", static_url="../../../static/")


def _html(body: str) -> web.Response:
    return web.Response(text=body, content_type="text/html", charset="utf-8")


# ---------------------------------------------------------------- pages
async def _static(request: web.Request) -> web.Response:
    name = request.path.rsplit("/", 1)[1]  # the route matched one of STATIC_TYPES exactly
    media = render.STATIC_TYPES[name]
    return web.Response(
        body=render.static_file(name),
        content_type=media,
        charset="utf-8" if media.startswith("text/") else None,
        headers={"Cache-Control": "max-age=3600"},
    )


async def _robots(request: web.Request) -> web.Response:
    return web.Response(text="User-agent: *\nDisallow: /\n", content_type="text/plain")


async def _to_slash(request: web.Request) -> web.Response:
    await _group(request)  # a wrong token is a 404, not a redirect
    raise web.HTTPMovedPermanently(f"{request.match_info['token']}/")


@cached
async def _plan(request: web.Request) -> web.Response:
    db, group = await _group(request)
    state = request.app[STATE_KEY]
    zone = ZoneInfo(group.timezone)
    plan = await content.syllabus(db, group.id)
    items = [
        {
            "reading": r,
            "open": plan.visible(r),
            "when": format_local(r.meeting_at, zone),
            "opens": format_local(r.opens_at, zone),
        }
        for r in plan.readings
    ]
    feed = links.feed_url(state.settings, request.match_info["token"])
    return _html(
        render.page(
            "plan.html", GROUP_LINKS, group=group, readings=items, feed_url=feed, webcal_url=links.webcal_url(feed)
        )
    )


async def _visible_reading(request: web.Request) -> tuple[Database, Group, content.Syllabus, PlanReading]:
    db, group = await _group(request)
    plan = await content.syllabus(db, group.id)
    reading = plan.by_number(int(request.match_info["number"]))
    if reading is None:  # unknown or not opened yet: the same 404 as a wrong token
        raise web.HTTPNotFound()
    return db, group, plan, reading


async def reading_page(db: Database, group: Group, plan: content.Syllabus, reading: PlanReading) -> str:
    """A reading's page as HTML: its text, discussion and neighbours (the route below, and bench/web.py)."""
    zone = ZoneInfo(group.timezone)
    text = await content.reading_text(db, reading)
    discussion = await content.discussion(db, group.id, plan, reading)
    previous, following = plan.neighbours(reading)
    return render.page(
        "reading.html",
        READING_LINKS,
        group=group,
        reading=reading,
        total=len(plan.readings),
        meeting=format_local(reading.meeting_at, zone),
        text=text,
        discussion=discussion,
        previous=previous,
        following=following,
        following_open=following is not None and plan.visible(following),
        following_opens=format_local(following.opens_at, zone) if following else "",
    )


@cached
async def _reading(request: web.Request) -> web.Response:
    db, group, plan, reading = await _visible_reading(request)
    return _html(await reading_page(db, group, plan, reading))


@cached
async def _reading_file(request: web.Request) -> web.Response:
    db, _, _, reading = await _visible_reading(request)
    text = await content.reading_text(db, reading)
    kind = request.match_info["kind"]
    if kind == "epub":
        data = reading_epub(text, modified=reading.opened_at or request.app[STATE_KEY].clock.now())
        media = EPUB_TYPE
    else:
        data = render.reading_file(text)
        media = "text/html"
    return web.Response(
        body=data,
        content_type=media,
        headers={"Content-Disposition": f'attachment; filename="{text.file_stem()}.{kind}"'},
    )


@cached
async def _progress(request: web.Request) -> web.Response:
    db, group = await _group(request)
    plan = await content.syllabus(db, group.id)
    counts = await content.progress(db, group.id, plan.readings)
    rows = [{"reading": r, "finished": n} for r, n in zip(plan.readings, counts.finished, strict=True)]
    height = round((1.2 + 0.42 * max(len(rows), 1)) * 110)  # bot/charts.py: figure inches times dpi
    return _html(
        render.page(
            "progress.html",
            GROUP_LINKS,
            group=group,
            rows=rows,
            members=counts.members,
            members_text=plural(counts.members, "member"),
            chart_height=height,
        )
    )


async def _progress_chart(request: web.Request) -> web.Response:
    db, group = await _group(request)
    plan = await content.syllabus(db, group.id)
    if not plan.readings:
        raise web.HTTPNotFound()
    counts = await content.progress(db, group.id, plan.readings)
    labels = tuple(f"{r.number}. {r.title}" for r in plan.readings)
    title = f"{group.name}: progress"
    key = (group.id, labels, counts.finished, counts.members, title)
    state = request.app[STATE_KEY]
    async with state.chart_lock:  # pyplot keeps global state: one drawing at a time, off the event loop
        png = state.charts.get(key)
        if png is None:
            png = await asyncio.to_thread(progress_chart, labels, counts.finished, counts.members, title)
            state.charts[key] = png
            while len(state.charts) > 32:
                state.charts.popitem(last=False)
    return web.Response(body=png, content_type="image/png")


@cached
async def _polls(request: web.Request) -> web.Response:
    db, group = await _group(request)
    zone = ZoneInfo(group.timezone)
    items = []
    for poll, tally in await content.closed_polls(db, group.id):
        items.append(
            {
                "poll": poll,
                "tally": tally,
                "closed": format_local(poll.closed_at, zone) if poll.closed_at else "",
                "ballots": plural(tally.total_ballots, "ballot"),
                "rounds": len(tally.rounds) if tally.method == "ranked" and len(tally.rounds) > 1 else 0,
                "column": {"ranked": "First choices", "approval": "Approvals"}.get(tally.method, "Votes"),
            }
        )
    return _html(render.page("polls.html", GROUP_LINKS, group=group, polls=items))


async def _calendar(request: web.Request) -> web.Response:
    db, group = await _group(request)
    data = await plan_ics(db, group, request.app[STATE_KEY].clock.now(), feed=True)
    return web.Response(
        body=data,
        content_type="text/calendar",
        charset="utf-8",
        headers={"Content-Disposition": 'inline; filename="readalong-plan.ics"'},
    )
