"""What features share, in the core: the narrow `Services` interface handlers get, and the cross-feature
operations (books.py: find and add a book; plans.py: the current plan, laying readings, appending a book;
readings.py: resolving a reading and the spoiler gate; quotes.py: the library's quote index; prompts.py:
generated discussion prompts; links.py: where a citation leads on the group's pages). Cogs and the CLI call
these; no cog imports another.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from bot.adapters.base import MeetingEvent
    from bot.clock import Clock
    from bot.commands import Registry
    from bot.config import Settings
    from bot.events import Event
    from bot.features import Feature
    from bot.replies import Context
    from bot.scheduling import ScheduleKind
    from bot.storage.db import Database
    from bot.storage.groups import Group


class Services(Protocol):
    """The part of the App that command handlers, job handlers, schedule kinds, hooks and listeners use.

    The App implements it; a handler reaches it as `inv.app`.
    """

    @property
    def settings(self) -> Settings: ...

    @property
    def db(self) -> Database: ...

    @property
    def clock(self) -> Clock: ...

    @property
    def registry(self) -> Registry: ...

    @property
    def features(self) -> Sequence[Feature]: ...

    @property
    def schedule_kinds(self) -> Mapping[str, ScheduleKind]: ...

    async def dispatch(self, event: Event) -> None:
        """Call every listener of the event's type (bot/events.py says when each type is dispatched)."""
        ...

    def after_commit(self, work: Callable[[], Awaitable[object]]) -> None:
        """For job handlers: run `work` once the dispatcher's transaction has committed."""
        ...

    def reschedule(self) -> None:
        """Something due changed: wake the dispatcher now rather than at the old time."""
        ...

    async def sync_meetings(self, group: Group, meetings: Sequence[MeetingEvent]) -> None:
        """Mirror a group's meetings on its platform's calendar, where the adapter has one."""
        ...

    async def setup_group(self, ctx: Context, *, name: str, timezone: str) -> tuple[Group, bool]:
        """Bind a room to a new group; returns (group, created)."""
        ...
