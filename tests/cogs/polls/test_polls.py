"""Polls and votes through a chat room: creating, voting, closing by deadline or by hand, special polls."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import logging
import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import App
from bot.clock import ManualClock
from bot.commands import PollRef
from bot.replies import Reply
from bot.storage import books as book_store
from bot.storage import jobs as job_store
from bot.storage import members as member_store
from bot.storage import polls as poll_store
from bot.storage.books import NewBook, NewParagraph, NewSection
from bot.storage.db import Database, Transaction
from bot.storage.polls import PollKind
from cogs.polls import closing as polls_closing
from cogs.polls import opening as polls_opening
from cogs.polls.results import tally
from tests.conftest import Room


class RecordingAdapter:
    platform = "test"

    def __init__(self) -> None:
        self.sent: list[Reply] = []

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def send(
        self, room_id: str, reply: Reply, *, key: str, thread_key: str | None = None, starts_thread: bool = False
    ) -> str:
        self.sent.append(reply)
        return f"m{len(self.sent)}"


async def ballot_rows(room: Room, poll_id: int) -> int:
    return await poll_store.ballot_count(room.app.db, poll_id)


def field(reply: Reply, name: str) -> str:
    return next(f.value for f in reply.fields if f.name == name)


# ---------------------------------------------------------------- creating
async def test_poll_reply_offers_one_vote_button_per_option(room: Room) -> None:
    reply = await room.say('poll create "Which chapter first?" "Lenin" "Trotsky" "Bukharin"')
    assert reply.kind == "poll" and not reply.ephemeral
    assert reply.title == "Poll #1: Which chapter first?"
    assert [c.command for c in reply.choices] == ["vote 1 A", "vote 1 B", "vote 1 C"]
    assert [c.label for c in reply.choices] == ["A: Lenin", "B: Trotsky", "C: Bukharin"]
    assert "`/vote 1 A`" in reply.text
    assert field(reply, "Closes") == "when a moderator closes it"


async def test_ranked_poll_explains_typed_ranking_and_buttons_give_first_preference(room: Room) -> None:
    reply = await room.say('poll create "Order?" "One" "Two" "Three" kind:ranked')
    assert "`/vote 1 C B A`" in reply.text and "first preference" in reply.text
    assert [c.command for c in reply.choices] == ["vote 1 A", "vote 1 B", "vote 1 C"]
    pressed = await room.say(reply.choices[1].command, who="bob")
    assert pressed.text == "Your vote in poll #1 is recorded: B."


async def test_members_vote_but_only_moderators_create_and_close(room: Room) -> None:
    refused = await room.say('poll create "Q?" "a" "b"', who="bob")
    assert refused.kind == "error" and refused.text == "Only moderators can use `poll create`."
    await room.say('poll create "Q?" "a" "b"')
    assert (await room.say("poll close 1", who="bob")).text == "Only moderators can use `poll close`."
    assert (await room.say("vote 1 a", who="bob")).kind != "error"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('poll create "Q?" "only one"', "A poll needs at least two options"),
        ('poll create "Q?" "Yes" "yes"', "The option “yes” is listed twice; list each option once."),
        ('poll create "Q?" "a" "b" closes:yesterday', "`closes` should be a duration like 2d or a date and time"),
        ('poll create "Q?" "a" "b" closes:2026-01-01T10:00', "`closes` must be in the future"),
        ('poll create "Q?" "a" "b" quorum:0', "`quorum` should be at least 1 ballot."),
        ('poll create "Q?" "a" "b" kind:borda', "`kind` should be one of single, multi, ranked"),
    ],
)
async def test_bad_polls_are_refused_in_one_sentence(room: Room, line: str, message: str) -> None:
    reply = await room.say(line)
    assert reply.kind == "error" and reply.text.startswith(message)
    assert await poll_store.of_group(room.app.db, 1) == []


async def test_closes_takes_a_date_time_in_the_group_zone(room: Room) -> None:
    reply = await room.say('poll create "Q?" "a" "b" closes:2026-11-05T19:00')
    assert field(reply, "Closes") == "Thu 05 Nov 2026, 19:00 CET"
    [job] = await job_store.pending(room.app.db)
    assert job.kind == "poll-close" and job.payload == {"poll_id": 1}
    assert job.fire_at == datetime(2026, 11, 5, 18, 0, tzinfo=UTC)  # Berlin is UTC+1 in November


# ---------------------------------------------------------------- voting
async def test_a_second_vote_replaces_the_first(room: Room) -> None:
    await room.say('poll create "Next?" "State and Revolution" "The Civil War in France"')
    first = await room.say("vote 1 B", who="bob")
    assert first.ephemeral and first.text == "Your vote in poll #1 is recorded: B."
    again = await room.say("vote #1 state", who="bob")
    assert again.ephemeral and again.text == "Your vote in poll #1 is replaced: A."
    assert await ballot_rows(room, 1) == 1
    shown = await room.say("poll show 1", who="carol")
    assert field(shown, "Ballots") == "1"
    assert "**A** State and Revolution — 1 vote (100%)" in shown.text  # public polls show running counts


async def test_letters_numbers_and_name_prefixes_all_work(room: Room) -> None:
    await room.say('poll create "Read?" "State and Revolution" "The Civil War in France" "Capital" kind:multi')
    assert (await room.say("vote 1 A 3", who="bob")).text == "Your vote in poll #1 is recorded: A, C."
    assert (await room.say("vote 1 civil war", who="carol")).text == "Your vote in poll #1 is recorded: B."
    assert (await room.say("vote 1 state and revolution, cap", who="dan")).text.endswith("recorded: A, C.")
    unclear = await room.say("vote 1 Z", who="erin")
    assert unclear.kind == "error" and "I don't see an option “Z”" in unclear.text
    assert await ballot_rows(room, 1) == 3


async def test_ranked_ballots_must_name_each_option_once(room: Room) -> None:
    await room.say('poll create "Order?" "One" "Two" "Three" kind:ranked')
    assert (await room.say("vote 1 B A C", who="bob")).text == "Your vote in poll #1 is recorded: B > A > C."
    twice = await room.say("vote 1 B B", who="carol")
    assert twice.kind == "error" and twice.text == "You listed B twice; name each option once."
    single = await room.say('poll create "Pick?" "x" "y"')
    assert single.kind == "poll"
    many = await room.say("vote 2 A B", who="bob")
    assert many.text == "This poll takes one choice; send just one letter, number or option name."
    assert await ballot_rows(room, 1) == 1 and await ballot_rows(room, 2) == 0


async def test_voting_on_unknown_or_closed_polls_stores_nothing(app: App) -> None:
    room = Room(app)
    await room.setup()
    other = Room(app, room_id="room-2")
    await other.setup(founder="zoe")
    await other.say('poll create "Theirs?" "a" "b"', who="zoe")  # poll #1 belongs to the other group
    unknown = await room.say("vote 1 A", who="bob")
    assert unknown.kind == "error"
    assert unknown.text == "There is no poll #1 in this group; `poll list` shows the group's polls."
    assert (await room.say("vote seven A", who="bob")).text.startswith("“seven” is not a poll number")
    await room.say('poll create "Ours?" "a" "b"')
    await room.say("poll close 2")
    closed = await room.say("vote 2 A", who="bob")
    assert closed.text == "Poll #2 is closed; `poll show 2` shows its results."
    assert await ballot_rows(room, 1) == 0 and await ballot_rows(room, 2) == 0


async def test_one_ballot_per_member_is_a_database_constraint(room: Room) -> None:
    await room.say('poll create "Q?" "a" "b"')
    await room.say("vote 1 A", who="bob")
    bob = await member_store.upsert(room.app.db, "test", "bob", "bob", room.app.clock.now())
    with pytest.raises(sqlite3.IntegrityError):
        await room.app.db.execute(
            "INSERT INTO ballots (poll_id, member_id, choices, cast_at) VALUES (1, ?, '[1]', '2026-11-02T09:00:00Z')",
            (bob.id,),
        )


# ---------------------------------------------------------------- closing and results
async def test_deadline_closes_the_poll_and_posts_results(room: Room, clock: ManualClock) -> None:
    adapter = RecordingAdapter()
    room.app.adapters["test"] = adapter
    await room.say('poll create "Meet online?" "Yes" "No" closes:2d')
    for who, choice in (("bob", "A"), ("carol", "A"), ("dan", "B")):
        await room.say(f"vote 1 {choice}", who=who)
    clock.advance(timedelta(days=2))
    late = await room.say("vote 1 B", who="erin")  # due, but the scheduler has not run yet
    assert late.text == "Voting in poll #1 ended at Wed 04 Nov 2026, 10:00 CET; the results will be posted in a moment."
    waiting = await room.say("poll show 1", who="erin")
    assert "Voting has ended; the results will be posted in a moment." in waiting.text and waiting.choices == ()
    await room.app.tick()
    [posted] = adapter.sent
    assert posted.kind == "poll-results" and posted.title == "Poll #1 results: Meet online?"
    assert "**A** Yes — 2 votes (67%)" in posted.text and "**B** No — 1 vote (33%)" in posted.text
    assert "Winner: **A** Yes." in posted.text
    assert await ballot_rows(room, 1) == 3  # erin's late vote was not stored
    shown = await room.say("poll show 1", who="bob")
    assert shown.title == posted.title and field(shown, "Ballots") == "3"
    assert (await room.say("vote 1 B", who="bob")).text == "Poll #1 is closed; `poll show 1` shows its results."


async def test_closing_by_hand_makes_the_deadline_a_no_op(room: Room, clock: ManualClock) -> None:
    adapter = RecordingAdapter()
    room.app.adapters["test"] = adapter
    await room.say('poll create "Q?" "a" "b" closes:1d')
    await room.say("vote 1 b", who="bob")
    closed = await room.say("poll close 1")
    assert closed.title == "Poll #1 results: Q?" and "Winner: **B** b." in closed.text
    again = await room.say("poll close 1")
    assert again.text == "Poll #1 is already closed; `poll show 1` shows its results."
    clock.advance(timedelta(days=1))
    await room.app.tick()
    assert adapter.sent == []  # results were given once, when the moderator closed it
    assert await job_store.pending(room.app.db) == []


async def test_ranked_results_show_the_instant_runoff_rounds(room: Room) -> None:
    await room.say('poll create "Which?" "Alpha" "Beta" "Gamma" kind:ranked')
    ballots = ["A"] * 4 + ["B C"] * 3 + ["C B"] * 2
    for n, ranking in enumerate(ballots):
        await room.say(f"vote 1 {ranking}", who=f"reader{n}")
    result = await room.say("poll close 1")
    assert "**A** Alpha — 4 first preferences (44%)" in result.text
    assert "Round 1: A 4 · B 3 · C 2 — C eliminated" in result.text
    assert "Round 2: A 4 · B 5" in result.text
    assert "Winner: **B** Beta." in result.text  # plurality would have picked Alpha


async def test_multi_choice_results_give_the_share_of_ballots(room: Room) -> None:
    await room.say('poll create "Snacks?" "Tea" "Cake" "Fruit" kind:multi')
    for who, choice in (("bob", "A B"), ("carol", "A"), ("dan", "B C"), ("erin", "A C")):
        await room.say(f"vote 1 {choice}", who=who)
    result = await room.say("poll close 1")
    assert "**A** Tea — 3 votes (75% of ballots)" in result.text
    assert "**C** Fruit — 2 votes (50% of ballots)" in result.text
    assert "Winner: **A** Tea." in result.text


async def test_quorum_not_met_declares_no_result(room: Room) -> None:
    await room.say('poll create "Q?" "a" "b" quorum:3')
    await room.say("vote 1 a", who="bob")
    await room.say("vote 1 a", who="carol")
    result = await room.say("poll close 1")
    assert "Quorum not met: 2 ballots, 3 needed — no result is declared." in result.text
    assert "Winner" not in result.text
    listing = await room.say("poll list", who="bob")
    assert "#1 Q? — closed, quorum not met" in listing.text


async def test_list_show_and_autocomplete(room: Room) -> None:
    await room.say('poll create "Book club snacks?" "a" "b" closes:3d')
    await room.say('poll create "Which venue?" "a" "b"')
    await room.say("vote 1 a", who="bob")
    await room.say("poll close 2")
    listing = await room.say("poll list", who="bob")
    assert listing.text.splitlines() == [
        "#1 Book club snacks? — open, 1 ballot, closes Thu 05 Nov 2026, 10:00 CET",
        "#2 Which venue? — closed, nobody voted",
    ]
    assert (await room.say("poll", who="bob")).text == listing.text
    ctx = room.context("bob")
    assert await room.app.complete(ctx, PollRef, "") == [("#1 Book club snacks?", "1")]
    assert await room.app.complete(ctx, PollRef, "snack") == [("#1 Book club snacks?", "1")]
    assert await room.app.complete(ctx, PollRef, "venue") == []  # closed polls are not offered
    elsewhere = Room(room.app, room_id="not-a-group").context("bob")
    assert await room.app.complete(elsewhere, PollRef, "") == []


# ---------------------------------------------------------------- anonymity
async def test_anonymous_polls_never_reveal_who_voted_what(room: Room, caplog: pytest.LogCaptureFixture) -> None:
    voters = {"Bartholomew": "A", "Cordelia": "B", "Desdemona": "A"}
    replies: list[Reply] = []
    with caplog.at_level(logging.DEBUG, logger="bot"), caplog.at_level(logging.DEBUG, logger="cogs"):
        replies.append(await room.say('poll create "Secret?" "Yes" "No" anonymous'))
        for who, choice in voters.items():
            replies.append(await room.say(f"vote 1 {choice}", who=who))
        shown = await room.say("poll show 1", who="Bartholomew")
        replies.append(shown)
        assert "Yes —" not in shown.text and field(shown, "Ballots") == "3"  # no running counts to watch
        replies.append(await room.say("poll close 1"))
        replies.append(await room.say("poll show 1", who="Cordelia"))
        replies.append(await room.say("poll list", who="Cordelia"))
        exported = await room.say("export")
    assert "**A** Yes — 2 votes (67%)" in replies[-2].text
    ids = [str((await member_store.upsert(room.app.db, "test", n.lower(), n, room.app.clock.now())).id) for n in voters]
    export_text = [f.data.decode() for f in exported.files]
    logs = [r.getMessage() for r in caplog.records]
    for who in voters:
        for text in [r.plain() for r in replies] + export_text + logs:
            assert who.lower() not in text.lower()
    document = json.loads(export_text[0])
    [poll] = document["polls"]
    assert "ballots_cast" not in poll and poll["ballots"] == 3
    assert [o["votes"] for o in poll["options"]] == [2, 1]
    for line in logs:
        assert not any(f"member {i}" in line or f"member_id={i}" in line for i in ids)
    assert await ballot_rows(room, 1) == 0  # an anonymous poll keeps only its totals once closed


async def test_public_poll_export_lists_ballots(room: Room) -> None:
    await room.say('poll create "Open?" "Yes" "No"')
    await room.say("vote 1 B", who="Bob")
    exported = await room.say("export")
    files = {f.filename: f.data.decode() for f in exported.files}
    ballots = list(csv.DictReader(io.StringIO(files["poll_ballots.csv"])))
    assert [(b["poll"], b["voter"], b["choices"]) for b in ballots] == [("1", "Bob", "B")]


# ---------------------------------------------------------------- special polls
def _book(title: str) -> NewBook:
    section = NewSection("One", 1, (NewParagraph("Some words to read."),), 4, 1)
    return NewBook(title, ("An Author",), None, f"{title}.txt", "txt", title, (section,))


async def _add_books(room: Room, *titles: str) -> list[int]:
    async with room.app.db.transaction() as tx:
        return [await book_store.insert(tx, _book(t), room.app.clock.now()) for t in titles]


async def test_next_book_poll_offers_the_library_and_a_plan_button(room: Room) -> None:
    first, second, third = await _add_books(room, "Capital", "Grundrisse", "Anti-Dühring")
    bad = await room.say("poll next-book", who="bob")
    assert bad.text == "Only moderators can use `poll next-book`."
    reply = await room.say("poll next-book kind:ranked closes:1d")
    assert reply.title == "Poll #1: Which book should we read next?"
    assert [c.label for c in reply.choices] == ["A: Capital", "B: Grundrisse", "C: Anti-Dühring"]
    await room.say("vote 1 grund capital", who="bob")
    await room.say("vote 1 B", who="carol")
    result = await room.say("poll close 1")
    assert "Winner: **B** Grundrisse." in result.text
    assert [(c.label, c.command) for c in result.choices] == [("Add to the plan", f"plan add {second}")]
    assert first and third


async def test_next_book_poll_shortens_long_titles(room: Room) -> None:
    await _add_books(room, "A " + "very " * 40 + "long title", "Short")
    reply = await room.say("poll next-book")
    assert reply.kind == "poll"
    long_label, short_label = (c.label for c in reply.choices)
    assert len(long_label) == 80 and long_label.endswith("…") and short_label == "B: Short"


async def test_next_book_winner_is_appended_through_the_plans_service(
    room: Room, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = await _add_books(room, "Capital", "Grundrisse", "Anti-Dühring")
    calls: list[tuple[int, int]] = []

    async def append_book(app: App, tx: Transaction, group_id: int, book_id: int) -> None:
        calls.append((group_id, book_id))
        await tx.execute("INSERT INTO meta (key, value) VALUES ('appended', ?)", (str(book_id),))

    async def planned_book_ids(db: object, group_id: int) -> set[int]:
        return {ids[0]}

    monkeypatch.setattr(polls_closing, "append_book", append_book)
    monkeypatch.setattr(polls_opening, "planned_book_ids", planned_book_ids)
    reply = await room.say("poll next-book")
    assert [c.label for c in reply.choices] == ["A: Grundrisse", "B: Anti-Dühring"]  # Capital is planned
    await room.say("vote 1 B", who="bob")
    result = await room.say("poll close 1")
    assert calls == [(1, ids[2])]
    assert "*Anti-Dühring* is added to the end of the group's plan." in result.text and result.choices == ()
    row = await room.app.db.fetchone("SELECT value FROM meta WHERE key = 'appended'")
    assert row is not None and row[0] == str(ids[2])


async def test_a_failing_plan_append_is_undone_and_the_poll_still_closes(
    room: Room, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = await _add_books(room, "Capital", "Grundrisse")

    async def append_book(app: App, tx: Transaction, group_id: int, book_id: int) -> None:
        await tx.execute("INSERT INTO meta (key, value) VALUES ('half-done', 'x')")
        raise RuntimeError("plans are broken")

    monkeypatch.setattr(polls_closing, "append_book", append_book)
    await room.say("poll next-book")
    await room.say("vote 1 A", who="bob")
    result = await room.say("poll close 1")
    assert [c.command for c in result.choices] == [f"plan add {ids[0]}"]
    assert await room.app.db.fetchone("SELECT 1 FROM meta WHERE key = 'half-done'") is None
    assert not (await poll_store.get(room.app.db, 1)).is_open  # type: ignore[union-attr]


async def test_next_book_with_the_real_plans_service_and_no_running_plan(room: Room) -> None:
    ids = await _add_books(room, "Capital", "Grundrisse")
    await room.say("poll next-book")
    await room.say("vote 1 B", who="bob")
    result = await room.say("poll close 1")
    assert result.kind == "poll-results" and "Winner: **B** Grundrisse." in result.text
    assert [c.command for c in result.choices] == [f"plan add {ids[1]}"]  # no plan to append to: a button
    assert not (await poll_store.get(room.app.db, 1)).is_open  # type: ignore[union-attr]


async def test_meeting_time_poll_checks_slots_and_offers_the_cadence(room: Room) -> None:
    bad = await room.say('poll meeting-time "tuesday 19:00" "someday soon"')
    assert bad.kind == "error" and "I don't understand “someday”" in bad.text
    dates = await room.say('poll meeting-time "tuesday 19:00" "2026-12-01 19:00"')
    assert dates.text == "“2026-12-01 19:00” is a list of dates; a meeting-time option is a weekday and a time."
    same = await room.say('poll meeting-time "tuesday 19:00" "tue 7pm"')
    assert same.text == "“tue 7pm” is the same time as another option; list each time once."
    reply = await room.say('poll meeting-time "tuesday 19:00" "thursday 6:30pm"')
    assert [c.label for c in reply.choices] == ["A: Tuesday at 19:00", "B: Thursday at 18:30"]
    assert field(reply, "Kind") == "multiple choice"
    await room.say("vote 1 A B", who="bob")
    await room.say("vote 1 thu", who="carol")
    result = await room.say("poll close 1")
    assert "Winner: **B** Thursday at 18:30." in result.text
    assert [(c.label, c.command) for c in result.choices] == [
        ("Use this time", 'plan cadence "every Thursday at 18:30"')
    ]


# ---------------------------------------------------------------- concurrency
async def test_a_thousand_concurrent_ballots_are_each_recorded_once(room: Room) -> None:
    await room.say('poll create "Busy?" "Red" "Green" "Blue"')
    voters = [f"reader{n:04d}" for n in range(1000)]
    replies = await asyncio.gather(*(room.say(f"vote 1 {'ABC'[n % 3]}", who=who) for n, who in enumerate(voters)))
    assert all(r.text.startswith("Your vote in poll #1 is recorded") for r in replies)
    assert await ballot_rows(room, 1) == 1000
    result = await room.say("poll close 1")
    assert "**A** Red — 334 votes (33%)" in result.text
    assert "**B** Green — 333 votes (33%)" in result.text
    assert "**C** Blue — 333 votes (33%)" in result.text
    assert field(result, "Ballots") == "1000"


# ---------------------------------------------------------------- the frozen result
_KIND_BALLOTS = st.sampled_from(["single", "multi", "ranked"]).flatmap(
    lambda kind: st.tuples(
        st.just(kind),
        st.integers(2, 5).flatmap(
            lambda n: st.tuples(
                st.just(n),
                st.lists(
                    st.permutations(range(n)).flatmap(
                        lambda order: st.integers(1, len(order)).map(lambda k: tuple(order[:k]))
                    ),
                    max_size=25,
                ),
            )
        ),
    )
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=_KIND_BALLOTS)
def test_a_frozen_result_reads_back_exactly_as_counted(
    case: tuple[PollKind, tuple[int, Sequence[tuple[int, ...]]]],
) -> None:
    kind, (n, raw) = case
    ballots = [b[:1] if kind == "single" else (tuple(sorted(b)) if kind == "multi" else b) for b in raw]
    asyncio.run(_freeze_and_read(kind, n, ballots))


async def _freeze_and_read(kind: PollKind, n: int, ballots: Sequence[tuple[int, ...]]) -> None:
    now = datetime(2026, 11, 2, tzinfo=UTC)
    db = await Database.open(":memory:")
    try:
        async with db.transaction() as tx:
            await tx.execute(
                "INSERT INTO groups (id, platform, room_id, created_at) VALUES (1, 't', 'r', '2026-11-02T00:00:00Z')"
            )
            poll_id = await poll_store.create(
                tx,
                group_id=1,
                question="Q",
                kind=kind,
                options=[(f"o{i}", None) for i in range(n)],
                now=now,
            )
            for voter, ballot in enumerate(ballots):
                member = await member_store.upsert(tx, "t", f"m{voter}", "m", now)
                assert await poll_store.cast_ballot(tx, poll_id, member.id, ballot, now) == "recorded"
            poll = await poll_store.get(tx, poll_id)
            assert poll is not None
            counted = tally(poll, [b.choices for b in await poll_store.ballots(tx, poll_id)])
            assert await poll_store.close(tx, poll_id, counted, now, drop_ballots=True)
        closed = await poll_store.get(db, poll_id)
        assert closed is not None and not closed.is_open
        assert await poll_store.frozen_tally(db, closed) == counted
        assert await poll_store.ballot_count(db, poll_id) == 0
    finally:
        await db.close()


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
