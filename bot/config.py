"""Settings: a TOML file read once into frozen, validated dataclasses.

Code owns the defaults, so an empty or missing file is a working configuration; a key the code does not know
stops start-up with a sentence naming it, because a silently ignored typo ("timezon") is worse than a refusal.
Secrets are never in the file: it only names the environment variables that hold them.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import re
import tomllib
import types
import typing
import urllib.parse
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from bot.timeutil import TimeInputError, parse_zone

ADAPTERS = ("discord", "matrix")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
DEFAULT_CONFIG = Path("config.toml")


class ConfigError(Exception):
    """A configuration problem; str() is one sentence naming the key and the fix."""


@dataclass(frozen=True)
class BotSettings:
    database: Path = Path("data/readalong.sqlite3")
    timezone: str = "UTC"
    log_level: str = "INFO"
    adapters: tuple[str, ...] = ()
    moderator_roles: tuple[str, ...] = ("Moderator", "Study lead")
    shared_database: bool = False


@dataclass(frozen=True)
class LibrarySettings:
    texts: Path = Path("data/texts")
    words_per_minute: int = 150
    target_minutes: int = 40
    max_upload_mb: int = 10


@dataclass(frozen=True)
class DiscordSettings:
    token_env: str = "READALONG_DISCORD_TOKEN"
    guild_ids: tuple[int, ...] = ()
    shard_count: int = 0

    def token(self) -> str:
        return _secret(self.token_env, "discord", "discord.token_env")


@dataclass(frozen=True)
class MatrixSettings:
    homeserver: str = "http://127.0.0.1:8008"
    user_id: str = "@readalong:localhost"
    access_token_env: str = "READALONG_MATRIX_TOKEN"
    password_env: str = "READALONG_MATRIX_PASSWORD"
    device_name: str = "Readalong"
    command_prefix: str = "!rg"
    moderator_power_level: int = 50
    allowed_inviters: tuple[str, ...] = ()
    state_dir: Path = Path("data/matrix")
    handled_days: int = 30  # a handled event's record is kept this long at least (twice at most), then dropped

    def credentials(self) -> tuple[str, str]:
        """(access token, password): at least one is set, the token wins."""
        token = os.environ.get(self.access_token_env, "").strip()
        password = os.environ.get(self.password_env, "").strip()
        if not token and not password:
            raise ConfigError(
                f"The Matrix adapter is enabled but neither {self.access_token_env} nor {self.password_env} "
                "is set in the environment; set one of them or remove “matrix” from bot.adapters."
            )
        return token, password


@dataclass(frozen=True)
class PromptSettings:
    """Discussion prompts: the templates file and an optional OpenAI-compatible model that writes questions first
    (bot/llm.py), the built-in generator's prompts being the fallback."""

    templates: Path = Path("data/prompts.toml")
    llm_url: str = ""  # empty: no language model, the built-in generator alone
    llm_model: str = ""
    api_key_env: str = "READALONG_LLM_API_KEY"
    timeout_seconds: int = 20
    context_chars: int = 12000  # how much of a reading the model is sent (its context window, in characters)

    @property
    def llm_enabled(self) -> bool:
        return bool(self.llm_url.strip())

    def api_key(self) -> str | None:
        return os.environ.get(self.api_key_env, "").strip() or None


@dataclass(frozen=True)
class WebSettings:
    """The groups' reading pages (bot/web): off unless enabled; links use public_base_url when it is set."""

    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = 8080
    public_base_url: str = ""  # e.g. "https://read.example.org" behind a reverse proxy; empty: http://host:port
    requests_per_minute: int = 120  # per client address; a burst of this size, refilled evenly over a minute

    def base_url(self) -> str:
        """The address links start with, without a trailing slash."""
        if self.public_base_url.strip():
            return self.public_base_url.strip().rstrip("/")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"


@dataclass(frozen=True)
class Settings:
    bot: BotSettings = field(default_factory=BotSettings)
    library: LibrarySettings = field(default_factory=LibrarySettings)
    discord: DiscordSettings = field(default_factory=DiscordSettings)
    matrix: MatrixSettings = field(default_factory=MatrixSettings)
    prompts: PromptSettings = field(default_factory=PromptSettings)
    web: WebSettings = field(default_factory=WebSettings)

    def with_database(self, path: Path) -> Settings:
        return dataclasses.replace(self, bot=dataclasses.replace(self.bot, database=path))


def _secret(env: str, adapter: str, key: str) -> str:
    value = os.environ.get(env, "").strip()
    if not value and not is_env_name(env):  # never echo what may be a pasted secret
        raise ConfigError(f"{key} must name an environment variable, and what is there is not a variable's name.")
    if not value:
        raise ConfigError(
            f"The {adapter.capitalize()} adapter is enabled but the environment variable {env} is empty; "
            f"export it (its name is set by {key}) or remove “{adapter}” from bot.adapters."
        )
    return value


def load_settings(path: Path | None = None) -> Settings:
    """Read settings from `path`, or config.toml when it exists, or use the defaults."""
    if path is None:
        path = Path(os.environ["READALONG_CONFIG"]) if os.environ.get("READALONG_CONFIG") else DEFAULT_CONFIG
        if not path.exists():
            return Settings()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"The config file {path} does not exist; copy config.example.toml to it.") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"The config file {path} is not UTF-8 text (byte {exc.start + 1} is not); save it as UTF-8."
        ) from None
    except IsADirectoryError:
        raise ConfigError(f"The config path {path} is a folder; give the config file itself.") from None
    except OSError as exc:
        raise ConfigError(f"I can't read the config file {path}: {exc.strerror}.") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"The config file {path} is not valid TOML ({exc}); fix that line.") from None
    return parse_settings(raw, base_dir=path.resolve().parent)


def parse_settings(raw: dict[str, Any], base_dir: Path | None = None) -> Settings:
    """Validate a parsed TOML document; relative paths are taken from the config file's folder."""
    sections: dict[str, Any] = {}
    known = {f.name: f for f in fields(Settings)}
    for name, value in raw.items():
        if name not in known:
            raise ConfigError(f"Unknown section [{name}] in the config{_did_you_mean(name, known)}; remove it.")
        if not isinstance(value, dict):
            raise ConfigError(f"[{name}] must be a table of keys; write it as a [{name}] section.")
        section_type = typing.get_type_hints(Settings)[name]
        sections[name] = _parse_section(name, section_type, value, base_dir)
    settings = Settings(**sections)
    _validate(settings)
    return settings


def _parse_section(section: str, cls: type, values: dict[str, Any], base_dir: Path | None) -> Any:
    hints = typing.get_type_hints(cls)
    kwargs: dict[str, Any] = {}
    for key, value in values.items():
        if key not in hints:
            raise ConfigError(
                f"Unknown key {section}.{key} in the config{_did_you_mean(key, hints)}; rename or remove it."
            )
        kwargs[key] = _coerce(f"{section}.{key}", hints[key], value, base_dir)
    return cls(**kwargs)


def _coerce(key: str, hint: Any, value: Any, base_dir: Path | None) -> Any:
    if hint is Path:
        if not isinstance(value, str) or not value:
            raise ConfigError(f'{key} must be a file path in quotes, for example "data/readalong.sqlite3".')
        path = Path(value).expanduser()
        return path if path.is_absolute() or base_dir is None else base_dir / path
    origin = typing.get_origin(hint)
    if origin is tuple:
        (item_type, _) = typing.get_args(hint)
        if not isinstance(value, list):
            raise ConfigError(f'{key} must be a list, for example ["a", "b"].')
        return tuple(_coerce(key, item_type, item, base_dir) for item in value)
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{key} must be true or false, not {value!r}.")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{key} must be a whole number, not {value!r}.")
        return value
    if hint is str:
        if not isinstance(value, str):
            raise ConfigError(f"{key} must be text in quotes, not {value!r}.")
        return value
    if isinstance(hint, types.UnionType):  # pragma: no cover - no optional settings yet
        return value
    raise AssertionError(f"unsupported settings type {hint!r} for {key}")


def _validate(settings: Settings) -> None:
    try:
        parse_zone(settings.bot.timezone)
    except TimeInputError as exc:
        raise ConfigError(f"bot.timezone: {exc}") from None
    if settings.bot.log_level.upper() not in LOG_LEVELS:
        raise ConfigError(f"bot.log_level must be one of {', '.join(LOG_LEVELS)}, not “{settings.bot.log_level}”.")
    for adapter in settings.bot.adapters:
        if adapter not in ADAPTERS:
            raise ConfigError(
                f'bot.adapters lists “{adapter}”, which I don\'t know; use "discord" and/or "matrix" '
                "(an empty list starts the console)."
            )
    for key, value, low, high, unit in _ranges(settings):
        if not low <= value <= high:
            shown = f"{value:,}" if abs(value) < 10**12 else "a number that large"
            raise ConfigError(f"{key} must be between {low:,} and {high:,}{unit}, not {shown}.")
    for key, name in (
        ("discord.token_env", settings.discord.token_env),
        ("matrix.access_token_env", settings.matrix.access_token_env),
        ("matrix.password_env", settings.matrix.password_env),
        ("prompts.api_key_env", settings.prompts.api_key_env),
    ):
        if not is_env_name(name):
            # Never echo the value: what was pasted here is often the secret itself.
            raise ConfigError(
                f"{key} must be the NAME of an environment variable (capital letters, digits and _, such as "
                "READALONG_DISCORD_TOKEN), and what is there is not one; if you pasted the secret itself, remove "
                "it from the file, export it in that variable and treat it as leaked if the file was shared."
            )
    prompts = settings.prompts
    if prompts.llm_enabled:
        if not prompts.llm_url.startswith(("http://", "https://")):
            raise ConfigError(
                f"prompts.llm_url must start with http:// or https://, not “{prompts.llm_url}”; "
                'for a local Ollama use "http://127.0.0.1:11434/v1", or leave it empty to turn the model off.'
            )
        if not prompts.llm_model.strip():
            raise ConfigError('prompts.llm_model is empty but prompts.llm_url is set; name the model, e.g. "llama3.2".')
    if not settings.matrix.command_prefix.strip():
        raise ConfigError('matrix.command_prefix must not be empty; the default is "!rg".')
    _validate_web(settings.web)


def _validate_web(web: WebSettings) -> None:
    if not web.host.strip() or any(c.isspace() or c in "/?#@" for c in web.host):
        raise ConfigError(f'web.host must be an address to listen on, such as "127.0.0.1", not “{web.host}”.')
    if not 1 <= web.port <= 65535:
        raise ConfigError(f"web.port must be between 1 and 65535, not {web.port}.")
    base = web.public_base_url.strip()
    if base:
        parsed = urllib.parse.urlsplit(base)
        if parsed.scheme not in ("http", "https") or not parsed.hostname or parsed.query or parsed.fragment:
            raise ConfigError(
                f"web.public_base_url must be an http:// or https:// address such as "
                f'"https://read.example.org" (a path is allowed, no query), not “{base}”; leave it empty to use '
                "web.host and web.port."
            )
    if not 10 <= web.requests_per_minute <= 100_000:
        raise ConfigError("web.requests_per_minute must be between 10 and 100000.")


def _ranges(settings: Settings) -> list[tuple[str, int, int, int, str]]:
    """(key, value, lowest, highest, unit): the sane bounds of every number in the config."""
    return [
        ("library.words_per_minute", settings.library.words_per_minute, 30, 2_000, " words"),
        ("library.target_minutes", settings.library.target_minutes, 5, 600, " minutes"),
        ("library.max_upload_mb", settings.library.max_upload_mb, 1, 1_024, " MB"),
        ("discord.shard_count", settings.discord.shard_count, 0, 1_000, " (0 runs one connection)"),
        ("matrix.moderator_power_level", settings.matrix.moderator_power_level, 0, 100, ""),
        ("matrix.handled_days", settings.matrix.handled_days, 1, 3_650, " days"),
        ("prompts.timeout_seconds", settings.prompts.timeout_seconds, 1, 300, " seconds"),
        ("prompts.context_chars", settings.prompts.context_chars, 1_000, 2_000_000, " characters"),
    ]


_ENV_NAME = re.compile(r"[A-Z_][A-Z0-9_]{0,63}")


def is_env_name(name: str) -> bool:
    """An environment variable's name as we ask for them (capitals, digits, _); a pasted token is not one."""
    return _ENV_NAME.fullmatch(name) is not None


def _did_you_mean(name: str, options: typing.Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(options), n=1)
    return f" (did you mean {close[0]}?)" if close else ""
