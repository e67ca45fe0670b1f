"""Posting: answers to members' events, the outbox's posts, threads, files and Element polls.

Answers to commands are m.notice (Element's default push rules keep them silent); the outbox's posts (reminders,
readings opening, polls, quotes) are m.text, so members are notified. A Reply is one message (a poll: its card,
then an MSC3381 poll) plus one event per file. Private answers (`Reply.ephemeral`: exports, vote receipts) go to
the member's direct room, never the group's. Replies use transaction ids derived from the command's event id and
posts use the outbox key, so a repeat from the same device is deduplicated by the homeserver. Any Reply with
choices is remembered (kind "choices") so a reaction or a poll answer on it can run the chosen command. A bot
poll has one Element poll: showing it again links to the poll already in the room. Closing one takes two events,
the results and the Element poll's end: the results count typed votes and reactions too, and Element shows an end
as the poll with its own tally, the end's text only when it cannot find the poll (element-web MPollEndBody).
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import nio

from bot.adapters.base import DIRECT_PREFIX, poll_key
from bot.adapters.matrix.mentions import mentions_for
from bot.adapters.matrix.parse import poll_number
from bot.adapters.matrix.render import (
    POLL_END,
    POLL_START,
    choices_to_ref,
    file_content,
    has_message,
    is_poll,
    message_content,
    poll_card,
    poll_end_content,
    poll_start_content,
    reply_relation,
    thread_relation,
)
from bot.adapters.matrix.rooms import Rooms
from bot.adapters.matrix.session import PLATFORM, MatrixError, Session
from bot.adapters.matrix.threads import THREADED_KINDS, current_thread_key
from bot.app import App
from bot.replies import File, Reply
from bot.storage import refs

THREAD_KIND = "thread"
CHOICES_KIND = "choices"
POLL_KIND = "poll"  # the command prefix a poll's choices share ("vote 7") → its poll start event
VOTE_KIND = "vote"  # "<poll number> <member>" → the reaction or poll answer that is their current vote
NOTICE, TEXT = "m.notice", "m.text"
SENT_PRIVATELY = "I sent you my answer in a private message."
COUNTED = (
    "These results count each member's latest ballot however it was cast: answers to the Element poll, "
    "reactions and typed votes alike (the Element poll's own tally shows only its answers)."
)


def permalink(room_id: str, event_id: str) -> str:
    return f"https://matrix.to/#/{room_id}/{event_id}"


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
        say_where: bool = True,
    ) -> str:
        """Post the answer to a member's event as a notice; the transaction id comes from that event, so it is sent
        once. A private answer goes to the member's direct room, with (`say_where`) a pointer in this room."""
        txn = f"rg-answer-{event_id}"
        if reply.ephemeral and reply.kind != "error" and not self.rooms.is_direct_with(room_id, sender):
            direct = await self.rooms.direct_room(sender)
            sent = await self._post(direct, reply, relation=None, txn=txn, msgtype=NOTICE)
            if say_where:
                pointer = Reply(text=SENT_PRIVATELY)
                where = reply_relation(event_id, thread_id)
                await self._post(room_id, pointer, relation=where, txn=f"{txn}.where", mention=sender, msgtype=NOTICE)
            return sent
        opening = reply.kind == "poll"  # a poll opening is news for everyone: a message that notifies
        return await self._post(
            room_id,
            reply,
            relation=reply_relation(reply_to or event_id, thread_id),
            txn=txn,
            mention=sender,
            msgtype=TEXT if opening else NOTICE,
            mentions=await mentions_for(self.app, room_id, reply.kind) if opening else None,
        )

    async def answer_together(self, room_id: str, answers: Sequence[tuple[str, str, Reply]]) -> str:
        """Several answers (event id, sender, reply) as one notice, each under a link to its command: while the
        homeserver rate-limits the bot, one event instead of many gets every member their answer sooner."""
        parts = [
            f"↳ [Answer to {sender}]({permalink(room_id, event_id)})\n{reply.plain()}"
            for event_id, sender, reply in answers
        ]
        last = answers[-1][0]
        return await self._post(
            room_id,
            Reply(text="\n\n".join(parts)),
            relation=reply_relation(last),
            txn=f"rg-answers-{answers[0][0]}",
            mention=[sender for _, sender, _ in answers],
            msgtype=NOTICE,
        )

    async def post(self, room_id: str, reply: Reply, *, txn: str) -> str:
        """A message for the whole room that answers no one in particular (a redacted poll's results)."""
        return await self._post(room_id, reply, relation=None, txn=txn, msgtype=TEXT)

    async def notice(self, room_id: str, text: str, *, txn: str) -> str:
        """A plain notice from the bot itself (a greeting, a refusal), not an answer to anyone."""
        return await self._post(room_id, Reply(text=text), relation=None, txn=txn, msgtype=NOTICE)

    async def send(
        self, room_id: str, reply: Reply, *, key: str, thread_key: str | None = None, starts_thread: bool = False
    ) -> str:
        if room_id.startswith(DIRECT_PREFIX):
            room_id = await self.rooms.direct_room(room_id.removeprefix(DIRECT_PREFIX))
        elif room_id not in self.session.client.rooms:  # removed from it: no request, and no retrying for ever
            raise MatrixError(f"not in {room_id} (removed from the room?)", permanent=True)
        if thread_key is None and reply.kind in THREADED_KINDS:
            thread_key = await current_thread_key(self.app, room_id)  # quotes and prompts follow the reading
        relation = None
        if thread_key and not starts_thread:
            root = await self.app.recall(PLATFORM, room_id, THREAD_KIND, thread_key)
            if root:
                relation = thread_relation(root)
        mentioned = await mentions_for(self.app, room_id, reply.kind)
        event_id = await self._post(room_id, reply, relation=relation, txn=key, msgtype=TEXT, mentions=mentioned)
        if starts_thread and thread_key and event_id:
            await self.app.remember(PLATFORM, room_id, THREAD_KIND, thread_key, event_id)
        return event_id

    async def _post(
        self,
        room_id: str,
        reply: Reply,
        *,
        relation: dict[str, Any] | None,
        txn: str,
        msgtype: str,
        mention: str | Sequence[str] | None = None,
        mentions: dict[str, Any] | None = None,
    ) -> str:
        """Send a Reply as one message (a poll: its card, then the poll) plus one event per file.

        Returns the id of the message or poll, which is what reactions and thread replies refer to.
        """
        first = ""
        key = poll_key(reply.choices) if is_poll(reply) else None
        shown = await self.app.recall(PLATFORM, room_id, POLL_KIND, key) if key else None
        if shown:  # this poll is already in the room: link to it rather than start a second Element poll
            start = json.loads(shown)[0]
            reply = replace(
                reply, kind="poll-shown", text=f"Answer the poll above: {permalink(room_id, start)}\n\n{reply.text}"
            )
        if reply.closes:
            reply = replace(reply, text=f"{reply.text}\n\n{COUNTED}" if reply.text else COUNTED)
        if has_message(reply):
            card = poll_card(reply) if is_poll(reply) else None
            if card is not None:
                card_content = message_content(card, self.prefix, msgtype)
                if relation:
                    card_content["m.relates_to"] = relation
                await self._send_event(room_id, "m.room.message", card_content, f"{txn}.card")
            if is_poll(reply):
                event_type, content = POLL_START, poll_start_content(reply)
            else:
                event_type, content = "m.room.message", message_content(reply, self.prefix, msgtype)
            if relation:
                content["m.relates_to"] = relation
            if mention or mentions:
                asked = [mention] if isinstance(mention, str) else list(mention or ())
                content["m.mentions"] = {
                    **(mentions or {}),
                    "user_ids": sorted({*asked, *(mentions or {}).get("user_ids", [])}),
                }
            first = await self._send_event(room_id, event_type, content, txn)
            if is_poll(reply) and key:
                await self.app.remember(PLATFORM, room_id, POLL_KIND, key, json.dumps([first]))
            if reply.choices:
                await self.app.remember(
                    PLATFORM,
                    room_id,
                    CHOICES_KIND,
                    first,
                    json.dumps(choices_to_ref(reply.choices), ensure_ascii=False),
                )
        for index, file in enumerate(reply.files):
            uploaded = await self._upload(file)
            if not isinstance(uploaded, nio.UploadResponse):
                raise MatrixError.refused(f"uploading {file.filename} failed", uploaded)
            content = file_content(file, uploaded.content_uri)
            if relation:
                content["m.relates_to"] = relation
            event_id = await self._send_event(room_id, "m.room.message", content, f"{txn}.file{index}")
            first = first or event_id
        if reply.closes:
            await self._end_poll(room_id, reply, reply.closes, f"{txn}.end")
        return first

    async def _upload(self, file: File) -> Any:
        async def upload() -> Any:  # a fresh BytesIO for each attempt; nio answers (response, keys)
            response, _ = await self.session.client.upload(
                io.BytesIO(file.data), content_type=file.content_type, filename=file.filename, filesize=len(file.data)
            )
            return response

        return await self.session.request(upload)

    async def _end_poll(self, room_id: str, reply: Reply, key: str, txn: str) -> None:
        """End every Element poll that offered the commands `key …` (their results are `reply`), once. The poll's
        votes are forgotten: a closed poll's vote cannot be taken back, so its rows would only pile up."""
        if number := poll_number(key):
            await refs.delete_starting(self.app.db, PLATFORM, room_id, VOTE_KIND, f"{number} ")
        stored = await self.app.recall(PLATFORM, room_id, POLL_KIND, key)
        if stored is None:
            return  # shown as a notice, or never posted in this room: nothing to end
        for index, start in enumerate(json.loads(stored)):
            await self._send_event(room_id, POLL_END, poll_end_content(reply, start), f"{txn}{index}")
        await self.app.forget_ref(PLATFORM, room_id, POLL_KIND, key)

    async def _send_event(self, room_id: str, event_type: str, content: dict[str, Any], txn: str) -> str:
        response = await self.session.request(
            lambda: self.session.client.room_send(room_id, event_type, content, tx_id=txn), message=True
        )
        if not isinstance(response, nio.RoomSendResponse):
            raise MatrixError.refused(f"sending to {room_id} failed", response)
        return str(response.event_id)
