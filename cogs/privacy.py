"""Members' data: `forget me` deletes what features keep about the caller; `export` hands moderators the
group's records as CSV and JSON.

Features plug in through their declaration (bot/features.py)::

    FEATURE = Feature(
        name="polls",
        forgetters={"poll ballots": forget_ballots},  # (services, tx, member_id) -> rows removed
        exporters={"polls": export_polls},  # (services, db, group) -> ExportPart (JSON data plus CSV tables)
    )

Every forgetter runs in one transaction, so forgetting is all or nothing; every exporter reads inside one
transaction, so an export is a consistent snapshot.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from bot.commands import Invocation, Permission, command
from bot.features import Exporter, ExportTable, Feature, Forgetter
from bot.log import forget_in_logs
from bot.replies import File, Reply, UserError
from bot.storage import members as member_store
from bot.timeutil import format_local

if TYPE_CHECKING:
    from bot.services import Services
    from bot.storage.db import Transaction

log = logging.getLogger(__name__)

MEMBER_ROW = "your name, account id and group memberships"


# ---------------------------------------------------------------- hooks
def forgetters(features: Iterable[Feature]) -> dict[str, Forgetter]:
    """Every feature's forgetter by what it forgets."""
    return {what: forget for feature in features for what, forget in feature.forgetters.items()}


def exporters(features: Iterable[Feature]) -> dict[str, Exporter]:
    """Every feature's exporter by its name in the export."""
    return {name: produce for feature in features for name, produce in feature.exporters.items()}


async def forget_member(services: Services, tx: Transaction, member_id: int) -> dict[str, int]:
    """Run every forgetter for one member inside the caller's transaction; returns rows removed per kind."""
    found = forgetters(services.features)
    return {what: await forget(services, tx, member_id) for what, forget in sorted(found.items())}


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
        # last: the member's own row (user id, display name) and memberships, once nothing points at it
        removed[MEMBER_ROW] = await member_store.forget(tx, inv.member_id)
    forget_in_logs(inv.context.user_id, inv.context.display_name)  # from now on, logs show a hash
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
    found = exporters(inv.app.features)
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


FEATURE = Feature(name="privacy", commands=(forget_me, export))
