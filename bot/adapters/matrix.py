"""The Matrix adapter: matrix-nio events in, `App.handle` lines out, Replies back as notices. Translation only.

Rules members and operators can rely on (the README's "Running on Matrix" says the same):
- Commands are `!rg <command> …` (matrix.command_prefix) in an m.text message; notices, edits and the bot's
  own events are ignored. The answer is an m.notice replying to the command (inside its thread if it was in one).
- Moderators are members whose power level in the room is at least matrix.moderator_power_level, judged with
  the levels in force when the command was sent; room creators of version 12+ rooms always are.
- Files: a command that *replies to* an m.file (`!rg library add` as a reply to the book), or that is the
  *caption* of an m.file, gets that file as its upload. Its advertised size is checked against
  library.max_upload_mb before anything is downloaded.
- Polls: a Reply of kind "poll" is sent as an MSC3381 poll whose answer ids are the choice numbers; any Reply
  with choices is remembered (kind "choices"), so a poll response, or a reaction with the choice's number
  (1, 1️⃣), letter (A, 🇦) or label on that message, runs the choice's command as the member who reacted.
  Their answer is posted only when it is an error or not meant to be private; the poll shows the votes.
  Taking a reaction or a poll answer back does not withdraw the vote (voting again replaces it).
- The sync position is stored in the database after each batch is handled, so after a restart commands sent
  while the bot was offline are answered once and commands already answered are not replayed. A database that
  has never synced skips the history it finds. Replies use transaction ids derived from the command's event id
  and posts use the outbox key, so a repeat from the same device is deduplicated by the homeserver.
- Invites from matrix.allowed_inviters (user ids or ":server") are accepted, others declined.
- Encrypted rooms are not supported (the bot cannot read them).
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import logging
import os
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
import nio

from bot.adapters.base import DIRECT_PREFIX, asks_for_text, poll_key, typed_command
from bot.adapters.matrix_render import (
    POLL_END,
    POLL_RESPONSES,
    POLL_START,
    RoomPower,
    choice_index,
    choices_to_ref,
    command_line,
    file_content,
    has_message,
    inviter_allowed,
    is_poll,
    notice_content,
    poll_answer_index,
    poll_card,
    poll_end_content,
    poll_start_content,
    reply_relation,
    thread_relation,
)
from bot.app import APOLOGY, App
from bot.config import ConfigError, MatrixSettings
from bot.log import log_context
from bot.replies import Context, Reply, Upload, UserError, error_reply

log = logging.getLogger(__name__)

PLATFORM = "matrix"
BOT_ROOM = ""  # external_refs room id for values that belong to the bot, not a room
SYNC_KIND = "sync"
THREAD_KIND = "thread"
DIRECT_KIND = "direct"  # our key: a member's user id → the private room used for their nudges
CHOICES_KIND = "choices"
POLL_KIND = "poll"  # the command prefix a poll's choices share ("vote 7") → its poll start event
DEVICE_FILE = "device.json"
MIB = 1024 * 1024
_T = TypeVar("_T")


class MatrixError(RuntimeError):
    """The homeserver refused a request; the outbox retries sends that raise it."""


class MatrixAdapter:
    platform = PLATFORM
    sync_timeout_ms = 30_000
    timeline_limit = 100  # events per room per sync; a longer gap is fetched with /messages
    backfill_pages = 20
    max_backoff = 30.0

    def __init__(
        self,
        app: App,
        *,
        access_token: str = "",
        password: str = "",
        settings: MatrixSettings | None = None,
    ) -> None:
        if not access_token and not password:
            raise ConfigError("The Matrix adapter needs an access token or a password.")
        self.app = app
        self.settings = settings or app.settings.matrix
        self.prefix = self.settings.command_prefix.strip() + " "
        self._access_token = access_token
        self._password = password
        self._client: nio.AsyncClient | None = None
        self._since: str | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        self._rooms: dict[str, RoomPower] = {}
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._invites_handled: set[str] = set()
        self._warned_encrypted: set[str] = set()
        self.device_id: str | None = None

    # ------------------------------------------------------------ lifecycle
    @property
    def client(self) -> nio.AsyncClient:
        if self._client is None:
            raise RuntimeError("the Matrix adapter is not started")
        return self._client

    @property
    def user_id(self) -> str:
        return self.settings.user_id

    async def start(self) -> None:
        """Log in, catch up with what happened while offline, then keep syncing in a task."""
        if logging.getLogger("nio").level == logging.NOTSET:
            logging.getLogger("nio").setLevel(logging.WARNING)  # nio logs every event at INFO
        self._stopping.clear()
        config = nio.AsyncClientConfig(
            max_timeouts=2, max_timeout_retry_wait_time=2.0, request_timeout=30, store_sync_tokens=False
        )
        self._client = nio.AsyncClient(self.settings.homeserver, self.user_id, config=config)
        try:
            try:
                await self._login()
            except (aiohttp.ClientError, TimeoutError) as exc:
                raise ConfigError(
                    f"I could not reach the Matrix homeserver at {self.settings.homeserver} ({exc}); "
                    "check matrix.homeserver and that the server is up."
                ) from None
            self._since = await self.app.recall(PLATFORM, BOT_ROOM, SYNC_KIND, self.user_id)
            first_run = self._since is None
            # full_state: after a restart the room state (power levels, members) is known again at once.
            response = await self._sync(timeout_ms=0, full_state=True)
            await self._handle_sync(response, run_commands=not first_run)
        except BaseException:
            await self._client.close()
            raise
        self.app.adapters[PLATFORM] = self
        self._task = asyncio.create_task(self._sync_loop(), name="matrix-sync")
        log.info("Matrix adapter syncing as %s (device %s)", self.user_id, self.device_id)

    async def stop(self) -> None:
        """Finish the batch being handled, end the sync loop and close the connection."""
        self._stopping.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, timeout=30)
            except (TimeoutError, asyncio.CancelledError):
                log.warning("the Matrix sync loop did not stop in time")
            self._task = None
        if self._client is not None:
            await self._client.close()
            self._client = None

    async def _login(self) -> None:
        client = self.client
        saved = self._load_device()
        if self._access_token:
            client.restore_login(self.user_id, saved or "", self._access_token)
            who = await client.whoami()
            if not isinstance(who, nio.WhoamiResponse):
                raise ConfigError(
                    f"{self.settings.homeserver} refused the access token in {self.settings.access_token_env} "
                    f"({_why(who)}); create a new one as the README's “Running on Matrix” describes."
                )
            if who.user_id != self.user_id:
                raise ConfigError(
                    f"The access token in {self.settings.access_token_env} belongs to {who.user_id}, but "
                    f"matrix.user_id is {self.user_id}; make them match."
                )
            self.device_id = who.device_id or saved
            client.device_id = self.device_id or ""
        else:
            if saved:
                client.device_id = saved  # log in to the same device, so its transaction ids stay valid
            response = await client.login(self._password, device_name=self.settings.device_name)
            if not isinstance(response, nio.LoginResponse):
                raise ConfigError(
                    f"{self.settings.homeserver} refused the password in {self.settings.password_env} for "
                    f"{self.user_id} ({_why(response)}); check matrix.user_id and the password."
                )
            self.device_id = response.device_id
        if self.device_id and self.device_id != saved:
            self._save_device(self.device_id)

    def _device_path(self) -> Path:
        return self.settings.state_dir / DEVICE_FILE

    def _load_device(self) -> str | None:
        try:
            data = json.loads(self._device_path().read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if isinstance(data, dict) and data.get("user_id") == self.user_id and isinstance(data.get("device_id"), str):
            return str(data["device_id"])
        return None

    def _save_device(self, device_id: str) -> None:
        path = self._device_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps({"user_id": self.user_id, "device_id": device_id}), encoding="utf-8")
        os.replace(temporary, path)

    # ------------------------------------------------------------ syncing
    def _filter(self) -> dict[str, Any]:
        return {
            "room": {"timeline": {"limit": self.timeline_limit}, "state": {"lazy_load_members": False}},
            "presence": {"not_types": ["*"]},
        }

    async def _sync(self, *, timeout_ms: int, full_state: bool = False) -> nio.SyncResponse:
        response = await self.client.sync(
            timeout=timeout_ms, sync_filter=self._filter(), since=self._since, full_state=full_state or None
        )
        if not isinstance(response, nio.SyncResponse):
            raise MatrixError(f"sync failed: {_why(response)}")
        return response

    async def _sync_loop(self) -> None:
        backoff = 0.5
        while not self._stopping.is_set():
            try:
                response = await self._unless_stopping(self._sync(timeout_ms=self.sync_timeout_ms))
                if response is None:
                    return
                await self._handle_sync(response, run_commands=True)
                backoff = 0.5
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("Matrix sync failed, retrying in %.1f s: %s", backoff, exc)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), timeout=backoff)
                backoff = min(backoff * 2, self.max_backoff)

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

    async def _handle_sync(self, response: nio.SyncResponse, *, run_commands: bool) -> None:
        """Handle one sync batch, then store its position: a crash in between re-handles the batch."""
        for room_id, invite in response.rooms.invite.items():
            await self._on_invite(room_id, invite)
        await asyncio.gather(
            *(self._handle_room(room_id, info, run_commands) for room_id, info in response.rooms.join.items())
        )
        for room_id in response.rooms.leave:
            self._rooms.pop(room_id, None)
        self._since = response.next_batch
        await self.app.remember(PLATFORM, BOT_ROOM, SYNC_KIND, self.user_id, response.next_batch)

    async def _handle_room(self, room_id: str, info: nio.RoomInfo, run_commands: bool) -> None:
        power = self._rooms.setdefault(room_id, RoomPower())
        gap: list[dict[str, Any]] = []
        if run_commands and info.timeline.limited and info.timeline.prev_batch and self._since:
            gap = await self._backfill(room_id, info.timeline.prev_batch, self._since)
        timeline = [_source(e) for e in info.timeline.events]
        start = _after_own_join(timeline, self.user_id)
        if start:
            gap = []  # we just joined: what happened before is history, not commands for us
        for event in gap:
            await self._consider(room_id, event, power, run_commands)
        for event in (_source(e) for e in info.state):
            power.apply(event)
        for index, event in enumerate(timeline):
            await self._consider(room_id, event, power, run_commands and index >= start)

    async def _backfill(self, room_id: str, prev_batch: str, since: str) -> list[dict[str, Any]]:
        """Events a limited timeline left out (a long absence), oldest first."""
        events: list[dict[str, Any]] = []
        token: str | None = prev_batch
        for _ in range(self.backfill_pages):
            response = await self.client.room_messages(room_id, start=token, end=since, limit=100)
            if not isinstance(response, nio.RoomMessagesResponse):
                log.warning("could not fetch missed events in %s: %s", room_id, _why(response))
                break
            events.extend(_source(e) for e in response.chunk)
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
            await self._on_membership(room_id, event)
            return
        event_id = event.get("event_id")
        if not run or not isinstance(event_id, str) or event.get("sender") == self.user_id:
            return
        if event_id in self._seen:
            return
        self._seen[event_id] = None
        if len(self._seen) > 5000:
            self._seen.popitem(last=False)
        with log_context(platform=PLATFORM, room=room_id, event=event_id):
            try:
                await self._on_event(room_id, event, power)
            except Exception:
                log.exception("handling a Matrix event failed")
                with contextlib.suppress(Exception):
                    await self._answer(room_id, event_id, str(event.get("sender", "")), error_reply(APOLOGY))

    async def _on_event(self, room_id: str, event: dict[str, Any], power: RoomPower) -> None:
        kind = event.get("type")
        content = event.get("content")
        if not isinstance(content, dict):
            return
        if kind == "m.room.message":
            await self._on_message(room_id, event, content, power)
        elif kind in POLL_RESPONSES:
            relation = _relation(content)
            await self._on_choice(
                room_id, event, power, relation.get("event_id"), lambda labels: poll_answer_index(content, len(labels))
            )
        elif kind == "m.reaction":
            relation = _relation(content)
            if relation.get("rel_type") == "m.annotation" and isinstance(relation.get("key"), str):
                key = relation["key"]
                await self._on_choice(
                    room_id, event, power, relation.get("event_id"), lambda labels: choice_index(key, labels)
                )
        elif kind == "m.room.encrypted" and room_id not in self._warned_encrypted:
            self._warned_encrypted.add(room_id)
            log.warning("room %s is encrypted; Readalong cannot read encrypted rooms", room_id)

    # ------------------------------------------------------------ commands
    async def _on_message(self, room_id: str, event: dict[str, Any], content: dict[str, Any], power: RoomPower) -> None:
        msgtype = content.get("msgtype")
        relation = _relation(content)
        if "m.new_content" in content or relation.get("rel_type") == "m.replace":
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
        thread_id = relation.get("event_id") if relation.get("rel_type") == "m.thread" else None
        try:
            uploads = await self._attached_files(room_id, content, msgtype)
        except UserError as exc:
            await self._answer(room_id, event_id, sender, error_reply(str(exc)), thread_id)
            return
        ctx = self._context(room_id, sender, power, uploads=uploads, thread_id=thread_id)
        reply = await self.app.handle(ctx, line)
        await self._answer(room_id, event_id, sender, reply, thread_id)

    def _context(
        self,
        room_id: str,
        sender: str,
        power: RoomPower,
        *,
        uploads: tuple[Upload, ...] = (),
        thread_id: str | None = None,
    ) -> Context:
        room = self.client.rooms.get(room_id)
        name = (room.user_name(sender) if room else None) or sender[1:].split(":", 1)[0]
        return Context(
            platform=PLATFORM,
            room_id=room_id,
            user_id=sender,
            display_name=name,
            platform_moderator=power.level(sender) >= self.settings.moderator_power_level,
            uploads=uploads,
            thread_id=thread_id,
            prefix=self.prefix,
        )

    async def _attached_files(self, room_id: str, content: dict[str, Any], msgtype: Any) -> tuple[Upload, ...]:
        if msgtype == "m.file":
            return (await self._download(content),)
        relation = _relation(content)
        in_reply_to = relation.get("m.in_reply_to")
        target = in_reply_to.get("event_id") if isinstance(in_reply_to, dict) else None
        if not isinstance(target, str) or relation.get("is_falling_back"):
            return ()
        response = await self.client.room_get_event(room_id, target)
        if not isinstance(response, nio.RoomGetEventResponse):
            return ()
        replied = _source(response.event).get("content")
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
        response = await self.client.download(mxc=str(content["url"]))
        if not isinstance(response, nio.DownloadResponse) or not isinstance(response.body, bytes):
            raise UserError(f"I couldn't fetch {filename} from the homeserver; please send it again.")
        if len(response.body) > limit * MIB:
            raise UserError(f"{filename} is larger than the {limit} MB limit.")
        return Upload(filename, response.body)

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
            await self._answer(room_id, str(event["event_id"]), sender, hint, reply_to=target)
            return
        ctx = self._context(room_id, sender, power)
        reply = await self.app.handle(ctx, command)
        if reply.kind == "error" or not reply.ephemeral:
            await self._answer(room_id, str(event["event_id"]), sender, reply, reply_to=target)

    async def _answer(
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

    # ------------------------------------------------------------ posting
    async def send(
        self, room_id: str, reply: Reply, *, key: str, thread_key: str | None = None, starts_thread: bool = False
    ) -> str:
        if room_id.startswith(DIRECT_PREFIX):
            room_id = await self._direct_room(room_id.removeprefix(DIRECT_PREFIX))
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
            uploaded, _ = await self.client.upload(
                io.BytesIO(file.data), content_type=file.content_type, filename=file.filename, filesize=len(file.data)
            )
            if not isinstance(uploaded, nio.UploadResponse):
                raise MatrixError(f"uploading {file.filename} failed: {_why(uploaded)}")
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

    async def _on_membership(self, room_id: str, event: dict[str, Any]) -> None:
        """A member who leaves their private room with the bot gets a new one next time, not posts into the void."""
        if event.get("type") != "m.room.member" or event.get("content", {}).get("membership") not in ("leave", "ban"):
            return
        user_id = event.get("state_key")
        if not isinstance(user_id, str) or user_id == self.user_id:
            return
        if await self.app.recall(PLATFORM, BOT_ROOM, DIRECT_KIND, user_id) == room_id:
            await self.app.forget_ref(PLATFORM, BOT_ROOM, DIRECT_KIND, user_id)
            await self.client.room_leave(room_id)
            log.info("%s left their private room %s; the next private message opens a new one", user_id, room_id)

    async def _direct_room(self, user_id: str) -> str:
        """The private room with a member (for nudges): made once, invite only, remembered in the database."""
        known = await self.app.recall(PLATFORM, BOT_ROOM, DIRECT_KIND, user_id)
        if known:
            return known
        response = await self.client.room_create(
            is_direct=True, invite=[user_id], preset=nio.RoomPreset.trusted_private_chat, name="Readalong"
        )
        if not isinstance(response, nio.RoomCreateResponse):
            raise MatrixError(f"could not open a private room with {user_id}: {_why(response)}")
        await self.app.remember(PLATFORM, BOT_ROOM, DIRECT_KIND, user_id, response.room_id)
        return str(response.room_id)

    async def _send_event(self, room_id: str, event_type: str, content: dict[str, Any], txn: str) -> str:
        response = await self.client.room_send(room_id, event_type, content, tx_id=txn)
        if not isinstance(response, nio.RoomSendResponse):
            raise MatrixError(f"sending to {room_id} failed: {_why(response)}")
        return str(response.event_id)

    # ------------------------------------------------------------ invites
    async def _on_invite(self, room_id: str, invite: nio.InviteInfo) -> None:
        if room_id in self._invites_handled:
            return
        self._invites_handled.add(room_id)
        inviter = next(
            (
                str(event.sender)
                for event in invite.invite_state
                if isinstance(event, nio.InviteMemberEvent)
                and event.state_key == self.user_id
                and event.membership == "invite"
            ),
            "",
        )
        try:
            if inviter and inviter_allowed(inviter, self.settings.allowed_inviters):
                response: Any = await self.client.join(room_id)
                log.info("joined %s, invited by %s", room_id, inviter)
            else:
                response = await self.client.room_leave(room_id)
                log.info("declined the invite to %s from %s (not in matrix.allowed_inviters)", room_id, inviter)
            if isinstance(response, nio.ErrorResponse):
                log.warning("answering the invite to %s failed: %s", room_id, _why(response))
                self._invites_handled.discard(room_id)
        except Exception:
            self._invites_handled.discard(room_id)
            log.exception("answering the invite to %s failed", room_id)


def _source(event: Any) -> dict[str, Any]:
    source = getattr(event, "source", None)
    return source if isinstance(source, dict) else {}


def _relation(content: dict[str, Any]) -> dict[str, Any]:
    relation = content.get("m.relates_to")
    return relation if isinstance(relation, dict) else {}


def _after_own_join(timeline: list[dict[str, Any]], user_id: str) -> int:
    """Index just after our own fresh join in this timeline, or 0: earlier events predate us."""
    start = 0
    for index, event in enumerate(timeline):
        if event.get("type") == "m.room.member" and event.get("state_key") == user_id:
            content = event.get("content") or {}
            previous = (event.get("unsigned") or {}).get("prev_content") or {}
            if content.get("membership") == "join" and previous.get("membership") != "join":
                start = index + 1
    return start


def _why(response: Any) -> str:
    status = getattr(response, "status_code", None)
    message = getattr(response, "message", None)
    return " ".join(str(part) for part in (status, message) if part) or type(response).__name__


def create_adapter(app: App) -> MatrixAdapter:
    """The factory `readalong run` calls: credentials come from the environment variables the config names."""
    token, password = app.settings.matrix.credentials()
    return MatrixAdapter(app, access_token=token, password=password)
