"""The connection to the homeserver: the nio client, logging in with a token or a password, the device kept.

The device id is saved in matrix.state_dir so that a password login reuses its device, and with it the
transaction ids the homeserver deduplicates by.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

import aiohttp
import nio

from bot.config import ConfigError, MatrixSettings

PLATFORM = "matrix"
BOT_ROOM = ""  # external_refs room id for values that belong to the bot, not a room
DEVICE_FILE = "device.json"


class MatrixError(RuntimeError):
    """The homeserver refused a request; the outbox retries sends that raise it."""


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
            max_timeouts=2, max_timeout_retry_wait_time=2.0, request_timeout=30, store_sync_tokens=False
        )
        self._client = nio.AsyncClient(self.settings.homeserver, self.user_id, config=config)
        try:
            await self._login()
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise ConfigError(
                f"I could not reach the Matrix homeserver at {self.settings.homeserver} ({exc}); "
                "check matrix.homeserver and that the server is up."
            ) from None

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None

    async def _login(self) -> None:
        client = self.client
        saved = self._load_device()
        if self._access_token:
            client.restore_login(self.user_id, saved or "", self._access_token)
            who = await client.whoami()
            if not isinstance(who, nio.WhoamiResponse):
                raise ConfigError(
                    f"{self.settings.homeserver} refused the access token in {self.settings.access_token_env} "
                    f"({why(who)}); create a new one as the README's “Running on Matrix” describes."
                )
            if who.user_id != self.user_id:
                raise ConfigError(
                    f"The access token in {self.settings.access_token_env} belongs to {who.user_id}, but "
                    f"matrix.user_id is {self.user_id}; make them match."
                )
            self.device_id = who.device_id or saved
            client.device_id = self.device_id or ""
        else:
            if saved:
                client.device_id = saved  # log in to the same device, so its transaction ids stay valid
            response = await client.login(self._password, device_name=self.settings.device_name)
            if not isinstance(response, nio.LoginResponse):
                raise ConfigError(
                    f"{self.settings.homeserver} refused the password in {self.settings.password_env} for "
                    f"{self.user_id} ({why(response)}); check matrix.user_id and the password."
                )
            self.device_id = response.device_id
        if self.device_id and self.device_id != saved:
            self._save_device(self.device_id)

    def _device_path(self) -> Path:
        return self.settings.state_dir / DEVICE_FILE

    def _load_device(self) -> str | None:
        try:
            data = json.loads(self._device_path().read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if isinstance(data, dict) and data.get("user_id") == self.user_id and isinstance(data.get("device_id"), str):
            return str(data["device_id"])
        return None

    def _save_device(self, device_id: str) -> None:
        path = self._device_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps({"user_id": self.user_id, "device_id": device_id}), encoding="utf-8")
        os.replace(temporary, path)
