"""Rooms on Matrix: invites accepted or declined, and nudges in a private room with one member."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

import nio

from bot.adapters.base import direct_room
from bot.replies import Reply
from tests.adapters.matrix.support import (
    Connect,
    StartBot,
    add_book,
    answers,
    ask,
    group_room,
    in_reply_to,
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
    assert "12 h before a meeting" in asked.body
    assert await bot.app.tick() == 1  # the reading opens in the group's room
    bot.clock.advance(timedelta(hours=21))  # 12 hours before the meeting of Tuesday 19:00 in Berlin
    assert await bot.app.tick() == 2  # the nudge, and the day-before reminder in the group's room

    direct = await wait_for_invite(bob)
    [invite] = [e for e in invite_state(bob, direct) if getattr(e, "state_key", None) == bob.user_id]
    assert invite.sender == bot.user_id and invite.content["membership"] == "invite"
    assert invite.content["is_direct"] is True
    assert isinstance(await bob.join(direct), nio.JoinResponse)
    notice = lambda e: e.sender == bot.user_id and isinstance(e, nio.RoomMessageNotice)  # noqa: E731
    nudge = await wait_for_event(bob, notice, room_id=direct)
    assert nudge.body.startswith("Before the meeting of") and "Still to read for *" in nudge.body
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
