"""external_refs on a real SQLite file: deleting a family of keys by their start (a closed poll's votes)."""

from __future__ import annotations

from bot.app import App
from bot.storage import refs


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
