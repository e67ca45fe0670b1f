"""The delivery policy: rooms take turns, failures are classified, given-up posts are recorded and told once.

A test adapter raises the DeliveryError an adapter maps a platform's answer to (a permanent 403, a transient
503, a 429 with retry_after), beside healthy rooms, through the real outbox rows in a real SQLite file.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from datetime import timedelta

from bot.adapters.base import DeliveryError, direct_room
from bot.app import App
from bot.clock import ManualClock
from bot.outbox import MAX_ATTEMPTS, backoff, deliver, reply_to_json, room_recovered
from bot.replies import Reply
from bot.storage import outbox as outbox_store
from bot.storage import schedules as schedule_store
from bot.storage.db import Database
from tests.conftest import Room

FORBIDDEN = "the bot may not post in this channel (403)"


class FlakyAdapter:
    """Records every attempt; rooms in `dead` refuse for good, rooms in `down` fail for now."""

    platform = "test"

    def __init__(self, sent: list[tuple[str, str]] | None = None, concurrent_sends: int = 1) -> None:
        self.sent: list[tuple[str, str]] = [] if sent is None else sent  # (room, key) in the order accepted
        self.attempts: Counter[str] = Counter()
        self.dead: set[str] = set()
        self.down: set[str] = set()
        self.concurrent_sends = concurrent_sends

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def send(
        self, room_id: str, reply: Reply, *, key: str, thread_key: str | None = None, starts_thread: bool = False
    ) -> str:
        self.attempts[key] += 1
        await asyncio.sleep(0.001)  # a network round trip: lets concurrent senders interleave
        if room_id in self.dead:
            raise DeliveryError(FORBIDDEN, permanent=True)
        if room_id in self.down:
            raise DeliveryError("the server answered 503", permanent=False)
        self.sent.append((room_id, key))
        return f"msg-{key}"

    def keys_in(self, room_id: str) -> list[str]:
        return [key for room, key in self.sent if room == room_id]


async def _group(app: App, room_id: str) -> int:
    room = Room(app, room_id=room_id)
    await room.setup()
    group = await app.db.fetchone("SELECT id FROM groups WHERE room_id = ?", (room_id,))
    assert group is not None
    return int(group["id"])


async def _post(app: App, group_id: int, room_id: str, key: str) -> None:
    async with app.db.transaction() as tx:
        await outbox_store.enqueue(
            tx,
            key=key,
            group_id=group_id,
            platform="test",
            room_id=room_id,
            payload=reply_to_json(Reply(text=f"post {key}")),
            now=app.clock.now(),
        )


async def _notices(app: App) -> list[tuple[str, str]]:
    rows = await app.db.fetchall("SELECT room_id, payload FROM outbox WHERE key LIKE 'delivery-notice:%' ORDER BY id")
    return [(r["room_id"], json.loads(r["payload"])["text"]) for r in rows]


async def test_dead_and_failing_rooms_never_hold_back_healthy_ones(app: App, clock: ManualClock) -> None:
    adapter = FlakyAdapter()
    adapters = {"test": adapter}
    club = await _group(app, "room-1")
    other = await _group(app, "room-2")
    flaky = await _group(app, "room-3")
    dead_dm = direct_room("bob")
    adapter.dead.add(dead_dm)
    adapter.down.add("room-3")
    # The failing rooms' 120 posts each are the oldest rows: under the old sender they filled every batch.
    for n in range(120):
        await _post(app, club, dead_dm, f"dm-{n:03d}")
        await _post(app, flaky, "room-3", f"three-{n:03d}")
    for n in range(5):
        await _post(app, club, "room-1", f"one-{n}")
        await _post(app, other, "room-2", f"two-{n}")

    await deliver(app.db, adapters, clock)

    assert adapter.keys_in("room-2") == [f"two-{n}" for n in range(5)]
    assert adapter.keys_in("room-1")[:5] == [f"one-{n}" for n in range(5)]
    # The dead room was tried once; all of its posts are recorded with the reason, none stays pending.
    assert sum(adapter.attempts[f"dm-{n:03d}"] for n in range(120)) == 1
    missed = await schedule_store.missed(app.db, club)
    assert sorted(m.key for m in missed) == [f"dm-{n:03d}" for n in range(120)]
    assert all(FORBIDDEN in m.reason for m in missed)
    assert all(m.payload and "post dm-" in m.payload for m in missed)
    pending = {row.key for row in await outbox_store.unsent(app.db, ("test",), limit=500)}
    assert pending == {f"three-{n:03d}" for n in range(120)}
    # One notice, in the group's own room, sent there after the room's own posts.
    notices = await _notices(app)
    assert len(notices) == 1 and notices[0][0] == "room-1"
    assert "can't send private messages to one member" in notices[0][1] and FORBIDDEN in notices[0][1]
    assert "bob" not in notices[0][1]  # the room learns that someone's messages are closed, not whose
    assert adapter.keys_in("room-1")[5:] == [next(k for r, k in adapter.sent if k.startswith("delivery-notice"))]
    # The transient room was tried once and waits; its rows count the attempt.
    assert adapter.attempts["three-000"] == 1 and not adapter.keys_in("room-3")
    assert sum(adapter.attempts.values()) == 1 + 1 + 5 + 5 + 1  # dead, failing, two healthy rooms, the notice
    head = await app.db.fetchone("SELECT attempts, last_error FROM outbox WHERE key = 'three-000'")
    assert head is not None and head["attempts"] == 1 and "503" in head["last_error"]

    # Still failing: the second attempt comes at once, the third only after the backoff.
    await deliver(app.db, adapters, clock)
    assert adapter.attempts["three-000"] == 2
    await deliver(app.db, adapters, clock)
    assert adapter.attempts["three-000"] == 2  # waiting out its backoff
    clock.advance(backoff(2, rng=lambda: 1.0) + timedelta(seconds=1))
    adapter.down.clear()
    more_dead = [f"dm-late-{n}" for n in range(3)]
    for key in more_dead:
        await _post(app, club, dead_dm, key)
    await deliver(app.db, adapters, clock)

    assert adapter.keys_in("room-3") == [f"three-{n:03d}" for n in range(120)]
    assert all(n == 1 for key, n in Counter(k for _, k in adapter.sent).items()), "a post went out twice"
    # The dead room stays skipped: new posts for it are recorded without a send and without a second notice.
    assert all(adapter.attempts[key] == 0 for key in more_dead)
    assert {m.key for m in await schedule_store.missed(app.db, club)} >= set(more_dead)
    assert len(await _notices(app)) == 1
    assert await outbox_store.unsent(app.db, ("test",)) == []


async def test_a_dead_room_works_again_after_a_moderator_speaks_there(app: App, clock: ManualClock) -> None:
    adapter = FlakyAdapter()
    room = Room(app, room_id="room-9")
    group = await _group(app, "room-9")
    adapter.dead.add("room-9")
    await _post(app, group, "room-9", "before")
    await deliver(app.db, {"test": adapter}, clock)
    assert [m.key for m in await schedule_store.missed(app.db)] == ["before"]
    # The group's own room is the dead one: nowhere to post the notice, so it is logged instead.
    assert await _notices(app) == []

    adapter.dead.clear()
    await room.say("group info")  # alice founded the group: a moderator
    await _post(app, group, "room-9", "after")
    await deliver(app.db, {"test": adapter}, clock)
    assert adapter.keys_in("room-9") == ["after"]
    assert await room_recovered(app.db, "test", "room-9") is False  # nothing left to clear


async def test_a_post_is_given_up_after_the_bounded_attempts_and_told_once(app: App, clock: ManualClock) -> None:
    adapter = FlakyAdapter()
    club = await _group(app, "room-1")
    dm = direct_room("carol")
    adapter.down.add(dm)
    await _post(app, club, dm, "nudge-1")
    await _post(app, club, dm, "nudge-2")
    for _ in range(2 * MAX_ATTEMPTS + 2):
        await deliver(app.db, {"test": adapter}, clock)
        clock.advance(timedelta(hours=1))
    # Each post of the room got exactly the bounded number of attempts, in order, then was recorded.
    assert adapter.attempts["nudge-1"] == MAX_ATTEMPTS
    assert adapter.attempts["nudge-2"] == MAX_ATTEMPTS
    missed = await schedule_store.missed(app.db, club)
    assert [m.key for m in missed] == ["nudge-1", "nudge-2"]
    assert all("503" in m.reason for m in missed)
    assert len(await _notices(app)) == 1
    assert "couldn't deliver a private message to a member" in (await _notices(app))[0][1]


async def test_a_platform_that_says_slow_down_pauses_without_losing_or_counting(app: App, clock: ManualClock) -> None:
    club = await _group(app, "room-1")

    class Limited(FlakyAdapter):
        """Three sends, then a 429 asking for 50 ms."""

        budget = 3

        async def send(self, room_id: str, reply: Reply, **kwargs: object) -> str:
            if self.budget == 0:
                self.budget = 3
                raise DeliveryError("rate limited (429)", permanent=False, retry_after=0.05)
            self.budget -= 1
            return await super().send(room_id, reply, **kwargs)  # type: ignore[arg-type]

    adapter = Limited()
    for n in range(10):
        await _post(app, club, f"room-{n % 4}", f"p-{n}")
    assert await deliver(app.db, {"test": adapter}, clock) == 10
    assert sorted(k for _, k in adapter.sent) == sorted(f"p-{n}" for n in range(10))
    rows = await app.db.fetchall("SELECT attempts FROM outbox")
    assert {r["attempts"] for r in rows} == {1}  # a "slow down" is not a failed attempt


async def test_two_senders_on_one_database_never_post_a_row_twice(app: App, clock: ManualClock) -> None:
    groups = [await _group(app, f"room-{n}") for n in range(30)]
    for n in range(10):
        for index, group in enumerate(groups):
            await _post(app, group, f"room-{index}", f"r{index}-{n}")
    second = await Database.open(app.db.path)
    try:
        shared: list[tuple[str, str]] = []
        first_adapter, second_adapter = FlakyAdapter(shared, 4), FlakyAdapter(shared, 4)
        first_adapter.down.add("room-7")  # a failure in the middle must not let the other sender overtake
        results = await asyncio.gather(
            deliver(app.db, {"test": first_adapter}, clock, limit=3),  # a few rooms a round: they alternate
            deliver(second, {"test": second_adapter}, clock, limit=3),
        )
        first_adapter.down.clear()
        await deliver(app.db, {"test": first_adapter}, clock)
    finally:
        await second.close()
    keys = [k for _, k in shared]
    assert len(keys) == len(set(keys)) == 300
    assert results[0] > 0 and results[1] > 0  # both really sent
    for index in range(30):
        assert [k for r, k in shared if r == f"room-{index}"] == [f"r{index}-{n}" for n in range(10)]


def test_backoff_grows_with_jitter_and_a_cap() -> None:
    assert backoff(1) == timedelta(0)
    assert backoff(2, rng=lambda: 0.0) == timedelta(seconds=5)
    assert backoff(2, rng=lambda: 1.0) == timedelta(seconds=10)
    assert backoff(5, rng=lambda: 1.0) == timedelta(seconds=80)
    assert backoff(40, rng=lambda: 1.0) == timedelta(minutes=30)


async def test_a_member_who_runs_a_command_gets_private_messages_again(app: App, clock: ManualClock) -> None:
    adapter = FlakyAdapter()
    room = Room(app)
    await room.setup()
    group = await _group(app, "room-1")
    await room.say("group info", who="bob")  # bob joins as a member
    adapter.dead.add(direct_room("bob"))
    await _post(app, group, direct_room("bob"), "nudge-1")
    await deliver(app.db, {"test": adapter}, clock)
    adapter.dead.clear()
    await _post(app, group, direct_room("bob"), "nudge-2")
    await deliver(app.db, {"test": adapter}, clock)
    assert adapter.keys_in(direct_room("bob")) == []  # still marked: not tried
    await room.say("group info", who="bob")
    await _post(app, group, direct_room("bob"), "nudge-3")
    await deliver(app.db, {"test": adapter}, clock)
    assert adapter.keys_in(direct_room("bob")) == ["nudge-3"]


async def test_a_post_the_platform_can_never_take_is_given_up_but_the_room_stays(app: App, clock: ManualClock) -> None:
    group = await _group(app, "room-1")

    class TooLong(FlakyAdapter):
        async def send(self, room_id: str, reply: Reply, **kwargs: object) -> str:
            if "huge" in reply.text:
                raise DeliveryError.from_http(400, "message too long (400)")
            return await super().send(room_id, reply, **kwargs)  # type: ignore[arg-type]

    adapter = TooLong()
    for key in ("before", "huge", "after"):
        await _post(app, group, "room-1", key)
    await deliver(app.db, {"test": adapter}, clock)
    assert adapter.keys_in("room-1")[:2] == ["before", "after"]
    assert [m.key for m in await schedule_store.missed(app.db)] == ["huge"]
    assert await outbox_store.room_failures(app.db) == {}  # the next post went through: nothing stays marked


def test_http_answers_read_by_default() -> None:
    assert DeliveryError.from_http(429, "slow down", retry_after=2.5).retry_after == 2.5
    assert not DeliveryError.from_http(503, "unavailable").permanent
    assert not DeliveryError.from_http(401, "bad token").permanent  # the bot's token, not this room
    forbidden = DeliveryError.from_http(403, "missing access")
    assert forbidden.permanent and forbidden.whole_room
    assert DeliveryError.from_http(404, "unknown channel").whole_room
    too_big = DeliveryError.from_http(413, "too large")
    assert too_big.permanent and not too_big.whole_room
