"""Typed events: how one feature reacts to what another did, without importing it.

A feature lists `(EventType, listener)` pairs in its `Feature`; the App calls every listener of an event's type,
in the order the features were assembled, with the services and the event: `await listener(services, event)`.
RoboDanny's timer → `bot.dispatch` is the model: one mechanism for every cross-feature reaction.

When an event is dispatched is part of its type:

* events carrying `tx` are dispatched inside the transaction that made the change, so their listeners' writes
  commit or roll back with it (re-arming jobs when meetings or the zone moved); a listener that raises rolls the
  whole change back, as before;
* `ReadingOpening` collects the fields and choices of a reading-opens post; a listener that raises is logged and
  left out, so it can never stop a reading from opening;
* the others (`PlanChanged`) are dispatched after COMMIT: network calls belong there.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from bot.replies import Choice, Field

if TYPE_CHECKING:
    from bot.storage.db import Transaction
    from bot.storage.groups import Group
    from bot.storage.plans import PlanReading


@dataclass(frozen=True)
class Event:
    """Base of every event; `isolated` events log a failing listener instead of raising."""

    isolated: ClassVar[bool] = False


@dataclass(frozen=True)
class MeetingsChanged(Event):
    """A group's meetings may have moved (plan create, skip, shift, blackout, cadence, pause, resume, cancel, zone).

    Dispatched inside the transaction, after the readings were laid out again; `group` as stored in it."""

    group: Group
    tx: Transaction
    now: datetime


@dataclass(frozen=True)
class ZoneChanged(Event):
    """A group's time zone changed; `group` is in its new zone. Dispatched inside the transaction that moves it,
    after its plan moved, so jobs armed at a local time of day keep it."""

    group: Group
    tx: Transaction
    now: datetime


@dataclass(frozen=True)
class PlanChanged(Event):
    """A group's plan changed and the change is committed (a poll's winner was appended): mirror the meetings."""

    group_id: int


@dataclass(frozen=True)
class ReadingOpening(Event):
    """A reading's opens post is being built inside the dispatcher's transaction; listeners add to `extras`
    (fields and choices appended to the post, in listener order)."""

    isolated: ClassVar[bool] = True

    group_id: int
    reading: PlanReading
    tx: Transaction
    extras: list[Field | Choice] = field(default_factory=list)


Listener = Callable[[Any, Any], Awaitable[None]]
"""`await listener(services, event)`; typed loosely so a listener can name its own event class."""
