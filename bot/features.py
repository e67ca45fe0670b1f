"""A feature declares itself once: the one way to plug into the core.

Every cog module (or package) exposes exactly one `FEATURE = Feature(...)` naming its commands, schedule kinds
(each with its own catch-up policy), one-shot job handlers, autocomplete sources, privacy hooks and event
listeners. The composition root (`cogs.all_features()`, called by the CLI's start-up and the tests) hands the
list to `App.open`; `Catalog.of` checks that no two features claim the same name and indexes them. The core
imports no feature, and no feature imports another: what they share is a service (bot/services/) or an event
(bot/events.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.commands import Completer, Handler, Registry, spec_of
from bot.events import Event, Listener
from bot.scheduling import JobHandler, ScheduleKind

if TYPE_CHECKING:
    from bot.services import Services
    from bot.storage.db import Executor, Transaction
    from bot.storage.groups import Group


@dataclass(frozen=True)
class ExportTable:
    """One CSV file of an export: `name` becomes `<name>.csv`."""

    name: str
    columns: tuple[str, ...]
    rows: Sequence[Sequence[Any]] = ()


@dataclass(frozen=True)
class ExportPart:
    """What one feature contributes to an export: `data` goes under `name` in the JSON, `tables` become CSVs."""

    name: str
    data: Any
    tables: tuple[ExportTable, ...] = field(default=())


Forgetter = Callable[["Services", "Transaction", int], Awaitable[int]]
"""`await forget(services, tx, member_id)` deletes one member's records of a feature; returns rows removed."""
Exporter = Callable[["Services", "Executor", "Group"], Awaitable[ExportPart]]
"""`await export(services, db, group)` is a feature's part of the group's `export`."""


@dataclass(frozen=True)
class Feature:
    """Everything a feature plugs in, declared in one place.

    * `commands`: handlers declared with `@command` (bot/commands.py);
    * `schedule_kinds`: recurring schedule kinds, each carrying its catch-up policy;
    * `jobs`: one-shot job handlers by job kind;
    * `completers`: autocomplete sources by parameter type (BookRef, ReadingRef, PollRef);
    * `forgetters`: "forget me" hooks by what they forget (named in the member's receipt);
    * `exporters`: `export` contributions by their key in the JSON file;
    * `listeners`: `(EventType, listener)` pairs, called as `await listener(services, event)`.
    """

    name: str
    commands: Sequence[Handler] = ()
    schedule_kinds: Sequence[ScheduleKind] = ()
    jobs: Mapping[str, JobHandler] = field(default_factory=dict)
    completers: Mapping[type, Completer] = field(default_factory=dict)
    forgetters: Mapping[str, Forgetter] = field(default_factory=dict)
    exporters: Mapping[str, Exporter] = field(default_factory=dict)
    listeners: Sequence[tuple[type[Event], Listener]] = ()


@dataclass(frozen=True)
class Catalog:
    """The assembled features, indexed the way the App looks things up."""

    features: tuple[Feature, ...]
    registry: Registry
    job_handlers: dict[str, JobHandler]
    schedule_kinds: dict[str, ScheduleKind]
    completers: dict[type, Completer]
    forgetters: dict[str, Forgetter]
    exporters: dict[str, Exporter]
    listeners: dict[type[Event], list[Listener]]

    @classmethod
    def of(cls, features: Iterable[Feature]) -> Catalog:
        """Index the features; ValueError when two claim one name (command, job kind, schedule kind, hook)."""
        features = tuple(features)
        _unique("two features named {key}", [(f.name, f) for f in features])
        registry = Registry()
        for feature in features:
            for handler in feature.commands:
                spec = spec_of(handler)
                if spec is None:
                    raise ValueError(f"feature {feature.name}: {handler!r} is not declared with @command")
                registry.add(spec)
        listeners: dict[type[Event], list[Listener]] = {}
        for feature in features:
            for event_type, listener in feature.listeners:
                listeners.setdefault(event_type, []).append(listener)
        return cls(
            features=features,
            registry=registry,
            job_handlers=_unique("two handlers for job kind {key}", [i for f in features for i in f.jobs.items()]),
            schedule_kinds=_unique(
                "two schedule kinds named {key}", [(k.kind, k) for f in features for k in f.schedule_kinds]
            ),
            completers=_unique(
                "two completers for {key}",
                [(getattr(t, "__name__", t), (t, c)) for f in features for t, c in f.completers.items()],
                unwrap=True,
            ),
            forgetters=_unique("two hooks named {key}", [i for f in features for i in f.forgetters.items()]),
            exporters=_unique("two hooks named {key}", [i for f in features for i in f.exporters.items()]),
            listeners=listeners,
        )


def _unique(duplicate: str, pairs: Sequence[tuple[Any, Any]], *, unwrap: bool = False) -> dict[Any, Any]:
    found: dict[Any, Any] = {}
    for key, value in pairs:
        if key in found:
            raise ValueError(duplicate.format(key=repr(key)))
        found[key] = value
    return dict(found.values()) if unwrap else found
