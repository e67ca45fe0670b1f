"""What the core and the chat platforms exchange: a member's message context, uploads, and the neutral Reply.

These types sit apart from the command framework so adapters, the outbox and scheduling can speak them without
depending on how commands are declared or parsed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


class UserError(Exception):
    """Something a member can fix; str() is the sentence shown to them, never a traceback."""


@dataclass(frozen=True)
class Field:
    name: str
    value: str
    inline: bool = False


@dataclass(frozen=True)
class Choice:
    """A button: pressing it runs `command` as the member who pressed it, exactly as if typed."""

    label: str
    command: str
    style: Literal["primary", "secondary", "success", "danger"] = "secondary"


@dataclass(frozen=True)
class File:
    filename: str
    data: bytes
    content_type: str = "application/octet-stream"


@dataclass(frozen=True)
class Reply:
    """Platform-neutral answer: Markdown-ish text plus optional structure the adapters render natively."""

    text: str = ""
    title: str | None = None
    fields: tuple[Field, ...] = ()
    choices: tuple[Choice, ...] = ()
    files: tuple[File, ...] = ()
    ephemeral: bool = False
    kind: str = "text"  # "error", "reading", "quote", "prompt", "poll", … — a hint for embeds and colours
    # This post ends a poll: the shared start of the poll's choice commands ("vote 7"). Matrix ends the Element
    # poll that offered those choices, Discord disables the poll's buttons; the console ignores it.
    closes: str | None = None
    # A poll (kind "poll") whose running counts stay hidden until it closes, and how many options a ballot may pick:
    # platforms with native polls (Matrix's MSC3381) send them as undisclosed / multi-select.
    anonymous: bool = False
    max_selections: int = 1

    def plain(self) -> str:
        """The whole reply as plain text, for the console and for notification bodies."""
        parts = []
        if self.title:
            parts.append(self.title)
        if self.text:
            parts.append(self.text)
        parts.extend(f"{f.name}: {f.value}" for f in self.fields)
        if self.choices:
            parts.append("  ".join(f"[{c.label}] → {c.command}" for c in self.choices))
        parts.extend(f"(attached: {f.filename}, {len(f.data)} bytes)" for f in self.files)
        return "\n".join(parts)


def error_reply(message: str) -> Reply:
    return Reply(text=message, ephemeral=True, kind="error")


@dataclass(frozen=True)
class Upload:
    """A file a member attached to a command (Discord attachment, Matrix m.file)."""

    filename: str
    data: bytes


@dataclass(frozen=True)
class RoomFacts:
    """What the platform says about the room right now, for answers that describe it (`group info`, `group setup`)."""

    name: str | None = None
    members: int | None = None  # joined members, the bot excluded
    moderators: tuple[str, ...] = ()  # display names of the members the platform makes moderators


@dataclass(frozen=True)
class Context:
    """Who spoke where, as an adapter knows it, before the core looks anything up."""

    platform: str
    room_id: str
    user_id: str
    display_name: str
    platform_moderator: bool = False
    # The platform's answer is the whole truth (Matrix power levels): a role stored when someone ran `group setup`
    # does not keep a member a moderator after the room demoted them.
    platform_decides_moderators: bool = False
    uploads: tuple[Upload, ...] = ()
    thread_id: str | None = None
    prefix: str = "/"  # how members type commands here, for help and hints
    room: RoomFacts | None = None
