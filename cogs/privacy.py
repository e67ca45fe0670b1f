"""Members' data: `forget me` deletes what features keep about the caller; `export` hands moderators the
group's records as CSV and JSON.

Features plug in with two decorators, collected from the cog modules the way job handlers are::

    @forgetter("poll ballots")
    async def forget_ballots(app: App, tx: Transaction, member_id: int) -> int:
        ...  # delete this member's rows; return how many

    @exporter("polls")
    async def export_polls(app: App, db: Executor, group: Group) -> ExportPart:
        ...  # JSON-ready data plus CSV tables

Every forgetter runs in one transaction, so forgetting is all or nothing; every exporter reads inside one
transaction, so an export is a consistent snapshot.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any

from bot.commands import Invocation, Permission, collect_tagged, command
from bot.replies import File, Reply, UserError
from bot.timeutil import format_local

if TYPE_CHECKING:
    from bot.app import App
    from bot.storage.db import Executor, Transaction
    from bot.storage.groups import Group

log = logging.getLogger(__name__)


# ---------------------------------------------------------------- hooks
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


Forgetter = Callable[["App", "Transaction", int], Awaitable[int]]
Exporter = Callable[["App", "Executor", "Group"], Awaitable[ExportPart]]
_FORGETTER_ATTR = "__readalong_forgets__"
_EXPORTER_ATTR = "__readalong_exports__"


def forgetter(what: str) -> Callable[[Forgetter], Forgetter]:
    """Declare a "forget this member" function; `what` names the records in the member's receipt."""

    def decorate(func: Forgetter) -> Forgetter:
        setattr(func, _FORGETTER_ATTR, what)
        return func

    return decorate


def exporter(name: str) -> Callable[[Exporter], Exporter]:
    """Declare a feature's contribution to `export`; `name` is its key in the JSON file."""

    def decorate(func: Exporter) -> Exporter:
        setattr(func, _EXPORTER_ATTR, name)
        return func

    return decorate


def _collect(modules: Iterable[ModuleType], attr: str) -> dict[str, Callable[..., Any]]:
    return collect_tagged(modules, attr, "two hooks named {key}")


def forgetters(modules: Iterable[ModuleType] | None = None) -> dict[str, Forgetter]:
    """Every declared forgetter by what it forgets (from all cogs unless `modules` is given)."""
    from cogs import load_cogs

    return _collect(load_cogs() if modules is None else modules, _FORGETTER_ATTR)


def exporters(modules: Iterable[ModuleType] | None = None) -> dict[str, Exporter]:
    """Every declared exporter by name (from all cogs unless `modules` is given)."""
    from cogs import load_cogs

    return _collect(load_cogs() if modules is None else modules, _EXPORTER_ATTR)


async def forget_member(app: App, tx: Transaction, member_id: int) -> dict[str, int]:
    """Run every forgetter for one member inside the caller's transaction; returns rows removed per kind."""
    return {what: await forget(app, tx, member_id) for what, forget in sorted(forgetters().items())}


def csv_bytes(table: ExportTable) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(table.columns)
    writer.writerows(table.rows)
    return buffer.getvalue().encode("utf-8")


# ---------------------------------------------------------------- commands
@command(
    "forget me",
    help="Delete your ballots and other personal records; closed polls keep only their totals.",
    details="Works in any room and covers every group you are in. Results of closed polls were counted when they "
    "closed and stay as totals, without you in them.",
)
async def forget_me(inv: Invocation) -> Reply:
    async with inv.db.transaction() as tx:
        removed = await forget_member(inv.app, tx, inv.member_id)
    log.info("forgot a member's records on request: %d rows", sum(removed.values()))
    lines = [f"• {what}: {count}" for what, count in removed.items()]
    return Reply(
        title="Forgotten",
        text="I deleted what I kept about you:\n"
        + "\n".join(lines)
        + "\nClosed polls keep their totals, without you in them.",
        ephemeral=True,
    )


@command(
    "export",
    help="Download the group's records (poll results, …) as CSV and JSON files.",
    permission=Permission.MODERATOR,
    details="Anonymous polls are exported as totals only.",
)
async def export(inv: Invocation) -> Reply:
    group = inv.require_group()
    found = exporters()
    if not found:
        raise UserError("There is nothing to export yet.")
    async with inv.db.transaction() as tx:
        parts = [await produce(inv.app, tx, group) for _, produce in sorted(found.items())]
    document: dict[str, Any] = {
        "group": {"id": group.id, "name": group.name, "timezone": group.timezone},
        "exported_at": inv.now().isoformat(),
    }
    document.update({part.name: part.data for part in parts})
    files = [
        File(
            f"readalong-group-{group.id}.json",
            json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8"),
            "application/json",
        )
    ]
    names: set[str] = set()
    for part in parts:
        for table in part.tables:
            if table.name in names:
                raise ValueError(f"two export tables named {table.name!r}")
            names.add(table.name)
            files.append(File(f"{table.name}.csv", csv_bytes(table), "text/csv"))
    return Reply(
        title=f"Export of “{group.name}”",
        text=f"Records as of {format_local(inv.now(), inv.zone)}: " + ", ".join(p.name for p in parts) + ".",
        files=tuple(files),
        ephemeral=True,
    )
