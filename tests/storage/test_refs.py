"""external_refs on a real SQLite file: deleting a family of keys by their start (a closed poll's votes), and the
two generations of handled-event records (bot.storage.handled)."""

from __future__ import annotations

from datetime import timedelta

from bot.app import App
from bot.storage import handled, refs


async def test_delete_starting_takes_only_keys_that_start_with_the_prefix_wildcards_included(app: App) -> None:
    keys = ["7 @ann:x", "7 @bob:x", "17 @ann:x", "70 @ann:x", "7_ @ann:x", "7% @ann:x"]
    for key in keys:
        await refs.put(app.db, "matrix", "!room", "vote", key, "$event")
    await refs.put(app.db, "matrix", "!other", "vote", "7 @ann:x", "$event")  # another room's poll 7
    await refs.put(app.db, "matrix", "!room", "choices", "7 @ann:x", "$event")  # another kind

    assert await refs.delete_starting(app.db, "matrix", "!room", "vote", "7 ") == 2
    assert sorted(await refs.of_kind(app.db, "matrix", "!room", "vote")) == sorted(
        ["17 @ann:x", "70 @ann:x", "7% @ann:x", "7_ @ann:x"]
    )
    assert await refs.delete_starting(app.db, "matrix", "!room", "vote", "7_") == 1  # "_" and "%" are no wildcards
    assert await refs.delete_starting(app.db, "matrix", "!room", "vote", "7%") == 1
    assert await refs.get(app.db, "matrix", "!other", "vote", "7 @ann:x") == "$event"
    assert await refs.get(app.db, "matrix", "!room", "choices", "7 @ann:x") == "$event"


async def test_handled_records_are_claimed_once_across_both_generations_and_dropped_after_two_periods(
    app: App,
) -> None:
    day = timedelta(days=1)
    now = app.clock.now()
    assert await handled.rotate(app.db, "matrix", ["handled"], now=now, period=day) == 0  # starts the clock
    assert await handled.claim(app.db, "matrix", "!room", "handled", "$a", "running")
    assert await handled.rotate(app.db, "matrix", ["handled"], now=now + day / 2, period=day) == 0  # too soon
    assert await handled.rotate(app.db, "matrix", ["handled"], now=now + day, period=day) == 0  # $a is old now
    assert not await handled.claim(app.db, "matrix", "!room", "handled", "$a", "running")  # still known
    await handled.put(app.db, "matrix", "!room", "handled", "$a", "done")  # updated where it is
    assert await handled.get(app.db, "matrix", "!room", "handled", "$a") == "done"
    assert await refs.get(app.db, "matrix", "!room", "handled~old", "$a") == "done"
    assert await handled.claim(app.db, "matrix", "!room", "handled", "$b", "running")
    assert await handled.rotate(app.db, "matrix", ["handled"], now=now + 2 * day, period=day) == 1  # $a goes
    assert await handled.get(app.db, "matrix", "!room", "handled", "$a") is None
    assert await handled.get(app.db, "matrix", "!room", "handled", "$b") == "running"
