"""The Synapse test harness itself: a real homeserver on loopback, driven by matrix-nio clients.

These tests pin down what the Matrix adapter tests rely on: registration, rooms, invites,
messages through sync, power levels, MSC3381 polls, reactions, threads, media, and a client
that survives a Synapse restart.
"""

# The fixtures are imported below so this file runs even without a conftest that provides them;
# fixtures used as parameters then look like redefinitions to ruff.
# ruff: noqa: F811

import asyncio
import io
import os
from collections.abc import Awaitable, Callable

import nio

from tests.support.matrix_nio import (
    create_room,
    get_power_level,
    matrix_client,  # noqa: F401
    read_power_levels,
    send_event,
    send_text,
    set_power_level,
    wait_for_event,
    wait_for_invite,
)
from tests.support.synapse import MatrixUser, SynapseServer, matrix_user, synapse  # noqa: F401

Connect = Callable[..., Awaitable[nio.AsyncClient]]

POLL_START = "org.matrix.msc3381.poll.start"
POLL_RESPONSE = "org.matrix.msc3381.poll.response"
TEXT = "org.matrix.msc1767.text"


def text_from(sender: str, body: str) -> Callable[[nio.Event], bool]:
    return lambda event: isinstance(event, nio.RoomMessageText) and event.sender == sender and event.body == body


async def test_invited_member_joins_and_receives_a_message(
    matrix_user: Callable[..., MatrixUser], matrix_client: Connect
) -> None:
    alice_user = matrix_user(displayname="Alice")
    bob_user = matrix_user(displayname="Bob")
    assert alice_user.user_id != bob_user.user_id
    alice, bob = await matrix_client(alice_user), await matrix_client(bob_user)

    room_id = await create_room(alice, invite=[bob.user_id], name="Reading group")
    assert await wait_for_invite(bob) == room_id
    assert isinstance(await bob.join(room_id), nio.JoinResponse)
    await wait_for_event(
        alice,
        lambda event: (
            isinstance(event, nio.RoomMemberEvent) and event.state_key == bob.user_id and event.membership == "join"
        ),
        room_id=room_id,
    )

    event_id = await send_text(alice, room_id, "Chapter 3 for Thursday")
    received = await wait_for_event(bob, text_from(alice.user_id, "Chapter 3 for Thursday"), room_id=room_id)
    assert received.event_id == event_id


async def test_a_burst_of_messages_is_neither_rate_limited_nor_cut_short(matrix_client: Connect) -> None:
    alice, bob = await matrix_client(), await matrix_client()
    room_id = await create_room(alice, join=[bob])

    bodies = [f"message {n}" for n in range(30)]
    for body in bodies:  # nio_client turns any HTTP 429 into an error
        await send_text(alice, room_id, body)

    for body in bodies:
        await wait_for_event(bob, text_from(alice.user_id, body), room_id=room_id)


async def test_power_level_is_set_and_read_back(matrix_client: Connect) -> None:
    alice, bob = await matrix_client(), await matrix_client()
    room_id = await create_room(alice, join=[bob])
    assert await get_power_level(alice, room_id, bob.user_id) == 0

    await set_power_level(alice, room_id, bob.user_id, 50)

    assert await get_power_level(alice, room_id, bob.user_id) == 50
    assert await get_power_level(bob, room_id, bob.user_id) == 50
    # Bob's first sync after joining also carries the room's initial m.room.power_levels.
    await wait_for_event(
        bob,
        lambda event: isinstance(event, nio.PowerLevelsEvent) and event.power_levels.get_user_level(bob.user_id) == 50,
        room_id=room_id,
    )
    # Synapse's default room version is 12: the creator outranks everyone and is not listed.
    assert alice.user_id not in (await read_power_levels(alice, room_id))["users"]


async def test_poll_start_and_response_arrive_as_unknown_events(matrix_client: Connect) -> None:
    alice, bob = await matrix_client(), await matrix_client()
    room_id = await create_room(alice, join=[bob])

    start_id = await send_event(
        alice,
        room_id,
        POLL_START,
        {
            POLL_START: {
                "question": {TEXT: "Which book next?"},
                "kind": "org.matrix.msc3381.poll.disclosed",
                "max_selections": 1,
                "answers": [{"id": "dune", TEXT: "Dune"}, {"id": "emma", TEXT: "Emma"}],
            },
            TEXT: "Which book next?\n1. Dune\n2. Emma",
        },
    )
    poll = await wait_for_event(
        bob, lambda event: isinstance(event, nio.UnknownEvent) and event.type == POLL_START, room_id=room_id
    )
    assert poll.event_id == start_id
    answers = poll.source["content"][POLL_START]["answers"]
    assert [answer["id"] for answer in answers] == ["dune", "emma"]

    await send_event(
        bob,
        room_id,
        POLL_RESPONSE,
        {
            "m.relates_to": {"rel_type": "m.reference", "event_id": start_id},
            POLL_RESPONSE: {"answers": ["emma"]},
        },
    )
    vote = await wait_for_event(
        alice,
        lambda event: isinstance(event, nio.UnknownEvent) and event.type == POLL_RESPONSE,
        room_id=room_id,
    )
    assert vote.sender == bob.user_id
    assert vote.source["content"]["m.relates_to"] == {"rel_type": "m.reference", "event_id": start_id}
    assert vote.source["content"][POLL_RESPONSE]["answers"] == ["emma"]


async def test_reaction_and_thread_reply(matrix_client: Connect) -> None:
    alice, bob = await matrix_client(), await matrix_client()
    room_id = await create_room(alice, join=[bob])
    root_id = await send_text(alice, room_id, "Thoughts on chapter 2?")

    await send_event(
        bob,
        room_id,
        "m.reaction",
        {"m.relates_to": {"rel_type": "m.annotation", "event_id": root_id, "key": "👍"}},
    )
    await send_event(
        bob,
        room_id,
        "m.room.message",
        {
            "msgtype": "m.text",
            "body": "The ending surprised me",
            "m.relates_to": {
                "rel_type": "m.thread",
                "event_id": root_id,
                "is_falling_back": True,
                "m.in_reply_to": {"event_id": root_id},
            },
        },
    )

    # Both usually come in one sync; the second wait finds the event the first one left.
    reply = await wait_for_event(alice, text_from(bob.user_id, "The ending surprised me"), room_id=room_id)
    relation = reply.source["content"]["m.relates_to"]
    assert (relation["rel_type"], relation["event_id"]) == ("m.thread", root_id)
    reaction = await wait_for_event(alice, lambda event: isinstance(event, nio.ReactionEvent), room_id=room_id)
    assert (reaction.sender, reaction.reacts_to, reaction.key) == (bob.user_id, root_id, "👍")


async def test_uploaded_file_is_shared_and_downloaded_intact(matrix_client: Connect) -> None:
    alice, bob = await matrix_client(), await matrix_client()
    room_id = await create_room(alice, join=[bob])
    data = os.urandom(300_000)

    upload, _ = await alice.upload(
        io.BytesIO(data), content_type="application/pdf", filename="chapter-1.pdf", filesize=len(data)
    )
    assert isinstance(upload, nio.UploadResponse), upload
    assert upload.content_uri.startswith("mxc://")
    await send_event(
        alice,
        room_id,
        "m.room.message",
        {
            "msgtype": "m.file",
            "body": "chapter-1.pdf",
            "url": upload.content_uri,
            "info": {"mimetype": "application/pdf", "size": len(data)},
        },
    )

    shared = await wait_for_event(bob, lambda event: isinstance(event, nio.RoomMessageFile), room_id=room_id)
    assert shared.url == upload.content_uri
    download = await bob.download(mxc=shared.url)
    assert isinstance(download, nio.DownloadResponse), download
    assert download.body == data


async def test_client_reconnects_after_synapse_restarts(synapse: SynapseServer, matrix_client: Connect) -> None:
    alice, bob = await matrix_client(), await matrix_client()
    room_id = await create_room(alice, join=[bob])
    port = synapse.port

    # Bob is (usually) in a long-poll sync when the server goes away; nio retries the request.
    waiting = asyncio.create_task(
        wait_for_event(bob, text_from(alice.user_id, "Still there?"), room_id=room_id, timeout=30)
    )
    await asyncio.to_thread(synapse.restart)
    assert (synapse.port, synapse.running) == (port, True)

    await send_text(alice, room_id, "Still there?")
    await waiting
