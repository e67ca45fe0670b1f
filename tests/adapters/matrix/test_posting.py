"""Posts on Matrix: scheduled posts in threads with files, and a closed poll ending the Element poll."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

import nio

from bot.adapters.matrix.render import POLL_END, POLL_START
from bot.replies import File, Reply
from bot.storage import books as book_store
from bot.storage.books import NewBook, NewParagraph, NewSection
from tests.adapters.matrix.support import (
    POLL_RESPONSE,
    Connect,
    StartBot,
    answers,
    ask,
    content_of,
    ends,
    group_room,
    in_reply_to,
    notifications,
    post_job,
    respond,
    seen_until,
    start_plan,
    tiny_png,
)
from tests.support.matrix_nio import (
    send_event,
    send_text,
    wait_for_event,
    wait_for_invite,
)


async def open_poll(member: nio.AsyncClient, room_id: str, line: str) -> nio.Event:
    """Send a `poll create` command and wait for the Element poll the bot opens in reply to it."""
    command_id = await send_text(member, room_id, line)
    return await wait_for_event(
        member, lambda e: e.source.get("type") == POLL_START and in_reply_to(e) == command_id, room_id=room_id
    )


async def test_scheduled_posts_open_a_thread_and_follow_it_with_files(
    start_bot: StartBot, matrix_client: Connect
) -> None:
    bot = await start_bot()
    alice = await matrix_client()
    room_id = await group_room(alice, bot)

    opening = Reply(title="Reading 1 opens", text="*Chapter one* is due on Thursday.", kind="reading")
    await post_job(bot, room_id, [(opening, "reading-1", True)])
    assert await bot.app.tick() == 1
    root = await wait_for_event(alice, lambda e: e.sender == bot.user_id and e.body.startswith("Reading 1 opens"))
    assert "<em>Chapter one</em>" in content_of(root)["formatted_body"]
    assert "m.relates_to" not in content_of(root)
    assert await bot.app.recall("matrix", room_id, "thread", "reading-1") == root.event_id

    files = (
        File("meeting.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar"),
        File("chart.png", tiny_png(), "image/png"),
    )
    reminder = Reply(text="Reminder: we meet tomorrow.", files=files)
    await post_job(bot, room_id, [(reminder, "reading-1", False)])
    assert await bot.app.tick() == 1

    posted = [
        await wait_for_event(alice, lambda e, body=body: e.sender == bot.user_id and e.body == body)
        for body in ("Reminder: we meet tomorrow.", "meeting.ics", "chart.png")
    ]
    for event in posted:
        relation = content_of(event)["m.relates_to"]
        assert (relation["rel_type"], relation["event_id"], relation["is_falling_back"]) == (
            "m.thread",
            root.event_id,
            True,
        )
    assert content_of(posted[1])["msgtype"] == "m.file"
    image = content_of(posted[2])
    assert image["msgtype"] == "m.image" and (image["info"]["w"], image["info"]["h"]) == (2, 1)
    download = await alice.download(mxc=image["url"])
    assert isinstance(download, nio.DownloadResponse) and download.body == tiny_png()

    thread = {"rel_type": "m.thread", "event_id": root.event_id, "is_falling_back": True}
    asked = await send_event(
        alice,
        room_id,
        "m.room.message",
        {
            "msgtype": "m.text",
            "body": "!rg group info",
            "m.relates_to": {**thread, "m.in_reply_to": {"event_id": root.event_id}},
        },
    )
    answer = await wait_for_event(alice, answers(bot, asked), room_id=room_id)
    relation = content_of(answer)["m.relates_to"]
    assert (relation["rel_type"], relation["event_id"], relation["is_falling_back"]) == (
        "m.thread",
        root.event_id,
        False,
    )


async def test_closing_a_poll_ends_the_element_poll(start_bot: StartBot, matrix_client: Connect) -> None:
    bot = await start_bot()
    alice, bob = await matrix_client(), await matrix_client()
    room_id = await group_room(alice, bot, join=(bob,))

    # Closed by its deadline: the results go out through the outbox.
    timed = await open_poll(alice, room_id, '!rg poll create "Which book next?" "Dune" "Emma" closes:1h')
    await respond(bob, room_id, timed.event_id, "2")
    await ask(alice, room_id, bot, "!rg poll list")  # by now the response has been handled
    bot.clock.advance(timedelta(hours=1))
    assert await bot.app.tick() == 1
    ended = await wait_for_event(alice, ends(timed.event_id), room_id=room_id)
    content = content_of(ended)
    assert ended.sender == bot.user_id and content[POLL_END] == {}
    assert content["m.relates_to"] == {"rel_type": "m.reference", "event_id": timed.event_id}
    assert "Winner: B Emma." in content["org.matrix.msc1767.text"] and content["body"].startswith("Poll #")

    # Closed by a moderator: the answer to `poll close` ends it. Shown again, the poll is not started a second time:
    # the answer links to the one Element poll, and that one poll ends.
    shown = await open_poll(alice, room_id, '!rg poll create "When do we meet?" "Tuesday" "Thursday"')
    row = await bot.app.db.fetchone("SELECT max(id) FROM polls")
    assert row is not None
    again_id = await send_text(alice, room_id, f"!rg poll show {row[0]}")
    seen = await seen_until(alice, room_id, answers(bot, again_id))
    again = seen[-1]
    assert not [e for e in seen if e.source.get("type") == POLL_START and e.event_id != shown.event_id]
    assert f"https://matrix.to/#/{room_id}/{shown.event_id}" in again.body
    closed = await ask(alice, room_id, bot, f"!rg poll close {row[0]}")
    assert "results" in closed.body
    assert "answers to the Element poll, reactions and typed votes alike" in closed.body  # what the results count
    seen = await seen_until(alice, room_id, ends(shown.event_id))
    assert "Nobody voted." in content_of(seen[-1])["body"]
    assert len([e for e in seen if e.source.get("type") == POLL_END]) == 1
    assert await bot.app.recall("matrix", room_id, "poll", f"vote {row[0]}") is None


async def test_posts_notify_members_and_answers_do_not(start_bot: StartBot, matrix_client: Connect) -> None:
    bot = await start_bot()
    alice, bob = await matrix_client(), await matrix_client()
    room_id = await group_room(alice, bot, join=(bob,))
    answer = await ask(bob, room_id, bot, "!rg group info")  # an answer: a notice, which Element keeps silent
    assert content_of(answer)["msgtype"] == "m.notice"

    reminder = Reply(title="Reminder", text="We meet **tomorrow** at 19:00.", kind="reminder")
    await post_job(bot, room_id, [(reminder, None, False)])
    assert await bot.app.tick() == 1
    posted = await wait_for_event(bob, lambda e: getattr(e, "body", "").startswith("Reminder"), room_id=room_id)
    assert content_of(posted)["msgtype"] == "m.text"
    assert posted.body == "Reminder\nWe meet tomorrow at 19:00."  # the plain body keeps no Markdown

    counted = {n["event"]["event_id"] for n in await notifications(bob) if n["event"]["sender"] == bot.user_id}
    assert posted.event_id in counted  # the homeserver's push rules notify bob of the reminder
    assert answer.event_id not in counted
    assert "m.mentions" not in content_of(posted)  # nobody asked to be mentioned, and @room is off by default

    # Bob asks to be mentioned: the next reminder highlights him (and only him).
    opted = await ask(bob, room_id, bot, "!rg mentions me on")
    assert opted.body == "You are now mentioned in this room's reminders, readings and polls."
    await post_job(bot, room_id, [(replace(reminder, text="We meet in an hour."), None, False)])
    assert await bot.app.tick() == 1
    second = await wait_for_event(bob, lambda e: getattr(e, "body", "").endswith("in an hour."), room_id=room_id)
    assert content_of(second)["m.mentions"] == {"user_ids": [bob.user_id]}
    [pushed] = [n for n in await notifications(bob) if n["event"]["event_id"] == second.event_id]
    assert {"set_tweak": "highlight"} in pushed["actions"] or {"set_tweak": "highlight", "value": True} in pushed[
        "actions"
    ]
    refused = await ask(bob, room_id, bot, "!rg mentions room on")
    assert refused.body == "Only moderators can change whether posts mention @room."


async def test_private_answers_go_to_a_direct_room_never_the_group_room(
    start_bot: StartBot, matrix_client: Connect
) -> None:
    bot = await start_bot()
    alice, bob = await matrix_client(), await matrix_client()
    room_id = await group_room(alice, bot, join=(bob,))
    poll_id = await send_text(alice, room_id, '!rg poll create "Which book next?" "Dune" "Emma"')
    await wait_for_event(alice, lambda e: e.source.get("type") == POLL_START and in_reply_to(e) == poll_id)
    row = await bot.app.db.fetchone("SELECT max(id) FROM polls")
    assert row is not None

    voted = await ask(bob, room_id, bot, f"!rg vote {row[0]} B")
    assert voted.body == "I sent you my answer in a private message."
    exported = await ask(alice, room_id, bot, "!rg export")
    assert exported.body == "I sent you my answer in a private message."

    for member, expected in ((bob, f"Your vote in poll #{row[0]}"), (alice, "Export of")):
        direct = await wait_for_invite(member)
        assert direct != room_id
        assert isinstance(await member.join(direct), nio.JoinResponse)
        receipt = await wait_for_event(member, lambda e: e.sender == bot.user_id and hasattr(e, "body"), room_id=direct)
        assert receipt.body.startswith(expected), receipt.body
    csv_file = await wait_for_event(alice, lambda e: getattr(e, "body", "").endswith(".csv"))
    assert csv_file.sender == bot.user_id

    marker = await send_text(alice, room_id, "!rg group info")
    seen = await seen_until(alice, room_id, answers(bot, marker))
    bodies = [getattr(e, "body", "") for e in seen if e.sender == bot.user_id]
    assert not [b for b in bodies if b.startswith(("Your vote", "Export of")) or b.endswith((".csv", ".json"))]


async def test_anonymous_polls_are_undisclosed_and_multi_select_polls_take_several_answers(
    start_bot: StartBot, matrix_client: Connect
) -> None:
    bot = await start_bot()
    alice, bob = await matrix_client(), await matrix_client()
    room_id = await group_room(alice, bot, join=(bob,))

    secret = await open_poll(alice, room_id, '!rg poll create "Secret?" "Yes" "No" anonymous')
    assert content_of(secret)[POLL_START]["kind"] == "org.matrix.msc3381.poll.undisclosed"
    multi = await open_poll(alice, room_id, '!rg poll create "Which days?" "Mon" "Tue" "Wed" kind:multi')
    assert content_of(multi)[POLL_START]["max_selections"] == 3
    assert content_of(multi)[POLL_START]["kind"] == "org.matrix.msc3381.poll.disclosed"
    row = await bot.app.db.fetchone("SELECT max(id) FROM polls")
    assert row is not None

    # Bob answers in the stable MSC3381 form with two answers: one ballot with both.
    stable = {"m.relates_to": {"rel_type": "m.reference", "event_id": multi.event_id}, "m.selections": ["1", "3"]}
    await send_event(bob, room_id, "m.poll.response", stable)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    while not await bot.app.db.fetchone("SELECT choices FROM ballots WHERE poll_id = ?", (row[0],)):
        assert loop.time() < deadline, "the ballot was not recorded"
        await asyncio.sleep(0.05)
    shown = await ask(alice, room_id, bot, f"!rg poll show {row[0]}")
    assert "A Mon — 1 vote" in shown.body and "C Wed — 1 vote" in shown.body and "B Tue — 0 votes" in shown.body


async def test_reading_threads_hold_their_commands_quotes_and_prompts(
    start_bot: StartBot, matrix_client: Connect
) -> None:
    bot = await start_bot()
    alice = await matrix_client()
    room_id = await group_room(alice, bot)
    sections = tuple(
        NewSection(f"Part {n}", n, (NewParagraph(f"Paragraph of part {n}, long enough to read."),), 8, 1)
        for n in (1, 2)
    )
    book = NewBook("Two Parts", ("A. Writer",), "1900", "two.txt", "txt", "two parts " * 8, sections)
    async with bot.app.db.transaction() as tx:
        book_id = await book_store.insert(tx, book, bot.clock.now())
    await start_plan(alice, room_id, bot, book_id)
    assert await bot.app.tick() == 1  # reading 1 opens and starts its thread
    first = await wait_for_event(alice, lambda e: "Reading 1 of 2 opens" in getattr(e, "body", ""), room_id=room_id)
    second = await bot.app.db.fetchone("SELECT id FROM plan_readings WHERE position = 1")
    assert second is not None
    for _ in range(14 * 24):  # hour by hour until reading 2 has opened its thread: the group is on reading 2 now
        if root := await bot.app.recall("matrix", room_id, "thread", f"reading:{second[0]}"):
            break
        bot.clock.advance(timedelta(hours=1))
        await bot.app.tick()
    assert root

    # `done` in reading 1's thread marks reading 1, not the group's current reading.
    thread = {"rel_type": "m.thread", "event_id": first.event_id, "is_falling_back": True}
    content = {
        "msgtype": "m.text",
        "body": "!rg done",
        "m.relates_to": {**thread, "m.in_reply_to": {"event_id": first.event_id}},
    }
    asked = await send_event(alice, room_id, "m.room.message", content)
    await wait_for_event(alice, answers(bot, asked), room_id=room_id)
    rows = await bot.app.db.fetchall(
        "SELECT pr.position FROM reading_progress p JOIN plan_readings pr ON pr.id = p.reading_id"
    )
    assert [r[0] for r in rows] == [0]

    # A quote of the day goes into the thread of the reading the group is on.
    await post_job(bot, room_id, [(Reply(title="Quote of the day", text="> Words.", kind="quote"), None, False)])
    assert await bot.app.tick() == 1
    quote = await wait_for_event(alice, lambda e: getattr(e, "body", "").startswith("Quote of the day"))
    relation = content_of(quote)["m.relates_to"]
    assert (relation["rel_type"], relation["event_id"]) == ("m.thread", root)
    assert "&gt;" not in content_of(quote)["formatted_body"] and "<blockquote>" in content_of(quote)["formatted_body"]


async def test_closing_a_poll_forgets_its_votes_and_keeps_those_of_open_polls(
    start_bot: StartBot, matrix_client: Connect
) -> None:
    bot = await start_bot()
    alice, bob = await matrix_client(), await matrix_client()
    room_id = await group_room(alice, bot, join=(bob,))

    polls = [
        await open_poll(alice, room_id, '!rg poll create "Which book next?" "Dune" "Emma"'),
        await open_poll(alice, room_id, '!rg poll create "When?" "Tuesday" "Thursday"'),
    ]
    for poll in polls:
        await respond(bob, room_id, poll.event_id, "2")
    await ask(alice, room_id, bot, "!rg poll list")  # by now both answers have been handled
    numbers = [row[0] for row in await bot.app.db.fetchall("SELECT id FROM polls ORDER BY id")]

    async def votes() -> list[str]:
        rows = await bot.app.db.fetchall("SELECT key FROM external_refs WHERE kind = 'vote' ORDER BY key")
        return [row[0] for row in rows]

    assert await votes() == [f"{n} {bob.user_id}" for n in numbers]  # redacting an answer would take it back
    await ask(alice, room_id, bot, f"!rg poll close {numbers[0]}")
    await wait_for_event(alice, ends(polls[0].event_id), room_id=room_id)
    assert await votes() == [f"{numbers[1]} {bob.user_id}"]  # the closed poll's vote can no longer be taken back


async def test_redacting_the_element_poll_closes_the_bot_poll(start_bot: StartBot, matrix_client: Connect) -> None:
    bot = await start_bot()
    alice, bob = await matrix_client(), await matrix_client()
    room_id = await group_room(alice, bot, join=(bob,))
    command_id = await send_text(alice, room_id, '!rg poll create "Which book next?" "Dune" "Emma"')
    poll = await wait_for_event(alice, lambda e: e.source.get("type") == POLL_START and in_reply_to(e) == command_id)
    await respond(bob, room_id, poll.event_id, "2")
    await ask(alice, room_id, bot, "!rg poll list")  # by now bob's answer has been handled

    assert isinstance(await alice.room_redact(room_id, poll.event_id, reason="wrong poll"), nio.RoomRedactResponse)
    results = await wait_for_event(alice, lambda e: " results: " in getattr(e, "body", ""), room_id=room_id)
    assert "results" in results.body and "Winner: B Emma." in results.body
    row = await bot.app.db.fetchone("SELECT closed_at FROM polls ORDER BY id DESC LIMIT 1")
    assert row is not None and row[0] is not None


async def test_taking_back_a_reaction_or_a_poll_answer_takes_back_the_vote(
    start_bot: StartBot, matrix_client: Connect
) -> None:
    bot = await start_bot()
    alice, bob = await matrix_client(), await matrix_client()
    room_id = await group_room(alice, bot, join=(bob,))
    command_id = await send_text(alice, room_id, '!rg poll create "Which book next?" "Dune" "Emma"')
    poll = await wait_for_event(alice, lambda e: e.source.get("type") == POLL_START and in_reply_to(e) == command_id)
    row = await bot.app.db.fetchone("SELECT max(id) FROM polls")
    assert row is not None

    async def ballots() -> int:
        found = await bot.app.db.fetchone("SELECT count(*) FROM ballots WHERE poll_id = ?", (row[0],))
        return int(found[0]) if found else 0

    async def until(count: int) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 10
        while await ballots() != count:
            assert loop.time() < deadline, f"expected {count} ballots"
            await asyncio.sleep(0.05)

    relation = {"rel_type": "m.annotation", "event_id": poll.event_id, "key": "2️⃣"}
    reaction = await send_event(bob, room_id, "m.reaction", {"m.relates_to": relation})
    await respond(alice, room_id, poll.event_id, "1")
    await until(2)
    assert isinstance(await bob.room_redact(room_id, reaction), nio.RoomRedactResponse)
    await until(1)  # bob's reaction was his vote: removing it takes the vote back

    # Reacted, then typed a vote: the typed vote is his vote now, and removing the reaction leaves it alone.
    reaction = await send_event(bob, room_id, "m.reaction", {"m.relates_to": relation})
    await until(2)
    await ask(bob, room_id, bot, f"!rg vote {row[0]} A")
    assert isinstance(await bob.room_redact(room_id, reaction), nio.RoomRedactResponse)
    await ask(alice, room_id, bot, "!rg poll list")  # by now the redaction has been handled
    assert await ballots() == 2

    emptied = {"m.relates_to": {"rel_type": "m.reference", "event_id": poll.event_id}, POLL_RESPONSE: {"answers": []}}
    await send_event(alice, room_id, POLL_RESPONSE, emptied)
    await until(1)  # alice's answer taken back; bob's typed vote stays
