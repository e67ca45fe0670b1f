"""The adapter port's shared helpers: private rooms and choices that ask the member for text."""

from __future__ import annotations

from bot.adapters.base import asks_for_text, direct_room, fill_text, typed_command
from bot.commands import parse_line
from bot.features import Catalog
from cogs import all_features


def test_direct_rooms_name_the_user() -> None:
    assert direct_room("@ada:example.org") == "dm:@ada:example.org"


def test_a_placeholder_asks_for_text_that_reaches_the_command_as_written() -> None:
    command = "prompt suggest 3 {text}"
    assert asks_for_text(command) and not asks_for_text("prompt upvote 3")
    assert typed_command(command) == "prompt suggest 3 <your text>"
    assert typed_command("vote 7 A") == "vote 7 A"
    registry = Catalog.of(all_features()).registry
    for text in ('Is "Thermidor" apt?', "Why reading:2 \\ not 3?", "Two\nlines?", "“Curly” quotes?"):
        spec, positional, named = parse_line(registry, fill_text(command, text))
        assert (spec.name, positional, named) == ("prompt suggest", ["3", text], {})
