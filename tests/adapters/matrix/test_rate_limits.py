"""The bot's account at Synapse's default rate limits (not exempted), against a real Synapse.

Synapse's rc_message lets one account send 0.2 messages a second after a burst of 10 (docs: "rc_message",
https://element-hq.github.io/synapse/latest/usage/configuration/config_documentation.html#rc_message); the limit is
the account's, whatever room a message goes to. A refused request gets HTTP 429 with `retry_after_ms`, measured from
when Synapse checked it (synapse/api/ratelimiting.py, `Ratelimiter.ratelimit`).
"""

from __future__ import annotations

import asyncio

import nio

from tests.adapters.matrix.support import Bot, StartBot, answers, group_room
from tests.support.matrix_nio import nio_client, send_text, wait_for_event
from tests.support.synapse import SynapseServer


async def test_rooms_waiting_out_the_accounts_limit_take_turns_and_each_message_is_refused_once_at_most(
    synapse_default_limits: SynapseServer, start_bot: StartBot
) -> None:
    server = synapse_default_limits
    bot = await start_bot(server=server)  # not exempted
    users = [server.register_user() for _ in range(3)]
    for user in users:
        server.exempt_from_rate_limits(user.user_id)  # three busy rooms: their members may send as fast as they like
    members = [await nio_client(server, user) for user in users]
    try:
        rooms = [await group_room(member, bot, setup=False) for member in members]  # a greeting in each
        for _ in range(20):  # the burst used up: the account is at the wall
            await converse(bot, members[0], rooms[0], 1)
            if bot.adapter.session.refusals:
                break
        refused = bot.adapter.session.refusals
        before = [
            await messages_from(member, room_id, bot.user_id) for member, room_id in zip(members, rooms, strict=True)
        ]

        await asyncio.gather(
            *(converse(bot, member, room_id, 2) for member, room_id in zip(members, rooms, strict=True))
        )
        after = [
            await messages_from(member, room_id, bot.user_id) for member, room_id in zip(members, rooms, strict=True)
        ]
    finally:
        for member in members:
            await member.close()
    sent = sum(after) - sum(before)
    assert refused and sent == 3 * 2  # one message per command: nothing else counts against the limit
    # At the wall, one slot opens every 5 s for the whole account. Each message is tried when retry_after_ms says
    # (not earlier, which would be refused again) and the waiting rooms take turns: one try per opening slot, so at
    # most one refusal per message sent. Were every waiting room to try each slot, three rooms would cost about three.
    assert bot.adapter.session.refusals - refused <= sent


async def converse(bot: Bot, member: nio.AsyncClient, room_id: str, commands: int) -> None:
    """A member who asks again as soon as the answer comes: the room always has one answer waiting."""
    for n in range(commands):
        command_id = await send_text(member, room_id, f"!rg help group {n}")
        await wait_for_event(member, answers(bot, command_id), room_id=room_id, timeout=60)


async def messages_from(member: nio.AsyncClient, room_id: str, sender: str) -> int:
    """The events `sender` sent in the room so far (not its membership): what rc_message counts."""
    synced = await member.sync(timeout=0)  # a position after everything sent so far
    assert isinstance(synced, nio.SyncResponse), synced
    response = await member.room_messages(room_id, start=synced.next_batch, limit=100)
    assert isinstance(response, nio.RoomMessagesResponse), response
    return sum(1 for event in response.chunk if event.sender == sender and not isinstance(event, nio.RoomMemberEvent))
