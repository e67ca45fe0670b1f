"""The whole bot on Matrix: a real App + MatrixAdapter against a real Synapse, members played by
matrix-nio. Commands, files, poll answers and reactions as they come in.

Every test registers fresh accounts, so tests share the session's Synapse and nothing else.
"""

from __future__ import annotations

import asyncio
import io

import nio
import pytest

from bot.adapters.matrix.render import POLL_START
from bot.app import APOLOGY
from bot.commands import Invocation, command
from bot.replies import Choice, Reply, UserError
from tests.adapters.matrix.support import (
    POLL_RESPONSE,
    Connect,
    StartBot,
    answers,
    ask,
    content_of,
    eventually,
    group_room,
    in_reply_to,
    register,
    respond,
    seen_until,
)
from tests.support.matrix_nio import (
    send_event,
    send_text,
    set_power_level,
    wait_for_event,
)


async def test_help_is_a_formatted_notice_replying_to_the_command(start_bot: StartBot, matrix_client: Connect) -> None:
    bot = await start_bot()
    alice = await matrix_client()
    room_id = await group_room(alice, bot, setup=False)

    command_id = await send_text(alice, room_id, "!rg help")
    reply = await wait_for_event(alice, answers(bot, command_id), room_id=room_id)

    content = content_of(reply)
    assert content["msgtype"] == "m.notice"
    assert content["format"] == "org.matrix.custom.html"
    assert content["formatted_body"].startswith("<h4>Readalong commands</h4>")
    assert "<code>!rg library list</code>" in content["formatted_body"]
    assert "`!rg library list` — List the books in the library." in content["body"]
    assert content["m.mentions"] == {"user_ids": [alice.user_id]}

    chatter = await send_text(alice, room_id, "rg is not a command, and neither is !rgx")
    detail_id = await send_text(alice, room_id, "!RG help group timezone")
    seen = await seen_until(alice, room_id, answers(bot, detail_id))
    assert "Usage: `!rg group timezone <timezone>`" in seen[-1].body
    assert chatter not in {in_reply_to(e) for e in seen}


async def test_a_room_without_a_group_and_bad_input_get_one_sentence(
    start_bot: StartBot, matrix_client: Connect
) -> None:
    bot = await start_bot()
    alice = await matrix_client()
    room_id = await group_room(alice, bot, setup=False)

    lonely = await ask(alice, room_id, bot, "!rg group info")
    assert lonely.body == ("This room is not a reading group yet; a moderator can start one here with `group setup`.")
    unknown = await ask(alice, room_id, bot, "!rg libary list")
    assert unknown.body == "I don't know the command “libary” — did you mean `library`? `help` lists them all."
    await ask(alice, room_id, bot, "!rg group setup Europe/Berlin")
    malformed = await ask(alice, room_id, bot, "!rg group timezone Mars/Olympus")
    assert "timezone" in malformed.body and "Usage: `group timezone <timezone>`" in malformed.body
    assert all(content_of(e)["msgtype"] == "m.notice" for e in (lonely, unknown, malformed))


async def test_moderator_commands_follow_the_room_power_level(start_bot: StartBot, matrix_client: Connect) -> None:
    bot = await start_bot()
    alice, bob = await matrix_client(), await matrix_client()
    room_id = await group_room(alice, bot, join=(bob,))

    refused = await ask(bob, room_id, bot, "!rg group timezone Europe/Paris")
    assert refused.body == "Only moderators can use `group timezone`."

    await set_power_level(alice, room_id, bob.user_id, 49)
    assert (await ask(bob, room_id, bot, "!rg group timezone Europe/Paris")).body == refused.body
    await set_power_level(alice, room_id, bob.user_id, 50)
    accepted = await ask(bob, room_id, bot, "!rg group timezone Europe/Paris")
    assert accepted.body == "The group's time zone is now Europe/Paris."


async def test_a_failure_inside_the_adapter_is_answered_with_an_apology(
    start_bot: StartBot, matrix_client: Connect, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot = await start_bot()
    alice = await matrix_client()
    room_id = await group_room(alice, bot, setup=False)

    async def broken(*args: object) -> Reply:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(bot.app, "handle", broken)
    reply = await ask(alice, room_id, bot, "!rg help")
    assert reply.body == APOLOGY
    monkeypatch.undo()
    assert "Readalong commands" in (await ask(alice, room_id, bot, "!rg help")).body  # still syncing


async def test_a_poll_is_answered_by_members_through_responses_and_reactions(
    start_bot: StartBot, matrix_client: Connect
) -> None:
    bot = await start_bot()
    alice, bob, carol = await matrix_client(), await matrix_client(), await matrix_client()
    room_id = await group_room(alice, bot, join=(bob, carol))
    votes: list[tuple[str, int]] = []
    closed = False

    @command("testpoll open", help="A poll for the adapter tests.")
    async def poll_open(inv: Invocation) -> Reply:
        choices = (Choice("Dune", "testpoll vote 1"), Choice("Emma", "testpoll vote 2"))
        return Reply(title="Which book next?", text="Vote by **Friday**.", kind="poll", choices=choices)

    @command("testpoll vote", help="Record a vote.")
    async def poll_vote(inv: Invocation, choice: int) -> Reply:
        if closed:
            raise UserError("That poll is closed.")
        votes.append((inv.context.user_id, choice))
        return Reply(text="Your vote is recorded.", ephemeral=True)

    register(bot.app, poll_open, poll_vote)
    command_id = await send_text(alice, room_id, "!rg testpoll open")
    card = await wait_for_event(alice, answers(bot, command_id), room_id=room_id)
    assert card.body == "Which book next?\nVote by Friday."
    assert "<strong>Friday</strong>" in content_of(card)["formatted_body"]
    poll = await wait_for_event(alice, lambda e: e.source.get("type") == POLL_START and in_reply_to(e) == command_id)
    start = content_of(poll)[POLL_START]
    assert start["question"]["org.matrix.msc1767.text"] == "Which book next?"
    assert [(a["id"], a["org.matrix.msc1767.text"]) for a in start["answers"]] == [("1", "Dune"), ("2", "Emma")]
    assert content_of(poll)["org.matrix.msc1767.text"] == "Which book next?\n1. Dune\n2. Emma"

    for member, answer in ((bob, "2"), (alice, "1")):
        await send_event(
            member,
            room_id,
            POLL_RESPONSE,
            {
                "m.relates_to": {"rel_type": "m.reference", "event_id": poll.event_id},
                POLL_RESPONSE: {"answers": [answer]},
            },
        )
    await eventually(lambda: len(votes) == 2)
    assert sorted(votes) == sorted([(bob.user_id, 2), (alice.user_id, 1)])

    await send_event(
        carol,
        room_id,
        "m.reaction",
        {"m.relates_to": {"rel_type": "m.annotation", "event_id": poll.event_id, "key": "2️⃣"}},
    )
    await eventually(lambda: len(votes) == 3)
    assert votes[-1] == (carol.user_id, 2)

    closed = True
    await send_event(
        carol,
        room_id,
        "m.reaction",
        {"m.relates_to": {"rel_type": "m.annotation", "event_id": poll.event_id, "key": "A"}},
    )
    seen = await seen_until(carol, room_id, lambda e: e.sender == bot.user_id and in_reply_to(e) == poll.event_id)
    refusal = seen[-1]
    assert refusal.body == "That poll is closed."
    assert not [e for e in seen if getattr(e, "body", "") == "Your vote is recorded."]  # private answers stay unsaid
    assert content_of(refusal)["m.mentions"] == {"user_ids": [carol.user_id]}
    assert len(votes) == 3


async def test_the_votes_cog_poll_is_answered_through_element_poll_responses(
    start_bot: StartBot, matrix_client: Connect
) -> None:
    polls = pytest.importorskip("bot.storage.polls")
    bot = await start_bot()
    if bot.app.registry.get("poll create") is None:
        pytest.skip("the votes cog is not there yet")
    alice, bob = await matrix_client(), await matrix_client()
    room_id = await group_room(alice, bot, join=(bob,))

    command_id = await send_text(alice, room_id, '!rg poll create "Which book next?" "Dune" "Emma"')
    poll = await wait_for_event(alice, lambda e: e.source.get("type") == POLL_START and in_reply_to(e) == command_id)
    assert "Which book next?" in content_of(poll)[POLL_START]["question"]["org.matrix.msc1767.text"]
    assert len(content_of(poll)[POLL_START]["answers"]) == 2
    row = await bot.app.db.fetchone("SELECT max(id) FROM polls")
    assert row is not None
    for member, answer in ((alice, "1"), (bob, "2")):
        await respond(member, room_id, poll.event_id, answer)

    async def ballots() -> int:
        return int(await polls.ballot_count(bot.app.db, row[0]))

    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    while await ballots() < 2:
        assert loop.time() < deadline, "the ballots were not recorded"
        await asyncio.sleep(0.05)
    typed = await ask(bob, room_id, bot, f"!rg vote {row[0]} A")
    assert typed.sender == bot.user_id and await ballots() == 2  # voting again replaces the ballot


async def test_choices_on_a_notice_are_listed_and_taken_by_reaction(
    start_bot: StartBot, matrix_client: Connect
) -> None:
    bot = await start_bot()
    alice = await matrix_client()
    room_id = await group_room(alice, bot)
    picked: list[str] = []

    @command("testpick show", help="Offer choices.")
    async def show(inv: Invocation) -> Reply:
        return Reply(
            text="Pick a chapter", choices=(Choice("One", "testpick take one"), Choice("Two", "testpick take two"))
        )

    @command("testpick take", help="Take one.")
    async def take(inv: Invocation, which: str) -> Reply:
        picked.append(which)
        return Reply(text=f"You took {which}.")

    register(bot.app, show, take)
    offer = await ask(alice, room_id, bot, "!rg testpick show")
    assert "<code>!rg testpick take two</code>" in content_of(offer)["formatted_body"]
    reaction = await send_event(
        alice,
        room_id,
        "m.reaction",
        {"m.relates_to": {"rel_type": "m.annotation", "event_id": offer.event_id, "key": "two"}},
    )
    answer = await wait_for_event(alice, lambda e: e.sender == bot.user_id and e.body == "You took two.")
    assert picked == ["two"] and in_reply_to(answer) == offer.event_id and reaction


async def test_uploaded_files_are_added_to_the_library(start_bot: StartBot, matrix_client: Connect) -> None:
    ingest = pytest.importorskip("bot.ingest")
    if not hasattr(ingest, "ingest_bytes"):
        pytest.skip("bot.ingest.ingest_bytes is not there yet")
    bot = await start_bot(max_upload_mb=1)
    alice = await matrix_client()
    room_id = await group_room(alice, bot)

    async def share(data: bytes, filename: str, body: str | None = None, size: int | None = None) -> str:
        upload, _ = await alice.upload(
            io.BytesIO(data), content_type="text/plain", filename=filename, filesize=len(data)
        )
        assert isinstance(upload, nio.UploadResponse)
        info = {"mimetype": "text/plain", "size": size or len(data)}
        content = {
            "msgtype": "m.file",
            "body": body or filename,
            "filename": filename,
            "url": upload.content_uri,
            "info": info,
        }
        return await send_event(alice, room_id, "m.room.message", content)

    async def reply_to(file_id: str, text: str) -> nio.Event:
        command_id = await send_event(
            alice,
            room_id,
            "m.room.message",
            {"msgtype": "m.text", "body": text, "m.relates_to": {"m.in_reply_to": {"event_id": file_id}}},
        )
        return await wait_for_event(alice, answers(bot, command_id), room_id=room_id)

    book = (
        b"Notes on Reading\n\nChapter One\n\nThe first paragraph is here. It has two sentences.\n\n"
        b"Chapter Two\n\nMore text, enough of it for a group to read together and talk about afterwards.\n"
    )
    added = await reply_to(await share(book, "notes.txt"), "!rg library add")
    assert added.body.startswith("Added to the library\n#1 Notes on Reading —"), added.body  # plain: no `*`

    captioned = await share(book.replace(b"Reading", b"Writing"), "writing.txt", body="!rg library add")
    caption_reply = await wait_for_event(alice, answers(bot, captioned), room_id=room_id)
    assert "#2 Notes on Writing —" in caption_reply.body

    too_big = await reply_to(await share(b"tiny", "huge.txt", size=5 * 1024 * 1024), "!rg library add")
    assert too_big.body == "huge.txt is larger than the 1 MB limit."
    unsupported = await reply_to(await share(b"PK\x03\x04 not a book", "archive.zip"), "!rg library add")
    assert (
        unsupported.body == "I couldn't add archive.zip: I can read .txt, .md, .html, .epub and .pdf files, not .zip."
    )
    listing = await ask(alice, room_id, bot, "!rg library list")
    assert listing.body.count("\n#") == 2  # two books, nothing stored for the refused files


async def test_power_levels_decide_moderators_live_and_group_info_shows_the_room(
    start_bot: StartBot, matrix_client: Connect
) -> None:
    bot = await start_bot()
    alice, bob, carol = await matrix_client(), await matrix_client(), await matrix_client()
    room_id = await group_room(alice, bot, setup=False, join=(bob, carol))
    await set_power_level(alice, room_id, bob.user_id, 50)
    assert "is set up" in (await ask(bob, room_id, bot, "!rg group setup Europe/Berlin")).body  # bob's stored role

    await set_power_level(alice, room_id, bob.user_id, 0)  # demoted: the room decides, not the stored role
    refused = await ask(bob, room_id, bot, '!rg poll create "Which book?" "Dune" "Emma"')
    assert refused.body == "Only moderators can use `poll create`."
    info = await ask(carol, room_id, bot, "!rg group info")
    alice_name = alice.user_id[1:].split(":")[0]
    assert f"Moderators: {alice_name}" in info.body.splitlines()  # the room's power-100 creator, not bob
    assert "Members: 3" in info.body.splitlines()  # everyone who joined the room, not only who used a command


async def test_a_command_runs_once_even_if_the_bot_dies_before_answering(
    start_bot: StartBot, matrix_client: Connect, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot = await start_bot()
    alice = await matrix_client()
    room_id = await group_room(alice, bot)

    # The bot dies after running the command and before its answer or its sync position reach anyone.
    async def dies(*args: object, **kwargs: object) -> str:
        raise RuntimeError("killed")

    remember = bot.app.remember

    async def no_sync_position(platform: str, room: str, kind: str, key: str, value: str) -> None:
        if kind != "sync":
            await remember(platform, room, kind, key, value)

    monkeypatch.setattr(bot.adapter.posting, "answer", dies)
    monkeypatch.setattr(bot.app, "remember", no_sync_position)
    command_id = await send_text(alice, room_id, '!rg poll create "Which book next?" "Dune" "Emma"')

    async def polls() -> int:
        row = await bot.app.db.fetchone("SELECT count(*) FROM polls")
        return int(row[0]) if row else 0

    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    while await polls() == 0:
        assert loop.time() < deadline, "the command did not run"
        await asyncio.sleep(0.05)
    await bot.adapter.stop()  # dies: the position of the batch with the command is not stored
    monkeypatch.undo()
    handled: list[str] = []
    await bot.restart(handled=handled)  # the batch with the command comes again

    poll = await wait_for_event(alice, lambda e: e.source.get("type") == POLL_START and in_reply_to(e) == command_id)
    assert poll.sender == bot.user_id  # the answer computed before the crash is sent
    assert await polls() == 1 and not [line for line in handled if line.startswith("poll create")]


async def test_an_edit_runs_a_mistyped_command_once_and_never_a_command_that_ran(
    start_bot: StartBot, matrix_client: Connect
) -> None:
    bot = await start_bot()
    alice = await matrix_client()
    room_id = await group_room(alice, bot)

    async def edit(original: str, body: str) -> str:
        content = {
            "msgtype": "m.text",
            "body": f"* {body}",
            "m.new_content": {"msgtype": "m.text", "body": body},
            "m.relates_to": {"rel_type": "m.replace", "event_id": original},
        }
        return await send_event(alice, room_id, "m.room.message", content)

    typo = await ask(alice, room_id, bot, "!rg grop info")
    assert "did you mean `group`" in typo.body
    fixed = await edit(in_reply_to(typo) or "", "!rg group info")
    answer = await wait_for_event(alice, answers(bot, fixed), room_id=room_id)
    assert "Time zone: Europe/Berlin" in answer.body
    again = await edit(in_reply_to(typo) or "", "!rg help")  # a second edit: the corrected command already ran
    ran = await ask(alice, room_id, bot, "!rg group timezone Europe/Paris")
    rerun = await edit(in_reply_to(ran) or "", "!rg group timezone Europe/Rome")  # it ran: editing does not rerun
    marker = await send_text(alice, room_id, "!rg group info")
    seen = await seen_until(alice, room_id, answers(bot, marker))
    assert not {again, rerun} & {in_reply_to(e) for e in seen}
    assert "Time zone: Europe/Paris" in seen[-1].body


async def test_an_answer_too_long_for_one_event_is_cut_not_lost(start_bot: StartBot, matrix_client: Connect) -> None:
    bot = await start_bot()
    alice = await matrix_client()
    room_id = await group_room(alice, bot)

    @command("testecho", help="Echo a lot.")
    async def echo(inv: Invocation) -> Reply:
        return Reply(title="Search", text="\n".join(f"• result {n}: " + "land and peace " * 20 for n in range(300)))

    register(bot.app, echo)
    answer = await ask(alice, room_id, bot, "!rg testecho")  # about 100 KB of text: Synapse refuses over 64 KB
    assert answer.body.endswith("… (cut here: too long for one Matrix message)")
    assert answer.body.startswith("Search\n• result 0: land and peace")
