"""Settings: defaults, the commented example file, and one clear sentence for every mistake."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from bot.config import ConfigError, Settings, load_settings, parse_settings

ROOT = Path(__file__).resolve().parents[2]


def test_example_file_documents_every_key_with_its_default() -> None:
    raw = tomllib.loads((ROOT / "config.example.toml").read_text(encoding="utf-8"))
    parsed = parse_settings(raw)
    assert parsed == Settings()
    text = (ROOT / "config.example.toml").read_text(encoding="utf-8").splitlines()
    for section, values in raw.items():
        for key in values:
            line = next(i for i, t in enumerate(text) if t.startswith(f"{key} ="))
            assert text[line - 1].startswith("#"), f"{section}.{key} needs a comment above it"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"bot": {"timezon": "UTC"}}, "Unknown key bot.timezon in the config (did you mean timezone?)"),
        ({"bott": {}}, "Unknown section [bott] in the config (did you mean bot?)"),
        ({"bot": {"timezone": "Mars/Olympus"}}, "bot.timezone: I don't know the time zone “Mars/Olympus”"),
        ({"bot": {"adapters": ["irc"]}}, "bot.adapters lists “irc”"),
        ({"library": {"words_per_minute": "fast"}}, "library.words_per_minute must be a whole number"),
        ({"bot": {"log_level": "LOUD"}}, "bot.log_level must be one of"),
        ({"discord": {"guild_ids": "123"}}, "discord.guild_ids must be a list"),
        ({"bot": "x"}, "[bot] must be a table"),
    ],
)
def test_mistakes_name_the_key(raw: dict, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_settings(raw)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_relative_paths_follow_the_config_file(tmp_path: Path) -> None:
    config = tmp_path / "conf" / "readalong.toml"
    config.parent.mkdir()
    config.write_text('[bot]\ndatabase = "db/rg.sqlite3"\n', encoding="utf-8")
    assert load_settings(config).bot.database == config.parent / "db" / "rg.sqlite3"


def test_broken_toml_and_missing_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[bot\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(bad)
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "missing.toml")


def test_secrets_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings()
    monkeypatch.delenv("READALONG_DISCORD_TOKEN", raising=False)
    with pytest.raises(ConfigError, match="READALONG_DISCORD_TOKEN is empty"):
        settings.discord.token()
    monkeypatch.setenv("READALONG_DISCORD_TOKEN", "abc.def")
    assert settings.discord.token() == "abc.def"
    monkeypatch.delenv("READALONG_MATRIX_TOKEN", raising=False)
    monkeypatch.delenv("READALONG_MATRIX_PASSWORD", raising=False)
    with pytest.raises(ConfigError, match="neither READALONG_MATRIX_TOKEN nor READALONG_MATRIX_PASSWORD"):
        settings.matrix.credentials()
    monkeypatch.setenv("READALONG_MATRIX_PASSWORD", "hunter22")
    assert settings.matrix.credentials() == ("", "hunter22")
