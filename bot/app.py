"""The App: database, clock, the features' commands, jobs, schedule kinds and listeners, and the adapters wired
together; no chat library and no feature (the composition root passes them to `App.open`).

The App implements `bot.services.Services`, the narrow interface handlers get as `inv.app`.

Adapters turn platform events into `Context` + a command line (or a resolved command and raw option
strings) and call `handle`/`invoke`; the App finds the group and member, checks permission, converts the
arguments once, runs the cog and turns every failure into a sentence.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from bot import commands
from bot.adapters.base import Adapter, MeetingCalendar, MeetingEvent, direct_room
from bot.clock import Clock, SystemClock
from bot.commands import CommandSpec, Completer, Invocation, Permission, Registry
from bot.config import Settings
from bot.events import Event, Listener
from bot.features import Catalog, Feature
from bot.log import log_context
from bot.outbox import become_sender, deliver, room_recovered
from bot.replies import Context, Reply, UserError, error_reply
from bot.scheduling import (
    JobHandler,
    ScheduleKind,
    WakeupTimer,
    rebuild_schedules,
    run_due_jobs,
    run_due_schedules,
)
from bot.storage import groups as group_store
from bot.storage import jobs as job_store
from bot.storage import members as member_store
from bot.storage import outbox as outbox_store
from bot.storage import refs
from bot.storage import schedules as schedule_store
from bot.storage.db import Database, StorageFailure
from bot.storage.groups import Group
from bot.storage.lease import ProcessLock
from bot.text import clean_text

log = logging.getLogger(__name__)

APOLOGY = "Sorry, something went wrong on my side while doing that; it has been logged. Please try again later."


@dataclass
class App:
    settings: Settings
    db: Database
    clock: Clock
    registry: Registry
    job_handlers: dict[str, JobHandler]
    completers: dict[type, Completer] = field(default_factory=dict)
    adapters: dict[str, Adapter] = field(default_factory=dict)
    schedule_kinds: dict[str, ScheduleKind] = field(default_factory=dict)
    features: tuple[Feature, ...] = ()
    listeners: dict[type[Event], list[Listener]] = field(default_factory=dict)
    timer: WakeupTimer | None = None
    _tick_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _after_commit: list[Callable[[], Awaitable[object]]] = field(default_factory=list)
    _sender_lock: ProcessLock | None = None
    _sender: bool = False  # become_sender ran (the lock is None on a shared or in-memory database)

    @classmethod
    async def open(
        cls,
        settings: Settings,
        *,
        features: Sequence[Feature],
        clock: Clock | None = None,
        db_path: Path | None = None,
    ) -> App:
        """Open the database and plug in `features` (the composition root's list: `cogs.all_features()`)."""
        catalog = Catalog.of(features)
        db = await Database.open(db_path or settings.bot.database)
        return cls(
            settings=settings,
            db=db,
            clock=clock or SystemClock(),
            registry=catalog.registry,
            job_handlers=catalog.job_handlers,
            schedule_kinds=catalog.schedule_kinds,
            completers=catalog.completers,
            features=catalog.features,
            listeners=catalog.listeners,
        )

    async def close(self) -> None:
        await self.stop_scheduler()
        await self.db.close()

    # ------------------------------------------------------------ commands
    async def handle(self, ctx: Context, line: str) -> Reply:
        """Run a typed command line (console, Matrix, button presses everywhere)."""
        try:
            spec, positional, named = commands.parse_line(self.registry, line)
        except UserError as exc:
            return error_reply(str(exc))
        return await self.invoke(ctx, spec, positional, named)

    async def invoke(self, ctx: Context, spec: CommandSpec, positional: Sequence[str], named: dict[str, str]) -> Reply:
        """Run a resolved command with raw option strings (how Discord's slash options arrive)."""
        with log_context(platform=ctx.platform, room=ctx.room_id, command=spec.name):
            try:
                inv = await self._invocation(ctx, spec)
                with log_context(group=inv.group.id if inv.group else None):
                    if spec.permission is Permission.MODERATOR and not inv.is_moderator:
                        raise UserError(f"Only moderators can use `{spec.name}`.")
                    # A member who runs a command can get private messages again; a moderator's room works.
                    rooms = (direct_room(ctx.user_id), ctx.room_id) if inv.is_moderator else (direct_room(ctx.user_id),)
                    await room_recovered(self.db, ctx.platform, *rooms)
                    values = commands.bind(spec, positional, dict(named), inv)
                    args, kwargs = _call_arguments(spec, values)
                    return await spec.handler(inv, *args, **kwargs)
            except UserError as exc:
                return error_reply(str(exc))
            except StorageFailure:
                raise  # a full or read-only disk: the process stops with the sentence rather than apologise forever
            except Exception:
                log.exception("command failed")
                return error_reply(APOLOGY)

    async def _invocation(self, ctx: Context, spec: CommandSpec) -> Invocation:
        now = self.clock.now()
        name, user_id = clean_text(ctx.display_name), clean_text(ctx.user_id)  # a lone surrogate cannot be stored
        known = await member_store.sender(self.db, ctx.platform, ctx.room_id, user_id)
        group = known.group
        if known.current(name) and known.member is not None:  # the usual case: one read, no write transaction
            member, role = known.member, known.role or "member"
        else:
            async with self.db.transaction() as tx:
                member, role = await member_store.enter(
                    tx, ctx.platform, user_id, name, group.id if group else None, now
                )
        moderator = ctx.platform_moderator or (role == "moderator" and not ctx.platform_decides_moderators)
        return Invocation(
            app=self,
            context=ctx,
            group=group,
            member_id=member.id,
            is_moderator=moderator,
            command=spec,
        )

    # ------------------------------------------------------------ groups
    async def setup_group(self, ctx: Context, *, name: str, timezone: str) -> tuple[Group, bool]:
        """Bind a room to a new group (its founder becomes a moderator); returns (group, created)."""
        now = self.clock.now()
        async with self.db.transaction() as tx:
            existing = await group_store.by_room(tx, ctx.platform, ctx.room_id)
            if existing:
                return existing, False
            group = await group_store.create(tx, ctx.platform, ctx.room_id, name, timezone, now)
            member = await member_store.upsert(tx, ctx.platform, ctx.user_id, ctx.display_name, now)
            await member_store.join(tx, group.id, member.id, now, role="moderator")
        log.info("group %s created for %s:%s", group.id, ctx.platform, ctx.room_id)
        return group, True

    # ------------------------------------------------------------ what adapters ask of the core
    async def complete(self, ctx: Context, kind: type, typed: str) -> list[tuple[str, str]]:
        """Autocomplete choices (label, value) for a parameter type such as BookRef, at most 25."""
        completer = self.completers.get(kind)
        if completer is None:
            return []
        group = await group_store.by_room(self.db, ctx.platform, ctx.room_id)
        try:
            return (await completer(self, group, typed))[:25]
        except Exception:
            log.exception("autocomplete failed")
            return []

    async def recall(self, platform: str, room_id: str, kind: str, key: str) -> str | None:
        """A platform id remembered for one of our keys (kind "thread": a reading's thread)."""
        return await refs.get(self.db, platform, room_id, kind, key)

    async def remember(self, platform: str, room_id: str, kind: str, key: str, external_id: str) -> None:
        await refs.put(self.db, platform, room_id, kind, key, external_id)

    async def forget_ref(self, platform: str, room_id: str, kind: str, key: str) -> None:
        await refs.delete(self.db, platform, room_id, kind, key)

    async def sync_meetings(self, group: Group, meetings: Sequence[MeetingEvent]) -> None:
        """Mirror a group's meetings on its platform's calendar, where the adapter has one."""
        adapter = self.adapters.get(group.platform)
        if isinstance(adapter, MeetingCalendar):
            try:
                await adapter.sync_meetings(group.room_id, meetings)
            except Exception:
                log.exception("could not mirror meetings for group %s", group.id)

    # ------------------------------------------------------------ time passing
    async def next_wakeup(self) -> datetime | None:
        """The earliest moment anything stored falls due (jobs, schedules, and the outbox's next retry of a post
        for a running adapter); the timer sleeps until then."""
        retry = await outbox_store.next_retry(self.db, tuple(self.adapters), self.clock.now())
        stored = (await job_store.earliest_pending(self.db), await schedule_store.earliest(self.db), retry)
        times = [t for t in stored if t]
        return min(times) if times else None

    async def tick(self) -> int:
        """Run whatever fell due and send what is waiting; returns how many posts went out."""
        async with self._tick_lock:
            now = self.clock.now()
            await run_due_jobs(self, now)
            await self._run_after_commit()
            sent = 0

            async def send_waiting() -> None:
                nonlocal sent
                while batch := await deliver(self.db, self.adapters, self.clock, limit=_DELIVER_BATCH):
                    sent += batch
                    if batch < _DELIVER_BATCH:
                        break

            await run_due_schedules(self, now, after_step=send_waiting)
            await send_waiting()
            return sent

    async def start_scheduler(self) -> None:
        """Rebuild the schedules from the database and arm the in-memory wake-up timer (real time only)."""
        if self.timer is not None:
            return
        await self.become_sender()
        examined = await rebuild_schedules(self)
        log.info("scheduler started: %d schedules rebuilt, next wake-up %s", examined, await self.next_wakeup())
        self.timer = WakeupTimer(self)
        await self.timer.start()

    async def become_sender(self) -> None:
        """Take the database's process lock (DatabaseInUse names the holder) and the claims a killed predecessor
        left; `readalong run` calls it before its adapters connect, `start_scheduler` if nobody did."""
        if not self._sender:
            self._sender_lock = await become_sender(self.db, shared=self.settings.bot.shared_database)
            self._sender = True

    async def stop_scheduler(self) -> None:
        if self.timer is not None:
            await self.timer.stop()
            self.timer = None
        if self._sender_lock is not None:
            self._sender_lock.release()
            self._sender_lock = None
        self._sender = False

    def after_commit(self, work: Callable[[], Awaitable[object]]) -> None:
        """For job handlers: run `work` once the dispatcher's transaction has committed (network calls such as
        `sync_meetings` must not run inside it). It should read what it needs from the database when it runs."""
        self._after_commit.append(work)

    async def _run_after_commit(self) -> None:
        while self._after_commit:
            work = self._after_commit.pop(0)
            try:
                await work()
            except Exception:
                log.exception("work after a dispatcher transaction failed")

    async def dispatch(self, event: Event) -> None:
        """Call every listener of the event's type in feature order; see bot/events.py for when each is sent.

        A listener of an `isolated` event that raises is logged and skipped; otherwise the error propagates, so
        a listener inside a transaction rolls the change back with it."""
        for listener in self.listeners.get(type(event), ()):
            if not event.isolated:
                await listener(self, event)
                continue
            try:
                await listener(self, event)
            except Exception:
                log.exception("listener %s failed for %s", getattr(listener, "__qualname__", listener), event)

    def reschedule(self) -> None:
        """Something due changed (a plan was edited): wake the dispatcher now rather than at the old time."""
        if self.timer is not None:
            self.timer.poke()


_DELIVER_BATCH = 100


def _call_arguments(spec: CommandSpec, values: dict) -> tuple[list, dict]:
    """Split bound values into call arguments: a *args parameter and those before it go positionally."""
    variadic_at = next((i for i, p in enumerate(spec.params) if p.variadic), None)
    if variadic_at is None:
        return [], values
    args = [values.pop(p.name) for p in spec.params[:variadic_at]]
    args.extend(values.pop(spec.params[variadic_at].name, ()))
    return args, values
