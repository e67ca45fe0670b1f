"""A real Synapse homeserver on 127.0.0.1 for the Matrix adapter tests.

Everything stays on loopback: one `client` listener bound to 127.0.0.1, no federation, no key
servers, no URL previews, no stats, no e-mail. Users are registered through the shared-secret
admin API, so open registration stays off.

This module imports only the standard library and pytest, so the conftest can import its
fixtures on a machine without matrix-synapse; the `synapse` fixture then skips. The matrix-nio
helpers live in `tests.support.matrix_nio`.
"""

from __future__ import annotations

import atexit
import hashlib
import hmac
import importlib.util
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

# Every client-side rate limiter Synapse 1.163 reads (synapse/config/ratelimiting.py), raised so
# far that a test can never hit one. With the defaults, bursts of messages get HTTP 429.
_UNLIMITED = {"per_second": 10_000, "burst_count": 100_000}
RATE_LIMITS: dict[str, Any] = {
    "rc_message": _UNLIMITED,
    "rc_registration": _UNLIMITED,
    "rc_registration_token_validity": _UNLIMITED,
    "rc_login": {"address": _UNLIMITED, "account": _UNLIMITED, "failed_attempts": _UNLIMITED},
    "rc_admin_redaction": _UNLIMITED,
    "rc_joins": {"local": _UNLIMITED, "remote": _UNLIMITED},
    "rc_joins_per_room": _UNLIMITED,
    "rc_key_requests": _UNLIMITED,
    "rc_3pid_validation": _UNLIMITED,
    "rc_invites": {"per_room": _UNLIMITED, "per_user": _UNLIMITED, "per_issuer": _UNLIMITED},
    "rc_third_party_invite": _UNLIMITED,
    "rc_media_create": _UNLIMITED,
    "rc_presence": {"per_user": _UNLIMITED},
    "rc_delayed_event_mgmt": _UNLIMITED,
    "rc_room_creation": _UNLIMITED,
    "rc_reports": _UNLIMITED,
    "rc_user_directory": _UNLIMITED,
    "rc_profile": _UNLIMITED,
}

STARTUP_TIMEOUT = 60.0
POLL_INTERVAL = 0.05
STOP_TIMEOUT = 10.0

# Requests to our own loopback server must never go through an http_proxy from the environment.
_LOOPBACK = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class SynapseError(RuntimeError):
    """Synapse failed to start, or answered an admin request with an error."""


@dataclass(frozen=True, slots=True)
class MatrixUser:
    """A registered account and the access token of its one device."""

    user_id: str
    access_token: str
    device_id: str
    password: str

    @property
    def localpart(self) -> str:
        return self.user_id[1:].split(":", 1)[0]


class SynapseServer:
    """One Synapse process with all its state (config, keys, SQLite, media, logs) in `tmp_dir`.

    The config is written on construction; `start()` launches the process and returns once the
    client API answers. `restart()` keeps the data and the port, so stored users, rooms and
    access tokens stay valid. Also usable as a context manager.
    """

    def __init__(
        self, tmp_dir: Path | str, *, server_name: str = "localhost", default_rate_limits: bool = False
    ) -> None:
        self.data_dir = Path(tmp_dir)
        # With default_rate_limits, every rc_* limit is Synapse's own default, as on a homeserver nobody tuned
        # (messages: 0.2 per second with a burst of 10 per user); `exempt_from_rate_limits` lifts them for one user.
        self.default_rate_limits = default_rate_limits
        self._admin: MatrixUser | None = None
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.server_name = server_name
        self.port = _free_loopback_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.config_path = self.data_dir / "homeserver.yaml"
        self.log_path = self.data_dir / "homeserver.log"
        self.output_path = self.data_dir / "homeserver.out"
        self._shared_secret = secrets.token_hex(32)
        self._process: subprocess.Popen[bytes] | None = None
        self.startup_seconds: float | None = None
        self._write_config()

    # -- lifecycle -------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def start(self) -> None:
        """Launch Synapse with this interpreter and wait until `/_matrix/client/versions` answers."""
        if self.running:
            raise SynapseError("Synapse is already running")
        started = time.monotonic()
        with self.output_path.open("ab") as output:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "synapse.app.homeserver", "--config-path", str(self.config_path)],
                cwd=self.data_dir,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        atexit.register(self.stop)
        try:
            self._wait_until_ready(started + STARTUP_TIMEOUT)
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - started

    def stop(self) -> None:
        """SIGTERM by PID, SIGKILL to its process group if it has not exited after 10 s."""
        process, self._process = self._process, None
        atexit.unregister(self.stop)
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=STOP_TIMEOUT)

    def restart(self) -> None:
        """Stop and start again on the same port with the same data."""
        self.stop()
        self.start()

    def __enter__(self) -> SynapseServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def log_tail(self, lines: int = 40) -> str:
        """The end of Synapse's own output and of its log file, for failure messages."""
        parts = []
        for path in (self.output_path, self.log_path):
            if path.exists():
                tail = path.read_text(errors="replace").splitlines()[-lines:]
                parts.append(f"--- {path.name} ---\n" + "\n".join(tail))
        return "\n".join(parts) or "(no output)"

    # -- users -----------------------------------------------------------------------------

    def register_user(
        self,
        localpart: str | None = None,
        *,
        admin: bool = False,
        password: str | None = None,
        displayname: str | None = None,
    ) -> MatrixUser:
        """Register an account through the shared-secret admin API and return its first login.

        Without a localpart a random one is chosen, so tests never share accounts.
        """
        localpart = localpart or f"user-{secrets.token_hex(5)}"
        password = password or secrets.token_urlsafe(12)
        path = "/_synapse/admin/v1/register"
        nonce = self._request("GET", path)["nonce"]
        mac = hmac.new(self._shared_secret.encode(), digestmod=hashlib.sha1)
        mac.update(b"\x00".join([nonce.encode(), localpart.encode(), password.encode()]))
        mac.update(b"\x00admin" if admin else b"\x00notadmin")
        body: dict[str, Any] = {
            "nonce": nonce,
            "username": localpart,
            "password": password,
            "admin": admin,
            "mac": mac.hexdigest(),
        }
        if displayname is not None:
            body["displayname"] = displayname
        reply = self._request("POST", path, body)
        return MatrixUser(reply["user_id"], reply["access_token"], reply["device_id"], password)

    def exempt_from_rate_limits(self, user_id: str) -> None:
        """Lift every rate limit for one user through the admin API, as an operator does for a bot account:
        `POST /_synapse/admin/v1/users/<user_id>/override_ratelimit` with `messages_per_second: 0`."""
        if self._admin is None:
            self._admin = self.register_user(f"admin-{secrets.token_hex(4)}", admin=True)
        path = f"/_synapse/admin/v1/users/{urllib.parse.quote(user_id)}/override_ratelimit"
        self._request("POST", path, {"messages_per_second": 0, "burst_count": 0}, token=self._admin.access_token)

    # -- internals -------------------------------------------------------------------------

    def _request(
        self, method: str, path: str, body: dict[str, Any] | None = None, *, token: str | None = None
    ) -> dict[str, Any]:
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(self.base_url + path, data=data, method=method, headers=headers)
        try:
            with _LOOPBACK.open(request, timeout=10) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as error:
            raise SynapseError(f"{method} {path}: HTTP {error.code} {error.read().decode()}") from None

    def _wait_until_ready(self, deadline: float) -> None:
        url = self.base_url + "/_matrix/client/versions"
        while True:
            assert self._process is not None
            if self._process.poll() is not None:
                raise SynapseError(
                    f"Synapse exited with code {self._process.returncode} while starting\n" + self.log_tail()
                )
            try:
                with _LOOPBACK.open(url, timeout=1) as response:
                    if response.status == 200:
                        return
            except (OSError, urllib.error.URLError):
                pass
            if time.monotonic() > deadline:
                raise SynapseError(f"Synapse did not answer within {STARTUP_TIMEOUT:.0f} s\n" + self.log_tail())
            time.sleep(POLL_INTERVAL)

    def _write_config(self) -> None:
        signing_key_path = self.data_dir / "signing.key"
        if not signing_key_path.exists():
            _write_signing_key(signing_key_path)
        log_config = {
            "version": 1,
            "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
            "handlers": {
                "file": {"class": "logging.FileHandler", "filename": str(self.log_path), "formatter": "plain"}
            },
            "root": {"level": "WARNING", "handlers": ["file"]},
            "disable_existing_loggers": False,
        }
        log_config_path = self.data_dir / "log_config.yaml"
        # JSON is valid YAML, and needs no third-party writer.
        log_config_path.write_text(json.dumps(log_config, indent=2))
        config = {
            "server_name": self.server_name,
            "public_baseurl": self.base_url + "/",
            "pid_file": str(self.data_dir / "homeserver.pid"),
            "listeners": [
                {
                    "port": self.port,
                    "bind_addresses": ["127.0.0.1"],
                    "type": "http",
                    "tls": False,
                    "x_forwarded": False,
                    "resources": [{"names": ["client"], "compress": False}],
                }
            ],
            "database": {"name": "sqlite3", "args": {"database": str(self.data_dir / "homeserver.db")}},
            "log_config": str(log_config_path),
            "media_store_path": str(self.data_dir / "media_store"),
            "max_upload_size": "50M",
            "signing_key_path": str(signing_key_path),
            "macaroon_secret_key": secrets.token_hex(32),
            "form_secret": secrets.token_hex(32),
            "registration_shared_secret": self._shared_secret,
            "enable_registration": False,
            "report_stats": False,
            "enable_metrics": False,
            "trusted_key_servers": [],
            "suppress_key_server_warning": True,
            "federation_domain_whitelist": [],
            "allow_public_rooms_over_federation": False,
            "url_preview_enabled": False,
            "presence": {"enabled": False},
            "bcrypt_rounds": 4,
            **({} if self.default_rate_limits else RATE_LIMITS),
        }
        self.config_path.write_text(json.dumps(config, indent=2))


def _free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _write_signing_key(path: Path) -> None:
    # signedjson comes with matrix-synapse; generating the key here saves a second Synapse start.
    from signedjson.key import generate_signing_key, write_signing_keys

    with path.open("w") as file:
        write_signing_keys(file, [generate_signing_key("a_" + secrets.token_hex(2))])


# -- pytest fixtures ---------------------------------------------------------------------------


class _Shared:
    """One server per test process even if the fixtures are imported in more than one place
    (a conftest and a test module each make their own session fixture)."""

    server: SynapseServer | None = None
    users = 0


@pytest.fixture(scope="session")
def synapse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SynapseServer]:
    """The session's Synapse, started when a test first asks for it and stopped at the end.

    Synchronous on purpose, so it works with any pytest-asyncio loop scope.
    """
    if importlib.util.find_spec("synapse") is None:
        pytest.skip("matrix-synapse is not installed (pip install -e '.[dev]')")
    server = _Shared.server
    if server is None:
        server = SynapseServer(tmp_path_factory.mktemp("synapse"))
        server.start()
        _Shared.server = server
    _Shared.users += 1
    try:
        yield server
    finally:
        _Shared.users -= 1
        if _Shared.users == 0:
            _Shared.server = None
            server.stop()


@pytest.fixture(scope="session")
def synapse_default_limits(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SynapseServer]:
    """A second Synapse with every rate limit at its default, for tests of how the bot copes with one."""
    if importlib.util.find_spec("synapse") is None:
        pytest.skip("matrix-synapse is not installed (pip install -e '.[dev]')")
    server = SynapseServer(tmp_path_factory.mktemp("synapse-limited"), default_rate_limits=True)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def matrix_user(synapse: SynapseServer) -> Callable[..., MatrixUser]:
    """Factory: `matrix_user(localpart=None, *, admin=False, password=None, displayname=None)`."""
    return synapse.register_user
