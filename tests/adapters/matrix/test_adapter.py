"""The adapter's sync loop against a real Synapse: reconnecting, restarts, catching up a long gap."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import nio
import pytest

from bot.adapters.matrix import MatrixAdapter
from bot.adapters.matrix.render import POLL_START
from bot.app import App
from bot.replies import Reply
from cogs import all_features
from tests.adapters.matrix.support import (
    Connect,
    StartBot,
    answers,
    ask,
    eventually,
    group_room,
    in_reply_to,
    post_job,
    respond,
    seen_until,
    token_adapter,
)
from tests.support.matrix_nio import (
    nio_client,
    send_text,
    wait_for_event,
)
from tests.support.synapse import SynapseServer


async def test_synapse_restart_reconnects_and_posts_due_meanwhile_go_out_once(
    synapse: SynapseServer, start_bot: StartBot, matrix_client: Connect
) -> None:
    bot = await start_bot()
    alice = await matrix_client()
    room_id = await group_room(alice, bot)

    await asyncio.to_thread(synapse.stop)
    try:
        bot.clock.advance(timedelta(minutes=5))
        await post_job(bot, room_id, [(Reply(text="Reminder written while the server was down"), None, False)])
        assert await bot.app.tick() == 0  # the send fails; the row stays in the outbox
    finally:
        await asyncio.to_thread(synapse.start)

    loop = asyncio.get_running_loop()
    deadline = loop.time() + 20
    while await bot.app.tick() == 0:
        assert loop.time() < deadline, "the post never went out"
        await asyncio.sleep(0.2)
    for _ in range(3):
        assert await bot.app.tick() == 0

    marker = await send_text(alice, room_id, "!rg group info")  # answered once the sync loop is back
    seen = await seen_until(alice, room_id, answers(bot, marker))
    posts = [e for e in seen if e.sender == bot.user_id and e.body == "Reminder written while the server was down"]
    assert len(posts) == 1


async def test_restart_answers_offline_commands_once_and_never_replays(
    start_bot: StartBot, matrix_client: Connect, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice = await matrix_client()
    bot = await start_bot()
    # From here on the bot logs in with the password from the environment, as `readalong run` does.
    monkeypatch.setenv("READALONG_TEST_MATRIX_TOKEN", "")
    monkeypatch.setenv("READALONG_TEST_MATRIX_PASSWORD", bot.user.password)
    await bot.restart(via_environment=True)
    device = bot.adapter.device_id
    assert device and (bot.settings.matrix.state_dir / "session.json").exists()

    room_id = await group_room(alice, bot)
    answered = await send_text(alice, room_id, "!rg group info")
    await wait_for_event(alice, answers(bot, answered), room_id=room_id)

    await bot.adapter.stop()
    offline = await send_text(alice, room_id, "!rg group timezone Europe/Paris")
    handled: list[str] = []
    await bot.restart(via_environment=True, handled=handled)
    assert bot.adapter.device_id == device  # the password login went to the same device

    marker = await send_text(alice, room_id, "!rg group info")
    seen = await seen_until(alice, room_id, answers(bot, marker))
    assert handled == ["group timezone Europe/Paris", "group info"]  # the command answered before is not rerun
    replies = [in_reply_to(e) for e in seen if e.sender == bot.user_id]
    assert replies.count(offline) == 1
    assert answered not in replies
    offline_reply = next(e for e in seen if in_reply_to(e) == offline)
    assert offline_reply.body == "The group's time zone is now Europe/Paris."


async def test_a_long_absence_is_caught_up_through_the_gap(
    start_bot: StartBot, matrix_client: Connect, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot = await start_bot()
    alice = await matrix_client()
    room_id = await group_room(alice, bot)

    await bot.adapter.stop()
    missed = [await send_text(alice, room_id, f"!rg help group {n}") for n in range(4)]
    for n in range(4):
        await send_text(alice, room_id, f"just chatting {n}")
    monkeypatch.setattr(MatrixAdapter, "timeline_limit", 3)  # the first sync after the restart leaves a gap
    await bot.restart()
    for event_id in missed:
        await wait_for_event(alice, answers(bot, event_id), room_id=room_id)


async def test_a_burst_of_commands_is_answered_promptly_on_a_homeserver_with_default_rate_limits(
    synapse_default_limits: SynapseServer, start_bot: StartBot
) -> None:
    server = synapse_default_limits
    bot = await start_bot(server=server)  # not exempted: 0.2 messages a second, a burst of 10
    member_user = server.register_user()
    server.exempt_from_rate_limits(member_user.user_id)  # the member may send as fast as a busy room does
    alice = await nio_client(server, member_user)
    try:
        room_id = await group_room(alice, bot)
        commands = [await send_text(alice, room_id, f"!rg help group {n}") for n in range(24)]
        unanswered = set(commands)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 40  # one by one at 0.2 a second, the last answer would come after about 70 s

        def answered(event: nio.Event) -> bool:
            if event.sender == bot.user_id:
                unanswered.discard(in_reply_to(event) or "")
                body = getattr(event, "body", "")
                unanswered.difference_update({c for c in commands if f"matrix.to/#/{room_id}/{c}" in body})
            return not unanswered

        await wait_for_event(alice, answered, room_id=room_id, timeout=deadline - loop.time())
    finally:
        await alice.close()


async def test_two_bots_on_one_database_run_each_command_once(start_bot: StartBot, matrix_client: Connect) -> None:
    bot = await start_bot()
    alice = await matrix_client()
    room_id = await group_room(alice, bot)
    twin_app = await App.open(
        bot.settings, clock=bot.clock, features=all_features()
    )  # a second instance started by mistake
    twin = token_adapter(twin_app, bot.user)
    await twin.start()
    try:
        command_id = await send_text(alice, room_id, '!rg poll create "Which book next?" "Dune" "Emma"')
        await wait_for_event(alice, answers(bot, command_id), room_id=room_id)
        marker = await send_text(alice, room_id, "!rg poll list")
        seen = await seen_until(alice, room_id, answers(bot, marker))
        assert "#2" not in seen[-1].body
        row = await bot.app.db.fetchone("SELECT count(*) FROM polls")
        assert row is not None and row[0] == 1
    finally:
        await twin.stop()
        await twin_app.close()


async def test_the_sync_loop_retries_every_few_seconds_while_the_server_is_away(
    synapse: SynapseServer, start_bot: StartBot, matrix_client: Connect, caplog: pytest.LogCaptureFixture
) -> None:
    bot = await start_bot()
    alice = await matrix_client()
    room_id = await group_room(alice, bot)
    caplog.set_level(logging.WARNING, logger="bot.adapters.matrix.adapter")
    await asyncio.to_thread(synapse.stop)
    try:
        await eventually(lambda: len(retries(caplog)) >= 6, timeout=60)  # 0.5 1 2 4 4 4 …: never 8, 16, 30
    finally:
        await asyncio.to_thread(synapse.start)
    assert max(retries(caplog)) <= MatrixAdapter.max_backoff <= 5
    await ask(alice, room_id, bot, "!rg help")


def retries(caplog: pytest.LogCaptureFixture) -> list[float]:
    return [float(r.args[0]) for r in caplog.records if r.msg.startswith("Matrix sync failed") and r.args]


async def test_a_room_waiting_out_a_rate_limit_holds_up_no_other_room(
    synapse_default_limits: SynapseServer, start_bot: StartBot
) -> None:
    server = synapse_default_limits
    bot = await start_bot(server=server)
    members = [server.register_user() for _ in range(2)]
    for member in members:
        server.exempt_from_rate_limits(member.user_id)
    alice, bob = [await nio_client(server, member) for member in members]
    try:
        busy = await group_room(alice, bot)
        quiet = await group_room(bob, bot)
        command_id = await send_text(bob, quiet, '!rg poll create "Which book next?" "Dune" "Emma"')
        poll = await wait_for_event(bob, lambda e: e.source.get("type") == POLL_START and in_reply_to(e) == command_id)
        commands = [await send_text(alice, busy, f"!rg help group {n}") for n in range(12)]
        states: list[str | None] = []

        async def read_states() -> list[str | None]:
            states[:] = [await bot.app.recall("matrix", busy, "handled", c) for c in commands]
            return states

        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        while None in await read_states() or "done" not in states or set(states) == {"done"}:
            assert loop.time() < deadline, f"the busy room was never caught waiting: {states}"
            await asyncio.sleep(0.02)
        # Every command of the busy room has been taken up, and some of its answers wait out the rate limit now.
        await respond(bob, quiet, poll.event_id, "2")  # a vote needs no message from the bot
        deadline = loop.time() + 30
        while not await bot.app.db.fetchone("SELECT 1 FROM ballots"):
            assert loop.time() < deadline, "the vote was not recorded"
            await asyncio.sleep(0.02)
        assert set(await read_states()) != {"done"}, "the vote waited until the busy room had been answered"
    finally:
        await alice.close()
        await bob.close()
