"""Defects found by a QA pass through the console, each pinned through the room as a member meets it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import ManualClock
from bot.replies import Upload
from bot.storage import books as book_store
from bot.storage import jobs as job_store
from bot.storage import plans as plan_store
from bot.storage import polls as poll_store
from bot.storage import prompts as prompt_store
from tests.conftest import Room
from tests.scheduling.support import RecordingAdapter, add_book, run_until

CREATE = 'plan create "{book}" start:2026-11-03 every:"sunday 19:00" per-meeting:"1 section"'


@pytest.fixture
async def adapter(room: Room, clock: ManualClock) -> RecordingAdapter:
    recorder = RecordingAdapter(clock)
    room.app.adapters["test"] = recorder
    return recorder


async def start_plan(room: Room, book: str = "Test Book", extra: str = "") -> None:
    preview = await room.say(CREATE.format(book=book) + extra)
    assert preview.kind != "error", preview.text
    confirmed = await room.say(preview.choices[0].command)
    assert confirmed.kind != "error", confirmed.text


# ---------------------------------------------------------------- numbers too large for the database
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


# ---------------------------------------------------------------- time zones
@pytest.mark.parametrize("zone", ["Factory", "localtime"])
async def test_zones_that_are_no_place_are_refused(room: Room, zone: str) -> None:
    reply = await room.say(f"group timezone {zone}")
    assert reply.kind == "error" and f"`timezone`: “{zone}” is not the time zone of a place" in reply.text
    assert "Europe/Berlin" in (await room.say("group info")).plain()


async def test_changing_the_group_zone_moves_the_plan_keeping_local_times(
    room: Room, adapter: RecordingAdapter
) -> None:
    await add_book(room.app)
    await start_plan(room)
    reply = await room.say("group timezone America/New_York")
    assert reply.text.startswith("The group's time zone is now America/New_York.")
    assert "next meeting is Sun 08 Nov 2026, 19:00 EST" in reply.text
    shown = await room.say("plan show")
    assert "(America/New_York)" in shown.text
    assert "Sun 08 Nov 2026, 19:00 EST" in shown.text  # 19:00 where the group now is, not 13:00 (Berlin's 19:00)
    (plan,) = [p for p in [await plan_store.live(room.app.db, 1)] if p]
    assert plan.timezone == "America/New_York"
    readings = await plan_store.plan_readings(room.app.db, plan.id)
    assert readings[0].meeting_at == datetime(2026, 11, 9, 0, 0, tzinfo=UTC)
    same = await room.say("group timezone America/New_York")
    assert same.text == "The group's time zone is already America/New_York."


# ---------------------------------------------------------------- plans
@pytest.mark.default_library
async def test_untitled_first_section_is_called_opening_as_in_library_show(room: Room) -> None:
    listing = await room.say("library show jacobins")
    assert listing.text.splitlines()[0].startswith("1. Opening — ")
    preview = await room.say(CREATE.format(book="jacobins"))
    assert "1. Sun 08 Nov 2026, 19:00 CET — Opening (~3 min)" in preview.text


async def test_plan_show_lists_books_in_syllabus_order_and_add_counts_readings(
    room: Room, adapter: RecordingAdapter
) -> None:
    await add_book(room.app, "Zeta Book")
    await add_book(room.app, "Alpha Book", minutes=(30,))
    await start_plan(room, "Zeta Book")
    added = await room.say("plan add Alpha Book")
    assert "as 1 reading;" in added.text
    shown = await room.say("plan show")
    assert shown.title == "Study plan: Zeta Book, Alpha Book"


async def test_plan_add_refuses_a_book_already_in_the_plan(room: Room, adapter: RecordingAdapter) -> None:
    await add_book(room.app)
    await start_plan(room)
    again = await room.say("plan add Test Book")
    assert again.kind == "error"
    assert "*Test Book* is already in the plan (readings 1–3)" in again.text
    plan = await plan_store.live(room.app.db, 1)
    assert plan is not None and len(await plan_store.plan_readings(room.app.db, plan.id)) == 3


async def test_plan_shift_by_more_than_a_year_is_refused(room: Room, adapter: RecordingAdapter) -> None:
    await add_book(room.app)
    await start_plan(room)
    reply = await room.say("plan shift +100000d")
    assert reply.kind == "error" and "`by` should be at most 366 days" in reply.text
    assert "Sun 08 Nov 2026" in (await room.say("plan next")).title  # type: ignore[operator]


# ---------------------------------------------------------------- prompts
@pytest.mark.default_library
async def test_prompts_are_listed_by_the_number_upvote_takes(room: Room) -> None:
    suggested = await room.say("prompt suggest jacobins:7 Could Lenin have chosen otherwise?", who="bob")
    suggestion_id = int(suggested.text.split("#")[1].split()[0])
    listed = await room.say("prompt list jacobins:7", who="carol")
    first_lines = [line for line in listed.text.splitlines() if not line.startswith("   ")]
    assert first_lines[0] == f"#{suggestion_id} Could Lenin have chosen otherwise?"
    assert all(line.startswith("#") for line in first_lines)
    # carol upvotes what she sees as the first prompt: by its #, so the suggestion gets it
    await room.say(f"prompt upvote {suggestion_id}", who="carol")
    section = await book_store.section(room.app.db, 4, 7)  # jacobins §7
    assert section is not None
    (prompt,) = [p for p in await prompt_store.of_group(room.app.db, 1, [section.id]) if p.votes]
    assert prompt.id == suggestion_id


async def test_prompt_add_says_now_when_the_reading_is_already_open(room: Room, adapter: RecordingAdapter) -> None:
    await add_book(room.app)
    await start_plan(room)
    await room.app.tick()  # reading 1 opens at once (its meeting is less than a week away)
    now_open = await room.say("prompt add 1 What is the strongest claim here?")
    assert now_open.text.endswith("leads the reading's `prompts` now.")
    later = await room.say("prompt add 3 Does the ending convince?")
    assert later.text.endswith("once the reading opens.")
    suggested = await room.say("prompt suggest 3 Would you end it otherwise?", who="bob")
    assert suggested.text.endswith("once the reading opens.")


# ---------------------------------------------------------------- polls
async def test_multi_choice_example_names_only_options_the_poll_has(room: Room) -> None:
    two = await room.say('poll create "When?" "Tuesday" "Thursday" kind:multi')
    assert "`/vote 1 A B`" in two.text and " A C`" not in two.text
    three = await room.say('poll create "Which?" "x" "y" "z" kind:multi')
    assert "`/vote 2 A C`" in three.text


async def test_running_counts_match_the_results_for_multi_choice(room: Room) -> None:
    await room.say('poll create "When?" "Tuesday" "Thursday" kind:multi')
    await room.say("vote 1 A B", who="bob")
    await room.say("vote 1 A", who="carol")
    running = await room.say("poll show 1")
    assert "**A** Tuesday — 2 votes (100% of ballots)" in running.text
    assert "**B** Thursday — 1 vote (50% of ballots)" in running.text
    results = await room.say("poll close 1")
    assert "**A** Tuesday — 2 votes (100% of ballots)" in results.text


async def test_a_three_way_tie_reads_as_a_list(room: Room) -> None:
    await room.say('poll create "Which?" "x" "y" "z"')
    for who, choice in (("bob", "A"), ("carol", "B"), ("dave", "C")):
        await room.say(f"vote 1 {choice}", who=who)
    results = await room.say("poll close 1")
    assert "Tie between **A** x, **B** y and **C** z." in results.text


# ---------------------------------------------------------------- options and progress
async def test_a_mistyped_option_name_is_named(room: Room) -> None:
    await add_book(room.app)
    reply = await room.say('plan create "Test Book" start:2026-11-03 every:"sunday 19:00" per-meting:"1 section"')
    assert reply.kind == "error"
    assert reply.text.startswith("`plan create` has no option `per-meting:` — did you mean `per-meeting:`?")


async def test_nudge_hours_out_of_range_names_the_option(room: Room) -> None:
    reply = await room.say("nudge on hours:0")
    assert reply.kind == "error" and reply.text.startswith("`hours` should be between 1 and 168")


# ---------------------------------------------------------------- second QA pass
async def test_a_nudge_says_to_answer_in_the_groups_room(
    room: Room, adapter: RecordingAdapter, clock: ManualClock
) -> None:
    await add_book(room.app)
    await start_plan(room)
    await room.say("nudge on 6", who="bob")
    await run_until(room.app, clock, datetime(2026, 11, 8, 13, tzinfo=UTC))
    [nudge] = [s for s in adapter.sent if s.room_id == "dm:bob"]
    assert nudge.reply.text.endswith(
        "In the *Test group* room, `done` marks a reading as finished and `nudge off` stops these messages."
    )


async def test_reminders_show_explains_whole_days_only_when_there_are_any(room: Room) -> None:
    whole_days = "Whole days mean the same clock time that many days before"
    assert whole_days in (await room.say("reminders show")).text  # the default: 24h and 1h
    await room.say("reminders set 2h 30m")
    assert whole_days not in (await room.say("reminders show")).text
    await room.say("reminders set off")
    shown = await room.say("reminders show")
    assert shown.text == "Reminders: no reminders before meetings, plus the post when each reading opens."


@pytest.mark.parametrize(
    ("every", "described"),
    [
        ("every day 19:00", "every day at 19:00"),
        ("weekdays 7pm", "every weekday at 19:00"),
        ("saturday and sunday 10:00", "every weekend day at 10:00"),
        ("every 2 weeks on weekdays 19:00", "every 2 weeks on weekdays at 19:00"),
    ],
)
async def test_day_sets_are_described_by_name(room: Room, every: str, described: str) -> None:
    await add_book(room.app)
    preview = await room.say(f'plan create "Test Book" start:2026-11-03 every:"{every}" per-meeting:"1 section"')
    assert preview.kind != "error", preview.text
    assert f"meetings {described} (Europe/Berlin)" in preview.text
    assert "Monday" not in preview.text


@pytest.mark.default_library
async def test_quote_search_bolds_the_words_in_every_hit(room: Room) -> None:
    found = await room.say("quote search Kronstadt", who="bob")
    passages = [line for line in found.text.splitlines() if line.startswith("  > ")]
    assert len(passages) == 5
    assert all("**Kronstadt**" in p for p in passages), passages  # stored quotes and snippets alike


@pytest.mark.default_library
async def test_a_quote_card_names_book_and_author_once(room: Room) -> None:
    card = await room.say("quote", who="bob")
    assert card.kind == "quote"
    [passage, attribution] = card.text.splitlines()
    assert passage.startswith("> ") and attribution.startswith("— ")
    assert [f.name for f in card.fields] == ["Section", "Paragraph"]
    book = attribution.split("*")[1]
    assert card.plain().count(book) == 1


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("hello.txt", b"hello", "1 word"),
        ("note.md", b"# Note\n\nRemember to bring the book on Tuesday.", "7 words"),
        ("note.html", b"<html><body><p>This is a short note, and not a book.</p></body></html>", "9 words"),
    ],
)
async def test_a_file_with_a_few_words_is_not_a_book(room: Room, name: str, data: bytes, words: str) -> None:
    reply = await room.say("library add", uploads=(Upload(name, data),))
    assert reply.kind == "error"
    assert reply.text == f"I couldn't add {name}: There is too little text in that file to make a reading ({words})."
    assert await book_store.all_books(room.app.db) == []


async def test_changing_the_zone_moves_the_quote_of_the_day_and_nudges(room: Room, adapter: RecordingAdapter) -> None:
    await add_book(room.app)
    await start_plan(room)  # Sundays 19:00, the first on 8 November
    await room.say("quote daily on 09:00")
    await room.say("nudge on 6", who="bob")
    await room.say("group timezone America/New_York")
    jobs = {j.kind: j.fire_at for j in await job_store.pending(room.app.db, 1)}
    assert jobs["daily-quote"] == datetime(2026, 11, 3, 14, tzinfo=UTC)  # 09:00 in New York, not in Berlin
    assert jobs["nudge"] == datetime(2026, 11, 8, 18, tzinfo=UTC)  # 6 h before Sunday 19:00 in New York
    await room.say("quote daily on 07:00")
    await room.say("group timezone Asia/Tokyo")
    jobs = {j.kind: j.fire_at for j in await job_store.pending(room.app.db, 1)}
    assert jobs["daily-quote"] == datetime(2026, 11, 2, 22, tzinfo=UTC)  # 07:00 in Tokyo on 3 November


async def test_a_zone_change_never_brings_two_quotes_of_the_day_in_a_day(room: Room, clock: ManualClock) -> None:
    await room.say("quote daily on 09:00")  # Berlin: 08:00 UTC; the first on 3 November
    clock.advance(timedelta(days=1, hours=1))  # 3 November, 10:00 in Berlin: today's quote has gone out
    await room.app.tick()
    await room.say("group timezone America/New_York")  # 09:00 in New York is still ahead today, 14:00 UTC
    [job] = await job_store.pending(room.app.db, 1)
    assert job.fire_at == datetime(2026, 11, 4, 14, tzinfo=UTC)  # tomorrow, not six hours after today's
