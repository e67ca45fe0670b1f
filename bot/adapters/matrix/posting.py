"""Posting: answers to members' events, the outbox's posts, threads, files and Element polls.

A Reply is sent as an m.notice (a poll: its card, then an MSC3381 poll) plus one event per file. Replies use
transaction ids derived from the command's event id and posts use the outbox key, so a repeat from the same
device is deduplicated by the homeserver. Any Reply with choices is remembered (kind "choices") so a reaction
or a poll answer on it can run the chosen command.
"""

from __future__ import annotations

import io
import json
from typing import Any

import nio

from bot.adapters.base import DIRECT_PREFIX, poll_key
from bot.adapters.matrix.render import (
    POLL_END,
    POLL_START,
    choices_to_ref,
    file_content,
    has_message,
    is_poll,
    notice_content,
    poll_card,
    poll_end_content,
    poll_start_content,
    reply_relation,
    thread_relation,
)
from bot.adapters.matrix.rooms import Rooms
from bot.adapters.matrix.session import PLATFORM, MatrixError, Session, why
from bot.app import App
from bot.replies import Reply

THREAD_KIND = "thread"
CHOICES_KIND = "choices"
POLL_KIND = "poll"  # the command prefix a poll's choices share ("vote 7") → its poll start event


class Posting:
    """Sends Replies into rooms as the bot."""

    def __init__(self, app: App, session: Session, rooms: Rooms, prefix: str) -> None:
        self.app = app
        self.session = session
        self.rooms = rooms
        self.prefix = prefix

    async def answer(
        self,
        room_id: str,
        event_id: str,
        sender: str,
        reply: Reply,
        thread_id: str | None = None,
        *,
        reply_to: str | None = None,
    ) -> str:
        """Post the answer to a member's event; the transaction id comes from that event, so it is sent once."""
        return await self._post(
            room_id,
            reply,
            relation=reply_relation(reply_to or event_id, thread_id),
            txn=f"rg-answer-{event_id}",
            mention=sender,
        )

    async def send(
        self, room_id: str, reply: Reply, *, key: str, thread_key: str | None = None, starts_thread: bool = False
    ) -> str:
        if room_id.startswith(DIRECT_PREFIX):
            room_id = await self.rooms.direct_room(room_id.removeprefix(DIRECT_PREFIX))
        relation = None
        if thread_key and not starts_thread:
            root = await self.app.recall(PLATFORM, room_id, THREAD_KIND, thread_key)
            if root:
                relation = thread_relation(root)
        event_id = await self._post(room_id, reply, relation=relation, txn=key)
        if starts_thread and thread_key and event_id:
            await self.app.remember(PLATFORM, room_id, THREAD_KIND, thread_key, event_id)
        return event_id

    async def _post(
        self, room_id: str, reply: Reply, *, relation: dict[str, Any] | None, txn: str, mention: str | None = None
    ) -> str:
        """Send a Reply as a notice (a poll: its card, then the poll) plus one event per file.

        Returns the id of the notice or poll, which is what reactions and thread replies refer to.
        """
        first = ""
        if has_message(reply):
            card = poll_card(reply) if is_poll(reply) else None
            if card is not None:
                card_content = notice_content(card, self.prefix)
                if relation:
                    card_content["m.relates_to"] = relation
                await self._send_event(room_id, "m.room.message", card_content, f"{txn}.card")
            if is_poll(reply):
                event_type, content = POLL_START, poll_start_content(reply)
            else:
                event_type, content = "m.room.message", notice_content(reply, self.prefix)
            if relation:
                content["m.relates_to"] = relation
            if mention:
                content["m.mentions"] = {"user_ids": [mention]}
            first = await self._send_event(room_id, event_type, content, txn)
            if is_poll(reply) and (key := poll_key(reply.choices)):
                await self._remember_poll(room_id, key, first)
            if reply.choices:
                await self.app.remember(
                    PLATFORM,
                    room_id,
                    CHOICES_KIND,
                    first,
                    json.dumps(choices_to_ref(reply.choices), ensure_ascii=False),
                )
        for index, file in enumerate(reply.files):
            uploaded, _ = await self.session.client.upload(
                io.BytesIO(file.data), content_type=file.content_type, filename=file.filename, filesize=len(file.data)
            )
            if not isinstance(uploaded, nio.UploadResponse):
                raise MatrixError(f"uploading {file.filename} failed: {why(uploaded)}")
            content = file_content(file, uploaded.content_uri)
            if relation:
                content["m.relates_to"] = relation
            event_id = await self._send_event(room_id, "m.room.message", content, f"{txn}.file{index}")
            first = first or event_id
        if reply.closes:
            await self._end_poll(room_id, reply, reply.closes, f"{txn}.end")
        return first

    async def _remember_poll(self, room_id: str, key: str, start_id: str) -> None:
        """Remember a poll start under its choices' shared command; `poll show` may post the same poll again."""
        stored = await self.app.recall(PLATFORM, room_id, POLL_KIND, key)
        starts = [*json.loads(stored), start_id] if stored else [start_id]
        await self.app.remember(PLATFORM, room_id, POLL_KIND, key, json.dumps(starts))

    async def _end_poll(self, room_id: str, reply: Reply, key: str, txn: str) -> None:
        """End every Element poll that offered the commands `key …` (their results are `reply`), once."""
        stored = await self.app.recall(PLATFORM, room_id, POLL_KIND, key)
        if stored is None:
            return  # shown as a notice, or never posted in this room: nothing to end
        for index, start in enumerate(json.loads(stored)):
            await self._send_event(room_id, POLL_END, poll_end_content(reply, start), f"{txn}{index}")
        await self.app.forget_ref(PLATFORM, room_id, POLL_KIND, key)

    async def _send_event(self, room_id: str, event_type: str, content: dict[str, Any], txn: str) -> str:
        response = await self.session.client.room_send(room_id, event_type, content, tx_id=txn)
        if not isinstance(response, nio.RoomSendResponse):
            raise MatrixError(f"sending to {room_id} failed: {why(response)}")
        return str(response.event_id)
