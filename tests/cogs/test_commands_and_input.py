"""Issue #16, commands and input: options named as such, one sentence for every odd number, date and character,
`help` as members copy it, `undo` of the latest `done` only, search gated like quotes, region zones, honest
previews and labels."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.charts import member_ticks
from bot.replies import Reply, Upload
from bot.storage import members as member_store
from tests.conftest import Room
from tests.scheduling.support import add_book

APOLOGY = "Sorry"


def sentence(reply: Reply) -> str:
    """An error reply that is one clear sentence (or two), never the apology for an unexpected failure."""
    assert reply.kind == "error", reply.text
    assert not reply.text.startswith(APOLOGY), reply.text
    assert "Traceback" not in reply.text
    return reply.text


PLAN = 'plan create "Test Book" start:2026-11-03 every:"tuesday 19:00" per-meeting:"1 section"'


async def test_unknown_and_extra_options_are_named(room: Room) -> None:
    await add_book(room.app)
    text = sentence(await room.say(PLAN + " colour:red"))
    assert text.startswith("I don't know the option `colour`; its options are `book:`, `start:`")
    assert "`tz`" not in text.split("\n")[0]
    text = sentence(await room.say("group timezone Europe/Berlin colour:red"))
    assert text.startswith("I don't know the option `colour`")


async def test_a_repeated_flag_is_refused(room: Room) -> None:
    text = sentence(await room.say('poll create "Lunch?" "soup" "salad" anonymous anonymous'))
    assert text.startswith("`anonymous` is given twice.")
    assert sentence(await room.say('poll create "Lunch?" "soup" "salad" anonymous anonymous:yes')).startswith(
        "`anonymous` is given twice."
    )


async def test_meeting_time_poll_without_slots_shows_its_own_syntax(room: Room) -> None:
    text = sentence(await room.say("poll meeting-time"))
    assert '`poll meeting-time "tuesday 19:00" "thursday 18:30"`' in text
    assert "poll create" not in text


async def test_help_accepts_a_leading_slash(room: Room) -> None:
    reply = await room.say("help /plan create")
    assert reply.kind != "error", reply.text
    assert reply.title == "/plan create"
    assert (await room.say("help /plan")).title == "plan commands"


async def test_undo_takes_back_only_the_latest_done(room: Room) -> None:
    await add_book(room.app)
    preview = await room.say(PLAN)
    await room.say(preview.choices[0].command)
    await room.app.tick()
    assert (await room.say("done 1", who="bob")).kind != "error"
    assert (await room.say("done 2", who="bob")).kind != "error"
    assert (await room.say("undo", who="bob")).text == "2. *Chapter 2* is no longer marked as read."
    text = sentence(await room.say("undo", who="bob"))
    assert text.startswith("You already took back your latest `done`")
    progress = await room.say("progress", who="bob")
    assert "1 of 3 readings finished" in progress.text  # reading 1 stays marked
    assert (await room.say("done 3", who="bob")).kind != "error"
    assert (await room.say("undo", who="bob")).text == "3. *Chapter 3* is no longer marked as read."


async def test_library_search_is_gated_like_quote_search(room: Room) -> None:
    await add_book(room.app)  # "Text of chapter N of Test Book." in each section
    preview = await room.say(PLAN)
    await room.say(preview.choices[0].command)
    await room.app.tick()  # reading 1 opens
    found = await room.say("library search chapter")
    assert "Text of chapter 1" in found.text or "chapter 1" in found.text.lower()
    assert "“Chapter 2”" not in found.text and "“Chapter 3”" not in found.text
    text = sentence(await room.say("library search chapter 3"))
    assert "the group has opened" in text


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("group timezone EST", "use a region name such as America/New_York"),
        ("group timezone Etc/GMT+5", "use a region name such as Europe/Berlin"),
        ("group timezone cet", "use a region name such as Europe/Berlin"),
    ],
)
async def test_group_zones_must_be_region_names(room: Room, line: str, expected: str) -> None:
    assert expected in sentence(await room.say(line))


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("nudge on hours:²", "`hours` should be a whole number"),
        ("library show ²", "I don't know a book"),
        ("prompts test:²", ""),
        ("done ²", "This group has no study plan yet"),
        ("nudge on hours:" + "9" * 5000, "`hours` should be a smaller whole number"),
        ('poll create "Q?" "a" "b" quorum:' + "1" * 4400, "`quorum` should be a smaller whole number"),
        ('poll create "Q?" "a" "b" closes:0001-01-01T00:00', "`closes` should be"),
        ("vote 1 " + "9" * 5000, ""),
        ("library show " + "9" * 5000, "I don't know a book"),
        ("prompts test:" + "9" * 5000, "has sections 1 to 3"),
        (PLAN.replace("2026-11-03", "9999-12-31"), "use a date between 1970 and 2999"),
        (PLAN.replace("2026-11-03", "0001-01-01"), "use a date between 1970 and 2999"),
        ('plan create "Test Book" start:2026-11-03 every:"0001-01-01 19:00" per-meeting:"1 section"', "year 1"),
        ('plan create "Test Book" start:2026-11-03 every:"tuesday 19:00" per-meeting:"' + "9" * 5000 + '"', "couldn't"),
        ("library search \ud800broken", "Nothing in the library matches"),
    ],
)
async def test_odd_numbers_dates_and_characters_get_one_sentence(room: Room, line: str, expected: str) -> None:
    await add_book(room.app)
    await room.say('poll create "Q?" "a" "b"')
    assert sentence(await room.say("vote 1 ²")).startswith("I don't see an option “²”")
    reply = await room.say(line)
    if reply.kind == "error":
        assert expected in sentence(reply)
    else:
        assert not expected, reply.text


async def test_a_lone_surrogate_in_a_display_name_is_stored_replaced(room: Room) -> None:
    reply = await room.say("library list", who="b\udc80b")
    assert reply.kind != "error", reply.text
    stored = await member_store.get(room.app.db, 2)
    assert stored is not None and stored.display_name == "b\ufffdb"


async def test_previews_say_when_they_cannot_keep_to_the_target(room: Room) -> None:
    await add_book(room.app, minutes=(30, 30))
    preview = await room.say(
        'plan create "Test Book" start:2026-11-03 every:"tuesday 19:00" per-meeting:"about 10 minutes"'
    )
    assert "2 readings are longer than the 10 minutes asked for, because a section is never split" in preview.text
    listed = await room.say(
        'plan create "Test Book" start:2026-11-03 every:"2026-11-04 19:00, 2026-11-11 19:00, 2026-11-18 19:00" '
        'per-meeting:"1 section"'
    )
    assert "Not used: Wed 18 Nov 2026 — the readings need only 2 meetings." in listed.text


async def test_one_meeting_is_singular(room: Room) -> None:
    await add_book(room.app, minutes=(20,))
    preview = await room.say(PLAN)
    assert preview.text.startswith("1 meeting every Tuesday at 19:00")
    confirmed = await room.say(preview.choices[0].command)
    assert confirmed.text.startswith("1 meeting from Tue 03 Nov 2026")


async def test_an_untitled_single_section_has_one_name_everywhere(room: Room) -> None:
    note = (
        b"Revolutions are not defeated only by armies; they are also worn down by exhaustion and scarcity.\n\n"
        + b"A bureaucracy rises when the masses withdraw from political life after years of sacrifice.\n\n" * 4
        + b"The Tenth Congress of the party banned factions in March 1921, during the rising at the naval base.\n"
    )
    added = await room.say("library add", uploads=(Upload("note.txt", note),))
    assert added.kind != "error", added.text
    book = added.text.split("#")[1].split(" ")[0]
    shown = await room.say(f"library show {book}")
    assert shown.text.startswith("1. Opening")
    found = await room.say("quote search exhaustion")
    assert "“Opening” (§1)" in found.text
    searched = await room.say("library search exhaustion")
    assert "“Opening” (§1)" in searched.text


async def test_the_quote_of_the_day_reply_names_a_day_something_is_posted(room: Room) -> None:
    await add_book(room.app)
    preview = await room.say(PLAN.replace("2026-11-03", "2026-11-24"))  # the first reading opens Tue 17 Nov
    await room.say(preview.choices[0].command)
    reply = await room.say("quote daily on 08:30")
    assert "the first on Wed 18 Nov 2026, 08:30 CET, once the first reading has opened." in reply.text


def test_the_progress_chart_axis_counts_whole_members() -> None:
    assert member_ticks(1) == [0, 1]
    assert member_ticks(3) == [0, 1, 2, 3]
    assert all(isinstance(t, int) for t in member_ticks(40)) and len(member_ticks(40)) <= 7


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]
