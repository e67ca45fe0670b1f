"""Logging with context: every line says which group, command or job it belongs to, and never a secret.

A contextvar carries the context so that code deep in storage or a cog logs it without passing it around.
Members who asked to be forgotten are scrubbed from every line written from then on (`forget_in_logs`), and a
console run stamps lines with its own clock (`configure_logging(now=…)`), the time members see in its room.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import logging
import os
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

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


_forgotten: set[str] = set()


def member_ref(user_id: str) -> str:
    """How a log line names a member: a short hash, never the platform id or the display name."""
    return "member-" + hashlib.sha256(user_id.encode("utf-8", "replace")).hexdigest()[:10]


def forget_in_logs(*identifiers: str) -> None:
    """From now on, every log line this process writes shows these (a forgotten member's user id and display
    name) as their hash: whatever logged them, at whatever level."""
    _forgotten.update(i for i in identifiers if len(i) >= 2)


class ForgetMembers(logging.Filter):
    """Replace the identifiers of members who asked to be forgotten (see `forget_in_logs`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if _forgotten:
            message = record.getMessage()
            if any(i in message for i in _forgotten):
                for identifier in sorted(_forgotten, key=len, reverse=True):
                    message = message.replace(identifier, member_ref(identifier))
                record.msg, record.args = message, None
        context = getattr(record, "context", "")
        if _forgotten and context:
            for identifier in _forgotten:
                context = context.replace(identifier, member_ref(identifier))
            record.context = context
        return True


class ClockFormatter(logging.Formatter):
    """Stamp lines with a given clock (the console's controllable one) instead of the machine's."""

    def __init__(self, fmt: str, now: Callable[[], datetime]) -> None:
        super().__init__(fmt)
        self.now = now

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return self.now().strftime("%Y-%m-%d %H:%M:%S %Z")


LINE = "%(asctime)s %(levelname)s %(name)s%(context)s: %(message)s"


def configure_logging(level: str, *, file: Path | None = None, now: Callable[[], datetime] | None = None) -> None:
    """Log to stderr, or to `file` (the console: its room is the terminal, log lines stay out of it), with
    `now` as the clock of the time stamps when given."""
    handler: logging.Handler = logging.FileHandler(file, encoding="utf-8") if file else logging.StreamHandler()
    handler.addFilter(ContextFilter())
    handler.addFilter(RedactSecrets())
    handler.addFilter(ForgetMembers())
    handler.setFormatter(ClockFormatter(LINE, now) if now else logging.Formatter(LINE))
    root = logging.getLogger()
    for old in root.handlers:
        old.close()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
