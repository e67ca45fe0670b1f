"""The Matrix adapter: matrix-nio events in, `App.handle` lines out, Replies back. Translation only.

This module runs the sync loop; `session` logs in (once, then reuses the session), `incoming` reads members'
events, `posting` sends, `rooms` answers invites and opens private rooms, `threads` ties reading threads to
readings, `mentions` holds who posts mention, `render` and `parse` are the pure halves (no nio).

Rules members and operators can rely on (the README's "Running on Matrix" says the same):
- Commands are `!rg <command> …` (matrix.command_prefix) in an m.text message; notices and the bot's own events
  are ignored, an edit runs a mistyped command once. The answer is an m.notice replying to the command (inside
  its thread if it was in one); a private answer goes to the member's direct room. Posts are m.text.
- Moderators are members whose power level in the room is at least matrix.moderator_power_level, judged with
  the levels in force when the command was sent; room creators of version 12+ rooms always are. The platform
  decides: no stored role outlasts a demotion.
- Files: a command that *replies to* an m.file (`!rg library add` as a reply to the book), or that is the
  *caption* of an m.file, gets that file as its upload. Its advertised size is checked against
  library.max_upload_mb before anything is downloaded.
- Polls: a Reply of kind "poll" is sent as one MSC3381 poll whose answer ids are the choice numbers; any Reply
  with choices is remembered (kind "choices"), so a poll response, or a reaction with the choice's number
  (1, 1️⃣), letter (A, 🇦) or label on that message, runs the choice's command as the member who reacted.
  Their answer is posted only when it is an error or not meant to be private; the poll shows the votes.
  Redacting that reaction or answer takes the vote back; redacting the poll closes it.
- Each room handles its sync batches in order, unrelated rooms side by side; a batch's position is stored once
  it and every earlier batch are handled, and every command is claimed by its event id before it runs, so after
  a crash or restart commands sent meanwhile are answered once and none runs twice. A database that has never
  synced skips the history it finds. Replies use transaction ids derived from the command's event id and posts
  use the outbox key, so a repeat from the same device is deduplicated by the homeserver.
- Invites from matrix.allowed_inviters (user ids or ":server") are accepted, others declined; on joining the bot
  greets the room with the command that starts a group. Removed from a room, it forgets it.
- Encrypted rooms are refused with a plain message, and the bot leaves: it cannot read them (see `rooms`).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import secrets
from collections import deque
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, TypeVar

import nio

from bot.adapters.matrix.incoming import EDITED_KIND, HANDLED_KIND, Incoming
from bot.adapters.matrix.parse import RoomPower, after_own_join, source
from bot.adapters.matrix.posting import Posting
from bot.adapters.matrix.rooms import ENCRYPTION, Rooms
from bot.adapters.matrix.session import BOT_ROOM, PLATFORM, MatrixError, Session, why
from bot.app import App
from bot.config import MatrixSettings
from bot.replies import Reply
from bot.storage import handled

log = logging.getLogger(__name__)

SYNC_KIND = "sync"
_T = TypeVar("_T")


class MatrixAdapter:
    platform = PLATFORM
    sync_timeout_ms = 30_000
    timeline_limit = 100  # events per room per sync; a longer gap is fetched with /messages
    backfill_pages = 20
    batches_ahead = 8  # sync batches handled side by side before the loop waits for the oldest
    max_backoff = 4.0  # once the homeserver is back, a command waits at most this long to be seen

    def __init__(
        self,
        app: App,
        *,
        access_token: str = "",
        password: str = "",
        settings: MatrixSettings | None = None,
    ) -> None:
        self.app = app
        self.settings = settings or app.settings.matrix
        self.session = Session(self.settings, access_token=access_token, password=password)
        self.prefix = self.settings.command_prefix.strip() + " "
        self.rooms = Rooms(app, self.session)
        self.posting = Posting(app, self.session, self.rooms, self.prefix)
        self.incoming = Incoming(app, self.session, self.posting, self.prefix)
        self.rooms.posting = self.posting
        self._since: str | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        self._power: dict[str, RoomPower] = {}
        self._room_work: dict[str, asyncio.Task[None]] = {}  # each room's latest batch being handled
        self._unstored: deque[tuple[str, list[asyncio.Task[None]]]] = deque()  # positions not yet stored

    # ------------------------------------------------------------ lifecycle
    @property
    def client(self) -> nio.AsyncClient:
        return self.session.client

    @property
    def user_id(self) -> str:
        return self.session.user_id

    @property
    def device_id(self) -> str | None:
        return self.session.device_id

    async def start(self) -> None:
        """Log in, read every room's state and pending invites, catch up with what happened while offline, then
        keep syncing in a task."""
        self._stopping.clear()
        try:
            await self.session.open()
            stored = await self.app.recall(PLATFORM, BOT_ROOM, SYNC_KIND, self.user_id)
            # A sync without a position lists every joined room's state (power levels, members) and every pending
            # invite, also those an earlier run saw and could not answer. Its one timeline event per room is not
            # run (Synapse leaves rooms out of a sync whose timeline limit is 0).
            # Synapse answers a repeated request from its sync cache for two minutes (sync_response_cache_duration),
            # which after a quick restart would be a stale list: an unused event type makes this request new.
            self._since = None
            state_filter = self._filter(timeline_limit=1)
            state_filter["room"]["timeline"]["not_types"] = [f"org.readalong.unused.{secrets.token_hex(4)}"]
            state = await self._sync(timeout_ms=0, sync_filter=state_filter)
            await self._handle_sync(state, run_commands=False, store=stored is None)
            if stored is not None:
                self._since = stored
                await self._handle_sync(await self._sync(timeout_ms=0), run_commands=True)
            await self._drop_old_records()
        except BaseException:
            await self.session.close()
            raise
        self.app.adapters[PLATFORM] = self
        self._task = asyncio.create_task(self._sync_loop(), name="matrix-sync")
        log.info("Matrix adapter syncing as %s (device %s)", self.user_id, self.device_id)

    async def stop(self) -> None:
        """Finish the batches being handled (and store their position), end the sync loop, close the connection."""
        self._stopping.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, timeout=30)
            except (TimeoutError, asyncio.CancelledError):
                log.warning("the Matrix sync loop did not stop in time")
            self._task = None
        working = list(self._room_work.values())
        if working:
            await asyncio.wait(working, timeout=30)
        with contextlib.suppress(Exception):
            await self._store_handled()
        await self.session.close()

    async def send(
        self, room_id: str, reply: Reply, *, key: str, thread_key: str | None = None, starts_thread: bool = False
    ) -> str:
        return await self.posting.send(room_id, reply, key=key, thread_key=thread_key, starts_thread=starts_thread)

    # ------------------------------------------------------------ syncing
    def _filter(self, *, timeline_limit: int | None = None) -> dict[str, Any]:
        limit = self.timeline_limit if timeline_limit is None else timeline_limit
        return {
            "room": {"timeline": {"limit": limit}, "state": {"lazy_load_members": False}},
            "presence": {"not_types": ["*"]},
        }

    async def _sync(self, *, timeout_ms: int, sync_filter: dict[str, Any] | None = None) -> nio.SyncResponse:
        response = await self.session.request(
            lambda: self.client.sync(timeout=timeout_ms, sync_filter=sync_filter or self._filter(), since=self._since)
        )
        if not isinstance(response, nio.SyncResponse):
            raise MatrixError(f"sync failed: {why(response)}")
        return response

    async def _sync_loop(self) -> None:
        backoff = 0.5
        while not self._stopping.is_set():
            try:
                response = await self._unless_stopping(self._sync(timeout_ms=self.sync_timeout_ms))
                if response is None:
                    return
                await self._handle_sync(response, run_commands=True, wait=False)
                await self._drop_old_records()
                backoff = 0.5
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("Matrix sync failed, retrying in %.1f s: %s", backoff, exc)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), timeout=backoff)
                backoff = min(backoff * 2, self.max_backoff)

    async def _drop_old_records(self) -> None:
        """Once every matrix.handled_days, records of handled events older than that go (bot.storage.handled):
        a command's record outlives any chance of seeing it again, and the table stops growing."""
        dropped = await handled.rotate(
            self.app.db,
            PLATFORM,
            (HANDLED_KIND, EDITED_KIND),
            now=self.app.clock.now(),
            period=timedelta(days=self.settings.handled_days),
        )
        if dropped:
            log.info("dropped %d records of events handled over %d days ago", dropped, self.settings.handled_days)

    async def _unless_stopping(self, work: Awaitable[_T]) -> _T | None:
        """Await `work` (a long-poll sync) unless stop() is called first; then cancel it and return None."""
        job = asyncio.ensure_future(work)
        stop = asyncio.ensure_future(self._stopping.wait())
        try:
            await asyncio.wait({job, stop}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stop.cancel()
        if job.done():
            return job.result()
        job.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await job
        return None

    async def _handle_sync(
        self, response: nio.SyncResponse, *, run_commands: bool, store: bool = True, wait: bool = True
    ) -> None:
        """Hand one sync batch to its rooms. A room handles its batches in order, unrelated rooms side by side, so
        a room whose answer waits out the homeserver's `retry_after_ms` holds up no other room. The batch's
        position is stored once it and every earlier batch are handled: a crash re-handles them (commands are
        claimed, so none runs twice). With `wait`, return only once the batch is handled (at start-up)."""
        await self.rooms.retry_invites()
        for room_id, invite in response.rooms.invite.items():
            await self.rooms.on_invite(room_id, invite)
        since = self._since
        tasks = [self._queue_room(room_id, info, run_commands, since) for room_id, info in response.rooms.join.items()]
        for room_id in response.rooms.leave:
            self._power.pop(room_id, None)
            if since is not None:  # not the rooms left long ago that a sync without position lists
                await self.rooms.on_left(room_id)
        self._since = response.next_batch
        if store:
            self._unstored.append((response.next_batch, tasks))
        if wait:
            await asyncio.gather(*tasks, return_exceptions=True)
        await self._store_handled(block=len(self._unstored) > self.batches_ahead)

    def _queue_room(
        self, room_id: str, info: nio.RoomInfo, run_commands: bool, since: str | None
    ) -> asyncio.Task[None]:
        previous = self._room_work.get(room_id)

        async def handle() -> None:
            if previous is not None:
                await asyncio.wait({previous})  # the room's earlier batch first; its failure is reported there
            await self._handle_room(
                room_id, info, run_commands, since, more_coming=lambda: self._room_work.get(room_id) is not task
            )

        task = asyncio.create_task(handle(), name=f"matrix-room-{room_id}")
        self._room_work[room_id] = task
        task.add_done_callback(
            lambda done: self._room_work.pop(room_id, None) if self._room_work.get(room_id) is done else None
        )
        return task

    async def _store_handled(self, *, block: bool = False) -> None:
        """Store the position of the newest batch handled with all before it; a failed batch rewinds to the last
        stored position, so the next sync brings it again."""
        position = None
        while self._unstored:
            next_batch, tasks = self._unstored[0]
            if block:
                if tasks:
                    await asyncio.wait(tasks)
                block = len(self._unstored) - 1 > self.batches_ahead
            elif not all(task.done() for task in tasks):
                break
            failed = [task for task in tasks if task.cancelled() or task.exception() is not None]
            if failed:
                self._unstored.clear()
                stored = await self.app.recall(PLATFORM, BOT_ROOM, SYNC_KIND, self.user_id)
                self._since = position or stored
                error = None if failed[0].cancelled() else failed[0].exception()
                raise MatrixError(f"handling a sync batch failed: {error!r}")
            self._unstored.popleft()
            position = next_batch
        if position is not None:
            await self.app.remember(PLATFORM, BOT_ROOM, SYNC_KIND, self.user_id, position)

    async def _handle_room(
        self,
        room_id: str,
        info: nio.RoomInfo,
        run_commands: bool,
        since: str | None,
        *,
        more_coming: Callable[[], bool] = lambda: False,
    ) -> None:
        power = self._power.setdefault(room_id, RoomPower())
        gap: list[dict[str, Any]] = []
        if run_commands and info.timeline.limited and info.timeline.prev_batch and since:
            gap = await self._backfill(room_id, info.timeline.prev_batch, since)
        timeline = [source(e) for e in info.timeline.events]
        start = after_own_join(timeline, self.user_id)
        if start:
            gap = []  # we just joined: what happened before is history, not commands for us
        async with self.incoming.batch(room_id, more_coming=more_coming):
            for event in gap:
                await self._consider(room_id, event, power, run_commands)
            for event in (source(e) for e in info.state):
                power.apply(event)
            for index, event in enumerate(timeline):
                await self._consider(room_id, event, power, run_commands and index >= start)

    async def _backfill(self, room_id: str, prev_batch: str, since: str) -> list[dict[str, Any]]:
        """Events a limited timeline left out (a long absence), oldest first."""
        events: list[dict[str, Any]] = []
        token: str | None = prev_batch
        for _ in range(self.backfill_pages):
            response = await self.session.request(
                functools.partial(self.client.room_messages, room_id, start=token, end=since, limit=100)
            )
            if not isinstance(response, nio.RoomMessagesResponse):
                log.warning("could not fetch missed events in %s: %s", room_id, why(response))
                break
            events.extend(source(e) for e in response.chunk)
            if not response.chunk or not response.end or response.end == token:
                break
            token = response.end
        else:
            log.warning("more missed events in %s than I fetch; older ones are skipped", room_id)
        events.reverse()
        return events

    async def _consider(self, room_id: str, event: dict[str, Any], power: RoomPower, run: bool) -> None:
        if "state_key" in event:
            power.apply(event)
            await self.rooms.on_membership(room_id, event)
            if run and event.get("type") == ENCRYPTION and event.get("state_key") == "":
                await self.rooms.refuse_encrypted(room_id)  # encryption was switched on: we can no longer read
            return
        if run:
            await self.incoming.handle(room_id, event, power)


def create_adapter(app: App) -> MatrixAdapter:
    """The factory `readalong run` calls: credentials come from the environment variables the config names."""
    token, password = app.settings.matrix.credentials()
    return MatrixAdapter(app, access_token=token, password=password)
