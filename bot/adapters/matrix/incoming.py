"""Incoming events: commands in messages (with their files), their edits, poll answers and reactions.
(Over 400 lines: the one place where every kind of member event becomes a command, kept together.)

Commands are `!rg <command> …` (matrix.command_prefix) in an m.text message; notices and the bot's own events are
ignored. Each command runs once, keyed by its event id in the database: claimed before it runs, so neither a
crash half-way (the batch is handled again after the restart) nor a second bot on the same database runs it twice;
an answer computed but not sent is sent after the restart. An edit (`m.replace`) runs the edited command once if
the original was not a command that could be run (a typo in it), and answers in the original's thread. A command
that replies to an m.file, or is the caption of one, gets that file as its upload; its advertised size is checked
before anything is downloaded. A poll response (every MSC3381 form, several answers in a multi-select poll) or a
reaction with a choice's number, letter or label runs that choice's command as the member; the answer is posted
only when it is an error or not meant to be private. A command in a reading's thread is about that reading
(`threads`).

Moderators are the members whose power level reaches matrix.moderator_power_level, as the room's
m.room.power_levels says at the moment of the command: the platform decides (a demoted member is no moderator,
whatever role was stored for them).
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from typing import Any

import nio

from bot.adapters.base import asks_for_text, poll_key, typed_command
from bot.adapters.matrix import mentions
from bot.adapters.matrix.parse import (
    POLL_RESPONSES,
    RoomPower,
    closing_command,
    combined_command,
    command_line,
    poll_answer_indexes,
    poll_number,
    reaction_pick,
    relation,
    source,
    withdrawn_answer,
)
from bot.adapters.matrix.posting import CHOICES_KIND, POLL_KIND, VOTE_KIND, Posting
from bot.adapters.matrix.session import PLATFORM, Session
from bot.adapters.matrix.threads import with_thread_reading
from bot.app import APOLOGY, App
from bot.commands import parse_line
from bot.log import log_context
from bot.outbox import reply_from_json, reply_to_json
from bot.replies import Choice, Context, Reply, RoomFacts, Upload, UserError, error_reply
from bot.storage import handled, refs

log = logging.getLogger(__name__)

MIB = 1024 * 1024
SEEN_LIMIT = 5000  # event ids remembered so that an event seen twice (gap and timeline) runs once
HANDLED_KIND = "handled"  # a member's event id → what became of it (below); bot.storage.handled, dropped by age
RUNNING = "running"  # claimed; a crash here leaves the command run at most once, unanswered
PARSE_ERROR = "parse-error"  # not a command that could run: an edit may still run the corrected one
DONE = "done"
ANSWER = "answer:"  # the answer, computed and not yet sent; sent after a restart
EDITED_KIND = "edited"  # an original event id whose edit ran a command
HOLD_LIMIT = 20  # answers sent together in one notice at most


def answer_to_json(reply: Reply) -> str:
    """The outbox's Reply serialisation plus what an answer needs besides (privacy, poll rules)."""
    extra = {"ephemeral": reply.ephemeral, "anonymous": reply.anonymous, "max_selections": reply.max_selections}
    return json.dumps({"reply": reply_to_json(reply), **extra})


def answer_from_json(payload: str) -> Reply:
    data = json.loads(payload)
    return replace(
        reply_from_json(data["reply"]),
        ephemeral=bool(data["ephemeral"]),
        anonymous=bool(data["anonymous"]),
        max_selections=int(data["max_selections"]),
    )


class Incoming:
    """Turns members' events into command lines for `App.handle` and posts the answers."""

    def __init__(self, app: App, session: Session, posting: Posting, prefix: str) -> None:
        self.app = app
        self.session = session
        self.posting = posting
        self.prefix = prefix
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._warned_encrypted: set[str] = set()
        self._held: dict[str, list[tuple[str, str, Reply, str]]] = {}  # room → answers waiting (see `batch`)

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
                room_id, event, power, related.get("event_id"), lambda labels: poll_answer_indexes(content, len(labels))
            )
        elif kind == "m.reaction":
            related = relation(content)
            if related.get("rel_type") == "m.annotation" and isinstance(related.get("key"), str):
                key = related["key"]
                await self._on_choice(
                    room_id, event, power, related.get("event_id"), lambda labels: reaction_pick(key, labels)
                )
        elif kind == "m.room.redaction":
            redacted = content.get("redacts") or event.get("redacts")  # room v11+ moved it into the content
            if isinstance(redacted, str):
                await self._on_redaction(room_id, event, redacted, power)
        elif kind == "m.room.encrypted" and room_id not in self._warned_encrypted:
            self._warned_encrypted.add(room_id)
            log.warning("room %s is encrypted; Readalong cannot read encrypted rooms", room_id)

    # ------------------------------------------------------------ commands
    async def _on_message(self, room_id: str, event: dict[str, Any], content: dict[str, Any], power: RoomPower) -> None:
        msgtype = content.get("msgtype")
        related = relation(content)
        if "m.new_content" in content or related.get("rel_type") == "m.replace":
            await self._on_edit(room_id, event, content, power)
            return
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
        if not await self._claim(room_id, event_id, sender, thread_id):
            return
        if mentions.is_mentions_command(line):  # a Matrix-only setting, answered here
            moderator = self._is_moderator(power, sender)
            reply = await mentions.run(self.app, room_id, sender, moderator, line, self.prefix)
            await self._finish(room_id, event_id, sender, reply, DONE, thread_id)
            return
        try:
            uploads = await self._attached_files(room_id, content, msgtype)
        except UserError as exc:
            await self._finish(room_id, event_id, sender, error_reply(str(exc)), DONE, thread_id)
            return
        await self._run(room_id, event_id, sender, line, power, uploads=uploads, thread_id=thread_id)

    async def _on_edit(self, room_id: str, event: dict[str, Any], content: dict[str, Any], power: RoomPower) -> None:
        """An edit runs the corrected command once, and only if the original did not run as a command; an original
        that was a command but whose record has been dropped (older than matrix.handled_days) is left alone."""
        original = relation(content).get("event_id")
        new = content.get("m.new_content")
        if not isinstance(original, str) or not isinstance(new, dict) or new.get("msgtype") != "m.text":
            return
        line = command_line(str(new.get("body", "")), self.prefix)
        if line is None:
            return
        state = await handled.get(self.app.db, PLATFORM, room_id, HANDLED_KIND, original)
        if state not in (None, PARSE_ERROR):
            return  # the original ran (or is running): editing it does not run it again
        response = await self.session.request(lambda: self.session.client.room_get_event(room_id, original))
        if not isinstance(response, nio.RoomGetEventResponse):
            return
        before = source(response.event).get("content") or {}
        if state is None and command_line(str(before.get("body", "")), self.prefix) is not None:
            return  # it was a command, and its record is gone (matrix.handled_days): it may have run
        if not await handled.claim(self.app.db, PLATFORM, room_id, EDITED_KIND, original, str(event["event_id"])):
            return  # an earlier edit of it already ran
        event_id, sender = str(event["event_id"]), str(event.get("sender", ""))
        # An edit carries no thread (m.new_content may not hold m.relates_to): the original's thread is the one.
        related = relation(before)
        thread = related.get("event_id") if related.get("rel_type") == "m.thread" else None
        thread_id = thread if isinstance(thread, str) else None
        if await self._claim(room_id, event_id, sender, thread_id):
            await self._run(room_id, event_id, sender, line, power, thread_id=thread_id)

    async def _claim(self, room_id: str, event_id: str, sender: str, thread_id: str | None) -> bool:
        """True if this command is ours to run; a command claimed before (by us before a crash, or by another
        bot on this database) is never run again — its stored answer, if any, is sent (deduplicated)."""
        if await handled.claim(self.app.db, PLATFORM, room_id, HANDLED_KIND, event_id, RUNNING):
            return True
        state = await handled.get(self.app.db, PLATFORM, room_id, HANDLED_KIND, event_id) or ""
        if state.startswith(ANSWER):
            reply = answer_from_json(state.removeprefix(ANSWER))
            await self._finish(room_id, event_id, sender, reply, DONE, thread_id)
        return False

    async def _run(
        self,
        room_id: str,
        event_id: str,
        sender: str,
        line: str,
        power: RoomPower,
        *,
        uploads: tuple[Upload, ...] = (),
        thread_id: str | None = None,
    ) -> None:
        line = await with_thread_reading(self.app, room_id, thread_id, line)
        try:
            parse_line(self.app.registry, line)
            outcome = DONE
        except UserError:
            outcome = PARSE_ERROR  # answered with the parser's sentence; a corrected edit may run
        ctx = self._context(room_id, sender, power, uploads=uploads, thread_id=thread_id)
        reply = await self.app.handle(ctx, line)
        if outcome == DONE:
            await handled.put(self.app.db, PLATFORM, room_id, HANDLED_KIND, event_id, ANSWER + answer_to_json(reply))
            if (number := poll_number(" ".join(line.split()[:2]))) and reply.kind != "error":
                # a typed vote is the member's vote now: redacting an older reaction no longer takes it back
                await self.app.forget_ref(PLATFORM, room_id, VOTE_KIND, f"{number} {sender}")
        await self._finish(room_id, event_id, sender, reply, outcome, thread_id)

    async def _finish(
        self, room_id: str, event_id: str, sender: str, reply: Reply, outcome: str, thread_id: str | None
    ) -> None:
        held = self._held.get(room_id)
        if held is not None and thread_id is None and _combinable(reply) and self.session.rate_limited():
            held.append((event_id, sender, reply, outcome))  # sent with the batch's other answers, in one event
            return
        await self.posting.answer(room_id, event_id, sender, reply, thread_id)
        await handled.put(self.app.db, PLATFORM, room_id, HANDLED_KIND, event_id, outcome)

    @contextlib.asynccontextmanager
    async def batch(self, room_id: str, *, more_coming: Callable[[], bool] = lambda: False) -> AsyncIterator[None]:
        """Handle one sync batch of a room: while the homeserver rate-limits the bot, plain answers are held and
        sent together as one notice — at the end of the batch, or of a later one when `more_coming` says the
        room's next batch is already waiting (at most HOLD_LIMIT answers in one notice)."""
        held = self._held.setdefault(room_id, [])
        try:
            yield
        finally:
            if not (more_coming() and len(held) < HOLD_LIMIT):
                del self._held[room_id]
                await self._send_held(room_id, held)

    async def _send_held(self, room_id: str, held: list[tuple[str, str, Reply, str]]) -> None:
        if len(held) == 1:
            event_id, sender, reply, outcome = held[0]
            await self._finish(room_id, event_id, sender, reply, outcome, None)
        elif held:
            await self.posting.answer_together(room_id, [(e, s, r) for e, s, r, _ in held])
            for event_id, _, _, outcome in held:
                await handled.put(self.app.db, PLATFORM, room_id, HANDLED_KIND, event_id, outcome)

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
            platform_moderator=self._is_moderator(power, sender),
            platform_decides_moderators=True,
            uploads=uploads,
            thread_id=thread_id,
            prefix=self.prefix,
            room=self._facts(room, power),
        )

    def _is_moderator(self, power: RoomPower, user_id: str) -> bool:
        return power.level(user_id) >= self.session.settings.moderator_power_level

    def _facts(self, room: nio.MatrixRoom | None, power: RoomPower) -> RoomFacts | None:
        """The room's name, joined members and moderators as the last sync left them (the bot not counted)."""
        if room is None:
            return None
        members = sorted(u for u in room.users if u != self.session.user_id)
        moderators = tuple(room.user_name(u) or u for u in members if self._is_moderator(power, u))
        return RoomFacts(name=room.name or None, members=len(members), moderators=moderators)

    async def _attached_files(self, room_id: str, content: dict[str, Any], msgtype: Any) -> tuple[Upload, ...]:
        if msgtype == "m.file":
            return (await self._download(content),)
        related = relation(content)
        in_reply_to = related.get("m.in_reply_to")
        target = in_reply_to.get("event_id") if isinstance(in_reply_to, dict) else None
        if not isinstance(target, str) or related.get("is_falling_back"):
            return ()
        response = await self.session.request(lambda: self.session.client.room_get_event(room_id, target))
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
        response = await self.session.request(lambda: self.session.client.download(mxc=str(content["url"])))
        if not isinstance(response, nio.DownloadResponse) or not isinstance(response.body, bytes):
            raise UserError(f"I couldn't fetch {filename} from the homeserver; please send it again.")
        if len(response.body) > limit * MIB:
            raise UserError(f"{filename} is larger than the {limit} MB limit.")
        return Upload(filename, response.body)

    async def _on_redaction(self, room_id: str, event: dict[str, Any], redacted: str, power: RoomPower) -> None:
        """Redacting one of our Element polls (only a moderator can) closes the bot's poll and posts its results;
        redacting the reaction or poll answer that is a member's current vote takes that vote back."""
        vote = await refs.key_of(self.app.db, PLATFORM, room_id, VOTE_KIND, redacted)
        if vote is not None:
            number, voter = vote.split(" ", 1)
            await self._withdraw(room_id, str(event["event_id"]), voter, number, power)
            return
        key = await refs.key_of(self.app.db, PLATFORM, room_id, POLL_KIND, json.dumps([redacted]))
        command = closing_command(key) if key else None
        if command is None:
            return
        event_id, sender = str(event["event_id"]), str(event.get("sender", ""))
        if not await handled.claim(self.app.db, PLATFORM, room_id, HANDLED_KIND, event_id, DONE):
            return
        log.info("poll %s was redacted by %s: closing it", key, sender)
        reply = await self.app.handle(self._context(room_id, sender, power), command)
        await self.posting.post(room_id, reply, txn=f"rg-redacted-{event_id}")

    # ------------------------------------------------------------ choices
    async def _on_choice(
        self,
        room_id: str,
        event: dict[str, Any],
        power: RoomPower,
        target: Any,
        pick: Callable[[list[str]], list[int]],
    ) -> None:
        """A poll response or a reaction on a message with choices: run the chosen command as that member.

        Several answers (a multi-select poll) run one command with all of them: `vote 7 A C`.
        """
        if not isinstance(target, str):
            return
        stored = await self.app.recall(PLATFORM, room_id, CHOICES_KIND, target)
        if stored is None:
            return  # not one of our messages with choices
        choices = [Choice(label, command) for label, command in json.loads(stored)]
        picked = pick([c.label for c in choices])
        event_id, sender = str(event["event_id"]), str(event.get("sender", ""))
        number = poll_number(poll_key(choices) or "")
        if not picked:
            if number and event.get("type") in POLL_RESPONSES and withdrawn_answer(event):
                await self._withdraw(room_id, event_id, sender, number, power)
            return
        command = combined_command([choices[i] for i in picked], choices)
        if asks_for_text(command):  # a reaction carries no text: say what to type
            hint = Reply(text=f"Type `{self.prefix}{typed_command(command)}`.")
            await self.posting.answer(room_id, event_id, sender, hint, reply_to=target)
            return
        if not await handled.claim(self.app.db, PLATFORM, room_id, HANDLED_KIND, event_id, DONE):
            return  # handled before a restart, or by another bot on this database
        ctx = self._context(room_id, sender, power)
        reply = await self.app.handle(ctx, command)
        if number and reply.kind != "error":  # this event is the member's vote now: redacting it takes it back
            await self.app.remember(PLATFORM, room_id, VOTE_KIND, f"{number} {sender}", event_id)
        if reply.kind == "error" or not reply.ephemeral:
            await self.posting.answer(room_id, event_id, sender, reply, reply_to=target, say_where=False)

    async def _withdraw(self, room_id: str, event_id: str, voter: str, number: str, power: RoomPower) -> None:
        """Take back a member's vote (their reaction was redacted, or their poll answer emptied); said privately."""
        if not await handled.claim(self.app.db, PLATFORM, room_id, HANDLED_KIND, event_id, DONE):
            return
        await self.app.forget_ref(PLATFORM, room_id, VOTE_KIND, f"{number} {voter}")
        reply = await self.app.handle(self._context(room_id, voter, power), f"unvote {number}")
        if reply.kind == "error":
            log.info("taking back %s's vote in poll %s: %s", voter, number, reply.text)


def _combinable(reply: Reply) -> bool:
    """Plain answers only: not private, no files, choices, polls or poll endings (those have their own events)."""
    private = reply.ephemeral and reply.kind != "error"
    return not (private or reply.files or reply.choices or reply.closes or reply.kind == "poll")
