"""matrix-nio helpers for tests that play the human side of a conversation against `SynapseServer`.

`wait_for_event` syncs until a matching timeline event arrives; it never sleeps. Each event is
handed out once: events a sync brought in but no wait claimed are kept for the next wait, so
"wait for the reply, then wait for the reaction" works even when both came in one sync.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from typing import Any, TypeVar

import nio
import pytest_asyncio

from tests.support.synapse import MatrixUser, SynapseServer

DEFAULT_TIMEOUT = 10.0
# Incremental syncs return at most 10 timeline events per room unless asked for more; the rest
# become a gap (`limited`) and would never be seen by a wait.
SYNC_FILTER = {"room": {"timeline": {"limit": 200}}}
LONG_POLL_MS = 5_000

# Room versions before 12 list the creator in `users` of m.room.power_levels; from 12 on
# (Synapse's default) creators outrank everyone and must not appear there.
_CREATOR_IN_POWER_LEVELS = {str(version) for version in range(1, 12)}


class MatrixRequestError(RuntimeError):
    """A Matrix request in a test helper failed."""


# Per client: (room id, event) pairs a sync brought in that no wait has claimed yet.
_Backlog = list[tuple[str, nio.Event]]
_T = TypeVar("_T")

_backlogs: weakref.WeakKeyDictionary[nio.AsyncClient, _Backlog] = weakref.WeakKeyDictionary()
# Per client: the stripped state of each room it was invited to (the invite's m.room.member carries is_direct).
_invites: weakref.WeakKeyDictionary[nio.AsyncClient, dict[str, list[nio.Event]]] = weakref.WeakKeyDictionary()


async def nio_client(server: SynapseServer, user: MatrixUser) -> nio.AsyncClient:
    """An AsyncClient logged in with the user's access token and synced once.

    The first sync sets the client's position, so later waits only see newer events. Rate limits
    come back as errors instead of silent retries, and a dropped connection (Synapse restarting)
    is retried a few times. The caller closes the client.
    """
    config = nio.AsyncClientConfig(
        max_limit_exceeded=0, max_timeouts=10, max_timeout_retry_wait_time=1.0, request_timeout=30
    )
    client = nio.AsyncClient(server.base_url, user.user_id, device_id=user.device_id, config=config)
    client.restore_login(user.user_id, user.device_id, user.access_token)
    try:
        _check(await client.sync(timeout=0, sync_filter=SYNC_FILTER), nio.SyncResponse, "initial sync")
    except BaseException:
        await client.close()
        raise
    return client


@pytest_asyncio.fixture
async def matrix_client(
    synapse: SynapseServer, matrix_user: Callable[..., MatrixUser]
) -> AsyncIterator[Callable[..., Awaitable[nio.AsyncClient]]]:
    """Factory: `await matrix_client(user=None)` logs in (a fresh user by default); closed at teardown."""
    clients: list[nio.AsyncClient] = []

    async def connect(user: MatrixUser | None = None) -> nio.AsyncClient:
        client = await nio_client(synapse, user or matrix_user())
        clients.append(client)
        return client

    yield connect
    for client in clients:
        await client.close()


async def wait_for_event(
    client: nio.AsyncClient,
    predicate: Callable[[nio.Event], bool],
    *,
    room_id: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109
) -> nio.Event:
    """Sync until a joined room's timeline has an event matching `predicate`, and return it.

    A sync also returns the client's own events; filter on `event.sender` when that matters.
    Custom event types (MSC3381 polls) arrive as `nio.UnknownEvent`: read `event.source`.
    """
    backlog = _backlogs.setdefault(client, [])
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        for index, (event_room_id, event) in enumerate(backlog):
            if (room_id is None or event_room_id == room_id) and predicate(event):
                del backlog[index]
                return event
        remaining = deadline - loop.time()
        if remaining <= 0:
            raise TimeoutError(f"{client.user_id} saw no matching event within {timeout} s")
        await _sync(client, min(remaining, LONG_POLL_MS / 1000), backlog)


async def wait_for_invite(client: nio.AsyncClient, *, timeout: float = DEFAULT_TIMEOUT) -> str:  # noqa: ASYNC109
    """Sync until the client has a pending invite (one it has not joined yet), and return the room id."""
    backlog = _backlogs.setdefault(client, [])
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not client.invited_rooms:
        remaining = deadline - loop.time()
        if remaining <= 0:
            raise TimeoutError(f"{client.user_id} got no invite within {timeout} s")
        await _sync(client, min(remaining, LONG_POLL_MS / 1000), backlog)
    return next(iter(client.invited_rooms))


def invite_state(client: nio.AsyncClient, room_id: str) -> list[nio.Event]:
    """The stripped state events of the client's invite to `room_id`, as its syncs delivered them."""
    return list(_invites.get(client, {}).get(room_id, []))


async def create_room(
    creator: nio.AsyncClient,
    *,
    invite: Iterable[str] = (),
    join: Iterable[nio.AsyncClient] = (),
    power_levels: Mapping[str, int] | None = None,
    power_level_content: Mapping[str, Any] | None = None,
    name: str | None = None,
    topic: str | None = None,
    room_version: str | None = None,
) -> str:
    """Create a private room and return its id.

    `invite` users (ids) only get an invite, as a bot under test would; `join` clients are
    invited and join at once. `power_levels` maps user ids to levels; `power_level_content`
    overrides other keys of m.room.power_levels (`kick`, `events`, ...).
    """
    joiners = list(join)
    invitees = [*invite, *(client.user_id for client in joiners)]
    override: dict[str, Any] = dict(power_level_content or {})
    if power_levels:
        users = dict(power_levels)
        if room_version in _CREATOR_IN_POWER_LEVELS:
            users.setdefault(creator.user_id, 100)
        override["users"] = users
    created = _check(
        await creator.room_create(
            name=name,
            topic=topic,
            room_version=room_version,
            invite=invitees,
            power_level_override=override or None,
        ),
        nio.RoomCreateResponse,
        "create room",
    )
    for client in joiners:
        _check(await client.join(created.room_id), nio.JoinResponse, f"{client.user_id} joins")
    return created.room_id


async def read_power_levels(client: nio.AsyncClient, room_id: str) -> dict[str, Any]:
    """The room's current m.room.power_levels content, read from the server."""
    response = _check(
        await client.room_get_state_event(room_id, "m.room.power_levels"),
        nio.RoomGetStateEventResponse,
        "read power levels",
    )
    return response.content


async def get_power_level(client: nio.AsyncClient, room_id: str, user_id: str) -> int:
    """A user's level from m.room.power_levels (room creators of v12+ rooms are not listed)."""
    content = await read_power_levels(client, room_id)
    return int(content.get("users", {}).get(user_id, content.get("users_default", 0)))


async def set_power_level(client: nio.AsyncClient, room_id: str, user_id: str, level: int) -> str:
    """Give `user_id` the power level `level` and return the event id of the change."""
    content = await read_power_levels(client, room_id)
    content.setdefault("users", {})[user_id] = level
    response = _check(
        await client.room_put_state(room_id, "m.room.power_levels", content),
        nio.RoomPutStateResponse,
        "set power level",
    )
    return response.event_id


async def send_text(client: nio.AsyncClient, room_id: str, body: str) -> str:
    """Send an m.text message and return its event id."""
    return await send_event(client, room_id, "m.room.message", {"msgtype": "m.text", "body": body})


async def send_event(client: nio.AsyncClient, room_id: str, event_type: str, content: dict[str, Any]) -> str:
    """Send any room event and return its event id."""
    response = _check(await client.room_send(room_id, event_type, content), nio.RoomSendResponse, f"send {event_type}")
    return response.event_id


async def _sync(client: nio.AsyncClient, seconds: float, backlog: _Backlog) -> None:
    response = _check(await client.sync(timeout=int(seconds * 1000), sync_filter=SYNC_FILTER), nio.SyncResponse, "sync")
    for joined_room_id, room in response.rooms.join.items():
        backlog.extend((joined_room_id, event) for event in room.timeline.events)
    for invited_room_id, invite in response.rooms.invite.items():
        _invites.setdefault(client, {}).setdefault(invited_room_id, []).extend(invite.invite_state)


def _check(response: object, expected: type[_T], what: str) -> _T:
    if not isinstance(response, expected):
        raise MatrixRequestError(f"{what} failed: {response}")
    return response
