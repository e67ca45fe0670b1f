"""Rooms and membership: invites answered, greetings, leaving rooms, and the private room with each member.

- Every invite from matrix.allowed_inviters (user ids or ":server") is accepted, others declined — also a second
  invite after a kick, an allowed invite after a refused one, and invites still pending when the bot starts.
- On joining, the bot greets the room with the one command that starts a group. An end-to-end encrypted room it
  cannot read: it says so in a plain message and leaves. Supporting end-to-end encryption was judged unsound for
  now: it needs a crypto store that must survive every restart (lose it and the bot silently reads nothing),
  keys that senders share only with devices they trust, and history from before the join stays unreadable —
  a bot that sometimes cannot see a command is worse than one that says plainly where it works.
- Removed from a room (kicked, banned), it forgets the room; sends there then fail permanently (M_FORBIDDEN), so
  the outbox parks that room's posts instead of retrying them.
- A member who leaves their private room with the bot gets a new one the next time the bot writes to them.
"""

from __future__ import annotations

import logging
import secrets
from typing import TYPE_CHECKING, Any

import nio

from bot.adapters.matrix.parse import inviter_allowed
from bot.adapters.matrix.session import BOT_ROOM, PLATFORM, MatrixError, Session, why
from bot.app import App
from bot.storage import groups as group_store

if TYPE_CHECKING:
    from bot.adapters.matrix.posting import Posting

log = logging.getLogger(__name__)

DIRECT_KIND = "direct"  # our key: a member's user id → the private room used for their nudges
ENCRYPTION = "m.room.encryption"
ENCRYPTED_REFUSAL = (
    "This room is end-to-end encrypted, and Readalong cannot read encrypted messages, so I am leaving. "
    "Invite me to a room without encryption (it is chosen when the room is created and cannot be turned off)."
)


class Rooms:
    """The rooms the bot joins, leaves and opens."""

    def __init__(self, app: App, session: Session) -> None:
        self.app = app
        self.session = session
        self.posting: Posting | None = None  # set by the adapter: greetings and refusals are posts
        self._answering: set[str] = set()  # invites being answered in this batch
        self._retry: dict[str, nio.InviteInfo] = {}  # invites whose answer failed, tried again next sync

    async def on_invite(self, room_id: str, invite: nio.InviteInfo) -> None:
        """Answer an invite: join (and greet) if an allowed inviter sent it, decline otherwise."""
        if room_id in self._answering:
            return
        self._answering.add(room_id)
        try:
            await self._answer(room_id, invite)
            self._retry.pop(room_id, None)
        except Exception as exc:
            self._retry[room_id] = invite
            log.warning("answering the invite to %s failed, trying again: %s", room_id, exc)
        finally:
            self._answering.discard(room_id)

    async def retry_invites(self) -> None:
        for room_id, invite in list(self._retry.items()):
            await self.on_invite(room_id, invite)

    async def _answer(self, room_id: str, invite: nio.InviteInfo) -> None:
        inviter = next(
            (
                str(event.sender)
                for event in invite.invite_state
                if isinstance(event, nio.InviteMemberEvent)
                and event.state_key == self.session.user_id
                and event.membership == "invite"
            ),
            "",
        )
        if not inviter or not inviter_allowed(inviter, self.session.settings.allowed_inviters):
            response: Any = await self.session.request(lambda: self.session.client.room_leave(room_id))
            if isinstance(response, nio.ErrorResponse):
                raise MatrixError.refused(f"declining the invite to {room_id}", response)
            log.info("declined the invite to %s from %s (not in matrix.allowed_inviters)", room_id, inviter)
            return
        response = await self.session.request(lambda: self.session.client.join(room_id))
        if isinstance(response, nio.ErrorResponse):
            raise MatrixError.refused(f"joining {room_id}", response)
        log.info("joined %s, invited by %s", room_id, inviter)
        await self.greet(room_id, encrypted=await self._encrypted(room_id))

    async def _encrypted(self, room_id: str) -> bool:
        """Asked of the server right after joining (nio drops m.room.encryption from an invite's state)."""
        response = await self.session.request(lambda: self.session.client.room_get_state_event(room_id, ENCRYPTION))
        return isinstance(response, nio.RoomGetStateEventResponse) and bool(response.content.get("algorithm"))

    async def greet(self, room_id: str, *, encrypted: bool = False) -> None:
        """Say hello with the one command that starts a group, or refuse an encrypted room and leave it."""
        if self.posting is None:
            return
        txn = f"rg-greet-{secrets.token_hex(6)}"  # a later invite to the same room greets again
        if encrypted:
            await self.refuse_encrypted(room_id)
            return
        prefix = self.posting.prefix
        group = await group_store.by_room(self.app.db, PLATFORM, room_id)
        if group is not None:
            text = f"Hello again! This room is still the reading group “{group.name}”; `{prefix}help` lists commands."
        else:
            text = (
                f"Hello! I'm Readalong, a reading-group bot. A room moderator starts a group here with "
                f"`{prefix}group setup <time zone>`, for example `{prefix}group setup Europe/Berlin`; "
                f"`{prefix}help` lists every command."
            )
        await self.posting.notice(room_id, text, txn=txn)

    async def refuse_encrypted(self, room_id: str) -> None:
        """A plain (unencrypted) message that explains, then leave: silence would look like a broken bot."""
        if self.posting is not None:
            try:
                await self.posting.notice(room_id, ENCRYPTED_REFUSAL, txn=f"rg-encrypted-{secrets.token_hex(6)}")
            except MatrixError as exc:
                log.warning("could not explain the encrypted room %s: %s", room_id, exc)
        await self.session.request(lambda: self.session.client.room_leave(room_id))
        log.info("left the encrypted room %s", room_id)

    async def on_left(self, room_id: str) -> None:
        """We were removed (kicked, banned) or left: forget the room so it no longer comes back in syncs."""
        response = await self.session.request(lambda: self.session.client.room_forget(room_id))
        if isinstance(response, nio.ErrorResponse):
            log.info("forgetting %s: %s", room_id, why(response))
        log.info("removed from %s; posts to it now fail for good and are not retried", room_id)

    async def on_membership(self, room_id: str, event: dict[str, Any]) -> None:
        """A member who leaves their private room with the bot gets a new one next time, not posts into the void."""
        if event.get("type") != "m.room.member" or event.get("content", {}).get("membership") not in ("leave", "ban"):
            return
        user_id = event.get("state_key")
        if not isinstance(user_id, str) or user_id == self.session.user_id:
            return
        if await self.app.recall(PLATFORM, BOT_ROOM, DIRECT_KIND, user_id) == room_id:
            await self.app.forget_ref(PLATFORM, BOT_ROOM, DIRECT_KIND, user_id)
            await self.session.request(lambda: self.session.client.room_leave(room_id))
            log.info("%s left their private room %s; the next private message opens a new one", user_id, room_id)

    def is_direct_with(self, room_id: str, user_id: str) -> bool:
        """Whether the room holds just the bot and this member (a private answer may stay there)."""
        room = self.session.client.rooms.get(room_id)
        if room is None:
            return False
        others = {u for u in room.users if u != self.session.user_id}
        return others == {user_id}

    async def direct_room(self, user_id: str) -> str:
        """The private room with a member (for nudges): made once, invite only, remembered in the database."""
        known = await self.app.recall(PLATFORM, BOT_ROOM, DIRECT_KIND, user_id)
        if known:
            return known
        response = await self.session.request(
            lambda: self.session.client.room_create(
                is_direct=True, invite=[user_id], preset=nio.RoomPreset.trusted_private_chat, name="Readalong"
            )
        )
        if not isinstance(response, nio.RoomCreateResponse):
            raise MatrixError.refused(f"could not open a private room with {user_id}", response)
        await self.app.remember(PLATFORM, BOT_ROOM, DIRECT_KIND, user_id, response.room_id)
        return str(response.room_id)
