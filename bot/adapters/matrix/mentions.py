"""Who the group's posts mention on Matrix: a per-room setting, kept simple.

Reminders, readings opening and polls are m.text, so every member is notified as for any message. On top of that
a member can ask to be *mentioned* (highlighted, as when someone writes their name): `!rg mentions me on`. A
moderator can make those posts mention the whole room (`@room`) with `!rg mentions room on`; it is off by default,
and the homeserver honours it only if the bot's power level reaches the room's `notifications.room` level
(Element: 50). Stored per room in external_refs (kind "mentions": a user id, or "@room", → "on").

These are Matrix-only settings, so the adapter answers `mentions` itself rather than the core's command registry.
"""

from __future__ import annotations

from typing import Any

from bot.adapters.matrix.session import PLATFORM
from bot.app import App
from bot.replies import Reply, error_reply
from bot.storage import refs

COMMAND = "mentions"
MENTIONS_KIND = "mentions"
ROOM_KEY = "@room"
MENTIONED_KINDS = frozenset({"reminder", "reading", "poll", "poll-results"})
USAGE = "`{p}mentions me on|off` (you), `{p}mentions room on|off` (moderators: @room), `{p}mentions` (show)."


def is_mentions_command(line: str) -> bool:
    return line.split(maxsplit=1)[0].lower() == COMMAND if line.strip() else False


async def run(app: App, room_id: str, user_id: str, is_moderator: bool, line: str, prefix: str) -> Reply:
    """`mentions`, `mentions me on|off`, `mentions room on|off`: one sentence back, an error for anything else."""
    words = line.lower().split()[1:]
    usage = USAGE.format(p=prefix)
    if not words:
        current = await refs.of_kind(app.db, PLATFORM, room_id, MENTIONS_KIND)
        you = "on" if current.get(user_id) == "on" else "off"
        room = "on" if current.get(ROOM_KEY) == "on" else "off"
        return Reply(text=f"Mentions in this room's posts: you {you}, @room {room}. {usage}")
    if len(words) != 2 or words[0] not in ("me", "room") or words[1] not in ("on", "off"):
        return error_reply(f"Use {usage}")
    if words[0] == "room" and not is_moderator:
        return error_reply("Only moderators can change whether posts mention @room.")
    key = user_id if words[0] == "me" else ROOM_KEY
    if words[1] == "on":
        await refs.put(app.db, PLATFORM, room_id, MENTIONS_KIND, key, "on")
    else:
        await refs.delete(app.db, PLATFORM, room_id, MENTIONS_KIND, key)
    who = "You are" if words[0] == "me" else "@room is"
    state = "now mentioned in" if words[1] == "on" else "no longer mentioned in"
    return Reply(text=f"{who} {state} this room's reminders, readings and polls.")


async def mentions_for(app: App, room_id: str, kind: str) -> dict[str, Any] | None:
    """The m.mentions of a post of this kind in this room, or None when it mentions nobody."""
    if kind not in MENTIONED_KINDS:
        return None
    chosen = await refs.of_kind(app.db, PLATFORM, room_id, MENTIONS_KIND)
    users = sorted(key for key, value in chosen.items() if value == "on" and key != ROOM_KEY)
    room = chosen.get(ROOM_KEY) == "on"
    if not users and not room:
        return None
    mentions: dict[str, Any] = {"user_ids": users}
    if room:
        mentions["room"] = True
    return mentions
