"""A post that waits in the outbox must not go out stale (issue #16): a reminder expires when its meeting starts,
and the sender records it missed with the reason instead of sending it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.app import App
from bot.clock import ManualClock
from bot.outbox import EXPIRED, deliver, reply_to_json
from bot.replies import Reply
from bot.storage import outbox as outbox_store
from bot.storage import schedules as schedule_store
from tests.cogs.plans.test_plans import start_plan
from tests.conftest import Room
from tests.core.test_outbox import FlakyAdapter, _group, _notices
from tests.scheduling.support import add_book, run_until

FIRST_MEETING = datetime(2026, 11, 3, 18, 0, tzinfo=UTC)  # Tuesday 19:00 in Berlin


async def test_a_post_past_its_expiry_is_recorded_missed_and_the_room_goes_on(app: App, clock: ManualClock) -> None:
    adapter = FlakyAdapter()
    club = await _group(app, "room-1")
    async with app.db.transaction() as tx:
        for key, expires in (("stale", clock.now()), ("fresh", clock.now() + timedelta(hours=1)), ("plain", None)):
            await outbox_store.enqueue(
                tx,
                key=key,
                group_id=club,
                platform="test",
                room_id="room-1",
                payload=reply_to_json(Reply(text=key)),
                now=clock.now() - timedelta(minutes=5),
                expires_at=expires,
            )

    assert await deliver(app.db, {"test": adapter}, clock) == 2

    assert adapter.keys_in("room-1") == ["fresh", "plain"]
    assert adapter.attempts["stale"] == 0
    (missed,) = await schedule_store.missed(app.db, club)
    assert missed.key == "stale" and missed.reason == EXPIRED == "its meeting had started"
    assert await _notices(app) == []  # the room works: nothing to tell the moderators
    assert await app.db.fetchone("SELECT 1 FROM room_failures") is None
    assert not await outbox_store.unsent(app.db, ("test",))


async def test_a_reminder_stuck_in_the_outbox_until_its_meeting_starts_is_never_sent(
    app: App, clock: ManualClock
) -> None:
    adapter = FlakyAdapter()
    app.adapters["test"] = adapter
    room = Room(app)
    await room.setup()
    await add_book(app)
    await start_plan(room)
    hour_before = FIRST_MEETING - timedelta(hours=1)
    await run_until(app, clock, hour_before - timedelta(minutes=2))
    assert any("remind:86400" in key for _, key in adapter.sent)  # the day-before reminder went out

    adapter.down.add("room-1")  # the room fails from just before the 1h reminder until after the meeting starts
    await run_until(app, clock, FIRST_MEETING + timedelta(minutes=5))
    stuck = [key for key in adapter.attempts if "remind:3600" in key]
    assert stuck and not any("remind:3600" in key for _, key in adapter.sent)

    adapter.down.clear()  # even while the reminder still waits out its backoff, it is given up now
    await run_until(app, clock, FIRST_MEETING + timedelta(minutes=6))
    assert not any("remind:3600" in key for _, key in adapter.sent), "a reminder went out after its meeting began"
    missed = {m.key: m.reason for m in await schedule_store.missed(app.db)}
    assert missed[stuck[0]] == "its meeting had started"
    assert all("remind:3600" not in row.key for row in await outbox_store.unsent(app.db, ("test",)))
    await run_until(app, clock, FIRST_MEETING + timedelta(hours=1))  # the rest waits out its backoff, then goes
    assert not await outbox_store.unsent(app.db, ("test",))
    assert [key for _, key in adapter.sent].count("plan:1:opens@2026-11-03T18:00:00Z") == 1
