"""Every member action stays in the group where it was taken (issue #16): a member of two groups, and a
generated prompt that two groups share, never carry an upvote, a `done` or an `undo` from one group into the
other."""

from __future__ import annotations

import re

import pytest

from bot.app import App
from bot.storage import progress as progress_store
from tests.conftest import Room
from tests.scheduling.support import add_book

PLAN = 'plan create "Test Book" start:2026-11-03 every:"tuesday 19:00" per-meeting:"1 section"'


async def two_rooms(app: App) -> tuple[Room, Room]:
    first, second = Room(app), Room(app, room_id="room-2")
    await first.setup("alice")
    await second.setup("dora")
    return first, second


def upvotes_of(listing: str, prompt_id: int) -> int:
    """The upvotes `prompt list` shows for one prompt (0 when it shows none)."""
    block = listing.split(f"#{prompt_id} ", 1)[1].split("\n#", 1)[0]
    found = re.search(r"(\d+) upvotes?\)", block)
    return int(found.group(1)) if found else 0


@pytest.mark.default_library
async def test_an_upvote_on_a_shared_generated_prompt_counts_only_in_its_group(app: App) -> None:
    first, second = await two_rooms(app)
    listed = await first.say("prompt list jacobins:7", who="bob")
    shared = int(listed.text.split("#", 1)[1].split()[0])  # the first generated prompt, shared by both groups
    assert (await first.say(f"prompt upvote {shared}", who="bob")).text.endswith("(1 upvote).")
    assert (await first.say(f"prompt upvote {shared}", who="carol")).text.endswith("(2 upvotes).")

    assert upvotes_of((await second.say("prompt list jacobins:7", who="dora")).text, shared) == 0
    # bob belongs to both groups: his upvote in the first group does not stand for him in the second
    assert (await second.say(f"prompt upvote {shared}", who="bob")).text.endswith("(1 upvote).")
    assert upvotes_of((await second.say("prompt list jacobins:7", who="dora")).text, shared) == 1
    assert upvotes_of((await first.say("prompt list jacobins:7", who="bob")).text, shared) == 2
    shown = (await second.say("prompts jacobins:7", who="dora")).text
    if f"#{shared} " in shown:
        assert upvotes_of(shown, shared) == 1


async def test_undo_in_one_group_does_not_reset_the_guard_of_another(app: App) -> None:
    await add_book(app)
    first, second = await two_rooms(app)
    for room, founder in ((first, "alice"), (second, "dora")):
        preview = await room.say(PLAN, who=founder)
        assert (await room.say(preview.choices[0].command, who=founder)).kind != "error"
    await app.tick()
    assert (await first.say("done 1", who="bob")).kind != "error"
    assert (await first.say("done 2", who="bob")).kind != "error"
    assert (await first.say("undo", who="bob")).text == "2. *Chapter 2* is no longer marked as read."
    assert (await second.say("done 1", who="bob")).kind != "error"
    assert (await second.say("undo", who="bob")).text == "1. *Chapter 1* is no longer marked as read."
    again = await first.say("undo", who="bob")
    assert again.kind == "error" and "already took back your latest `done`" in again.text
    assert "1 of 3 readings finished" in (await first.say("progress", who="bob")).text
    assert "0 of 3 readings finished" in (await second.say("progress", who="bob")).text


async def test_done_and_nudges_stay_in_their_group(app: App) -> None:
    await add_book(app)
    first, second = await two_rooms(app)
    for room, founder in ((first, "alice"), (second, "dora")):
        preview = await room.say(PLAN, who=founder)
        assert (await room.say(preview.choices[0].command, who=founder)).kind != "error"
    await app.tick()
    assert (await first.say("done 1", who="bob")).kind != "error"
    assert (await first.say("nudge on", who="bob")).kind != "error"
    assert "0 of 3 readings finished" in (await second.say("progress", who="bob")).text
    bob = (await app.db.fetchone("SELECT id FROM members WHERE user_id = 'bob'"))[0]  # type: ignore[index]
    assert await progress_store.nudge_hours(app.db, 1, bob) is not None
    assert await progress_store.nudge_hours(app.db, 2, bob) is None
