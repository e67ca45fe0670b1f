"""The delivery policy end to end against the real Synapse (issue #16): two rooms the bot was kicked from beside a
healthy one. The healthy room gets every post in order; the kicked rooms' posts end in missed_posts with a reason;
the moderators are told once in the group's own room, or it is logged when the kicked room is the group's own;
no post is sent twice."""

from __future__ import annotations

import logging
from collections import Counter

import pytest

from bot.outbox import reply_to_json
from bot.replies import Reply
from bot.storage import outbox as outbox_store
from bot.storage import schedules as schedule_store
from tests.adapters.matrix.support import Connect, StartBot, eventually, group_room, kick, seen_until

POSTS = 5


async def test_rooms_the_bot_was_kicked_from_beside_a_healthy_room(
    start_bot: StartBot, matrix_client: Connect, caplog: pytest.LogCaptureFixture
) -> None:
    alice = await matrix_client()
    bot = await start_bot(allowed_inviters=(alice.user_id,))
    healthy = await group_room(alice, bot)  # the group's own room
    annex = await group_room(alice, bot, setup=False)  # another room the group posts to
    other = await group_room(alice, bot)  # a second group's own room
    groups = {r["room_id"]: r["id"] for r in await bot.app.db.fetchall("SELECT id, room_id FROM groups")}
    for room_id in (annex, other):
        await kick(alice, room_id, bot.user_id)
    await eventually(lambda: annex not in bot.adapter.client.rooms and other not in bot.adapter.client.rooms)

    async with bot.app.db.transaction() as tx:
        for n in range(POSTS):
            for room_id, group_id, name in (
                (annex, groups[healthy], "annex"),
                (other, groups[other], "other"),
                (healthy, groups[healthy], "healthy"),
            ):
                await outbox_store.enqueue(
                    tx,
                    key=f"{name}-{n}",
                    group_id=group_id,
                    platform="matrix",
                    room_id=room_id,
                    payload=reply_to_json(Reply(text=f"post {name}-{n}")),
                    now=bot.clock.now(),
                )
    with caplog.at_level(logging.ERROR, logger="bot.outbox"):
        sent = await bot.app.tick()

    assert sent == POSTS + 1  # the healthy room's posts and one notice
    events = await seen_until(alice, healthy, lambda e: "Moderators" in getattr(e, "body", ""))
    bodies = [e.body for e in events if e.sender == bot.user_id and hasattr(e, "body")]
    posts = [b.split()[-1] for b in bodies if b.startswith("post ")]
    assert posts == [f"healthy-{n}" for n in range(POSTS)]
    notices = [b for b in bodies if "Moderators" in b]
    assert len(notices) == 1 and annex in notices[0]

    missed = {m.key: m.reason for m in await schedule_store.missed(bot.app.db)}
    assert sorted(missed) == sorted(f"{name}-{n}" for name in ("annex", "other") for n in range(POSTS))
    assert all(
        reason.startswith("not delivered: ") and len(reason) > len("not delivered: ") for reason in missed.values()
    )
    # the second group's own room is the one it can't post in: logged, never posted anywhere
    logged = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(logged) == 1 and f"matrix:{other}" in logged[0]

    rows = await bot.app.db.fetchall("SELECT key, attempts, sent_at FROM outbox WHERE room_id = ?", (healthy,))
    assert all(r["sent_at"] is not None and r["attempts"] == 1 for r in rows)
    assert not await outbox_store.unsent(bot.app.db, ("matrix",))
    assert all(n == 1 for n in Counter(posts).values())
    assert await bot.app.tick() == 0  # nothing left, nothing sent again
