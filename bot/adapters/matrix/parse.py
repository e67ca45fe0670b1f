"""Pure reading of incoming Matrix events, no nio: command lines, reactions, poll answers, inviters and power."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.adapters.base import poll_key
from bot.replies import Choice

POLL_RESPONSES = ("org.matrix.msc3381.poll.response", "m.poll.response")
# Versions 1–11 list the creators in m.room.power_levels; from 12 on they outrank everyone and are not listed.
_CLASSIC_ROOM_VERSIONS = frozenset(str(n) for n in range(1, 12))
CREATOR_LEVEL = 2**53 - 1


def source(event: Any) -> dict[str, Any]:
    """The raw event dict behind a nio event ({} when there is none)."""
    raw = getattr(event, "source", None)
    return raw if isinstance(raw, dict) else {}


def relation(content: dict[str, Any]) -> dict[str, Any]:
    """The content's m.relates_to ({} when there is none)."""
    related = content.get("m.relates_to")
    return related if isinstance(related, dict) else {}


def after_own_join(timeline: list[dict[str, Any]], user_id: str) -> int:
    """Index just after our own fresh join in this timeline, or 0: earlier events predate us."""
    start = 0
    for index, event in enumerate(timeline):
        if event.get("type") == "m.room.member" and event.get("state_key") == user_id:
            content = event.get("content") or {}
            previous = (event.get("unsigned") or {}).get("prev_content") or {}
            if content.get("membership") == "join" and previous.get("membership") != "join":
                start = index + 1
    return start


def strip_reply_fallback(body: str) -> str:
    """Drop the `> <@user> quoted text` lines older clients put before a reply's own text."""
    lines = body.split("\n")
    if not lines or not lines[0].startswith("> "):
        return body
    index = 0
    while index < len(lines) and lines[index].startswith(">"):
        index += 1
    return "\n".join(lines[index:]).lstrip("\n")


def command_line(body: str, prefix: str) -> str | None:
    """The command after the prefix (`!rg help` → `help`; a bare `!rg` → `help`), or None for chatter."""
    text = strip_reply_fallback(body).strip()
    word = prefix.strip()
    if text.lower() == word.lower():
        return "help"
    head, rest = text[: len(word)], text[len(word) :]
    if head.lower() == word.lower() and rest[:1].isspace():
        return rest.strip()
    return None


def choice_index(key: str, labels: Sequence[str]) -> int | None:
    """Which choice a reaction picks: the label itself, its number (1, 1️⃣), its letter (A, 🇦)."""
    key = key.strip()
    bare = key.replace("\ufe0f", "").replace("\u20e3", "")
    for index, label in enumerate(labels):
        if key.lower() == label.strip().lower():
            return index
    candidates: list[int] = []
    if bare.isdigit():
        candidates.append(int(bare) - 1)
    if key == "🔟":
        candidates.append(9)
    if len(bare) == 1 and "a" <= bare.lower() <= "z":
        candidates.append(ord(bare.lower()) - ord("a"))
    if len(key) == 1 and 0x1F1E6 <= ord(key) <= 0x1F1FF:  # regional indicator 🇦…🇿
        candidates.append(ord(key) - 0x1F1E6)
    return next((i for i in candidates if 0 <= i < len(labels)), None)


def poll_answer_indexes(content: dict[str, Any], count: int) -> list[int]:
    """The answers of an MSC3381 response to one of our polls (answer ids are 1…n), in every form clients send:
    unstable `org.matrix.msc3381.poll.response: {answers}`, stable `m.selections`, and `m.poll.response: {answers}`.
    Unknown ids are dropped; an empty list is a withdrawn answer or one that names nothing of ours."""
    raw: Any = None
    if isinstance(content.get("m.selections"), list):
        raw = content["m.selections"]
    else:
        for name in POLL_RESPONSES:
            block = content.get(name)
            if isinstance(block, dict) and isinstance(block.get("answers"), list):
                raw = block["answers"]
                break
    picked: list[int] = []
    for answer in raw or ():
        text = str(answer)
        if text.isdigit() and 0 <= int(text) - 1 < count and int(text) - 1 not in picked:
            picked.append(int(text) - 1)
    return picked


def poll_number(poll_key: str) -> str | None:
    """The votes cog's poll number in the shared head of its choices, `vote <id>`; None for other choices."""
    words = poll_key.split()
    return words[1] if len(words) == 2 and words[0] == "vote" and words[1].isdigit() else None


def closing_command(poll_key: str) -> str | None:
    """The command that closes the poll whose choices are `vote <id> …` (the votes cog's `poll close <id>`)."""
    number = poll_number(poll_key)
    return f"poll close {number}" if number else None


def withdrawn_answer(event: dict[str, Any]) -> bool:
    """An MSC3381 response with no answers at all: the member takes their answer back."""
    content = event.get("content") or {}
    if isinstance(content.get("m.selections"), list):
        return not content["m.selections"]
    blocks = [content.get(name) for name in POLL_RESPONSES]
    return any(isinstance(b, dict) and b.get("answers") == [] for b in blocks)


def reaction_pick(key: str, labels: list[str]) -> list[int]:
    index = choice_index(key, labels)
    return [] if index is None else [index]


def combined_command(picked: list[Choice], offered: list[Choice]) -> str:
    """One command for the picked choices: the command itself, or the shared head with every pick's last word."""
    if len(picked) == 1:
        return picked[0].command
    shared = poll_key(offered) or ""
    words = [c.command.removeprefix(shared).strip() for c in picked]
    return f"{shared} {' '.join(words)}".strip()


def inviter_allowed(inviter: str, allowed: Iterable[str]) -> bool:
    """`allowed` holds user ids (`@alice:example.org`) and servers (`:example.org`)."""
    server = inviter.split(":", 1)[1] if ":" in inviter else ""
    for entry in allowed:
        entry = entry.strip()
        if entry == inviter or (entry.startswith(":") and entry[1:] == server):
            return True
    return False


@dataclass
class RoomPower:
    """A room's power levels as its events arrive, so each command is judged by the levels of its moment."""

    levels: dict[str, Any] = field(default_factory=dict)
    creators: set[str] = field(default_factory=set)
    room_version: str = "1"

    def apply(self, event: dict[str, Any]) -> None:
        kind, content = event.get("type"), event.get("content")
        if event.get("state_key") != "" or not isinstance(content, dict):
            return
        if kind == "m.room.create":
            self.room_version = str(content.get("room_version", "1"))
            extra = content.get("additional_creators")
            self.creators = {str(event.get("sender", ""))} | (
                {str(u) for u in extra} if isinstance(extra, list) else set()
            )
        elif kind == "m.room.power_levels":
            self.levels = content

    def level(self, user_id: str) -> int:
        if user_id in self.creators and self.room_version not in _CLASSIC_ROOM_VERSIONS:
            return CREATOR_LEVEL
        users = self.levels.get("users")
        try:
            if isinstance(users, dict) and user_id in users:
                return int(users[user_id])
            return int(self.levels.get("users_default", 0))
        except (TypeError, ValueError):
            return 0
