"""Rooms on Matrix: invites accepted or declined, and nudges in a private room with one member."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

import nio
import pytest

from bot.adapters.base import direct_room
from bot.adapters.matrix.session import MatrixError
from bot.replies import Reply
from tests.adapters.matrix.support import (
    Connect,
    StartBot,
    add_book,
    answers,
    ask,
    content_of,
    eventually,
    group_room,
    in_reply_to,
    kick,
    membership,
    seen_until,
    start_plan,
)
from tests.support.matrix_nio import (
    create_room,
    invite_state,
    send_text,
    wait_for_event,
    wait_for_invite,
)
from tests.support.synapse import MatrixUser


async def test_invites_from_allowed_inviters_are_accepted_and_others_declined(
    start_bot: StartBot, matrix_client: Connect, matrix_user: Callable[..., MatrixUser]
) -> None:
    alice, mallory = await matrix_client(), await matrix_client()
    bot_user = matrix_user(displayname="Readalong")
    # Invited before it ever ran: it joins on its first sync, and what was said before is history.
    welcome = await create_room(alice, invite=[bot_user.user_id])
    history = await send_text(alice, welcome, "!rg help")
    bot = await start_bot(allowed_inviters=(alice.user_id,), user=bot_user)
    await wait_for_event(alice, membership(bot.user_id, "join"), room_id=welcome)

    unwelcome = await create_room(mallory, invite=[bot.user_id])
    await wait_for_event(mallory, membership(bot.user_id, "leave"), room_id=unwelcome)
    assert unwelcome not in bot.adapter.client.rooms

    marker = await send_text(alice, welcome, "!rg help")
    seen = await seen_until(alice, welcome, answers(bot, marker))
    assert "Readalong commands" in seen[-1].body
    assert history not in {in_reply_to(e) for e in seen}

    # Invited while running, into a room with earlier commands: it answers only what follows its join.
    later = await create_room(alice)
    earlier = await send_text(alice, later, "!rg help")
    assert isinstance(await alice.room_invite(later, bot.user_id), nio.RoomInviteResponse)
    await wait_for_event(alice, membership(bot.user_id, "join"), room_id=later)
    marker = await send_text(alice, later, "!rg help")
    seen = await seen_until(alice, later, answers(bot, marker))
    assert earlier not in {in_reply_to(e) for e in seen}


async def test_a_nudge_arrives_in_a_direct_room_with_that_member_only(
    start_bot: StartBot, matrix_client: Connect
) -> None:
    bot = await start_bot()
    alice, bob = await matrix_client(), await matrix_client()
    room_id = await group_room(alice, bot, join=(bob,))
    await start_plan(alice, room_id, bot, await add_book(bot))
    asked = await ask(bob, room_id, bot, "!rg nudge on")
    assert asked.body == "I sent you my answer in a private message."  # a private answer: not in the group room
    assert await bot.app.tick() == 1  # the reading opens in the group's room
    bot.clock.advance(timedelta(hours=21))  # 12 hours before the meeting of Tuesday 19:00 in Berlin
    assert await bot.app.tick() == 2  # the nudge, and the day-before reminder in the group's room

    direct = await wait_for_invite(bob)
    [invite] = [e for e in invite_state(bob, direct) if getattr(e, "state_key", None) == bob.user_id]
    assert invite.sender == bot.user_id and invite.content["membership"] == "invite"
    assert invite.content["is_direct"] is True
    assert isinstance(await bob.join(direct), nio.JoinResponse)
    answer = await wait_for_event(bob, lambda e: e.sender == bot.user_id and hasattr(e, "body"), room_id=direct)
    assert isinstance(answer, nio.RoomMessageNotice) and "12 h before a meeting" in answer.body
    notice = lambda e: e.sender == bot.user_id and isinstance(e, nio.RoomMessageText)  # noqa: E731  posts notify
    nudge = await wait_for_event(bob, notice, room_id=direct)
    assert nudge.body.startswith("Before the meeting of") and "Still to read for " in nudge.body
    assert "*" not in nudge.body
    members = await bob.joined_members(direct)
    assert isinstance(members, nio.JoinedMembersResponse)
    assert sorted(m.user_id for m in members.members) == sorted([bot.user_id, bob.user_id])
    assert await bot.app.recall("matrix", "", "direct", bob.user_id) == direct

    # A second private message goes to the same room; nobody else was invited anywhere.
    await bot.adapter.send(direct_room(bob.user_id), Reply(text="One more thing."), key="second-dm")
    again = await wait_for_event(bob, notice, room_id=direct)
    assert again.body == "One more thing."
    marker = await send_text(alice, room_id, "!rg group info")
    seen = await seen_until(alice, room_id, answers(bot, marker))
    assert not [e for e in seen if "Still to read" in getattr(e, "body", "")]
    assert not alice.invited_rooms

    # Bob leaves the private room: the bot forgets it, and the next private message opens a new one.
    assert isinstance(await bob.room_leave(direct), nio.RoomLeaveResponse)
    for _ in range(200):
        if await bot.app.recall("matrix", "", "direct", bob.user_id) is None:
            break
        await asyncio.sleep(0.05)
    assert await bot.app.recall("matrix", "", "direct", bob.user_id) is None
    await bot.adapter.send(direct_room(bob.user_id), Reply(text="A fresh start."), key="third-dm")
    fresh = await wait_for_invite(bob)
    assert fresh != direct


async def test_the_bot_greets_on_joining_and_names_the_group_after_the_room(
    start_bot: StartBot, matrix_client: Connect
) -> None:
    bot = await start_bot()
    alice = await matrix_client()
    room_id = await create_room(alice, invite=[bot.user_id], name="Tuesday Readers")
    greeting = await wait_for_event(alice, lambda e: e.sender == bot.user_id and hasattr(e, "body"), room_id=room_id)
    assert "`!rg group setup <time zone>`" in greeting.body and content_of(greeting)["msgtype"] == "m.notice"
    set_up = await ask(alice, room_id, bot, "!rg group setup Europe/Berlin")
    assert set_up.body.startswith("Reading group “Tuesday Readers” is set up")


async def test_every_allowed_invite_is_answered_after_a_kick_a_refusal_or_a_restart(
    start_bot: StartBot, matrix_client: Connect, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice, mallory = await matrix_client(), await matrix_client()
    bot = await start_bot(allowed_inviters=(alice.user_id,))
    room_id = await group_room(alice, bot)

    # Kicked, it forgets the room, and a post there fails for good instead of being retried for ever.
    await kick(alice, room_id, bot.user_id)
    await eventually(lambda: room_id not in bot.adapter.client.rooms)
    with pytest.raises(MatrixError) as refused:
        await bot.adapter.send(room_id, Reply(text="Anyone there?"), key="after-kick")
    assert refused.value.permanent
    # Invited again, it joins again and says hello.
    assert isinstance(await alice.room_invite(room_id, bot.user_id), nio.RoomInviteResponse)
    await wait_for_event(alice, membership(bot.user_id, "join"), room_id=room_id)
    hello = await wait_for_event(alice, lambda e: getattr(e, "body", "").startswith("Hello again"), room_id=room_id)
    assert "still the reading group" in hello.body

    # Refused from one inviter, then invited by an allowed one to the same room: it joins.
    shared = await create_room(mallory, invite=[bot.user_id, alice.user_id])
    await wait_for_event(mallory, membership(bot.user_id, "leave"), room_id=shared)
    assert isinstance(await alice.join(shared), nio.JoinResponse)
    assert isinstance(await alice.room_invite(shared, bot.user_id), nio.RoomInviteResponse)
    await wait_for_event(alice, membership(bot.user_id, "join"), room_id=shared)

    # An invite seen but not answered before a crash is answered at the next start.
    async def lost(*args: object) -> None:
        return None

    monkeypatch.setattr(bot.adapter.rooms, "on_invite", lost)
    pending = await create_room(alice, invite=[bot.user_id])
    await ask(alice, room_id, bot, "!rg help")  # the sync that brought the invite has been handled and stored
    assert pending not in bot.adapter.client.rooms
    await bot.restart()
    await wait_for_event(alice, membership(bot.user_id, "join"), room_id=pending)


async def test_an_encrypted_room_is_refused_with_a_plain_message(start_bot: StartBot, matrix_client: Connect) -> None:
    bot = await start_bot()
    alice = await matrix_client()
    encryption = {"type": "m.room.encryption", "state_key": "", "content": {"algorithm": "m.megolm.v1.aes-sha2"}}
    created = await alice.room_create(invite=[bot.user_id], initial_state=[encryption])
    assert isinstance(created, nio.RoomCreateResponse)
    seen = await seen_until(alice, created.room_id, membership(bot.user_id, "leave"))
    [refusal] = [e for e in seen if e.sender == bot.user_id and isinstance(e, nio.RoomMessageNotice)]
    assert "end-to-end encrypted" in refusal.body and "cannot read" in refusal.body
