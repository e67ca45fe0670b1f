"""Logging with context: every line says which group, command or job it belongs to, and never a secret.

A contextvar carries the context so that code deep in storage or a cog logs it without passing it around.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import os
from collections.abc import Iterator

_context: contextvars.ContextVar[dict[str, object] | None] = contextvars.ContextVar(
    "readalong_log_context", default=None
)
_SECRET_ENV_SUFFIXES = ("_TOKEN", "_PASSWORD", "_SECRET")


@contextlib.contextmanager
def log_context(**fields: object) -> Iterator[None]:
    """Add fields (group=…, command=…, job=…) to every log line written inside the block."""
    token = _context.set({**(_context.get() or {}), **fields})
    try:
        yield
    finally:
        _context.reset(token)


class ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        fields = _context.get() or {}
        record.context = (" [" + " ".join(f"{k}={v}" for k, v in fields.items()) + "]") if fields else ""
        return True


class RedactSecrets(logging.Filter):
    """Scrub the values of secret-bearing environment variables from every message, whatever logged them."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets = [
            value
            for name, value in os.environ.items()
            if name.upper().endswith(_SECRET_ENV_SUFFIXES) and len(value) >= 6
        ]

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            message = record.getMessage()
            for secret in self.secrets:
                message = message.replace(secret, "[redacted]")
            record.msg, record.args = message, None
        return True


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler()
    handler.addFilter(ContextFilter())
    handler.addFilter(RedactSecrets())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s%(context)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
