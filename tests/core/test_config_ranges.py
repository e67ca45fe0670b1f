"""Config values out of range, files that are not UTF-8, and secrets pasted where a variable's NAME belongs:
one sentence each, and the sentence never repeats a secret."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, DiscordSettings, Settings, load_settings, parse_settings

DISCORD_TOKEN = "MTA5ODc2NTQzMjEwOTg3NjU0Mw.GhIjKl.abcdefghijklmnopqrstuvwxyz0123456789AB"
MATRIX_TOKEN = "syt_YWxpY2U_lQfFzXxRZjMRPXLBUcUZ_3Zcxd0"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"library": {"max_upload_mb": 2**63 - 1}}, "library.max_upload_mb must be between 1 and 1,024 MB"),
        ({"library": {"max_upload_mb": 0}}, "library.max_upload_mb must be between 1 and 1,024 MB, not 0."),
        ({"discord": {"shard_count": -1}}, "discord.shard_count must be between 0 and 1,000"),
        ({"discord": {"shard_count": 10**9}}, "discord.shard_count must be between 0 and 1,000"),
        ({"library": {"words_per_minute": 10**30}}, "not a number that large"),
        ({"library": {"target_minutes": 100_000}}, "library.target_minutes must be between 5 and 600 minutes"),
        ({"matrix": {"moderator_power_level": 101}}, "matrix.moderator_power_level must be between 0 and 100"),
        ({"prompts": {"timeout_seconds": 0}}, "prompts.timeout_seconds must be between 1 and 300 seconds"),
        ({"bot": {"shared_database": "yes"}}, "bot.shared_database must be true or false"),
    ],
)
def test_numbers_out_of_range_are_refused_in_one_sentence(raw: dict, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_settings(raw)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_the_bounds_themselves_are_accepted() -> None:
    settings = parse_settings(
        {"library": {"max_upload_mb": 1024}, "discord": {"shard_count": 0}, "bot": {"shared_database": True}}
    )
    assert settings.library.max_upload_mb == 1024 and settings.bot.shared_database


@pytest.mark.parametrize(
    ("section", "key", "secret"),
    [
        ("discord", "token_env", DISCORD_TOKEN),
        ("matrix", "access_token_env", MATRIX_TOKEN),
        ("matrix", "password_env", "correct horse battery staple"),
        ("prompts", "api_key_env", "sk-proj-abcdefghijklmnop"),
    ],
)
def test_a_secret_pasted_as_a_variable_name_is_never_echoed(section: str, key: str, secret: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_settings({section: {key: secret}})
    sentence = str(caught.value)
    assert f"{section}.{key} must be the NAME of an environment variable" in sentence
    assert secret not in sentence and secret[:12] not in sentence
    assert "\n" not in sentence


def test_a_pasted_secret_is_not_echoed_when_the_adapter_starts_either() -> None:
    with pytest.raises(ConfigError) as caught:
        Settings(discord=DiscordSettings(token_env=DISCORD_TOKEN)).discord.token()
    assert DISCORD_TOKEN[:12] not in str(caught.value)


def test_a_config_file_that_is_not_utf8_gets_a_sentence(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_bytes('[bot]\ntimezone = "Europe/Zürich"\n'.encode("latin-1"))
    with pytest.raises(ConfigError) as caught:
        load_settings(config)
    assert str(caught.value) == f"The config file {config} is not UTF-8 text (byte 27 is not); save it as UTF-8."


def test_a_config_path_that_is_a_folder_gets_a_sentence(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="is a folder"):
        load_settings(tmp_path)
