# Over 400 lines: the plans aggregate (plans, readings, their batched dispatcher queries) is one table family.
"""Study plans and their readings: the syllabus in order, each reading's meeting and when it opens.

The API other cogs use (quotes, progress):

* ``readings(db, group_id) -> list[PlanReading]`` — the group's current plan's readings in syllabus order;
  ``PlanReading.position`` is 0-based and equals the reading's index in this list.
* ``group_position(db, group_id) -> int`` — the position of the last *opened* reading, -1 when none has
  opened yet. A reading is opened when the dispatcher handles its reading-opens occurrence (posted on time,
  posted late, or recorded as missed by the catch-up policy).

"The current plan" is the group's latest plan that is active, paused or finished; drafts, discarded and
cancelled plans have no readings as far as other cogs are concerned.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from bot.storage.db import Executor, Row, placeholders
from bot.timeutil import from_db, to_db

PlanStatus = Literal["draft", "active", "paused", "finished", "cancelled", "discarded"]
LIVE: tuple[PlanStatus, ...] = ("active", "paused")
CURRENT: tuple[PlanStatus, ...] = ("active", "paused", "finished")


@dataclass(frozen=True)
class Plan:
    id: int
    group_id: int
    status: PlanStatus
    token: str | None
    cadence: str  # WeeklyCadence/DateListCadence.describe(): weekdays + local time, parse_cadence reads it
    per_meeting: str  # PerMeeting.describe()
    timezone: str  # IANA name
    start: date
    until: date | None
    blackouts: frozenset[date]
    created_by: int | None
    created_at: datetime
    updated_at: datetime
    paused_at: datetime | None

    @classmethod
    def from_row(cls, row: Row) -> Plan:
        return cls(
            id=row["id"],
            group_id=row["group_id"],
            status=row["status"],
            token=row["token"],
            cadence=row["cadence"],
            per_meeting=row["per_meeting"],
            timezone=row["timezone"],
            start=date.fromisoformat(row["start_date"]),
            until=date.fromisoformat(row["until_date"]) if row["until_date"] else None,
            blackouts=frozenset(date.fromisoformat(d) for d in json.loads(row["blackouts"])),
            created_by=row["created_by"],
            created_at=from_db(row["created_at"]),
            updated_at=from_db(row["updated_at"]),
            paused_at=from_db(row["paused_at"]) if row["paused_at"] else None,
        )


@dataclass(frozen=True)
class PlanReading:
    id: int
    plan_id: int
    position: int  # 0-based place in the syllabus
    book_id: int
    section_ids: tuple[int, ...]
    title: str
    minutes: int
    meeting_at: datetime  # UTC
    opens_at: datetime  # UTC
    opened_at: datetime | None
    revision: int  # bumped whenever meeting_at moves (iCalendar SEQUENCE)

    @classmethod
    def from_row(cls, row: Row) -> PlanReading:
        return cls(
            id=row["id"],
            plan_id=row["plan_id"],
            position=row["position"],
            book_id=row["book_id"],
            section_ids=tuple(json.loads(row["section_ids"])),
            title=row["title"],
            minutes=row["minutes"],
            meeting_at=from_db(row["meeting_at"]),
            opens_at=from_db(row["opens_at"]),
            opened_at=from_db(row["opened_at"]) if row["opened_at"] else None,
            revision=row["revision"],
        )

    @property
    def opened(self) -> bool:
        return self.opened_at is not None

    @property
    def number(self) -> int:
        """1-based, for members."""
        return self.position + 1


@dataclass(frozen=True)
class NewReading:
    book_id: int
    section_ids: tuple[int, ...]
    title: str
    minutes: int
    meeting_at: datetime
    opens_at: datetime


_PLAN_COLUMNS = (
    "id, group_id, status, token, cadence, per_meeting, timezone, start_date, until_date, blackouts, created_by, "
    "created_at, updated_at, paused_at"
)
_READING_COLUMNS = (
    "id, plan_id, position, book_id, section_ids, title, minutes, meeting_at, opens_at, opened_at, revision"
)


def _dates(days: Iterable[date]) -> str:
    return json.dumps(sorted(d.isoformat() for d in days))


# ---------------------------------------------------------------- plans
async def create(
    db: Executor,
    *,
    group_id: int,
    status: PlanStatus,
    token: str | None,
    cadence: str,
    per_meeting: str,
    timezone: str,
    start: date,
    until: date | None,
    blackouts: Iterable[date],
    created_by: int | None,
    now: datetime,
) -> int:
    return await db.insert(
        "INSERT INTO plans (group_id, status, token, cadence, per_meeting, timezone, start_date, until_date, "
        "blackouts, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            group_id,
            status,
            token,
            cadence,
            per_meeting,
            timezone,
            start.isoformat(),
            until.isoformat() if until else None,
            _dates(blackouts),
            created_by,
            to_db(now),
            to_db(now),
        ),
    )


async def get(db: Executor, plan_id: int) -> Plan | None:
    row = await db.fetchone(f"SELECT {_PLAN_COLUMNS} FROM plans WHERE id = ?", (plan_id,))
    return Plan.from_row(row) if row else None


async def by_token(db: Executor, group_id: int, token: str) -> Plan | None:
    row = await db.fetchone(f"SELECT {_PLAN_COLUMNS} FROM plans WHERE group_id = ? AND token = ?", (group_id, token))
    return Plan.from_row(row) if row else None


async def latest(db: Executor, group_id: int, statuses: Sequence[PlanStatus]) -> Plan | None:
    """The group's newest plan in one of `statuses`."""
    row = await db.fetchone(
        f"SELECT {_PLAN_COLUMNS} FROM plans WHERE group_id = ? AND status IN ({placeholders(statuses)}) "
        "ORDER BY id DESC LIMIT 1",
        (group_id, *statuses),
    )
    return Plan.from_row(row) if row else None


async def live(db: Executor, group_id: int) -> Plan | None:
    """The plan the group is running (active or paused), if any."""
    return await latest(db, group_id, LIVE)


async def update(
    db: Executor,
    plan_id: int,
    now: datetime,
    *,
    status: PlanStatus | None = None,
    cadence: str | None = None,
    timezone: str | None = None,
    start: date | None = None,
    blackouts: Iterable[date] | None = None,
    paused_at: datetime | None = None,
    clear_paused: bool = False,
    clear_token: bool = False,
) -> None:
    """Change a plan's status or rule; only the given fields change."""
    sets = ["updated_at = ?"]
    params: list[object] = [to_db(now)]
    if status is not None:
        sets.append("status = ?")
        params.append(status)
    if cadence is not None:
        sets.append("cadence = ?")
        params.append(cadence)
    if timezone is not None:
        sets.append("timezone = ?")
        params.append(timezone)
    if start is not None:
        sets.append("start_date = ?")
        params.append(start.isoformat())
    if blackouts is not None:
        sets.append("blackouts = ?")
        params.append(_dates(blackouts))
    if paused_at is not None:
        sets.append("paused_at = ?")
        params.append(to_db(paused_at))
    if clear_paused:
        sets.append("paused_at = NULL")
    if clear_token:
        sets.append("token = NULL")
    await db.execute(f"UPDATE plans SET {', '.join(sets)} WHERE id = ?", (*params, plan_id))


async def discard_drafts(db: Executor, group_id: int, now: datetime) -> int:
    return await db.execute(
        "UPDATE plans SET status = 'discarded', token = NULL, updated_at = ? WHERE group_id = ? AND status = 'draft'",
        (to_db(now), group_id),
    )


async def active_plans(db: Executor) -> dict[int, Plan]:
    """Every active plan by id (the scheduler's start-up rebuild)."""
    rows = await db.fetchall(f"SELECT {_PLAN_COLUMNS} FROM plans WHERE status = 'active' ORDER BY id")
    return {int(r["id"]): Plan.from_row(r) for r in rows}


# ---------------------------------------------------------------- readings
async def add_readings(db: Executor, plan_id: int, first_position: int, readings: Sequence[NewReading]) -> None:
    await db.executemany(
        "INSERT INTO plan_readings (plan_id, position, book_id, section_ids, title, minutes, meeting_at, opens_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                plan_id,
                first_position + i,
                r.book_id,
                json.dumps(list(r.section_ids)),
                r.title,
                r.minutes,
                to_db(r.meeting_at),
                to_db(r.opens_at),
            )
            for i, r in enumerate(readings)
        ],
    )


async def plan_readings(db: Executor, plan_id: int) -> list[PlanReading]:
    rows = await db.fetchall(
        f"SELECT {_READING_COLUMNS} FROM plan_readings WHERE plan_id = ? ORDER BY position", (plan_id,)
    )
    return [PlanReading.from_row(r) for r in rows]


async def openings_of_active_plans(db: Executor) -> dict[int, datetime]:
    """The earliest opening time of an unopened reading, per active plan (the start-up rebuild, one query)."""
    rows = await db.fetchall(
        "SELECT plan_id, min(opens_at) AS first FROM plan_readings WHERE opened_at IS NULL AND plan_id IN "
        "(SELECT id FROM plans WHERE status = 'active') GROUP BY plan_id"
    )
    return {int(r["plan_id"]): from_db(r["first"]) for r in rows if r["first"]}


async def meetings_of_active_plans(db: Executor) -> dict[int, list[datetime]]:
    """Every active plan's meeting instants in order (the start-up rebuild of reminders, one query)."""
    rows = await db.fetchall(
        "SELECT plan_id, meeting_at FROM plan_readings WHERE plan_id IN "
        "(SELECT id FROM plans WHERE status = 'active') ORDER BY plan_id, position"
    )
    grouped: dict[int, list[datetime]] = {}
    for row in rows:
        grouped.setdefault(row["plan_id"], []).append(from_db(row["meeting_at"]))
    return grouped


async def set_times(db: Executor, times: Sequence[tuple[int, datetime, datetime]]) -> None:
    """Store (reading id, meeting_at, opens_at); the revision goes up where the meeting moved."""
    await db.executemany(
        "UPDATE plan_readings SET revision = revision + CASE WHEN meeting_at = ? THEN 0 ELSE 1 END, "
        "meeting_at = ?, opens_at = ? WHERE id = ?",
        [(to_db(meeting), to_db(meeting), to_db(opens), reading_id) for reading_id, meeting, opens in times],
    )


async def mark_opened(db: Executor, reading_ids: Sequence[int], now: datetime) -> None:
    await db.executemany(
        "UPDATE plan_readings SET opened_at = ? WHERE id = ? AND opened_at IS NULL",
        [(to_db(now), reading_id) for reading_id in reading_ids],
    )


# ---------------------------------------------------------------- what other cogs use
async def readings(db: Executor, group_id: int) -> list[PlanReading]:
    """The group's current plan's readings in order (position 0-based == index); [] without a plan."""
    plan = await latest(db, group_id, CURRENT)
    return await plan_readings(db, plan.id) if plan else []


async def group_position(db: Executor, group_id: int) -> int:
    """Position (0-based) of the last opened reading of the group's current plan; -1 when none is open."""
    plan = await latest(db, group_id, CURRENT)
    if plan is None:
        return -1
    row = await db.fetchone(
        "SELECT max(position) FROM plan_readings WHERE plan_id = ? AND opened_at IS NOT NULL", (plan.id,)
    )
    return int(row[0]) if row and row[0] is not None else -1


# ---------------------------------------------------------------- batches for the dispatcher (a step handles many)
async def plans_by_ids(db: Executor, plan_ids: Sequence[int]) -> dict[int, Plan]:
    if not plan_ids:
        return {}
    ids = sorted(set(plan_ids))
    rows = await db.fetchall(f"SELECT {_PLAN_COLUMNS} FROM plans WHERE id IN ({placeholders(ids)})", ids)
    return {int(r["id"]): Plan.from_row(r) for r in rows}


async def group_timezones(db: Executor, group_ids: Sequence[int]) -> dict[int, str]:
    """The zone each group shows times in (plans keep their own zone for the cadence)."""
    if not group_ids:
        return {}
    ids = sorted(set(group_ids))
    rows = await db.fetchall(f"SELECT id, timezone FROM groups WHERE id IN ({placeholders(ids)})", ids)
    return {int(r["id"]): str(r["timezone"]) for r in rows}


async def unopened_due(db: Executor, plan_ids: Sequence[int], until: datetime) -> dict[int, list[PlanReading]]:
    """Unopened readings with an opening time at or before `until`, per plan, in syllabus order."""
    if not plan_ids:
        return {}
    ids = sorted(set(plan_ids))
    rows = await db.fetchall(
        f"SELECT {_READING_COLUMNS} FROM plan_readings WHERE plan_id IN ({placeholders(ids)}) AND opened_at IS NULL "
        "AND opens_at <= ? ORDER BY plan_id, position",
        (*ids, to_db(until)),
    )
    grouped: dict[int, list[PlanReading]] = {}
    for row in rows:
        grouped.setdefault(row["plan_id"], []).append(PlanReading.from_row(row))
    return grouped


async def next_openings(db: Executor, plan_ids: Sequence[int]) -> dict[int, datetime]:
    """The earliest opening time of an unopened reading, per plan (plans with none are absent)."""
    if not plan_ids:
        return {}
    ids = sorted(set(plan_ids))
    rows = await db.fetchall(
        f"SELECT plan_id, min(opens_at) AS first FROM plan_readings WHERE plan_id IN ({placeholders(ids)}) "
        "AND opened_at IS NULL GROUP BY plan_id",
        ids,
    )
    return {int(r["plan_id"]): from_db(r["first"]) for r in rows if r["first"]}


async def reading_counts(db: Executor, plan_ids: Sequence[int]) -> dict[int, int]:
    if not plan_ids:
        return {}
    ids = sorted(set(plan_ids))
    rows = await db.fetchall(
        f"SELECT plan_id, count(*) AS n FROM plan_readings WHERE plan_id IN ({placeholders(ids)}) GROUP BY plan_id", ids
    )
    return {int(r["plan_id"]): int(r["n"]) for r in rows}


async def readings_of_plans(
    db: Executor, plan_ids: Sequence[int], meeting_after: datetime
) -> dict[int, list[PlanReading]]:
    """Readings whose meeting is after `meeting_after`, per plan, in order (what reminders still concern)."""
    if not plan_ids:
        return {}
    ids = sorted(set(plan_ids))
    rows = await db.fetchall(
        f"SELECT {_READING_COLUMNS} FROM plan_readings WHERE plan_id IN ({placeholders(ids)}) AND meeting_at > ? "
        "ORDER BY plan_id, position",
        (*ids, to_db(meeting_after)),
    )
    grouped: dict[int, list[PlanReading]] = {}
    for row in rows:
        grouped.setdefault(row["plan_id"], []).append(PlanReading.from_row(row))
    return grouped


@dataclass(frozen=True)
class ReadingSource:
    """Where a reading's text is: its book's title and the sections' 1-based numbers in that book."""

    book_title: str
    section_numbers: tuple[int, ...]


async def reading_sources(db: Executor, readings: Sequence[PlanReading]) -> dict[int, ReadingSource]:
    section_ids = sorted({s for r in readings for s in r.section_ids})
    book_ids = sorted({r.book_id for r in readings})
    if not readings:
        return {}
    numbers: dict[int, int] = {}
    if section_ids:
        rows = await db.fetchall(
            f"SELECT id, position FROM sections WHERE id IN ({placeholders(section_ids)})", section_ids
        )
        numbers = {int(r["id"]): int(r["position"]) for r in rows}
    rows = await db.fetchall(f"SELECT id, title FROM books WHERE id IN ({placeholders(book_ids)})", book_ids)
    titles = {int(r["id"]): str(r["title"]) for r in rows}
    return {
        r.id: ReadingSource(
            titles.get(r.book_id, "the book"), tuple(sorted(numbers[s] for s in r.section_ids if s in numbers))
        )
        for r in readings
    }
