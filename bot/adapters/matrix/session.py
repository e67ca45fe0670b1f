"""The connection to the homeserver: the nio client, logging in with a token or a password, the session kept.

With a password, the bot logs in once and saves the access token and device id in matrix.state_dir
(`session.json`, readable by the owner only); later starts reuse them and log in again only when the homeserver
refuses the token. Reusing the device keeps the transaction ids the homeserver deduplicates by, and not logging in
on every start keeps clear of the homeserver's login rate limit. A token from the environment wins, as before.

Every request goes through `Session.request`, which honours the homeserver's "slow down" (HTTP 429,
M_LIMIT_EXCEEDED) itself instead of leaving it to nio: Synapse measures `retry_after_ms` from the moment it
checked the request and then holds its answer 0.5 s (synapse/api/ratelimiting.py, `Ratelimiter.ratelimit`'s
`pause`), so a client that waits `retry_after_ms` after the answer, as nio does, retries half a second after its
slot opened. We wait from when the request was sent. Messages share one limit per account (rc_message), so while
the account is limited the rooms' messages take turns in the order they came: each slot is tried by one message,
not by every waiting room at once (which would cost each loser another refusal and another 0.5 s pause).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
import nio

from bot.adapters.base import DeliveryError
from bot.config import ConfigError, MatrixSettings

log = logging.getLogger(__name__)

PLATFORM = "matrix"
BOT_ROOM = ""  # external_refs room id for values that belong to the bot, not a room
SESSION_FILE = "session.json"
RATE_LIMIT_SLACK = 2.0  # seconds after a 429's wait during which we still count as limited
RETRY_MARGIN = 0.1  # seconds after the slot retry_after_ms announced: a retry that arrives early is refused again
NO_HINT_WAIT = 1.0  # seconds to wait after a 429 that says nothing of how long (retry_after_ms is optional)
LIMITED = frozenset({"M_LIMIT_EXCEEDED", "429", 429})
_R = TypeVar("_R")
LEGACY_DEVICE_FILE = "device.json"  # before the token was kept: the device id alone


# Refusals that sending again will not change: the bot is not in the room (kicked, banned, never joined), the room
# is gone, or the event can never be accepted.
# Errors after which a room will never take the post: the room refuses the bot (its posts are parked) …
ROOM_REFUSED = frozenset({"M_FORBIDDEN", "M_NOT_FOUND"})
# … or only this post is impossible (too large, malformed); the room stays in use.
POST_REFUSED = frozenset({"M_TOO_LARGE", "M_BAD_JSON", "M_NOT_JSON"})
PERMANENT_ERRORS = ROOM_REFUSED | POST_REFUSED


class MatrixError(DeliveryError):
    """The homeserver refused a request, classified as the outbox reads it (bot/adapters/base.py DeliveryError):
    permanent for the whole room, permanent for this post only, or worth retrying after `retry_after` seconds."""

    def __init__(
        self, reason: str, *, permanent: bool = False, retry_after: float | None = None, whole_room: bool = True
    ) -> None:
        super().__init__(reason, permanent=permanent, retry_after=retry_after, whole_room=whole_room)

    @classmethod
    def refused(cls, what: str, response: Any) -> MatrixError:
        """The error for a refused request: permanent for the errors in PERMANENT_ERRORS."""
        code = getattr(response, "status_code", None)
        retry_ms = getattr(response, "retry_after_ms", None)
        return cls(
            f"{what}: {why(response)}",
            permanent=code in PERMANENT_ERRORS,
            retry_after=retry_ms / 1000 if isinstance(retry_ms, int | float) else None,
            whole_room=code not in POST_REFUSED,
        )


def why(response: Any) -> str:
    """A refused request in a few words: its status and message."""
    status = getattr(response, "status_code", None)
    message = getattr(response, "message", None)
    return " ".join(str(part) for part in (status, message) if part) or type(response).__name__


class Session:
    """One logged-in nio client at a time; `open` logs in, `close` ends the connection."""

    def __init__(self, settings: MatrixSettings, *, access_token: str = "", password: str = "") -> None:
        if not access_token and not password:
            raise ConfigError("The Matrix adapter needs an access token or a password.")
        self.settings = settings
        self._access_token = access_token
        self._password = password
        self._client: nio.AsyncClient | None = None
        self.device_id: str | None = None
        self._refusal = ""
        self._limited_until = 0.0  # time.monotonic(): see rate_limited()
        self._resume_at = 0.0  # time.monotonic() before which the account's next message would be refused
        self._turn = asyncio.Lock()  # while the account is limited, one message at a time, in order of arrival
        self.refusals = 0  # requests the homeserver refused with a 429, for the logs and the tests

    @property
    def client(self) -> nio.AsyncClient:
        if self._client is None:
            raise RuntimeError("the Matrix adapter is not started")
        return self._client

    @property
    def user_id(self) -> str:
        return self.settings.user_id

    async def open(self) -> None:
        """A new client, logged in; an unreachable homeserver is a configuration error the operator can fix."""
        if logging.getLogger("nio").level == logging.NOTSET:
            logging.getLogger("nio").setLevel(logging.WARNING)  # nio logs every event at INFO
        config = nio.AsyncClientConfig(
            max_limit_exceeded=0,  # a 429 comes back to `request`, which waits less than nio would
            max_timeouts=2,
            max_timeout_retry_wait_time=2.0,
            request_timeout=30,
            store_sync_tokens=False,
        )
        self._client = nio.AsyncClient(self.settings.homeserver, self.user_id, config=config)
        try:
            await self._login()
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise ConfigError(
                f"I could not reach the Matrix homeserver at {self.settings.homeserver} ({exc}); "
                "check matrix.homeserver and that the server is up."
            ) from None

    def rate_limited(self) -> bool:
        """Whether the homeserver asked us to slow down a moment ago: answers are then sent together."""
        return time.monotonic() < self._limited_until

    async def request(self, call: Callable[[], Awaitable[_R]], *, message: bool = False) -> _R:
        """Make a request (`call` sends it) until the homeserver stops answering 429, each retry once
        `retry_after_ms` has passed since the refused request was sent. A `message` (an event sent to a room,
        which rc_message limits per account) goes at once unless the account was limited a moment ago; then messages
        take turns in order of arrival, each keeping its turn until it is accepted, so each slot the homeserver opens
        is tried by one message, not by every waiting room. Other requests have limits of their own."""
        if not message:
            return await self._until_accepted(call, message=False)
        if not self.rate_limited() and not self._turn.locked():
            response, retry_at = await self._attempt(call, message=True)
            if retry_at is None:
                return response
        async with self._turn:
            return await self._until_accepted(call, message=True)

    async def _until_accepted(self, call: Callable[[], Awaitable[_R]], *, message: bool) -> _R:
        retry_at: float | None = 0.0
        while True:
            while (wait := (self._resume_at if message else retry_at or 0.0) - time.monotonic()) > 0:  # noqa: ASYNC110
                await asyncio.sleep(wait)  # a loop: another message's refusal may move the account's resume time
            response, retry_at = await self._attempt(call, message=message)
            if retry_at is None:
                return response

    async def _attempt(self, call: Callable[[], Awaitable[_R]], *, message: bool) -> tuple[_R, float | None]:
        """One try: the response and, if the homeserver refused it with a 429, when to try again. A refused
        message moves the time the account may send again; any refusal makes `rate_limited()` true for a while."""
        sent = time.monotonic()
        response = await call()
        if getattr(response, "status_code", None) not in LIMITED:
            return response, None
        self.refusals += 1
        retry_ms = getattr(response, "retry_after_ms", None)
        wait = retry_ms / 1000 if isinstance(retry_ms, int | float) and retry_ms > 0 else NO_HINT_WAIT
        log.info("the homeserver asks to wait %.2f s before sending again", wait)
        self._limited_until = max(self._limited_until, sent + wait + RATE_LIMIT_SLACK)
        retry_at = sent + wait + RETRY_MARGIN
        if message:
            self._resume_at = max(self._resume_at, retry_at)
        return response, retry_at

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None

    async def _login(self) -> None:
        client = self.client
        saved = self._load_session()
        saved_device = saved.get("device_id")
        if self._access_token:
            await self._use_token(self._access_token, saved_device, source=self.settings.access_token_env)
        elif saved.get("access_token") and await self._token_works(saved["access_token"], saved_device):
            log.info("reusing the saved Matrix session (device %s)", self.device_id)
        else:
            if saved_device:
                client.device_id = saved_device  # log in to the same device, so its transaction ids stay valid
            response = await self.request(lambda: client.login(self._password, device_name=self.settings.device_name))
            if not isinstance(response, nio.LoginResponse):
                raise ConfigError(
                    f"{self.settings.homeserver} refused the password in {self.settings.password_env} for "
                    f"{self.user_id} ({why(response)}); check matrix.user_id and the password."
                )
            self.device_id = response.device_id
            self._save_session(response.device_id, response.access_token)
            return
        if self.device_id and self.device_id != saved_device:
            self._save_session(self.device_id, saved.get("access_token") if not self._access_token else None)

    async def _use_token(self, token: str, saved_device: str | None, *, source: str) -> None:
        if not await self._token_works(token, saved_device):
            raise ConfigError(
                f"{self.settings.homeserver} refused the access token in {source} "
                f"({self._refusal}); create a new one as the README's “Running on Matrix” describes."
            )

    async def _token_works(self, token: str, saved_device: str | None) -> bool:
        """Restore a login from a token and ask the server who it belongs to; False if it refuses the token."""
        client = self.client
        client.restore_login(self.user_id, saved_device or "", token)
        who = await self.request(client.whoami)
        if not isinstance(who, nio.WhoamiResponse):
            self._refusal = why(who)
            if getattr(who, "status_code", None) in ("M_UNKNOWN_TOKEN", "M_MISSING_TOKEN", "M_FORBIDDEN"):
                client.access_token = ""
                return False
            raise ConfigError(f"{self.settings.homeserver} could not check the access token ({why(who)}).")
        if who.user_id != self.user_id:
            raise ConfigError(
                f"The access token in {self.settings.access_token_env} belongs to {who.user_id}, but "
                f"matrix.user_id is {self.user_id}; make them match."
            )
        self.device_id = who.device_id or saved_device
        client.device_id = self.device_id or ""
        return True

    def _session_path(self) -> Path:
        return self.settings.state_dir / SESSION_FILE

    def _load_session(self) -> dict[str, str]:
        """The saved device id and, after a password login, its access token ({} when nothing is saved)."""
        for name in (SESSION_FILE, LEGACY_DEVICE_FILE):
            try:
                data = json.loads((self.settings.state_dir / name).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if isinstance(data, dict) and data.get("user_id") == self.user_id:
                return {k: str(v) for k, v in data.items() if k in ("device_id", "access_token") and isinstance(v, str)}
        return {}

    def _save_session(self, device_id: str, access_token: str | None) -> None:
        """Written atomically and readable by the owner only: the token is as good as the password."""
        path = self._session_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {"user_id": self.user_id, "device_id": device_id}
        if access_token:
            data["access_token"] = access_token
        temporary = path.with_suffix(".tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            json.dump(data, file)
        os.replace(temporary, path)
