"""`readalong run` serves the web pages beside the adapters when web.enabled (bot.runner.web_pages)."""

from __future__ import annotations

import socket
from dataclasses import replace

import aiohttp
import pytest

from bot.app import App
from bot.config import ConfigError, WebSettings
from bot.runner import web_pages


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_pages_listen_while_the_adapters_run_and_stop_after(app: App) -> None:
    port = free_port()
    app.settings = replace(app.settings, web=WebSettings(enabled=True, port=port))
    async with (
        web_pages(app),
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{port}/robots.txt") as response,
    ):
        assert response.status == 200 and "Disallow: /" in await response.text()
    with socket.socket() as probe:  # the port is free again: the server stopped with the block
        probe.bind(("127.0.0.1", port))


async def test_no_pages_unless_enabled(app: App) -> None:
    port = free_port()
    app.settings = replace(app.settings, web=WebSettings(enabled=False, port=port))
    async with web_pages(app):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", port))  # nothing listens there


async def test_a_busy_port_is_one_sentence(app: App) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        app.settings = replace(app.settings, web=WebSettings(enabled=True, port=port))
        with pytest.raises(ConfigError, match=rf"^The web pages cannot listen on 127.0.0.1:{port}: "):
            async with web_pages(app):
                pass
