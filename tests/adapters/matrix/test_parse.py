"""Reading incoming Matrix events: command lines, reactions, poll answers, inviters and power levels."""

from __future__ import annotations

import pytest

from bot.adapters.matrix.parse import (
    CREATOR_LEVEL,
    RoomPower,
    choice_index,
    command_line,
    inviter_allowed,
    poll_answer_indexes,
    strip_reply_fallback,
)


def test_poll_responses_pick_answers_by_number_in_every_msc3381_form() -> None:
    assert poll_answer_indexes({"org.matrix.msc3381.poll.response": {"answers": ["2"]}}, 2) == [1]
    assert poll_answer_indexes({"m.poll.response": {"answers": ["1"]}}, 2) == [0]
    assert poll_answer_indexes({"m.selections": ["2"]}, 2) == [1]  # the stable form (Matrix 1.7)
    assert poll_answer_indexes({"m.selections": ["3", "1", "1"]}, 3) == [2, 0]  # multi-select, each once
    assert poll_answer_indexes({"org.matrix.msc3381.poll.response": {"answers": ["3"]}}, 2) == []
    assert poll_answer_indexes({"org.matrix.msc3381.poll.response": {"answers": []}}, 2) == []
    assert poll_answer_indexes({"org.matrix.msc3381.poll.response": {"answers": ["dune"]}}, 2) == []


@pytest.mark.parametrize(
    ("key", "expected"),
    [("1", 0), ("2️⃣", 1), ("2⃣", 1), ("B", 1), ("b", 1), ("🇦", 0), ("emma", 1), ("🔟", None), ("👍", None), ("4", None)],
)
def test_reaction_keys_pick_a_choice(key: str, expected: int | None) -> None:
    assert choice_index(key, ["Dune", "Emma", "Ulysses"]) == expected


def test_a_label_wins_over_a_number() -> None:
    assert choice_index("2", ["2", "1"]) == 0


def test_command_lines_need_the_prefix_as_a_word() -> None:
    assert command_line("!rg help", "!rg ") == "help"
    assert command_line("  !RG   library show rogovin ", "!rg ") == "library show rogovin"
    assert command_line("!rg", "!rg ") == "help"
    assert command_line("!rgx help", "!rg ") is None
    assert command_line("hello !rg help", "!rg ") is None
    assert command_line("> <@bob:example.org> the file\n\n!rg library add", "!rg ") == "library add"


def test_reply_fallback_is_stripped_only_when_it_leads() -> None:
    assert strip_reply_fallback("> <@a:b> quoted\n> more\n\nreal text") == "real text"
    assert strip_reply_fallback("text\n> not a fallback") == "text\n> not a fallback"


def test_inviters_are_matched_by_user_or_server() -> None:
    allowed = ("@alice:example.org", ":readers.net")
    assert inviter_allowed("@alice:example.org", allowed)
    assert inviter_allowed("@zoe:readers.net", allowed)
    assert not inviter_allowed("@bob:example.org", allowed)
    assert not inviter_allowed("@eve:evil.readers.net", allowed)
    assert not inviter_allowed("@alice:example.org", ())


def test_power_follows_the_events_and_creators_of_new_rooms_outrank_everyone() -> None:
    power = RoomPower()
    power.apply({"type": "m.room.create", "state_key": "", "sender": "@c:x", "content": {"room_version": "12"}})
    power.apply({"type": "m.room.power_levels", "state_key": "", "content": {"users": {"@m:x": 50}}})
    assert (power.level("@c:x"), power.level("@m:x"), power.level("@n:x")) == (CREATOR_LEVEL, 50, 0)
    power.apply({"type": "m.room.power_levels", "state_key": "", "content": {"users_default": 10}})
    assert power.level("@m:x") == 10

    old = RoomPower()
    old.apply({"type": "m.room.create", "state_key": "", "sender": "@c:x", "content": {"room_version": "10"}})
    old.apply({"type": "m.room.power_levels", "state_key": "", "content": {"users": {"@c:x": 100}}})
    assert old.level("@c:x") == 100
