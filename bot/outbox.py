"""Delivering outbox rows: serialise a Reply into a row, and send unsent rows through the adapters.

A row is marked sent only after the platform accepted it, so a crash re-sends at most the unsent rows; the
row's key travels with the send so that platforms which deduplicate (Matrix transaction ids, Discord nonces)
drop the rare repeat.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from bot.log import log_context
from bot.replies import Choice, Field, File, Reply
from bot.storage import outbox as outbox_store

if TYPE_CHECKING:
    from bot.adapters.base import Adapter
    from bot.clock import Clock
    from bot.storage.db import Database

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


async def deliver(db: Database, adapters: Mapping[str, Adapter], clock: Clock, limit: int = 100) -> int:
    """Send what is waiting for the running adapters; returns how many rows were sent."""
    if not adapters:
        return 0
    sent = 0
    stalled: set[tuple[str, str]] = set()
    for row in await outbox_store.unsent(db, tuple(adapters), limit):
        room = (row.platform, row.room_id)
        if room in stalled:
            continue  # keep a room's posts in order: nothing overtakes a post that failed
        adapter = adapters[row.platform]
        reply = reply_from_json(row.payload)
        if row.late:
            reply = replace(reply, text=f"{reply.text}\n\n_(posted late: I was offline when this was due)_")
        with log_context(group=row.group_id, post=row.key):
            try:
                message_id = await adapter.send(
                    row.room_id, reply, key=row.key, thread_key=row.thread_key, starts_thread=row.starts_thread
                )
            except Exception as exc:
                log.warning("sending failed, will retry: %s", exc)
                await outbox_store.mark_failed(db, row.id, repr(exc))
                stalled.add(room)
                continue
            await outbox_store.mark_sent(db, row.id, message_id, clock.now())
            sent += 1
    return sent
