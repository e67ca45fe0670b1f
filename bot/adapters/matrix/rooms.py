"""Rooms and membership: invites accepted or declined, and the private room with each member for nudges.

Invites from matrix.allowed_inviters (user ids or ":server") are accepted, others declined. A member who leaves
their private room with the bot gets a new one the next time the bot writes to them privately.
"""

from __future__ import annotations

import logging
from typing import Any

import nio

from bot.adapters.matrix.parse import inviter_allowed
from bot.adapters.matrix.session import BOT_ROOM, PLATFORM, MatrixError, Session, why
from bot.app import App

log = logging.getLogger(__name__)

DIRECT_KIND = "direct"  # our key: a member's user id → the private room used for their nudges


class Rooms:
    """The rooms the bot joins, leaves and opens."""

    def __init__(self, app: App, session: Session) -> None:
        self.app = app
        self.session = session
        self._invites_handled: set[str] = set()

    async def on_invite(self, room_id: str, invite: nio.InviteInfo) -> None:
        if room_id in self._invites_handled:
            return
        self._invites_handled.add(room_id)
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
        try:
            if inviter and inviter_allowed(inviter, self.session.settings.allowed_inviters):
                response: Any = await self.session.client.join(room_id)
                log.info("joined %s, invited by %s", room_id, inviter)
            else:
                response = await self.session.client.room_leave(room_id)
                log.info("declined the invite to %s from %s (not in matrix.allowed_inviters)", room_id, inviter)
            if isinstance(response, nio.ErrorResponse):
                log.warning("answering the invite to %s failed: %s", room_id, why(response))
                self._invites_handled.discard(room_id)
        except Exception:
            self._invites_handled.discard(room_id)
            log.exception("answering the invite to %s failed", room_id)

    async def on_membership(self, room_id: str, event: dict[str, Any]) -> None:
        """A member who leaves their private room with the bot gets a new one next time, not posts into the void."""
        if event.get("type") != "m.room.member" or event.get("content", {}).get("membership") not in ("leave", "ban"):
            return
        user_id = event.get("state_key")
        if not isinstance(user_id, str) or user_id == self.session.user_id:
            return
        if await self.app.recall(PLATFORM, BOT_ROOM, DIRECT_KIND, user_id) == room_id:
            await self.app.forget_ref(PLATFORM, BOT_ROOM, DIRECT_KIND, user_id)
            await self.session.client.room_leave(room_id)
            log.info("%s left their private room %s; the next private message opens a new one", user_id, room_id)

    async def direct_room(self, user_id: str) -> str:
        """The private room with a member (for nudges): made once, invite only, remembered in the database."""
        known = await self.app.recall(PLATFORM, BOT_ROOM, DIRECT_KIND, user_id)
        if known:
            return known
        response = await self.session.client.room_create(
            is_direct=True, invite=[user_id], preset=nio.RoomPreset.trusted_private_chat, name="Readalong"
        )
        if not isinstance(response, nio.RoomCreateResponse):
            raise MatrixError(f"could not open a private room with {user_id}: {why(response)}")
        await self.app.remember(PLATFORM, BOT_ROOM, DIRECT_KIND, user_id, response.room_id)
        return str(response.room_id)
