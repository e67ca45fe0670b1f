"""Incoming events: commands in messages (with their files), poll answers and reactions that pick a choice.

Commands are `!rg <command> …` (matrix.command_prefix) in an m.text message; notices, edits and the bot's own
events are ignored. A command that replies to an m.file, or is the caption of one, gets that file as its upload;
its advertised size is checked before anything is downloaded. A poll response or a reaction with a choice's
number, letter or label runs that choice's command as the member; the answer is posted only when it is an error
or not meant to be private.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import nio

from bot.adapters.base import asks_for_text, typed_command
from bot.adapters.matrix.parse import (
    POLL_RESPONSES,
    RoomPower,
    choice_index,
    command_line,
    poll_answer_index,
    relation,
    source,
)
from bot.adapters.matrix.posting import CHOICES_KIND, Posting
from bot.adapters.matrix.session import PLATFORM, Session
from bot.app import APOLOGY, App
from bot.log import log_context
from bot.replies import Context, Reply, Upload, UserError, error_reply

log = logging.getLogger(__name__)

MIB = 1024 * 1024
SEEN_LIMIT = 5000  # event ids remembered so that an event seen twice (gap and timeline) runs once


class Incoming:
    """Turns members' events into command lines for `App.handle` and posts the answers."""

    def __init__(self, app: App, session: Session, posting: Posting, prefix: str) -> None:
        self.app = app
        self.session = session
        self.posting = posting
        self.prefix = prefix
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._warned_encrypted: set[str] = set()

    async def handle(self, room_id: str, event: dict[str, Any], power: RoomPower) -> None:
        """One timeline event from someone else, once; a failure is logged and apologised for, never raised."""
        event_id = event.get("event_id")
        if not isinstance(event_id, str) or event.get("sender") == self.session.user_id:
            return
        if event_id in self._seen:
            return
        self._seen[event_id] = None
        if len(self._seen) > SEEN_LIMIT:
            self._seen.popitem(last=False)
        with log_context(platform=PLATFORM, room=room_id, event=event_id):
            try:
                await self._on_event(room_id, event, power)
            except Exception:
                log.exception("handling a Matrix event failed")
                with contextlib.suppress(Exception):
                    await self.posting.answer(room_id, event_id, str(event.get("sender", "")), error_reply(APOLOGY))

    async def _on_event(self, room_id: str, event: dict[str, Any], power: RoomPower) -> None:
        kind = event.get("type")
        content = event.get("content")
        if not isinstance(content, dict):
            return
        if kind == "m.room.message":
            await self._on_message(room_id, event, content, power)
        elif kind in POLL_RESPONSES:
            related = relation(content)
            await self._on_choice(
                room_id, event, power, related.get("event_id"), lambda labels: poll_answer_index(content, len(labels))
            )
        elif kind == "m.reaction":
            related = relation(content)
            if related.get("rel_type") == "m.annotation" and isinstance(related.get("key"), str):
                key = related["key"]
                await self._on_choice(
                    room_id, event, power, related.get("event_id"), lambda labels: choice_index(key, labels)
                )
        elif kind == "m.room.encrypted" and room_id not in self._warned_encrypted:
            self._warned_encrypted.add(room_id)
            log.warning("room %s is encrypted; Readalong cannot read encrypted rooms", room_id)

    # ------------------------------------------------------------ commands
    async def _on_message(self, room_id: str, event: dict[str, Any], content: dict[str, Any], power: RoomPower) -> None:
        msgtype = content.get("msgtype")
        related = relation(content)
        if "m.new_content" in content or related.get("rel_type") == "m.replace":
            return  # an edit: the original was handled
        body = content.get("body")
        if not isinstance(body, str):
            return
        if msgtype == "m.text":
            line = command_line(body, self.prefix)
        elif msgtype == "m.file" and content.get("filename") and content["filename"] != body:
            line = command_line(body, self.prefix)  # a file with a caption
        else:
            return
        if line is None:
            return
        event_id, sender = str(event["event_id"]), str(event.get("sender", ""))
        thread_id = related.get("event_id") if related.get("rel_type") == "m.thread" else None
        try:
            uploads = await self._attached_files(room_id, content, msgtype)
        except UserError as exc:
            await self.posting.answer(room_id, event_id, sender, error_reply(str(exc)), thread_id)
            return
        ctx = self._context(room_id, sender, power, uploads=uploads, thread_id=thread_id)
        reply = await self.app.handle(ctx, line)
        await self.posting.answer(room_id, event_id, sender, reply, thread_id)

    def _context(
        self,
        room_id: str,
        sender: str,
        power: RoomPower,
        *,
        uploads: tuple[Upload, ...] = (),
        thread_id: str | None = None,
    ) -> Context:
        room = self.session.client.rooms.get(room_id)
        name = (room.user_name(sender) if room else None) or sender[1:].split(":", 1)[0]
        return Context(
            platform=PLATFORM,
            room_id=room_id,
            user_id=sender,
            display_name=name,
            platform_moderator=power.level(sender) >= self.session.settings.moderator_power_level,
            uploads=uploads,
            thread_id=thread_id,
            prefix=self.prefix,
        )

    async def _attached_files(self, room_id: str, content: dict[str, Any], msgtype: Any) -> tuple[Upload, ...]:
        if msgtype == "m.file":
            return (await self._download(content),)
        related = relation(content)
        in_reply_to = related.get("m.in_reply_to")
        target = in_reply_to.get("event_id") if isinstance(in_reply_to, dict) else None
        if not isinstance(target, str) or related.get("is_falling_back"):
            return ()
        response = await self.session.client.room_get_event(room_id, target)
        if not isinstance(response, nio.RoomGetEventResponse):
            return ()
        replied = source(response.event).get("content")
        if isinstance(replied, dict) and replied.get("msgtype") == "m.file":
            return (await self._download(replied),)
        return ()

    async def _download(self, content: dict[str, Any]) -> Upload:
        filename = str(content.get("filename") or content.get("body") or "upload")
        if "url" not in content:
            raise UserError(f"I can't read {filename}: it is encrypted; share it in a room without encryption.")
        limit = self.app.settings.library.max_upload_mb
        info = content.get("info")
        size = info.get("size") if isinstance(info, dict) else None
        if isinstance(size, int) and size > limit * MIB:
            raise UserError(f"{filename} is larger than the {limit} MB limit.")
        response = await self.session.client.download(mxc=str(content["url"]))
        if not isinstance(response, nio.DownloadResponse) or not isinstance(response.body, bytes):
            raise UserError(f"I couldn't fetch {filename} from the homeserver; please send it again.")
        if len(response.body) > limit * MIB:
            raise UserError(f"{filename} is larger than the {limit} MB limit.")
        return Upload(filename, response.body)

    # ------------------------------------------------------------ choices
    async def _on_choice(
        self,
        room_id: str,
        event: dict[str, Any],
        power: RoomPower,
        target: Any,
        pick: Callable[[list[str]], int | None],
    ) -> None:
        """A poll response or a reaction on a message with choices: run the chosen command as that member."""
        if not isinstance(target, str):
            return
        stored = await self.app.recall(PLATFORM, room_id, CHOICES_KIND, target)
        if stored is None:
            return  # not one of our messages with choices
        choices = json.loads(stored)
        labels = [label for label, _ in choices]
        index = pick(labels)
        if index is None:
            return
        sender = str(event.get("sender", ""))
        command = choices[index][1]
        if asks_for_text(command):  # a reaction carries no text: say what to type
            hint = Reply(text=f"Type `{self.prefix}{typed_command(command)}`.")
            await self.posting.answer(room_id, str(event["event_id"]), sender, hint, reply_to=target)
            return
        ctx = self._context(room_id, sender, power)
        reply = await self.app.handle(ctx, command)
        if reply.kind == "error" or not reply.ephemeral:
            await self.posting.answer(room_id, str(event["event_id"]), sender, reply, reply_to=target)
