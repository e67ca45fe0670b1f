"""Why a post could not go out, in the outbox's terms: permanent (never as it is) or transient (try again).

`classify` reads discord.py's exceptions by Discord's JSON error codes (docs: Topics › Opcodes and Status
Codes › JSON Error Codes) and `send` raises the result as the port's `DeliveryError`, which the outbox reads.
"""

from __future__ import annotations

import asyncio

import aiohttp
import discord

from bot.adapters.base import DeliveryError

# Discord's JSON error codes that mean the room (or the member's DMs) refuses the bot until someone changes it.
ROOM_REFUSED = {
    10003: "the channel no longer exists",
    10013: "the member's account no longer exists",
    50001: "the bot cannot see this channel (Missing Access)",
    50007: "the member does not accept direct messages from the bot",
    50013: "the bot may not post here (Missing Permissions)",
}
# Codes that refuse this one post only; the room stays in use.
POST_REFUSED = {
    160005: "the reading's thread is locked",
    50035: "Discord refused the post's contents (Invalid Form Body)",
    40005: "the post is larger than Discord allows",
}


def classify(exc: BaseException) -> tuple[bool, str, float | None]:
    """(permanent, reason, retry_after) for an exception raised while sending; unknown ones are transient."""
    failure = failure_of(exc)
    return failure.permanent, failure.reason, failure.retry_after


def failure_of(exc: BaseException) -> DeliveryError:
    if isinstance(exc, DeliveryError):
        return exc
    if isinstance(exc, discord.RateLimited):  # longer than discord.py is willing to wait itself
        return DeliveryError("Discord asked the bot to slow down", permanent=False, retry_after=exc.retry_after)
    if isinstance(exc, discord.HTTPException):
        return _http_failure(exc)
    if isinstance(exc, aiohttp.ClientError | asyncio.TimeoutError | ConnectionError | OSError):
        return DeliveryError(f"Discord could not be reached ({type(exc).__name__})", permanent=False)
    return DeliveryError(f"{type(exc).__name__}: {exc}", permanent=False)


def _http_failure(exc: discord.HTTPException) -> DeliveryError:
    status, code = exc.status, exc.code
    if code in ROOM_REFUSED:
        return DeliveryError(ROOM_REFUSED[code], permanent=True)
    if code in POST_REFUSED:
        return DeliveryError(POST_REFUSED[code], permanent=True, whole_room=False)
    if status == 429:  # discord.py already waited and retried; the outbox waits as long as Discord asked
        return DeliveryError("Discord asked the bot to slow down", permanent=False, retry_after=_retry_after(exc))
    if status >= 500 or status == 401:  # Discord's trouble, or the bot's token: not this room's
        return DeliveryError(f"Discord answered {status}", permanent=False)
    if status in (403, 404):
        return DeliveryError(f"Discord refused the room ({status}, code {code})", permanent=True)
    return DeliveryError(f"Discord refused the post ({status}, code {code})", permanent=True, whole_room=False)


def _retry_after(exc: discord.HTTPException) -> float:
    header = exc.response.headers.get("Retry-After") if exc.response is not None else None
    try:
        return max(float(header), 0.0) if header is not None else 1.0
    except ValueError:
        return 1.0
