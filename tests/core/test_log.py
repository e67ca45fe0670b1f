"""Log lines carry their context and never a secret."""

from __future__ import annotations

import io
import logging

import pytest

from bot.log import ContextFilter, RedactSecrets, log_context


def test_context_fields_and_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("READALONG_DISCORD_TOKEN", "very-secret-token-123")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ContextFilter())
    handler.addFilter(RedactSecrets())
    handler.setFormatter(logging.Formatter("%(name)s%(context)s: %(message)s"))
    logger = logging.getLogger("readalong.test")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        with log_context(group=3, command="plan create"):
            logger.info("logging in with %s", "very-secret-token-123")
        logger.info("outside")
    finally:
        logger.removeHandler(handler)
    first, second = stream.getvalue().splitlines()
    assert first == "readalong.test [group=3 command=plan create]: logging in with [redacted]"
    assert second == "readalong.test: outside"
