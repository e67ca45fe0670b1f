"""Delivering outbox rows: serialise a Reply into a row, and send pending rows through the adapters.

A row is marked sent only after the platform accepted it, so a crash re-sends at most the rows it had claimed;
the row's key travels with the send so that platforms which deduplicate (Matrix transaction ids, Discord
nonces) drop the rare repeat. Rows are claimed before they are sent, so two senders never post one row twice.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import random
import time
import uuid
import weakref
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.adapters.base import DIRECT_PREFIX, DeliveryError, classify
from bot.log import log_context
from bot.replies import Choice, Field, File, Reply
from bot.storage import groups as group_store
from bot.storage import outbox as outbox_store
from bot.storage import schedules as schedule_store
from bot.storage.lease import ProcessLock
from bot.timeutil import to_db

if TYPE_CHECKING:
    from bot.adapters.base import Adapter
    from bot.clock import Clock
    from bot.storage.db import Database, Transaction

log = logging.getLogger(__name__)


def reply_to_json(reply: Reply) -> str:
    data: dict[str, Any] = {
        "text": reply.text,
        "title": reply.title,
        "kind": reply.kind,
        "fields": [[f.name, f.value, f.inline] for f in reply.fields],
        "choices": [[c.label, c.command, c.style] for c in reply.choices],
        "files": [[f.filename, base64.b64encode(f.data).decode(), f.content_type] for f in reply.files],
        "closes": reply.closes,
    }
    return json.dumps(data, ensure_ascii=False)


def reply_from_json(payload: str) -> Reply:
    data = json.loads(payload)
    return Reply(
        text=data["text"],
        title=data["title"],
        kind=data["kind"],
        fields=tuple(Field(n, v, i) for n, v, i in data["fields"]),
        choices=tuple(Choice(label, command, style) for label, command, style in data["choices"]),
        files=tuple(File(n, base64.b64decode(d), t) for n, d, t in data["files"]),
        closes=data.get("closes"),
    )


# ================================================================ the sender
# The delivery policy (issue #16). Rooms take turns: each round claims the oldest rows of up to `limit` rooms and
# sends every room's rows in order, several rooms at once, so a room with a hundred failing rows holds back
# nobody. A failure is classified by the adapter (bot.adapters.base.DeliveryError; anything else is transient):
# transient ones are retried with exponential backoff and jitter up to MAX_ATTEMPTS, permanent ones are given up
# at once and mark the room dead. A given-up post goes to missed_posts with its reason and the group's moderators
# are told once per failing room. A platform's "slow down" (retry_after) pauses that platform, not the post.
MAX_ATTEMPTS = 12  # with the backoff below: 1.3 h of retries on average (1.7 h at most) before a post is given up
BACKOFF_BASE = timedelta(seconds=10)
BACKOFF_CAP = timedelta(minutes=30)
CLAIM_FOR = timedelta(minutes=2)  # a claim outlives a crashed sender by at most this much
PER_ROOM = 10  # rows of one room claimed per round
# Rooms of one platform sent to at once: the adapter's `concurrent_sends` (default 1). More than one lets a
# platform with network latency reach its rate limit, at the price of that many posts in flight at a crash
# (each then sent again under its key, which the platform deduplicates).
DEFAULT_CONCURRENT_SENDS = 1
EXPIRED = "its meeting had started"  # the missed-post reason of an outbox row past its `expires_at`
LONGEST_PAUSE = 10.0  # seconds: a shorter "slow down" is waited out inside the round, a longer one ends it


def backoff(failures: int, rng: Callable[[], float] = random.random) -> timedelta:
    """The wait before the next attempt after `failures` failed ones: none after the first (most failures are
    blips, and a reconnecting adapter should not wait), then BASE·2ⁿ up to CAP. Half of it is random so rooms
    that failed together do not all retry in the same second."""
    if failures <= 1:
        return timedelta(0)
    delay = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (failures - 2))
    return delay * (0.5 + rng() / 2)


async def deliver(db: Database, adapters: Mapping[str, Adapter], clock: Clock, limit: int = 100) -> int:
    """Send what is waiting for the running adapters until nothing more can go now; returns how many were sent."""
    if not adapters:
        return 0
    return await _Round(db, adapters, clock).run(limit)


async def become_sender(db: Database, *, shared: bool) -> ProcessLock | None:
    """Start sending from this process: unless the database is shared, take its lock (DatabaseInUse names the
    other process) and hand back the claims a killed predecessor left, so its posts go out now rather than
    when their claims run out."""
    if shared:
        return None
    lock = ProcessLock.take(db.path)
    released = await outbox_store.release_all(db)
    if released:
        log.info("took back %d posts claimed by a process that stopped", released)
    return lock


async def room_recovered(db: Database, platform: str, *room_ids: str) -> bool:
    """Rooms work again: a moderator ran a command in one, or a member ran one (their private room,
    `direct_room(user_id)`). Posts to them are sent again from now on. Called for every command, so it asks
    the database only when this process knows of a failed room (see _KnownFailures); True when one was cleared."""
    if not await _known_failures.any(db):
        return False
    failed = await outbox_store.failed_among(db, platform, room_ids)
    for room_id in failed:
        await outbox_store.room_works(db, platform, room_id)
        _known_failures.cleared(db)
        log.info("%s:%s works again; sending there resumes", platform, room_id)
    return bool(failed)


class _KnownFailures:
    """Whether any room has a failure on record, as this process last saw it, so that a command costs no
    database round trip in the usual case of none. This process's own sender updates it at once; what another
    process (a shared database) records is seen within REFRESH seconds."""

    REFRESH = 60.0

    def __init__(self) -> None:
        self._seen: weakref.WeakKeyDictionary[Database, tuple[bool, float]] = weakref.WeakKeyDictionary()

    async def any(self, db: Database) -> bool:
        known = self._seen.get(db)
        if known is not None and time.monotonic() - known[1] < self.REFRESH:
            return known[0]
        found = bool(await outbox_store.room_failures(db))
        self._seen[db] = (found, time.monotonic())
        return found

    def failed(self, db: Database) -> None:
        self._seen[db] = (True, time.monotonic())

    def cleared(self, db: Database) -> None:
        """A failure was cleared: read again next time whether any is left."""
        self._seen.pop(db, None)


_known_failures = _KnownFailures()


class _Round:
    """One call of `deliver`: claims under one token, and the platforms' pauses."""

    def __init__(self, db: Database, adapters: Mapping[str, Adapter], clock: Clock) -> None:
        self.db = db
        self.adapters = adapters
        self.clock = clock
        self.token = uuid.uuid4().hex
        self.sent = 0
        self.failed_heads: list[int] = []  # rows that failed in this call: not tried again before the next call
        self.resume_at: dict[str, float] = {}  # platform → loop time before which nothing is sent there
        self.stopped: set[str] = set()  # platforms that asked for a longer pause than a round waits
        self.failures: dict[tuple[str, str], outbox_store.RoomFailure] = {}

    async def run(self, rooms: int) -> int:
        platforms = tuple(self.adapters)
        await self._sweep_dead(platforms)
        try:
            while active := tuple(p for p in platforms if p not in self.stopped):
                now = self.clock.now()
                async with self.db.transaction() as tx:
                    rows = await outbox_store.claim(
                        tx,
                        active,
                        self.token,
                        now,
                        now + CLAIM_FOR,
                        rooms=rooms,
                        per_room=PER_ROOM,
                        skip_heads=self.failed_heads,
                    )
                if not rows:
                    break
                self.failures = await outbox_store.room_failures(self.db)
                by_room: dict[tuple[str, str], list[outbox_store.OutboxRow]] = {}
                for row in rows:
                    by_room.setdefault(row.room, []).append(row)
                gates = {
                    p: asyncio.Semaphore(
                        max(1, getattr(self.adapters[p], "concurrent_sends", DEFAULT_CONCURRENT_SENDS))
                    )
                    for p in active
                }
                await asyncio.gather(*(self._room(rows, gates[rows[0].platform]) for rows in by_room.values()))
                await outbox_store.release(self.db, self.token)
                await self._sweep_dead(platforms)
        finally:
            await outbox_store.release(self.db, self.token)
        return self.sent

    async def _room(self, rows: list[outbox_store.OutboxRow], gate: asyncio.Semaphore) -> None:
        async with gate:
            for row in rows:
                if not await self._send(row):
                    return  # keep the room's order: nothing overtakes a post that failed

    async def _send(self, row: outbox_store.OutboxRow) -> bool:
        if row.expired(self.clock.now()):
            await self._expire(row)
            return True  # the room's next post may go
        adapter = self.adapters[row.platform]
        reply = reply_from_json(row.payload)
        if row.late:
            reply = replace(reply, text=f"{reply.text}\n\n_(posted late: I was offline when this was due)_")
        with log_context(group=row.group_id, post=row.key):
            while True:
                if not await self._platform_open(row.platform):
                    return False
                try:
                    message_id = await adapter.send(
                        row.room_id, reply, key=row.key, thread_key=row.thread_key, starts_thread=row.starts_thread
                    )
                except Exception as exc:
                    error = classify(exc)
                    if error.retry_after is not None and not error.permanent:
                        if await self._slow_down(row, error):
                            continue
                        return False
                    await self._failed(row, error)
                    return False
                await outbox_store.mark_sent(self.db, row.id, message_id, self.clock.now())
                self.sent += 1
                if row.room in self.failures:
                    del self.failures[row.room]
                    await outbox_store.room_works(self.db, row.platform, row.room_id)
                    _known_failures.cleared(self.db)
                    log.info("%s:%s works again", row.platform, row.room_id)
                return True

    async def _platform_open(self, platform: str) -> bool:
        loop = asyncio.get_running_loop()
        # A loop, not an Event: another room's "slow down" may move the resume time while this one sleeps.
        while (wait := self.resume_at.get(platform, 0.0) - loop.time()) > 0:  # noqa: ASYNC110
            await asyncio.sleep(wait)
        return platform not in self.stopped

    async def _slow_down(self, row: outbox_store.OutboxRow, error: DeliveryError) -> bool:
        """The platform asked us to wait: pause all of it; True to try the same post again afterwards."""
        wait = max(0.0, error.retry_after or 0.0)
        if wait <= LONGEST_PAUSE:
            loop = asyncio.get_running_loop()
            self.resume_at[row.platform] = max(self.resume_at.get(row.platform, 0.0), loop.time() + wait)
            return True
        log.warning("%s asks to wait %.0f s; sending there resumes then", row.platform, wait)
        self.stopped.add(row.platform)
        retry_at = self.clock.now() + timedelta(seconds=wait)
        async with self.db.transaction() as tx:
            await outbox_store.mark_failed(tx, row.id, repr(error), retry_at=retry_at, counts=False)
            await outbox_store.release_room(tx, self.token, row.platform, row.room_id)
        return False

    async def _failed(self, row: outbox_store.OutboxRow, error: DeliveryError) -> None:
        failures = row.attempts + 1
        if error.permanent and error.whole_room:
            log.warning("%s:%s refuses posts (%s); giving up %s", row.platform, row.room_id, error.reason, row.key)
            await self._give_up([row], error.reason, dead=True, attempted=True)
        elif error.permanent:
            log.warning("%s can never be sent (%s); giving it up", row.key, error.reason)
            await self._give_up([row], error.reason, dead=False, attempted=True)
        elif failures >= MAX_ATTEMPTS:
            log.warning("giving up %s after %d attempts: %s", row.key, failures, error.reason)
            await self._give_up([row], f"{error.reason} ({failures} attempts)", dead=False, attempted=True)
        else:
            delay = backoff(failures)
            log.warning("sending failed (attempt %d), retrying in %.0f s: %s", failures, delay.total_seconds(), error)
            retry_at = self.clock.now() + delay if delay else None
            async with self.db.transaction() as tx:
                await outbox_store.mark_failed(tx, row.id, repr(error), retry_at=retry_at)
                await outbox_store.release_room(tx, self.token, row.platform, row.room_id)
            self.failed_heads.append(row.id)

    async def _expire(self, row: outbox_store.OutboxRow) -> None:
        """A post that went stale while it waited (a reminder whose meeting has started): recorded missed, not
        sent. Says nothing about the room, so no room failure and no notice."""
        now = self.clock.now()
        log.warning("%s expired unsent at %s; recording it missed", row.key, to_db(now))
        async with self.db.transaction() as tx:
            await _close_as_missed(tx, row, EXPIRED, EXPIRED, now, attempted=False)

    async def _sweep_dead(self, platforms: tuple[str, ...]) -> None:
        """Give up, without a send, what went stale while it waited and what waits for rooms marked dead."""
        expired, waiting = await outbox_store.not_to_send(self.db, platforms, self.clock.now())
        for row in expired:
            await self._expire(row)
        waiting = [row for row in waiting if row not in expired]
        if waiting:
            failures = await outbox_store.room_failures(self.db)
            reasons = {row.room: failures[row.room].reason for row in waiting if row.room in failures}
            for room, reason in reasons.items():
                rows = [row for row in waiting if row.room == room]
                await self._give_up(rows, f"the room refused an earlier post: {reason}", dead=True, attempted=False)

    async def _give_up(self, rows: list[outbox_store.OutboxRow], reason: str, *, dead: bool, attempted: bool) -> None:
        """Record posts of one room in missed_posts, close their rows, mark the room; tell moderators once."""
        now = self.clock.now()
        first = rows[0]
        async with self.db.transaction() as tx:
            for row in rows:
                await _close_as_missed(tx, row, reason, f"not delivered: {reason}", now, attempted=attempted)
            _known_failures.failed(self.db)
            tell = await outbox_store.room_failed(
                tx, first.platform, first.room_id, first.group_id, dead=dead, reason=reason, now=now
            )
            if tell:
                await _notice(tx, first, reason, dead=dead, now=now)
        self.failures[first.room] = outbox_store.RoomFailure(
            first.platform, first.room_id, first.group_id, dead, reason, now, True
        )


async def _notice(tx: Transaction, row: outbox_store.OutboxRow, reason: str, *, dead: bool, now: datetime) -> None:
    """Tell the group's moderators in the group's room; only logged when that room is the one that fails."""
    group = await group_store.get(tx, row.group_id) if row.group_id is not None else None
    if group is None or (group.platform, group.room_id) == row.room:
        log.error(
            "I can't post in %s:%s (%s); its posts are recorded in missed_posts until it works again",
            row.platform,
            row.room_id,
            reason,
        )
        return
    private = row.room_id.startswith(DIRECT_PREFIX)
    if dead and private:
        text = (
            f"⚠️ Moderators: I can't send private messages to one member ({reason}). I've stopped trying and "
            "record what I couldn't send as missed posts; once they run any command, I'll send to them again."
        )
    elif dead:
        text = (
            f"⚠️ Moderators: I can't post in the room {row.room_id} ({reason}). I've stopped posting there and "
            "record what I couldn't send as missed posts; run any command there once it's fixed and I'll post "
            "there again."
        )
    else:
        where = "a private message to a member" if private else f"a post in the room {row.room_id}"
        text = (
            f"⚠️ Moderators: I couldn't deliver {where} ({reason}); it is recorded as a missed post, and I'll "
            "keep sending the next ones."
        )
    await outbox_store.enqueue(
        tx,
        key=f"delivery-notice:{row.platform}:{row.room_id}@{to_db(now)}",
        group_id=group.id,
        platform=group.platform,
        room_id=group.room_id,
        payload=reply_to_json(Reply(text=text, title="Delivery problem", kind="notice")),
        now=now,
    )


async def _close_as_missed(
    tx: Transaction, row: outbox_store.OutboxRow, reason: str, missed_reason: str, now: datetime, *, attempted: bool
) -> None:
    """Close a row that will never be sent and keep its post in missed_posts, in the caller's transaction."""
    await outbox_store.give_up(tx, row.id, reason, now, attempted=attempted)
    await schedule_store.record_missed(
        tx,
        key=row.key,
        schedule_name=row.key.split("@", 1)[0],
        kind="delivery",
        group_id=row.group_id,
        due_at=row.created_at,
        now=now,
        reason=missed_reason,
        payload=row.payload,
    )
