"""The whole bot on Matrix: a real App + MatrixAdapter against a real Synapse, members played by matrix-nio.

Every test registers fresh accounts, so tests share the session's Synapse and nothing else.
"""

from __future__ import annotations

import asyncio
import io
import re
import struct
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import nio
import pytest

from bot.adapters.base import direct_room
from bot.adapters.matrix import MatrixAdapter, create_adapter
from bot.adapters.matrix_render import POLL_END, POLL_START
from bot.app import APOLOGY, App
from bot.clock import ManualClock
from bot.commands import Invocation, command, spec_of
from bot.config import LibrarySettings, MatrixSettings, Settings
from bot.replies import Choice, Context, File, Reply, UserError
from bot.scheduling import Post
from bot.storage import books as book_store
from bot.storage import jobs as job_store
from bot.storage.books import NewBook, NewParagraph, NewSection
from bot.storage.db import Transaction
from bot.storage.jobs import Job
from cogs import all_features
from tests.conftest import START, TEXTS
from tests.support.matrix_nio import (
    create_room,
    invite_state,
    send_event,
    send_text,
    set_power_level,
    wait_for_event,
    wait_for_invite,
)
from tests.support.synapse import MatrixUser, SynapseServer

Connect = Callable[..., Awaitable[nio.AsyncClient]]
POLL_RESPONSE = "org.matrix.msc3381.poll.response"


# ---------------------------------------------------------------- the bot under test
@dataclass
class Bot:
    user: MatrixUser
    settings: Settings
    clock: ManualClock
    app: App
    adapter: MatrixAdapter

    @property
    def user_id(self) -> str:
        return self.user.user_id

    async def restart(self, *, via_environment: bool = False, handled: list[str] | None = None) -> None:
        """Stop the adapter and close the database, then start both again from what they stored.

        With `handled`, every command line the new App is asked to run is appended to it.
        """
        await self.adapter.stop()
        await self.app.close()
        self.app = await App.open(self.settings, clock=self.clock, features=all_features())
        if handled is not None:
            handle = self.app.handle

            async def recording(ctx: Context, line: str) -> Reply:
                handled.append(line)
                return await handle(ctx, line)

            self.app.handle = recording  # type: ignore[method-assign]
        self.adapter = create_adapter(self.app) if via_environment else _adapter(self.app, self.user)
        await self.adapter.start()


def _adapter(app: App, user: MatrixUser) -> MatrixAdapter:
    return MatrixAdapter(app, access_token=user.access_token)


StartBot = Callable[..., Awaitable[Bot]]


@pytest.fixture
async def start_bot(
    synapse: SynapseServer, matrix_user: Callable[..., MatrixUser], tmp_path: Path
) -> AsyncIterator[StartBot]:
    """Factory: `await start_bot(allowed_inviters=…, max_upload_mb=…, password=False)` → a running Bot."""
    bots: list[Bot] = []

    async def start(
        *,
        allowed_inviters: tuple[str, ...] = (":localhost",),
        max_upload_mb: int = 10,
        login: str = "token",
        user: MatrixUser | None = None,
    ) -> Bot:
        user = user or matrix_user(displayname="Readalong")
        folder = tmp_path / f"bot-{len(bots)}"
        settings = replace(
            Settings().with_database(folder / "readalong.sqlite3"),
            library=LibrarySettings(texts=TEXTS, max_upload_mb=max_upload_mb),
            matrix=MatrixSettings(
                homeserver=synapse.base_url,
                user_id=user.user_id,
                allowed_inviters=allowed_inviters,
                state_dir=folder / "matrix",
                access_token_env="READALONG_TEST_MATRIX_TOKEN",
                password_env="READALONG_TEST_MATRIX_PASSWORD",
            ),
        )
        clock = ManualClock(START)
        app = await App.open(settings, clock=clock, features=all_features())
        adapter = create_adapter(app) if login == "environment" else _adapter(app, user)
        await adapter.start()
        bot = Bot(user, settings, clock, app, adapter)
        bots.append(bot)
        return bot

    yield start
    for bot in bots:
        await bot.adapter.stop()
        await bot.app.close()


# ---------------------------------------------------------------- conversation helpers
async def group_room(member: nio.AsyncClient, bot: Bot, *, setup: bool = True, join: tuple = ()) -> str:
    """A room the member created (power 100) with the bot invited and joined; a group unless setup=False."""
    room_id = await create_room(member, invite=[bot.user_id], join=join)
    await wait_for_event(member, membership(bot.user_id, "join"), room_id=room_id)
    if setup:
        reply = await ask(member, room_id, bot, "!rg group setup Europe/Berlin")
        assert "is set up" in reply.body, reply.body
    return room_id


def membership(user_id: str, state: str) -> Callable[[nio.Event], bool]:
    return lambda e: isinstance(e, nio.RoomMemberEvent) and e.state_key == user_id and e.membership == state


def answers(bot: Bot, event_id: str) -> Callable[[nio.Event], bool]:
    """The bot's event that replies to `event_id`."""
    return lambda e: e.sender == bot.user_id and in_reply_to(e) == event_id


def in_reply_to(event: nio.Event) -> str | None:
    relation = event.source.get("content", {}).get("m.relates_to") or {}
    return (relation.get("m.in_reply_to") or {}).get("event_id")


async def ask(member: nio.AsyncClient, room_id: str, bot: Bot, text: str) -> nio.Event:
    event_id = await send_text(member, room_id, text)
    return await wait_for_event(member, answers(bot, event_id), room_id=room_id)


async def seen_until(member: nio.AsyncClient, room_id: str, stop: Callable[[nio.Event], bool]) -> list[nio.Event]:
    """Every event the member sees until `stop` matches (inclusive), each once."""
    seen: dict[str, nio.Event] = {}

    def record(event: nio.Event) -> bool:
        seen.setdefault(event.event_id, event)
        return stop(event)

    await wait_for_event(member, record, room_id=room_id)
    return list(seen.values())


async def eventually(check: Callable[[], bool], timeout: float = 10.0) -> None:  # noqa: ASYNC109
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        assert loop.time() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


def content_of(event: nio.Event) -> dict[str, Any]:
    return event.source["content"]


def tiny_png(width: int = 2, height: int = 1) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def register(app: App, *handlers: object) -> None:
    for handler in handlers:
        spec = spec_of(handler)
        assert spec is not None
        app.registry.add(spec)


async def post_job(bot: Bot, room_id: str, posts: list[tuple[Reply, str | None, bool]]) -> None:
    """A job due now whose handler posts `posts` (reply, thread_key, starts_thread) to the room's group."""
    group = await bot.app.db.fetchone("SELECT id FROM groups WHERE room_id = ?", (room_id,))
    assert group is not None

    async def handler(app: App, tx: Transaction, job: Job) -> list[Post]:
        return [Post(job.group_id or 0, reply, thread_key, starts) for reply, thread_key, starts in posts]

    kind = f"test-{len(bot.app.job_handlers)}"
    bot.app.job_handlers[kind] = handler
    await job_store.add(bot.app.db, kind, bot.clock.now(), {}, bot.clock.now(), group[0])


# ---------------------------------------------------------------- commands and replies
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


# ---------------------------------------------------------------- polls and reactions
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
    assert card.body == "Which book next?\nVote by **Friday**."
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


async def respond(member: nio.AsyncClient, room_id: str, poll_id: str, answer: str) -> str:
    content = {"m.relates_to": {"rel_type": "m.reference", "event_id": poll_id}, POLL_RESPONSE: {"answers": [answer]}}
    return await send_event(member, room_id, POLL_RESPONSE, content)


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


# ---------------------------------------------------------------- scheduled posts, threads, files
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


async def test_synapse_restart_reconnects_and_posts_due_meanwhile_go_out_once(
    synapse: SynapseServer, start_bot: StartBot, matrix_client: Connect
) -> None:
    bot = await start_bot()
    alice = await matrix_client()
    room_id = await group_room(alice, bot)

    await asyncio.to_thread(synapse.stop)
    try:
        bot.clock.advance(timedelta(minutes=5))
        await post_job(bot, room_id, [(Reply(text="Reminder written while the server was down"), None, False)])
        assert await bot.app.tick() == 0  # the send fails; the row stays in the outbox
    finally:
        await asyncio.to_thread(synapse.start)

    loop = asyncio.get_running_loop()
    deadline = loop.time() + 20
    while await bot.app.tick() == 0:
        assert loop.time() < deadline, "the post never went out"
        await asyncio.sleep(0.2)
    for _ in range(3):
        assert await bot.app.tick() == 0

    marker = await send_text(alice, room_id, "!rg group info")  # answered once the sync loop is back
    seen = await seen_until(alice, room_id, answers(bot, marker))
    posts = [e for e in seen if e.sender == bot.user_id and e.body == "Reminder written while the server was down"]
    assert len(posts) == 1


async def test_restart_answers_offline_commands_once_and_never_replays(
    start_bot: StartBot, matrix_client: Connect, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice = await matrix_client()
    bot = await start_bot()
    # From here on the bot logs in with the password from the environment, as `readalong run` does.
    monkeypatch.setenv("READALONG_TEST_MATRIX_TOKEN", "")
    monkeypatch.setenv("READALONG_TEST_MATRIX_PASSWORD", bot.user.password)
    await bot.restart(via_environment=True)
    device = bot.adapter.device_id
    assert device and (bot.settings.matrix.state_dir / "device.json").exists()

    room_id = await group_room(alice, bot)
    answered = await send_text(alice, room_id, "!rg group info")
    await wait_for_event(alice, answers(bot, answered), room_id=room_id)

    await bot.adapter.stop()
    offline = await send_text(alice, room_id, "!rg group timezone Europe/Paris")
    handled: list[str] = []
    await bot.restart(via_environment=True, handled=handled)
    assert bot.adapter.device_id == device  # the password login went to the same device

    marker = await send_text(alice, room_id, "!rg group info")
    seen = await seen_until(alice, room_id, answers(bot, marker))
    assert handled == ["group timezone Europe/Paris", "group info"]  # the command answered before is not rerun
    replies = [in_reply_to(e) for e in seen if e.sender == bot.user_id]
    assert replies.count(offline) == 1
    assert answered not in replies
    offline_reply = next(e for e in seen if in_reply_to(e) == offline)
    assert offline_reply.body == "The group's time zone is now Europe/Paris."


async def test_a_long_absence_is_caught_up_through_the_gap(
    start_bot: StartBot, matrix_client: Connect, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot = await start_bot()
    alice = await matrix_client()
    room_id = await group_room(alice, bot)

    await bot.adapter.stop()
    missed = [await send_text(alice, room_id, f"!rg help group {n}") for n in range(4)]
    for n in range(4):
        await send_text(alice, room_id, f"just chatting {n}")
    monkeypatch.setattr(MatrixAdapter, "timeline_limit", 3)  # the first sync after the restart leaves a gap
    await bot.restart()
    for event_id in missed:
        await wait_for_event(alice, answers(bot, event_id), room_id=room_id)


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
    assert added.body.startswith("Added to the library\n#1 *Notes on Reading*"), added.body

    captioned = await share(book.replace(b"Reading", b"Writing"), "writing.txt", body="!rg library add")
    caption_reply = await wait_for_event(alice, answers(bot, captioned), room_id=room_id)
    assert "*Notes on Writing*" in caption_reply.body

    too_big = await reply_to(await share(b"tiny", "huge.txt", size=5 * 1024 * 1024), "!rg library add")
    assert too_big.body == "huge.txt is larger than the 1 MB limit."
    unsupported = await reply_to(await share(b"PK\x03\x04 not a book", "archive.zip"), "!rg library add")
    assert (
        unsupported.body == "I couldn't add archive.zip: I can read .txt, .md, .html, .epub and .pdf files, not .zip."
    )
    listing = await ask(alice, room_id, bot, "!rg library list")
    assert listing.body.count("\n#") == 2  # two books, nothing stored for the refused files


# ---------------------------------------------------------------- invites
async def test_invites_from_allowed_inviters_are_accepted_and_others_declined(
    start_bot: StartBot, matrix_client: Connect, matrix_user: Callable[..., MatrixUser]
) -> None:
    alice, mallory = await matrix_client(), await matrix_client()
    bot_user = matrix_user(displayname="Readalong")
    # Invited before it ever ran: it joins on its first sync, and what was said before is history.
    welcome = await create_room(alice, invite=[bot_user.user_id])
    history = await send_text(alice, welcome, "!rg help")
    bot = await start_bot(allowed_inviters=(alice.user_id,), user=bot_user)
    await wait_for_event(alice, membership(bot.user_id, "join"), room_id=welcome)

    unwelcome = await create_room(mallory, invite=[bot.user_id])
    await wait_for_event(mallory, membership(bot.user_id, "leave"), room_id=unwelcome)
    assert unwelcome not in bot.adapter.client.rooms

    marker = await send_text(alice, welcome, "!rg help")
    seen = await seen_until(alice, welcome, answers(bot, marker))
    assert "Readalong commands" in seen[-1].body
    assert history not in {in_reply_to(e) for e in seen}

    # Invited while running, into a room with earlier commands: it answers only what follows its join.
    later = await create_room(alice)
    earlier = await send_text(alice, later, "!rg help")
    assert isinstance(await alice.room_invite(later, bot.user_id), nio.RoomInviteResponse)
    await wait_for_event(alice, membership(bot.user_id, "join"), room_id=later)
    marker = await send_text(alice, later, "!rg help")
    seen = await seen_until(alice, later, answers(bot, marker))
    assert earlier not in {in_reply_to(e) for e in seen}


# ---------------------------------------------------------------- private messages and the real cogs
async def add_book(bot: Bot, title: str = "Dubliners") -> int:
    section = NewSection("The Sisters", 1, (NewParagraph("There was no hope for him this time."),), 8, 1)
    book = NewBook(title, ("James Joyce",), "1914", f"{title}.txt", "txt", title * 8, (section,))
    async with bot.app.db.transaction() as tx:
        return await book_store.insert(tx, book, bot.clock.now())


async def start_plan(member: nio.AsyncClient, room_id: str, bot: Bot, book_id: int) -> None:
    """The member (a moderator) plans the book on Tuesdays 19:00 from 3 November and confirms the preview."""
    preview = await ask(member, room_id, bot, f'!rg plan create {book_id} 2026-11-03 "tuesday 19:00" "1 section"')
    token = re.search(r"plan confirm (\w+)", preview.body)
    assert token is not None, preview.body
    confirmed = await ask(member, room_id, bot, f"!rg plan confirm {token.group(1)}")
    assert confirmed.body.startswith("The study plan is on"), confirmed.body


async def test_a_nudge_arrives_in_a_direct_room_with_that_member_only(
    start_bot: StartBot, matrix_client: Connect
) -> None:
    bot = await start_bot()
    alice, bob = await matrix_client(), await matrix_client()
    room_id = await group_room(alice, bot, join=(bob,))
    await start_plan(alice, room_id, bot, await add_book(bot))
    asked = await ask(bob, room_id, bot, "!rg nudge on")
    assert "12 h before a meeting" in asked.body
    assert await bot.app.tick() == 1  # the reading opens in the group's room
    bot.clock.advance(timedelta(hours=21))  # 12 hours before the meeting of Tuesday 19:00 in Berlin
    assert await bot.app.tick() == 2  # the nudge, and the day-before reminder in the group's room

    direct = await wait_for_invite(bob)
    [invite] = [e for e in invite_state(bob, direct) if getattr(e, "state_key", None) == bob.user_id]
    assert invite.sender == bot.user_id and invite.content["membership"] == "invite"
    assert invite.content["is_direct"] is True
    assert isinstance(await bob.join(direct), nio.JoinResponse)
    notice = lambda e: e.sender == bot.user_id and isinstance(e, nio.RoomMessageNotice)  # noqa: E731
    nudge = await wait_for_event(bob, notice, room_id=direct)
    assert nudge.body.startswith("Before the meeting of") and "Still to read for *" in nudge.body
    members = await bob.joined_members(direct)
    assert isinstance(members, nio.JoinedMembersResponse)
    assert sorted(m.user_id for m in members.members) == sorted([bot.user_id, bob.user_id])
    assert await bot.app.recall("matrix", "", "direct", bob.user_id) == direct

    # A second private message goes to the same room; nobody else was invited anywhere.
    await bot.adapter.send(direct_room(bob.user_id), Reply(text="One more thing."), key="second-dm")
    again = await wait_for_event(bob, notice, room_id=direct)
    assert again.body == "One more thing."
    marker = await send_text(alice, room_id, "!rg group info")
    seen = await seen_until(alice, room_id, answers(bot, marker))
    assert not [e for e in seen if "Still to read" in getattr(e, "body", "")]
    assert not alice.invited_rooms

    # Bob leaves the private room: the bot forgets it, and the next private message opens a new one.
    assert isinstance(await bob.room_leave(direct), nio.RoomLeaveResponse)
    for _ in range(200):
        if await bot.app.recall("matrix", "", "direct", bob.user_id) is None:
            break
        await asyncio.sleep(0.05)
    assert await bot.app.recall("matrix", "", "direct", bob.user_id) is None
    await bot.adapter.send(direct_room(bob.user_id), Reply(text="A fresh start."), key="third-dm")
    fresh = await wait_for_invite(bob)
    assert fresh != direct


def ends(poll_id: str) -> Callable[[nio.Event], bool]:
    def match(event: nio.Event) -> bool:
        relation = event.source.get("content", {}).get("m.relates_to") or {}
        return event.source.get("type") == POLL_END and relation.get("event_id") == poll_id

    return match


async def test_closing_a_poll_ends_the_element_poll(start_bot: StartBot, matrix_client: Connect) -> None:
    bot = await start_bot()
    alice, bob = await matrix_client(), await matrix_client()
    room_id = await group_room(alice, bot, join=(bob,))

    async def open_poll(line: str) -> nio.Event:
        command_id = await send_text(alice, room_id, line)
        return await wait_for_event(
            alice, lambda e: e.source.get("type") == POLL_START and in_reply_to(e) == command_id, room_id=room_id
        )

    # Closed by its deadline: the results go out through the outbox.
    timed = await open_poll('!rg poll create "Which book next?" "Dune" "Emma" closes:1h')
    await respond(bob, room_id, timed.event_id, "2")
    await ask(alice, room_id, bot, "!rg poll list")  # by now the response has been handled
    bot.clock.advance(timedelta(hours=1))
    assert await bot.app.tick() == 1
    ended = await wait_for_event(alice, ends(timed.event_id), room_id=room_id)
    content = content_of(ended)
    assert ended.sender == bot.user_id and content[POLL_END] == {}
    assert content["m.relates_to"] == {"rel_type": "m.reference", "event_id": timed.event_id}
    assert "Winner: B Emma." in content["org.matrix.msc1767.text"] and content["body"].startswith("Poll #")

    # Closed by a moderator: the answer to `poll close` ends it; shown twice, both Element polls end.
    shown = await open_poll('!rg poll create "When do we meet?" "Tuesday" "Thursday"')
    row = await bot.app.db.fetchone("SELECT max(id) FROM polls")
    assert row is not None
    again = await open_poll(f"!rg poll show {row[0]}")
    closed = await ask(alice, room_id, bot, f"!rg poll close {row[0]}")
    assert "results" in closed.body
    for poll in (shown, again):
        ended = await wait_for_event(alice, ends(poll.event_id), room_id=room_id)
        assert "Nobody voted." in content_of(ended)["body"]
    assert await bot.app.recall("matrix", room_id, "poll", f"vote {row[0]}") is None
