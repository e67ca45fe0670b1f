"""Logging in on Matrix against a real Synapse: a password logs in once, later starts reuse the session."""

from __future__ import annotations

import json
import stat

import nio
import pytest

from tests.adapters.matrix.support import Connect, StartBot, ask, group_room


async def test_a_password_logs_in_once_and_restarts_reuse_the_token_and_device(
    start_bot: StartBot, matrix_client: Connect, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot = await start_bot()
    alice = await matrix_client()
    logins: list[str] = []
    login = nio.AsyncClient.login

    async def counted(self: nio.AsyncClient, *args: object, **kwargs: object) -> object:
        logins.append(self.user)
        return await login(self, *args, **kwargs)

    monkeypatch.setattr(nio.AsyncClient, "login", counted)
    monkeypatch.setenv("READALONG_TEST_MATRIX_TOKEN", "")
    monkeypatch.setenv("READALONG_TEST_MATRIX_PASSWORD", bot.user.password)
    await bot.restart(via_environment=True)
    token, device = bot.adapter.client.access_token, bot.adapter.device_id
    saved = bot.settings.matrix.state_dir / "session.json"
    assert json.loads(saved.read_text()) == {"user_id": bot.user_id, "device_id": device, "access_token": token}
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600  # the token is as good as the password

    for _ in range(2):
        await bot.restart(via_environment=True)
        assert (bot.adapter.client.access_token, bot.adapter.device_id) == (token, device)
    assert logins == [bot.user_id]  # one /login for three starts
    room_id = await group_room(alice, bot, setup=False)
    assert "Readalong commands" in (await ask(alice, room_id, bot, "!rg help")).body

    # A token the homeserver no longer accepts (logged out elsewhere): one new login, saved again.
    assert isinstance(await bot.adapter.client.logout(), nio.LogoutResponse)
    await bot.restart(via_environment=True)
    assert len(logins) == 2 and bot.adapter.client.access_token != token
    assert json.loads(saved.read_text())["access_token"] == bot.adapter.client.access_token
