"""Web access storage (tokens, rotation, off), the [web] settings, the rate limiter and the log redaction."""

from __future__ import annotations

import gzip
import logging
import re

import pytest

from bot.app import App
from bot.config import ConfigError, Settings, WebSettings, parse_settings
from bot.storage import web as web_store
from bot.web import logs
from bot.web.cache import Cached, PageCache
from bot.web.ratelimit import RateLimiter
from tests.conftest import Room
from tests.web.support import group_id


# ---------------------------------------------------------------- storage
async def test_enable_rotate_disable(room: Room, app: App) -> None:
    gid = await group_id(app)
    now = app.clock.now()
    assert await web_store.get(app.db, gid) is None
    first = await web_store.enable(app.db, gid, now)
    assert first.enabled and re.fullmatch(r"[A-Za-z0-9_-]{43}", first.token)  # 256 bits
    assert await web_store.group_for_token(app.db, first.token) == gid
    assert (await web_store.enable(app.db, gid, now)).token == first.token  # enabling again keeps the link
    rotated = await web_store.rotate(app.db, gid, now)
    assert rotated.token != first.token and rotated.created_at == first.created_at
    assert await web_store.group_for_token(app.db, first.token) is None  # the old token stops at once
    assert await web_store.group_for_token(app.db, rotated.token) == gid
    assert await web_store.disable(app.db, gid) is True
    assert await web_store.disable(app.db, gid) is False
    assert await web_store.group_for_token(app.db, rotated.token) is None
    assert (await web_store.get(app.db, gid)).enabled is False  # type: ignore[union-attr]
    assert await web_store.rotate(app.db, gid, now)  # rotating turns the pages back on, with a new token


async def test_tokens_are_distinct_and_malformed_ones_are_not_looked_up(room: Room, app: App) -> None:
    assert len({web_store.new_token() for _ in range(1000)}) == 1000
    gid = await group_id(app)
    token = (await web_store.enable(app.db, gid, app.clock.now())).token
    for bad in ("", "short", token + "'", token[:-1] + "/", "' OR 1=1 --" + "a" * 30, "a" * 200):
        assert await web_store.group_for_token(app.db, bad) is None


async def test_token_goes_with_the_group(room: Room, app: App) -> None:
    gid = await group_id(app)
    token = (await web_store.enable(app.db, gid, app.clock.now())).token
    await app.db.execute("DELETE FROM groups WHERE id = ?", (gid,))
    assert await web_store.group_for_token(app.db, token) is None
    assert await web_store.get(app.db, gid) is None


# ---------------------------------------------------------------- settings
def test_web_defaults_and_base_url() -> None:
    web = Settings().web
    assert (web.enabled, web.host, web.port, web.public_base_url) == (False, "127.0.0.1", 8080, "")
    assert web.base_url() == "http://127.0.0.1:8080"
    assert WebSettings(host="::1", port=9000).base_url() == "http://[::1]:9000"
    proxied = parse_settings({"web": {"enabled": True, "public_base_url": "https://read.example.org/rg/"}}).web
    assert proxied.enabled and proxied.base_url() == "https://read.example.org/rg"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"enabled": "yes"}, "web.enabled must be true or false"),
        ({"port": 0}, "web.port must be between 1 and 65535"),
        ({"port": "80"}, "web.port must be a whole number"),
        ({"host": "exa mple"}, "web.host must be an address to listen on"),
        ({"host": ""}, "web.host must be an address to listen on"),
        ({"public_base_url": "read.example.org"}, "web.public_base_url must be an http:// or https:// address"),
        ({"public_base_url": "https://x.org/?a=1"}, "web.public_base_url must be an http:// or https:// address"),
        ({"requests_per_minute": 1}, "web.requests_per_minute must be between 10 and 100000"),
        ({"prot": 1}, "Unknown key web.prot in the config (did you mean port?)"),
    ],
)
def test_web_mistakes_name_the_key(raw: dict, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_settings({"web": raw})
    assert message in str(caught.value) and "\n" not in str(caught.value)


# ---------------------------------------------------------------- rate limit
def test_rate_limiter_bursts_refills_and_forgets() -> None:
    now = [0.0]
    limiter = RateLimiter(60, max_clients=3, now=lambda: now[0])
    assert all(limiter.allow("a") for _ in range(60))
    assert not limiter.allow("a")
    assert limiter.allow("b")  # another address has its own bucket
    now[0] += 1.0  # one request per second refills
    assert limiter.allow("a") and not limiter.allow("a")
    for client in ("c", "d", "e"):
        limiter.allow(client)
    assert len(limiter._buckets) == 3
    assert limiter.retry_after() == 1


# ---------------------------------------------------------------- logs
def test_redaction_of_paths_and_web_access_statements(caplog: pytest.LogCaptureFixture) -> None:
    token = web_store.new_token()
    logs.install()
    logs.install()
    assert sum(isinstance(f, logs.RedactTokens) for f in logging.getLogger("aiosqlite").filters) == 1
    caplog.set_level(logging.DEBUG)
    logging.getLogger("aiohttp.server").error("bad line b'GET /g/%s/r/1 HTTP/1.1'", token)
    statement = "executing ('SELECT group_id FROM web_access WHERE token = ?', ('%s',))"
    logging.getLogger("aiosqlite").debug(statement, token)
    try:
        raise ValueError(f"/g/{token}/r/1")
    except ValueError:
        logging.getLogger("aiohttp.server").exception("failed")
    text = caplog.text
    assert token not in text
    assert "/g/[token]/r/1" in text and "('[token]',)" in text


# ---------------------------------------------------------------- page cache
def test_page_cache_expires_bounds_and_can_be_off() -> None:
    now = [0.0]
    cache = PageCache(2.0, max_entries=2, now=lambda: now[0])
    page = Cached.of(b"<p>x</p>" * 100, "text/html; charset=utf-8")
    assert page.gzipped is not None and gzip.decompress(page.gzipped) == page.body
    assert Cached.of(b"PK..", "application/epub+zip").gzipped is None
    cache.put(1, "/g/t/r/1", page)
    assert cache.get(1, "/g/t/r/1") is page and cache.get(2, "/g/t/r/1") is None
    now[0] = 2.0
    assert cache.get(1, "/g/t/r/1") is None
    for n in range(3):
        cache.put(1, f"/p{n}", page)
    assert cache.get(1, "/p0") is None and cache.get(1, "/p2") is page
    off = PageCache(0)
    off.put(1, "/x", page)
    assert off.get(1, "/x") is None
