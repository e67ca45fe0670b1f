"""The command declarations and the one text-argument parser every text adapter uses."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

import pytest

from bot.commands import BookRef, Invocation, Permission, Registry, Text, bind, command, parse_line, spec_of, tokenize
from bot.replies import Reply, UserError
from bot.storage import polls as poll_store
from tests.conftest import Room
from tests.scheduling.support import add_book


@command("poll create", help="Make a poll.", params={"question": "What to ask"})
async def poll_create(
    inv: Invocation,
    question: str,
    *options: str,
    kind: Literal["single", "multi", "ranked"] = "single",
    anonymous: bool = False,
    closes: timedelta | None = None,
) -> Reply:
    return Reply()


@command("plan shift", help="Move meetings.", permission=Permission.MODERATOR)
async def plan_shift(inv: Invocation, by: timedelta, start: date | None = None, tz: ZoneInfo | None = None) -> Reply:
    return Reply()


@command("library show", help="Show a book.")
async def library_show(inv: Invocation, book: BookRef, section: int | None = None) -> Reply:
    return Reply()


@command("quote random", help="A quote.", default=True)
async def quote_random(inv: Invocation) -> Reply:
    return Reply()


@command("quote search", help="Search.")
async def quote_search(inv: Invocation, words: Text) -> Reply:
    return Reply()


def registry() -> Registry:
    handlers = (poll_create, plan_shift, library_show, quote_random, quote_search)
    return Registry(s for h in handlers if (s := spec_of(h)))


def parse(line: str) -> tuple[str, dict]:
    spec, positional, named = parse_line(registry(), line)
    return spec.name, bind(spec, positional, named, None)


def test_tokenize_quotes_and_apostrophes() -> None:
    words = [t.text for t in tokenize('show "Stalin\'s Terror" tz:"Europe/Berlin"  “curly quoted”')]
    assert words == ["show", "Stalin's Terror", "tz:Europe/Berlin", "curly quoted"]
    assert [t.text for t in tokenize("Stalin's terror")] == ["Stalin's", "terror"]
    with pytest.raises(UserError, match="not closed"):
        tokenize('poll create "unfinished')


def test_positional_named_variadic_and_flags() -> None:
    name, values = parse('poll create "Next book?" Rogovin "Red Jacobins" kind:ranked anonymous closes:2d')
    assert name == "poll create"
    assert values == {
        "question": "Next book?",
        "options": ("Rogovin", "Red Jacobins"),
        "kind": "ranked",
        "anonymous": True,
        "closes": timedelta(days=2),
    }


def test_types_are_converted() -> None:
    _, values = parse("plan shift +3d start:2026-12-01 tz:europe/berlin")
    assert values == {"by": timedelta(days=3), "start": date(2026, 12, 1), "tz": ZoneInfo("Europe/Berlin")}
    _, values = parse("library show 3 section:2")
    assert values == {"book": "3", "section": 2} and isinstance(values["book"], BookRef)


def test_quoted_colon_stays_positional() -> None:
    _, values = parse('library show "Note: a title"')
    assert values["book"] == "Note: a title"


def test_greedy_text_and_default_subcommand() -> None:
    assert parse("quote search land and peace") == ("quote search", {"words": "land and peace"})
    assert parse("quote") == ("quote random", {})


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("plan shift", "`by` is missing"),
        ("plan shift soon", "`by`: I couldn't read “soon” as a duration"),
        ("library show 3 section:two", "`section` should be a whole number, not “two”"),
        ("poll create Q a b kind:weird", "`kind` should be one of single, multi, ranked"),
        ("library show 3 4 5", "I didn't expect “5” here"),
        ("librar show 3", "did you mean `library`"),
        ("plan", "`plan` needs a subcommand"),
        ("plan shfit 2d", "`plan` has no subcommand “shfit”"),
        ("plan shift 1d by:2d", "`start`: I couldn't read “1d” as a date"),
    ],
)
def test_usage_errors_name_the_parameter(line: str, message: str) -> None:
    with pytest.raises(UserError) as caught:
        parse(line)
    assert message in str(caught.value)


def test_usage_line_is_shown_for_argument_errors() -> None:
    with pytest.raises(UserError, match=r"Usage: `plan shift <by> \[start:<date>\] \[tz:<time zone>\]`"):
        parse("plan shift")


def test_registry_refuses_ambiguous_declarations() -> None:
    spec = spec_of(library_show)
    assert spec is not None
    with pytest.raises(ValueError, match="two commands"):
        Registry([spec, spec])

    @command("library", help="Clashes with the library group.")
    async def library(inv: Invocation) -> Reply:
        return Reply()

    with pytest.raises(ValueError, match="both a command and a command group"):
        Registry([spec, spec_of(library)])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="needs help text"):
        command("x", help=" ")
    with pytest.raises(ValueError, match="one or two lower-case words"):
        command("Bad Name", help="x")


@pytest.mark.default_library
@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("poll show 99999999999999999999999", "There is no poll #99999999999999999999999"),
        ("vote 99999999999999999999999 A", "There is no poll #99999999999999999999999"),
        ("prompt upvote 99999999999999999999999", "`prompt` should be a smaller whole number"),
        ("nudge on hours:99999999999999999999999", "`hours` should be a smaller whole number"),
        ('poll create "Q?" "a" "b" quorum:99999999999999999999999', "`quorum` should be a smaller whole number"),
        ("plan shift 99999999999999d", "`by` should be a shorter duration"),
        ("reminders set 99999999999999d", "should be whole minutes between 1 minute and 14 days"),
        ('poll create "Q?" "a" "b" closes:99999999d', "`closes` should be within a year"),
        ('poll create "Q?" "a" "b" closes:9999-12-31T23:59', "`closes` should be within a year"),
        ("prompts jacobins:99999999999999999999999", "has sections 1 to 8, not 99999999999999999999999"),
    ],
)
async def test_huge_numbers_get_a_sentence_not_an_apology(room: Room, line: str, expected: str) -> None:
    reply = await room.say(line)
    assert reply.kind == "error"
    assert "Sorry" not in reply.text
    assert expected in reply.text
    assert await poll_store.get(room.app.db, 1) is None  # nothing stored


async def test_a_mistyped_option_name_is_named(room: Room) -> None:
    await add_book(room.app)
    reply = await room.say('plan create "Test Book" start:2026-11-03 every:"sunday 19:00" per-meting:"1 section"')
    assert reply.kind == "error"
    assert reply.text.startswith("`plan create` has no option `per-meting:` — did you mean `per-meeting:`?")
