"""Outbox rows: every scheduled post is stored, keyed, before anyone tries to send it.

A row is pending while `sent_at` and `given_up_at` are both empty. Senders never read pending rows and send
them: they *claim* them first (`claim`), writing a token and a lease end in one transaction, so two senders
(two processes on one database, or an overlap after a restart) never post one row twice. Claims are taken a
room at a time, the room's oldest rows first, which keeps a room's posts in order while rooms take turns.
`room_failures` remembers rooms whose posts had to be given up; dead ones are skipped until they work again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.storage.db import Executor, Row, placeholders
from bot.timeutil import from_db, to_db

_PENDING = "sent_at IS NULL AND given_up_at IS NULL"
_COLUMNS = (
    "id, key, group_id, platform, room_id, thread_key, starts_thread, payload, late, attempts, created_at, expires_at"
)


@dataclass(frozen=True)
class OutboxRow:
    id: int
    key: str
    group_id: int | None
    platform: str
    room_id: str
    thread_key: str | None
    starts_thread: bool
    payload: str
    late: bool
    attempts: int
    created_at: datetime
    expires_at: datetime | None = None  # from then on the post is stale: given up as missed, never sent

    @classmethod
    def from_row(cls, row: Row) -> OutboxRow:
        return cls(
            row["id"],
            row["key"],
            row["group_id"],
            row["platform"],
            row["room_id"],
            row["thread_key"],
            bool(row["starts_thread"]),
            row["payload"],
            bool(row["late"]),
            row["attempts"],
            from_db(row["created_at"]),
            from_db(row["expires_at"]) if row["expires_at"] else None,
        )

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and now >= self.expires_at

    @property
    def room(self) -> tuple[str, str]:
        return self.platform, self.room_id


async def enqueue(
    db: Executor,
    *,
    key: str,
    group_id: int | None,
    platform: str,
    room_id: str,
    payload: str,
    now: datetime,
    thread_key: str | None = None,
    starts_thread: bool = False,
    late: bool = False,
    expires_at: datetime | None = None,
) -> bool:
    """Insert a post unless its key exists; True when it is new. The key is what makes delivery idempotent.
    A post with `expires_at` is given up as missed rather than sent from that moment on (a stale reminder)."""
    inserted = await db.insert(
        "INSERT INTO outbox (key, group_id, platform, room_id, thread_key, starts_thread, payload, late, created_at, "
        "expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
        (
            key,
            group_id,
            platform,
            room_id,
            thread_key,
            int(starts_thread),
            payload,
            int(late),
            to_db(now),
            to_db(expires_at) if expires_at else None,
        ),
    )
    return inserted > 0


@dataclass(frozen=True)
class NewPost:
    """A post for `enqueue_many`: the arguments of `enqueue`."""

    key: str
    group_id: int | None
    platform: str
    room_id: str
    payload: str
    thread_key: str | None = None
    starts_thread: bool = False
    late: bool = False
    expires_at: datetime | None = None


async def enqueue_many(db: Executor, posts: Sequence[NewPost], now: datetime) -> None:
    """`enqueue` for many posts in one statement batch (one round trip: the dispatcher's step of a burst);
    ids follow the order of `posts`, and a key already stored is skipped."""
    if not posts:
        return
    await db.executemany(
        "INSERT INTO outbox (key, group_id, platform, room_id, thread_key, starts_thread, payload, late, created_at, "
        "expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
        [
            (
                p.key,
                p.group_id,
                p.platform,
                p.room_id,
                p.thread_key,
                int(p.starts_thread),
                p.payload,
                int(p.late),
                to_db(now),
                to_db(p.expires_at) if p.expires_at else None,
            )
            for p in posts
        ],
    )


async def unsent(db: Executor, platforms: tuple[str, ...], limit: int = 100) -> list[OutboxRow]:
    """Pending rows, oldest first (for tests and inspection; senders use `claim`)."""
    rows = await db.fetchall(
        f"SELECT {_COLUMNS} FROM outbox WHERE {_PENDING} AND platform IN ({placeholders(platforms)}) "
        "ORDER BY id LIMIT ?",
        (*platforms, limit),
    )
    return [OutboxRow.from_row(r) for r in rows]


async def claim(
    db: Executor,
    platforms: Sequence[str],
    token: str,
    now: datetime,
    until: datetime,
    *,
    rooms: int,
    per_room: int,
    skip_heads: Sequence[int] = (),
) -> list[OutboxRow]:
    """Claim the oldest pending rows of up to `rooms` rooms (at most `per_room` each) and return them in order.

    Call inside a transaction: the SELECT and the UPDATE must see the same rows (on SQLite BEGIN IMMEDIATE
    holds the write lock between them; PostgreSQL would add FOR UPDATE SKIP LOCKED). A room is eligible when
    its oldest pending row is due (`next_attempt_at` empty or past), unclaimed or with an expired claim, the
    room is not marked dead, and the head is not in `skip_heads` (rows that failed earlier in this round).
    Rooms are served oldest head first, so every room gets its turn whatever another room has waiting.
    """
    if not platforms:
        return []
    stamp = to_db(now)
    skip = f"AND o.id NOT IN ({placeholders(skip_heads)})" if skip_heads else ""
    heads = await db.fetchall(
        "SELECT o.platform, o.room_id FROM outbox o "
        "WHERE o.id IN (SELECT min(id) FROM outbox "
        f"  WHERE {_PENDING} AND platform IN ({placeholders(platforms)}) GROUP BY platform, room_id) "
        "AND (o.next_attempt_at IS NULL OR o.next_attempt_at <= ?) "
        "AND (o.claimed_until IS NULL OR o.claimed_until <= ?) "
        f"{skip} "
        "AND NOT EXISTS (SELECT 1 FROM room_failures f "
        "  WHERE f.platform = o.platform AND f.room_id = o.room_id AND f.dead = 1) "
        "ORDER BY o.id LIMIT ?",
        (*platforms, stamp, stamp, *skip_heads, rooms),
    )
    if not heads:
        return []
    await db.executemany(
        "UPDATE outbox SET claim_token = ?, claimed_until = ? WHERE id IN ("
        f"  SELECT id FROM outbox WHERE platform = ? AND room_id = ? AND {_PENDING} ORDER BY id LIMIT ?) "
        "AND (claimed_until IS NULL OR claimed_until <= ?)",
        [(token, to_db(until), h["platform"], h["room_id"], per_room, stamp) for h in heads],
    )
    rows = await db.fetchall(
        f"SELECT {_COLUMNS} FROM outbox WHERE claim_token = ? AND {_PENDING} ORDER BY id", (token,)
    )
    return [OutboxRow.from_row(r) for r in rows]


async def mark_sent(db: Executor, row_id: int, message_id: str, now: datetime) -> None:
    await db.execute(
        "UPDATE outbox SET sent_at = ?, message_id = ?, attempts = attempts + 1, claim_token = NULL, "
        "claimed_until = NULL, next_attempt_at = NULL WHERE id = ? AND sent_at IS NULL",
        (to_db(now), message_id, row_id),
    )


async def mark_failed(
    db: Executor, row_id: int, error: str, *, retry_at: datetime | None = None, counts: bool = True
) -> None:
    """A send failed and will be retried at `retry_at` (None: at the next round); the claim is released.
    `counts=False` for a platform's "slow down", which says nothing about the post."""
    await db.execute(
        "UPDATE outbox SET attempts = attempts + ?, last_error = ?, next_attempt_at = ?, claim_token = NULL, "
        "claimed_until = NULL WHERE id = ?",
        (int(counts), error[:500], to_db(retry_at) if retry_at else None, row_id),
    )


async def give_up(db: Executor, row_id: int, error: str, now: datetime, *, attempted: bool) -> None:
    """Close a row that will never be sent (its post goes to missed_posts with the reason)."""
    await db.execute(
        "UPDATE outbox SET given_up_at = ?, attempts = attempts + ?, last_error = ?, claim_token = NULL, "
        "claimed_until = NULL WHERE id = ? AND sent_at IS NULL",
        (to_db(now), int(attempted), error[:500], row_id),
    )


async def release_room(db: Executor, token: str, platform: str, room_id: str) -> None:
    """Hand back a room's claimed rows at once after one of them failed, so whoever claims the room next starts
    at its oldest row (handing them back one by one could let another sender overtake the failed post)."""
    await db.execute(
        "UPDATE outbox SET claim_token = NULL, claimed_until = NULL WHERE claim_token = ? AND platform = ? "
        "AND room_id = ?",
        (token, platform, room_id),
    )


async def release(db: Executor, token: str) -> None:
    """Hand back what a round claimed and did not finish (a room that stopped after a failure)."""
    await db.execute("UPDATE outbox SET claim_token = NULL, claimed_until = NULL WHERE claim_token = ?", (token,))


async def release_all(db: Executor) -> int:
    """Forget every claim: at start-up of the only process on the database, claims left by a killed one."""
    return await db.execute(
        f"UPDATE outbox SET claim_token = NULL, claimed_until = NULL WHERE claim_token IS NOT NULL AND {_PENDING}"
    )


async def next_retry(db: Executor, platforms: Sequence[str], now: datetime) -> datetime | None:
    """When a pending post of these platforms is next to be tried again: the end of its backoff or of a
    platform's "slow down", or `now` for a post that failed once (retried at once, in the next round), so the
    sender wakes then rather than at the idle wake-up. Rows another sender holds are its business."""
    if not platforms:
        return None
    stamp = to_db(now)
    row = await db.fetchone(
        f"SELECT min(max(coalesce(next_attempt_at, ?), ?)) FROM outbox WHERE {_PENDING} "
        f"AND platform IN ({placeholders(platforms)}) AND (attempts > 0 OR next_attempt_at IS NOT NULL) "
        "AND (claimed_until IS NULL OR claimed_until <= ?)",
        (stamp, stamp, *platforms, stamp),
    )
    return from_db(row[0]) if row and row[0] else None


async def not_to_send(db: Executor, platforms: Sequence[str], now: datetime) -> tuple[list[OutboxRow], list[OutboxRow]]:
    """Unclaimed pending rows given up without a send, in one round trip: (rows past their `expires_at`,
    waiting out a backoff or not; rows of rooms marked dead)."""
    if not platforms:
        return [], []
    stamp = to_db(now)
    expired, dead = await db.fetch_together(
        (
            f"SELECT {_COLUMNS} FROM outbox WHERE {_PENDING} AND platform IN ({placeholders(platforms)}) "
            "AND expires_at IS NOT NULL AND expires_at <= ? AND (claimed_until IS NULL OR claimed_until <= ?) "
            "ORDER BY id",
            (*platforms, stamp, stamp),
        ),
        (
            f"SELECT {', '.join('o.' + c.strip() for c in _COLUMNS.split(','))} FROM outbox o "
            "JOIN room_failures f ON f.platform = o.platform AND f.room_id = o.room_id AND f.dead = 1 "
            f"WHERE o.sent_at IS NULL AND o.given_up_at IS NULL AND o.platform IN ({placeholders(platforms)}) "
            "AND (o.claimed_until IS NULL OR o.claimed_until <= ?) ORDER BY o.id",
            (*platforms, stamp),
        ),
    )
    return [OutboxRow.from_row(r) for r in expired], [OutboxRow.from_row(r) for r in dead]


# ---------------------------------------------------------------- rooms whose posts were given up
@dataclass(frozen=True)
class RoomFailure:
    platform: str
    room_id: str
    group_id: int | None
    dead: bool
    reason: str
    since: datetime
    noticed: bool

    @classmethod
    def from_row(cls, row: Row) -> RoomFailure:
        return cls(
            row["platform"],
            row["room_id"],
            row["group_id"],
            bool(row["dead"]),
            row["reason"],
            from_db(row["since"]),
            row["noticed_at"] is not None,
        )


async def room_failures(db: Executor) -> dict[tuple[str, str], RoomFailure]:
    rows = await db.fetchall("SELECT platform, room_id, group_id, dead, reason, since, noticed_at FROM room_failures")
    return {(r["platform"], r["room_id"]): RoomFailure.from_row(r) for r in rows}


async def failed_among(db: Executor, platform: str, room_ids: Sequence[str]) -> list[str]:
    """Which of these rooms have a failure on record."""
    if not room_ids:
        return []
    rows = await db.fetchall(
        f"SELECT room_id FROM room_failures WHERE platform = ? AND room_id IN ({placeholders(room_ids)})",
        (platform, *room_ids),
    )
    return [r["room_id"] for r in rows]


async def room_failed(
    db: Executor, platform: str, room_id: str, group_id: int | None, *, dead: bool, reason: str, now: datetime
) -> bool:
    """Remember that a room's post was given up (dead: refused for good); True when the moderators still
    need to be told, which this call then counts as done (told once per failure, not once per post)."""
    await db.execute(
        "INSERT INTO room_failures (platform, room_id, group_id, dead, reason, since) VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (platform, room_id) DO UPDATE SET dead = max(room_failures.dead, excluded.dead), "
        "reason = CASE WHEN excluded.dead >= room_failures.dead THEN excluded.reason ELSE room_failures.reason END",
        (platform, room_id, group_id, int(dead), reason[:500], to_db(now)),
    )
    return (
        await db.execute(
            "UPDATE room_failures SET noticed_at = ? WHERE platform = ? AND room_id = ? AND noticed_at IS NULL",
            (to_db(now), platform, room_id),
        )
        == 1
    )


async def room_works(db: Executor, platform: str, room_id: str) -> bool:
    """The room works again (a send went through, or a moderator ran a command there); True if it had failed."""
    removed = await db.execute("DELETE FROM room_failures WHERE platform = ? AND room_id = ?", (platform, room_id))
    return removed > 0
