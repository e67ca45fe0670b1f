"""No log line may carry a page token: the token is in every path, and in the SQL that looks it up.

The access log is off (server.RUNNER_ARGS), but aiohttp still logs a request it cannot parse with the start of
the offending line, and aiosqlite logs every statement with its parameters at DEBUG. This filter, put on those
loggers, replaces a token in a path and the parameters of any statement on web_access before a handler sees them.
"""

from __future__ import annotations

import logging
import re
import traceback

LOGGERS = ("aiohttp.access", "aiohttp.server", "aiohttp.web", "aiosqlite", "bot.adapters.web")
_IN_PATH = re.compile(r"(/g/)[^/\s'\"?#]+")
_QUOTED_TOKEN = re.compile(r"'[A-Za-z0-9_-]{16,}'")
REDACTED = "[token]"


def redact(text: str) -> str:
    text = _IN_PATH.sub(rf"\g<1>{REDACTED}", text)
    if "web_access" in text:
        text = _QUOTED_TOKEN.sub(f"'{REDACTED}'", text)
    return text


class RedactTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = redact(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact("".join(traceback.format_exception(*record.exc_info)).rstrip("\n"))
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def install() -> None:
    """Put the filter on every logger that could see a token (once)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactTokens) for f in logger.filters):
            logger.addFilter(RedactTokens())
