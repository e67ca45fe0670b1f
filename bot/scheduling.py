"""The dispatcher: due rows in the database become outbox posts, one transaction per occurrence.

The database is the truth. Cogs register handlers for job kinds with `@job_handler("kind")`; when a job falls
due the dispatcher, inside one transaction, asks the handler for the posts, inserts them into the outbox under
the key `job:<id>@<fire time>` and marks the job done. A crash before COMMIT leaves the job pending and no post;
after it, the posts are in the outbox and the job is done: nothing is lost and nothing is made twice.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import ModuleType
from typing import TYPE_CHECKING

from bot.commands import Reply
from bot.log import log_context
from bot.outbox import reply_to_json
from bot.storage import groups as group_store
from bot.storage import jobs as job_store
from bot.storage import outbox as outbox_store
from bot.storage.db import Transaction
from bot.storage.jobs import Job
from bot.timeutil import to_db

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

LATE_AFTER = timedelta(minutes=1)


@dataclass(frozen=True)
class Post:
    """A message a handler wants posted to a group's room (optionally into a reading's thread)."""

    group_id: int
    reply: Reply
    thread_key: str | None = None
    starts_thread: bool = False  # this post opens the thread `thread_key` (a reading-opens post)


JobHandler = Callable[["App", Transaction, Job], Awaitable[list[Post]]]
_HANDLER_ATTR = "__readalong_job__"


def job_handler(kind: str) -> Callable[[JobHandler], JobHandler]:
    def decorate(func: JobHandler) -> JobHandler:
        setattr(func, _HANDLER_ATTR, kind)
        return func

    return decorate


def handlers_from_modules(modules: Iterable[ModuleType]) -> dict[str, JobHandler]:
    found: dict[str, JobHandler] = {}
    for module in modules:
        for value in vars(module).values():
            kind = getattr(value, _HANDLER_ATTR, None)
            if kind is not None and getattr(value, "__module__", None) == module.__name__:
                if kind in found:
                    raise ValueError(f"two handlers for job kind {kind!r}")
                found[kind] = value
    return found


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
                posts = await handler(app, tx, job)
                late = now - job.fire_at > LATE_AFTER
                for index, post in enumerate(posts):
                    await enqueue_post(tx, post, key=f"job:{job.id}@{to_db(job.fire_at)}#{index}", now=now, late=late)
                await job_store.finish(tx, job.id, "done", now)
                count += 1


async def enqueue_post(tx: Transaction, post: Post, *, key: str, now: datetime, late: bool = False) -> bool:
    """Put a post in the outbox of its group's room; the key makes a second insert a no-op."""
    group = await group_store.get(tx, post.group_id)
    if group is None:
        log.warning("group %s is gone; dropping post %s", post.group_id, key)
        return False
    return await outbox_store.enqueue(
        tx,
        key=key,
        group_id=group.id,
        platform=group.platform,
        room_id=group.room_id,
        payload=reply_to_json(post.reply),
        now=now,
        thread_key=post.thread_key,
        starts_thread=post.starts_thread,
        late=late,
    )
