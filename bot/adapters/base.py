"""The port every chat adapter implements: start, stop and send. Everything else is the core's.

Adapters may also implement `sync_meetings` (Discord mirrors meetings as Guild Scheduled Events); the App calls
it only where it exists.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from bot.replies import Choice, Reply

DIRECT_PREFIX = "dm:"
# A Choice whose command ends with this asks the member for text first: Discord opens a form (a modal) and runs
# the command with what they wrote; where members type commands, the choice shows `… <your text>` to type.
TEXT_PLACEHOLDER = "{text}"
TEXT_HINT = "<your text>"


def direct_room(user_id: str) -> str:
    """The outbox room id that means "a private message to this user" on the group's platform."""
    return DIRECT_PREFIX + user_id


def asks_for_text(command: str) -> bool:
    return command.rstrip().endswith(TEXT_PLACEHOLDER)


def fill_text(command: str, text: str) -> str:
    """The command with the member's text in place of the placeholder, as one quoted argument: their quotes,
    backslashes and `word:` never reach the parser as syntax."""
    quoted = '"' + text.strip().replace("\\", "\\\\").replace('"', '\\"') + '"'
    head = command.rstrip().removesuffix(TEXT_PLACEHOLDER)
    return head + quoted


def poll_key(choices: Sequence[Choice]) -> str | None:
    """What a poll's choices' commands share ("vote 7" for "vote 7 A", "vote 7 B"): the key under which adapters
    remember the poll's message (Matrix: its poll start; Discord: its buttons), matched later by the results'
    `Reply.closes`."""
    words = [c.command.split() for c in choices]
    if len(words) < 2:
        return None
    shared: list[str] = []
    for column in zip(*words, strict=False):
        if any(word != column[0] for word in column):
            break
        shared.append(column[0])
    return " ".join(shared) or None


def typed_command(command: str) -> str:
    """How a member types a choice's command: the placeholder becomes `<your text>`."""
    return command.rstrip().removesuffix(TEXT_PLACEHOLDER) + TEXT_HINT if asks_for_text(command) else command


class DeliveryError(Exception):
    """An adapter could not deliver a post; the outbox sender decides from this what happens next.

    Adapters raise it from `send` with their platform's answer classified:

    * `permanent=True`: the post can never go to this room as it is (Discord 403/404, error 50007 "cannot send
      messages to this user", a locked or archived thread that cannot be reopened; Matrix M_FORBIDDEN, a room
      the bot was kicked from). The post is recorded as missed at once, the room is marked and skipped until a
      send there works again or a moderator runs a command there, and the group's moderators are told once.
    * `permanent=False`: worth retrying (network errors, 5xx, 429). Retried with exponential backoff and jitter,
      and recorded as missed after a bounded number of attempts.
    * `retry_after`: seconds the platform asked us to wait (a 429's Retry-After). The sender pauses the whole
      platform for that long and does not count it as a failed attempt.

    * `whole_room=False` with `permanent=True`: only this post can never be sent (Discord 400 "message too
      long", Matrix M_TOO_LARGE); it is recorded as missed but the room stays in use.

    `reason` is one short sentence for the moderators ("the bot may not post in this channel"). Any other
    exception from `send` counts as transient.
    """

    def __init__(
        self, reason: str, *, permanent: bool, retry_after: float | None = None, whole_room: bool = True
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.retry_after = retry_after
        self.whole_room = whole_room

    @classmethod
    def from_http(cls, status: int, reason: str, *, retry_after: float | None = None) -> DeliveryError:
        """The default reading of an HTTP answer, for adapters to refine with their platform's error codes:
        429 waits `retry_after`; 5xx and 401 (the bot's token, not this room) are transient; 403 and 404
        (no access, unknown channel or room) refuse the room; any other 4xx refuses this post only."""
        if status == 429:
            return cls(reason, permanent=False, retry_after=retry_after if retry_after is not None else 1.0)
        if status >= 500 or status == 401:
            return cls(reason, permanent=False)
        if status in (403, 404):
            return cls(reason, permanent=True)
        if 400 <= status < 500:
            return cls(reason, permanent=True, whole_room=False)
        return cls(reason, permanent=False)

    def __repr__(self) -> str:
        kind = ("permanent" if self.whole_room else "permanent for this post") if self.permanent else "transient"
        wait = f", retry_after={self.retry_after}" if self.retry_after is not None else ""
        return f"DeliveryError({self.reason!r}, {kind}{wait})"


def classify(exc: BaseException) -> DeliveryError:
    """A DeliveryError as it is, anything else as a transient one (an unknown failure may well pass)."""
    if isinstance(exc, DeliveryError):
        return exc
    return DeliveryError(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__, permanent=False)


@dataclass(frozen=True)
class MeetingEvent:
    """A meeting as a platform calendar entry; `key` is stable across plan changes (one per reading)."""

    key: str
    title: str
    starts_at: datetime  # aware, UTC
    ends_at: datetime
    description: str = ""


class Adapter(Protocol):
    """`send` raises DeliveryError for a failure it can classify. An adapter may also set
    `concurrent_sends: int` (default 1): how many rooms the outbox sender posts to at once on this platform."""

    platform: str

    async def start(self) -> None:
        """Connect and begin handing incoming commands to the app; returns once connected."""
        ...

    async def stop(self) -> None: ...

    async def send(
        self, room_id: str, reply: Reply, *, key: str, thread_key: str | None = None, starts_thread: bool = False
    ) -> str:
        """Post a scheduled message and return the platform's message id.

        A `room_id` starting with DIRECT_PREFIX ("dm:<user id>") is a private message to that user.

        `key` is the idempotency key (pass it on where the platform deduplicates: Matrix transaction id,
        Discord nonce). With `starts_thread` the message opens a thread remembered under `thread_key`
        (App.remember / App.recall, kind "thread"); later posts with the same `thread_key` go into it.
        """
        ...


@runtime_checkable
class MeetingCalendar(Protocol):
    async def sync_meetings(self, room_id: str, meetings: Sequence[MeetingEvent]) -> None:
        """Make the platform's events for this room match `meetings` exactly (create, update, cancel)."""
        ...
