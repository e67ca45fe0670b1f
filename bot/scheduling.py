# Over 400 lines: the dispatcher's transaction steps, catch-up and the wake-up timer are one unit of truth.
"""The dispatcher: due rows in the database become outbox posts, one transaction per occurrence.

The database is the truth. Two kinds of rows fall due:

* one-shot jobs (`jobs` table): features name their handlers in `Feature.jobs`; a due job's posts go into
  the outbox under `job:<id>@<fire time>` and the job is marked done;
* recurring schedules (`schedules` table, rules as JSON with an indexed `next_fire_at`): features list their
  `ScheduleKind`s in `Feature.schedule_kinds`; one dispatcher step claims the earliest due row, asks its kind
  for the occurrence's posts, inserts them under `<schedule name>@<fire time>` (INSERT … ON CONFLICT DO NOTHING) and
  advances `next_fire_at`, all in one transaction.

A crash before COMMIT leaves the row due and no post; after it, the posts are in the outbox and the row has
moved on: nothing is lost and nothing is made twice. The outbox sender (bot/outbox.py) then delivers.

Catch-up: an occurrence handled more than `LATE_AFTER` after it was due (the bot was down, or busy) follows its
kind's `CatchUp` policy — posted once and marked late, or recorded in `missed_posts`, never silently dropped;
one-shot jobs follow `JOB_CATCH_UP`. A late post is worded when it is handled (a reminder says the time left).

Time: fire times are computed with bot/domain/plans.py (wall-clock rules, DST gaps and overlaps), never with
APScheduler's CronTrigger, which fires twice on fall-back day. APScheduler (AsyncIOScheduler, memory job store,
one DateTrigger) is only the in-memory wake-up timer: `WakeupTimer` below.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Literal

from bot.log import log_context
from bot.outbox import reply_to_json
from bot.replies import Reply
from bot.storage import groups as group_store
from bot.storage import jobs as job_store
from bot.storage import outbox as outbox_store
from bot.storage import schedules as schedule_store
from bot.storage.db import StorageFailure, Transaction, is_busy
from bot.storage.groups import Group
from bot.storage.jobs import Job
from bot.storage.schedules import Schedule
from bot.timeutil import to_db

if TYPE_CHECKING:
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    from bot.app import App
    from bot.services import Services

log = logging.getLogger(__name__)

LATE_AFTER = timedelta(minutes=1)


@dataclass(frozen=True)
class Post:
    """A message a handler wants posted to a group's room (optionally into a reading's thread)."""

    group_id: int
    reply: Reply
    thread_key: str | None = None
    starts_thread: bool = False  # this post opens the thread `thread_key` (a reading-opens post)
    room: str | None = None  # another room of the group's platform, e.g. direct_room(user) for a private nudge
    expires_at: datetime | None = None  # stale from then on (a reminder once its meeting starts): never sent late


JobHandler = Callable[["Services", Transaction, Job], Awaitable[list[Post]]]
"""`await handle(services, tx, job)`: a due one-shot job's posts, inside the dispatcher's transaction."""


async def run_due_jobs(app: App, now: datetime) -> int:
    """Turn every job due by `now` into outbox posts; returns how many jobs ran."""
    count = 0
    while True:
        async with app.db.transaction() as tx:
            job = await job_store.next_due(tx, now)
            if job is None:
                return count
            with log_context(job=job.id, kind=job.kind, group=job.group_id):
                handler = app.job_handlers.get(job.kind)
                if handler is None:
                    log.error("no handler for job kind %s; marking it missed", job.kind)
                    await job_store.finish(tx, job.id, "missed", now)
                    continue
                posts = await handler(app, tx, job)  # called even when missed: it re-arms what comes next
                decision = catch_up_decision(policy_of_job(handler), job.fire_at, now)
                for index, post in enumerate(posts):
                    key = f"job:{job.id}@{to_db(job.fire_at)}#{index}"
                    if decision == "missed":
                        await schedule_store.record_missed(
                            tx,
                            key=key,
                            schedule_name=f"job:{job.id}",
                            kind=job.kind,
                            group_id=job.group_id,
                            due_at=job.fire_at,
                            now=now,
                            reason=f"handled at {to_db(now)}, past the catch-up policy of jobs",
                            payload=reply_to_json(post.reply),
                        )
                        log.warning("missed %s (due %s)", key, to_db(job.fire_at))
                    else:
                        await enqueue_post(tx, post, key=key, now=now, late=decision == "late")
                await job_store.finish(tx, job.id, "done", now)
                count += 1


async def enqueue_post(
    tx: Transaction, post: Post, *, key: str, now: datetime, late: bool = False, group: Group | None = None
) -> bool:
    """Put a post in the outbox of its group's room; the key makes a second insert a no-op."""
    group = group if group is not None and group.id == post.group_id else await group_store.get(tx, post.group_id)
    if group is None:
        log.warning("group %s is gone; dropping post %s", post.group_id, key)
        return False
    return await outbox_store.enqueue(
        tx,
        key=key,
        group_id=group.id,
        platform=group.platform,
        room_id=post.room or group.room_id,
        payload=reply_to_json(post.reply),
        now=now,
        thread_key=post.thread_key,
        starts_thread=post.starts_thread,
        late=late,
        expires_at=post.expires_at,
    )


def _outbox_row(post: Post, group: Group, key: str, *, late: bool) -> outbox_store.NewPost:
    return outbox_store.NewPost(
        key=key,
        group_id=group.id,
        platform=group.platform,
        room_id=post.room or group.room_id,
        payload=reply_to_json(post.reply),
        thread_key=post.thread_key,
        starts_thread=post.starts_thread,
        late=late,
        expires_at=post.expires_at,
    )


# ================================================================ recurring schedules
@dataclass(frozen=True)
class CatchUp:
    """What happens to an occurrence that is handled late (the bot was down or busy when it fell due).

    Handled within `LATE_AFTER` of its time it is simply on time. Later than that it is posted once and marked
    late (outbox `late`) while it is still useful, and otherwise recorded in `missed_posts`:

    * `grace`: the longest it may be late (None: no limit of its own);
    * `until_meeting`: only while the meeting it is about has not started.
    """

    grace: timedelta | None = None
    until_meeting: bool = False


DEFAULT_CATCH_UP = CatchUp(grace=timedelta(hours=2))  # posted late for up to two hours, then recorded missed
JOB_CATCH_UP = DEFAULT_CATCH_UP
"""One-shot jobs (the quote of the day, nudges) follow the same rule as a reading's opening: a job handled more
than two hours late still runs (it re-arms the next one) but its posts are recorded missed; a quote of the day six
days late is not posted. A handler marked with `job_catch_up(...)` has its own policy (a poll's results)."""

_CATCH_UP_ATTR = "__readalong_catch_up__"


def job_catch_up(policy: CatchUp) -> Callable[[JobHandler], JobHandler]:
    """Give a one-shot job handler its own catch-up policy instead of `JOB_CATCH_UP`."""

    def mark(handler: JobHandler) -> JobHandler:
        setattr(handler, _CATCH_UP_ATTR, policy)
        return handler

    return mark


def policy_of_job(handler: JobHandler) -> CatchUp:
    policy: CatchUp = getattr(handler, _CATCH_UP_ATTR, JOB_CATCH_UP)
    return policy


Decision = Literal["on-time", "late", "missed"]


def catch_up_decision(policy: CatchUp, due: datetime, now: datetime, meeting_at: datetime | None = None) -> Decision:
    """Pure: whether an occurrence due at `due`, handled at `now`, is posted on time, posted late or missed."""
    if policy.until_meeting and meeting_at is not None and now >= meeting_at:
        return "missed"
    if now - due <= LATE_AFTER:
        return "on-time"
    if policy.grace is not None and now - due > policy.grace:
        return "missed"
    return "late"


@dataclass(frozen=True)
class Firing:
    """What one occurrence produces: its posts, and the meeting it is about (for `until_meeting` policies)."""

    posts: Sequence[Post] = ()
    meeting_at: datetime | None = None


@dataclass(frozen=True)
class Due:
    """One occurrence to handle: a claimed schedule row and the fire time it is due at (its next_fire_at)."""

    schedule: Schedule
    fire_at: datetime


@dataclass(frozen=True)
class Outcome:
    """A handled occurrence: its posts and the schedule's next fire time (strictly later, or None)."""

    firing: Firing
    next_fire_at: datetime | None


FireFn = Callable[["Services", Transaction, Sequence[Due]], Awaitable[list[Outcome]]]
NextFn = Callable[["Services", Transaction, Schedule, datetime], Awaitable[datetime | None]]
RebuildFn = Callable[["Services", Transaction, Sequence[Schedule]], Awaitable[dict[int, datetime | None]]]


@dataclass(frozen=True)
class ScheduleKind:
    """A kind of recurring schedule, listed in its feature's `Feature.schedule_kinds` with its catch-up policy.

    `fire(app, tx, dues)` handles a batch of due occurrences of this kind (different schedules) and returns one
    `Outcome` per `Due`, in order: the posts, after doing the occurrence's side effects (it is called for
    occurrences the catch-up policy will record as missed too), and the next fire time. Batches let a kind load
    what a thousand occurrences need in a few queries.
    `next_fire(app, tx, schedule, after)` is the next occurrence strictly after `after`, or None.
    `rebuild(app, tx, schedules)` optionally recomputes many rows' next fire times at once (start-up).
    """

    kind: str
    fire: FireFn
    next_fire: NextFn
    rebuild: RebuildFn | None = None
    catch_up: CatchUp = DEFAULT_CATCH_UP

    @property
    def policy(self) -> CatchUp:
        return self.catch_up


def occurrence_key(schedule_name: str, fire_at: datetime, index: int = 0) -> str:
    """The outbox idempotency key of an occurrence's post: `<schedule>@<fire time UTC>` (`#n` for extra posts)."""
    base = f"{schedule_name}@{to_db(fire_at)}"
    return base if index == 0 else f"{base}#{index}"


STEP_SIZE = 200  # occurrences claimed per dispatcher step (one transaction)


async def run_due_schedules(app: App, now: datetime, after_step: Callable[[], Awaitable[object]] | None = None) -> int:
    """Handle every schedule occurrence due by `now`; returns how many were handled.

    Each step is one transaction: claim up to STEP_SIZE due rows, build their posts, insert them into the
    outbox and advance every claimed row, then COMMIT; `after_step` (the sender) runs after each COMMIT so the
    first posts of a burst go out without waiting for the last. When a step fails it is rolled back whole and retried
    one occurrence per step, so the broken occurrence alone is recorded as missed and skipped.
    """
    count = 0
    size = STEP_SIZE
    while True:
        try:
            async with app.db.transaction() as tx:
                claimed = await schedule_store.claim_due(tx, now, limit=size)
                if not claimed:
                    return count
                await _step(app, tx, claimed, now)
            count += len(claimed)
            if after_step is not None:
                await after_step()  # deliver what this step made while the next one waits its turn
        except StorageFailure:
            raise  # a full or read-only disk: retrying one by one would record every occurrence missed
        except Exception as exc:
            if is_busy(exc):  # another connection holds the database: the occurrences stay due for the next tick
                log.warning("the database is busy (%s); due posts wait for the next turn", exc)
                return count
            if size > 1:
                log.warning("a dispatcher step failed; retrying its occurrences one by one")
                size = 1
                continue
            log.exception("schedule step failed")
            await _skip_broken(app, now, exc)
            count += 1


async def _step(app: App, tx: Transaction, claimed: Sequence[Schedule], now: datetime) -> None:
    """Handle claimed rows in claim order (next_fire_at, id), batching consecutive rows of one kind."""
    groups: dict[int, Group] = {}
    advances: list[tuple[int, datetime, datetime | None]] = []
    posts: list[outbox_store.NewPost] = []  # inserted together at the end of the step: one round trip
    runs: list[list[Schedule]] = []
    for row in claimed:
        if runs and runs[-1][0].kind == row.kind:
            runs[-1].append(row)
        else:
            runs.append([row])
    for run in runs:
        kind = app.schedule_kinds.get(run[0].kind)
        dues = [Due(row, row.next_fire_at) for row in run if row.next_fire_at is not None]
        if kind is None:
            log.error("no handler for schedule kind %s; recording it missed and stopping it", run[0].kind)
            for due in dues:
                await _record(tx, due.schedule, due.fire_at, now, "no handler for this kind")
                advances.append((due.schedule.id, due.fire_at, None))
            continue
        outcomes = await kind.fire(app, tx, dues)
        if len(outcomes) != len(dues):
            raise RuntimeError(f"schedule kind {kind.kind} returned {len(outcomes)} outcomes for {len(dues)}")
        wanted = {p.group_id for o in outcomes for p in o.firing.posts} - set(groups)
        groups.update(await group_store.by_ids(tx, wanted))
        for due, outcome in zip(dues, outcomes, strict=True):
            schedule, fire_at = due.schedule, due.fire_at
            decision = catch_up_decision(kind.policy, fire_at, now, outcome.firing.meeting_at)
            for index, post in enumerate(outcome.firing.posts):
                key = occurrence_key(schedule.name, fire_at, index)
                if decision == "missed":
                    reason = f"handled at {to_db(now)}, past the catch-up policy of {schedule.kind}"
                    await _record(tx, schedule, fire_at, now, reason, key=key, post=post)
                    log.warning("missed %s (due %s)", key, to_db(fire_at))
                elif (group := groups.get(post.group_id)) is None:
                    log.warning("group %s is gone; dropping post %s", post.group_id, key)
                else:
                    posts.append(_outbox_row(post, group, key, late=decision == "late"))
            following = outcome.next_fire_at
            if following is not None and following <= fire_at:
                log.error("schedule %s did not move forward from %s; stopping it", schedule.name, to_db(fire_at))
                following = None
            advances.append((schedule.id, fire_at, following))
    await outbox_store.enqueue_many(tx, posts, now)
    await schedule_store.advance(tx, advances, now)


async def _record(
    tx: Transaction,
    schedule: Schedule,
    fire_at: datetime,
    now: datetime,
    reason: str,
    *,
    key: str | None = None,
    post: Post | None = None,
) -> None:
    await schedule_store.record_missed(
        tx,
        key=key or occurrence_key(schedule.name, fire_at),
        schedule_name=schedule.name,
        kind=schedule.kind,
        group_id=schedule.group_id,
        due_at=fire_at,
        now=now,
        reason=reason,
        payload=reply_to_json(post.reply) if post else None,
    )


async def _skip_broken(app: App, now: datetime, exc: Exception) -> None:
    """A handler raised: record the occurrence as missed and move its schedule on, so one broken rule cannot
    wedge the dispatcher (or the console's clock) by falling due forever."""
    async with app.db.transaction() as tx:
        claimed = await schedule_store.claim_due(tx, now, limit=1)
        if not claimed or claimed[0].next_fire_at is None:
            return
        schedule, fire_at = claimed[0], claimed[0].next_fire_at
        await _record(tx, schedule, fire_at, now, f"failed: {exc!r}")
        following: datetime | None = None
        kind = app.schedule_kinds.get(schedule.kind)
        if kind is not None:
            try:
                following = await kind.next_fire(app, tx, schedule, fire_at)
            except Exception:
                log.exception("schedule %s cannot compute its next occurrence; stopping it", schedule.name)
        if following is not None and following <= fire_at:
            following = None
        await schedule_store.advance(tx, [(schedule.id, fire_at, following)], now)


async def rebuild_schedules(app: App) -> int:
    """Recompute every schedule's next_fire_at from its rule and the stored plan data (at start-up).

    Occurrences that fell due while the bot was down keep their due time, so the catch-up policy sees them.
    Returns how many schedules were examined.
    """
    now = app.clock.now()
    async with app.db.transaction() as tx:
        rows = await schedule_store.all_schedules(tx)
        by_kind: dict[str, list[Schedule]] = {}
        for row in rows:
            by_kind.setdefault(row.kind, []).append(row)
        updates: list[tuple[int, datetime | None]] = []
        for kind_name, group in by_kind.items():
            kind = app.schedule_kinds.get(kind_name)
            if kind is None:
                continue  # left as it is: the dispatcher records its occurrence as missed when it falls due
            if kind.rebuild is not None:
                found = await kind.rebuild(app, tx, group)
            else:
                found = {}
                for row in group:
                    after = row.last_fire_at or datetime.min.replace(tzinfo=UTC)
                    found[row.id] = await kind.next_fire(app, tx, row, after)
            updates.extend((row.id, found.get(row.id)) for row in group if found.get(row.id) != row.next_fire_at)
        await schedule_store.set_next(tx, updates, now)
    return len(rows)


# ================================================================ the wake-up timer
IDLE_WAKEUP = timedelta(seconds=30)


@dataclass
class WakeupTimer:
    """Wakes the dispatcher at the earliest due moment; the database stays the truth.

    APScheduler's AsyncIOScheduler with its default memory job store holds exactly one DateTrigger job,
    "wakeup", at the earliest `app.next_wakeup()` (or `IDLE_WAKEUP` from now, so failed sends are retried and
    rows written by another process are noticed). The job only rings a bell; one loop task runs `app.tick()`
    and re-arms the timer, so ticks never overlap. `poke()` rings at once (a plan changed). Nothing here is
    persisted: a restart re-reads the schedules table and re-arms.
    """

    app: App
    idle: timedelta = IDLE_WAKEUP
    _scheduler: AsyncIOScheduler | None = None
    _bell: asyncio.Event = field(default_factory=asyncio.Event)
    _task: asyncio.Task[None] | None = None
    armed_at: datetime | None = None

    async def start(self) -> None:
        from apscheduler.schedulers.asyncio import AsyncIOScheduler  # only a running bot needs it: CLI start-up

        self._scheduler = AsyncIOScheduler(timezone=UTC)
        self._scheduler.start()
        self._task = asyncio.create_task(self._loop(), name="readalong-dispatcher")

    @property
    def task(self) -> asyncio.Task[None] | None:
        """The loop; it ends by itself only when the storage fails (its exception is the StorageFailure)."""
        return self._task

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, StorageFailure):
                await self._task
            self._task = None
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None

    def poke(self) -> None:
        self._bell.set()

    async def _ring(self) -> None:
        self._bell.set()

    async def _loop(self) -> None:
        while True:
            self._bell.clear()
            try:
                await self.app.tick()
                wake = await self.app.next_wakeup()
            except StorageFailure as exc:
                # a full or read-only disk does not heal by waking again in 30 s: end the loop with the sentence
                # (`readalong run` waits on this task and stops with it; see bot.runner.serve)
                log.error("%s", exc)
                raise
            except Exception:
                log.exception("dispatcher tick failed")
                wake = None
            now = self.app.clock.now()
            when = now + self.idle if wake is None else min(max(wake, now), now + self.idle)
            self._arm(when)
            await self._bell.wait()

    def _arm(self, when: datetime) -> None:
        from apscheduler.triggers.date import DateTrigger

        assert self._scheduler is not None
        self.armed_at = when
        self._scheduler.add_job(
            self._ring,
            DateTrigger(run_date=when, timezone=UTC),
            id="wakeup",
            replace_existing=True,
            misfire_grace_time=None,
            coalesce=True,
        )
