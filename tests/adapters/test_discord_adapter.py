"""The Discord adapter end to end: the real discord.py client inside DiscordAdapter, a real App on a temporary
database, and the fake Discord (REST + gateway) on loopback. Tests wait for recorded requests, never sleep."""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import json
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import discord
import pytest

from bot.adapters.base import MeetingEvent, direct_room
from bot.adapters.discord import STALE_COMMAND, DiscordAdapter, create_adapter
from bot.adapters.discord_render import nonce_for
from bot.app import App
from bot.clock import ManualClock
from bot.commands import Invocation, Permission, command, spec_of
from bot.config import DiscordSettings, LibrarySettings, Settings
from bot.outbox import reply_to_json
from bot.replies import Choice, File, Reply
from bot.scheduling import Post
from bot.storage import books as book_store
from bot.storage import jobs as job_store
from bot.storage import meta
from bot.storage import outbox as outbox_store
from bot.storage.books import NewBook, NewParagraph, NewSection
from bot.storage.db import Transaction
from bot.storage.jobs import Job
from cogs import all_features
from tests.fakes import discord_payloads as P
from tests.fakes.discord_server import FakeDiscord, RecordedRequest

MANAGE_GUILD = discord.Permissions(manage_guild=True).value
PRIVILEGED = discord.Intents(members=True, presences=True, message_content=True).value
LONG_COMMAND = "testvote 1 " + "very-long-choice-" * 8


# ---------------------------------------------------------------- test-only commands
@command("testpoll", help="Show a test poll with buttons.")
async def fake_poll(inv: Invocation) -> Reply:
    return Reply(
        title="Which chapter next?",
        text="Press a button.",
        kind="poll",
        choices=(Choice("A", "testvote 1 A", "primary"), Choice("Long", LONG_COMMAND), Choice("Shut", "testvote 2 A")),
    )


@command("testvote", help="Record a test vote.", params={"poll": "Poll number", "answer": "Your answer"})
async def fake_vote(inv: Invocation, poll: int, answer: str) -> Reply:
    if poll == 2:
        return Reply(text="This poll is closed; its result is posted in the channel.", ephemeral=True, kind="error")
    await meta.put(inv.db, f"vote:{poll}:{inv.context.user_id}", answer)
    return Reply(text=f"Your vote for {answer} is counted.", ephemeral=True)


@command("testwait", help="Record a wait.", params={"delay": "How long, e.g. 2h"})
async def fake_wait(inv: Invocation, delay: timedelta) -> Reply:
    await meta.put(inv.db, "testwait", str(delay))
    return Reply(text=f"Waiting {delay}.")


@command("testlong", help="A very long answer.")
async def fake_long(inv: Invocation) -> Reply:
    return Reply(text="\n".join(f"Line {i}: " + "word " * 30 for i in range(40)))


@command("testslow", help="A slow answer with a file.")
async def fake_slow(inv: Invocation) -> Reply:
    await asyncio.sleep(0.3)
    return Reply(title="Export", text="Here is the calendar.", files=(File("plan.ics", b"BEGIN:VCALENDAR"),))


@command("testmod", help="A moderators-only test command.", permission=Permission.MODERATOR)
async def fake_mod(inv: Invocation) -> Reply:
    return Reply(text="done")


@command("testmany", help="A poll with many options.")
async def fake_many(inv: Invocation) -> Reply:
    choices = tuple(Choice(f"Option {i}", f"testvote 1 O{i}") for i in range(12))
    return Reply(text="Pick one", kind="poll", choices=choices)


TEST_COMMANDS = (fake_many, fake_poll, fake_vote, fake_wait, fake_long, fake_slow, fake_mod)


@pytest.fixture
async def app(settings: Settings, clock: ManualClock, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[App]:
    monkeypatch.setenv("READALONG_DISCORD_TOKEN", "fake-token")
    settings = replace(settings, library=LibrarySettings(texts=settings.library.texts, max_upload_mb=1))
    application = await App.open(settings, clock=clock, features=all_features())
    for handler in TEST_COMMANDS:
        spec = spec_of(handler)
        assert spec is not None
        application.registry.add(spec)
    yield application
    await application.close()


@contextlib.asynccontextmanager
async def running(app: App, **options: Any) -> AsyncIterator[DiscordAdapter]:
    adapter = DiscordAdapter(app, guild_ready_timeout=0.05, **options)
    app.adapters["discord"] = adapter
    await adapter.start()
    try:
        yield adapter
    finally:
        await adapter.stop()
        app.adapters.pop("discord", None)


def moderator(fake: FakeDiscord, name: str = "mod") -> int:
    return fake.add_member(None, name, permissions=P.EVERYONE_PERMISSIONS | MANAGE_GUILD)


async def bind_channel(fake: FakeDiscord) -> int:
    """A Manage-Server member runs /group setup in #general; returns the member's id."""
    mod = moderator(fake)
    answer = await fake.slash_command(
        "group setup", {"timezone": "Europe/Berlin", "name": "Tuesday readers"}, user_id=mod
    ).callback()
    assert not answer.ephemeral, answer.json
    return mod


def button_ids(req: RecordedRequest) -> list[str]:
    return [c["custom_id"] for row in req.body.get("components", []) for c in row["components"]]


async def add_book(app: App, title: str = "Dubliners") -> int:
    section = NewSection("The Sisters", 1, (NewParagraph("There was no hope for him this time."),), 8, 1)
    book = NewBook(title, ("James Joyce",), "1914", f"{title}.txt", "txt", title * 8, (section,))
    async with app.db.transaction() as tx:
        return await book_store.insert(tx, book, app.clock.now())


# ---------------------------------------------------------------- connecting and commands
async def test_login_ready_and_every_command_synced(app: App, fake_discord: FakeDiscord) -> None:
    adapter = create_adapter(app)
    assert isinstance(adapter, DiscordAdapter)
    adapter.guild_ready_timeout = 0.05
    adapter.client = adapter._new_client()
    app.adapters["discord"] = adapter
    await adapter.start()
    try:
        assert adapter.client.user is not None and adapter.client.user.id == fake_discord.application_id
        identify = await fake_discord.wait_for_gateway(lambda f: f.op == 2)
        assert not identify.data["intents"] & PRIVILEGED  # no privileged intent
        sync = await fake_discord.wait_for_request("PUT", rf"/applications/{fake_discord.application_id}/commands")
        by_name = {c["name"]: c for c in sync.json}
        assert {"help", "group", "library", "testpoll"} <= set(by_name)
        library = {o["name"]: o for o in by_name["library"]["options"]}
        assert set(library) >= {"add", "list", "show"}
        [book] = library["show"]["options"]
        assert (book["name"], book["type"], book["autocomplete"], book["required"]) == ("book", P.STRING, True, True)
        add_options = {o["name"]: o for o in library["add"]["options"]}
        assert add_options["file"]["type"] == P.ATTACHMENT and not add_options["file"].get("required")
        timezone = {o["name"]: o for o in by_name["group"]["options"]}["timezone"]["options"][0]
        assert timezone["description"].startswith("IANA time zone")
        assert int(by_name["testmod"]["default_member_permissions"]) == MANAGE_GUILD
        assert by_name["group"]["default_member_permissions"] is None  # mixed group: checked at run time
        vote = {o["name"]: o["type"] for o in by_name["testvote"]["options"]}
        assert vote == {"poll": P.INTEGER, "answer": P.STRING}
    finally:
        await adapter.stop()
    async with running(app):  # unchanged commands are not uploaded again at the next start
        pass
    puts = [r for r in fake_discord.requests.items if r.method == "PUT" and r.path.endswith("/commands")]
    assert len(puts) == 1


async def test_commands_sync_to_configured_guilds(app: App, fake_discord: FakeDiscord) -> None:
    app.settings = replace(app.settings, discord=DiscordSettings(guild_ids=(fake_discord.guild_id,)))
    async with running(app):
        await fake_discord.wait_for_request(
            "PUT", rf"/applications/{fake_discord.application_id}/guilds/{fake_discord.guild_id}/commands"
        )
        handle = fake_discord.slash_command("help")
        assert handle.payload["data"]["guild_id"] == str(fake_discord.guild_id)
        assert (await handle.callback()).body["embeds"][0]["title"] == "Readalong commands"


async def test_help_and_library_list_answer_in_the_channel(app: App, fake_discord: FakeDiscord) -> None:
    await add_book(app)
    async with running(app):
        help_answer = await fake_discord.slash_command("help").callback()
        assert help_answer.callback_type == 4 and not help_answer.ephemeral
        [embed] = help_answer.body["embeds"]
        assert embed["title"] == "Readalong commands" and "`/library show` —" in embed["description"]
        detail = await fake_discord.slash_command("help", {"topic": "library show"}).callback()
        assert "Usage: `/library show <book>`" in detail.body["embeds"][0]["description"]
        listing = await fake_discord.slash_command("library list").callback()
        assert "*Dubliners* — James Joyce, 1914" in listing.body["embeds"][0]["description"]


async def test_group_setup_by_a_server_manager_binds_the_channel(app: App, fake_discord: FakeDiscord) -> None:
    async with running(app):
        refused = await fake_discord.slash_command("group setup").callback()
        assert refused.ephemeral and "Only room moderators or server managers" in refused.content
        mod = moderator(fake_discord)
        created = await fake_discord.slash_command("group setup", {"name": "Tuesday readers"}, user_id=mod).callback()
        assert created.body["embeds"][0]["title"] == "Reading group “Tuesday readers” is set up"
        info = await fake_discord.slash_command("group info").callback()
        fields = {f["name"]: f["value"] for f in info.body["embeds"][0]["fields"]}
        assert fields["Moderators"] == "mod"
    group = await app.db.fetchone("SELECT platform, room_id FROM groups")
    assert group is not None and tuple(group) == ("discord", str(fake_discord.channel_id))


async def test_a_role_named_in_the_config_makes_a_moderator(app: App, fake_discord: FakeDiscord) -> None:
    lead = fake_discord.add_role("Study lead")
    async with running(app):
        await bind_channel(fake_discord)
        member = fake_discord.add_member(None, "lead", roles=[lead])
        answer = await fake_discord.slash_command(
            "group timezone", {"timezone": "Asia/Tokyo"}, user_id=member
        ).callback()
        assert answer.content == "The group's time zone is now Asia/Tokyo."


async def test_moderator_command_refused_to_a_member_privately(app: App, fake_discord: FakeDiscord) -> None:
    async with running(app):
        await bind_channel(fake_discord)
        refused = await fake_discord.slash_command("group timezone", {"timezone": "Asia/Tokyo"}).callback()
        assert refused.flags & 64
        assert refused.content == "Only moderators can use `group timezone`."
    group = await app.db.fetchone("SELECT timezone FROM groups")
    assert group is not None and group[0] == "Europe/Berlin"


async def test_command_in_a_channel_without_a_group_says_how_to_start(app: App, fake_discord: FakeDiscord) -> None:
    async with running(app):
        answer = await fake_discord.slash_command("group info").callback()
        assert answer.ephemeral
        assert answer.content.startswith("This room is not a reading group yet; a moderator can start one here")


async def test_autocomplete_offers_books(app: App, fake_discord: FakeDiscord) -> None:
    book_id = await add_book(app)
    await add_book(app, "Middlemarch")
    async with running(app):
        choices = await fake_discord.autocomplete("library show", {"book": "dub"}, focused="book").choices()
        assert choices == [{"name": f"#{book_id} Dubliners", "value": str(book_id)}]
        shown = await fake_discord.slash_command("library show", {"book": str(book_id)}).callback()
        assert "The Sisters" in shown.body["embeds"][0]["description"]


async def test_bad_option_value_is_a_private_sentence_and_stores_nothing(app: App, fake_discord: FakeDiscord) -> None:
    async with running(app):
        await bind_channel(fake_discord)
        answer = await fake_discord.slash_command("testwait", {"delay": "soon-ish"}).callback()
        assert answer.ephemeral and answer.content.startswith("`delay`:")
        assert "Usage: `testwait <delay>`" in answer.content
        assert await meta.get(app.db, "testwait") is None
        good = await fake_discord.slash_command("testwait", {"delay": "2h"}).callback()
        assert good.content == "Waiting 2:00:00."
        stale = await fake_discord.slash_command("testwait", {}).callback()  # a required option missing
        assert stale.ephemeral and stale.content == STALE_COMMAND


async def test_long_output_is_split_into_followups(app: App, fake_discord: FakeDiscord) -> None:
    async with running(app):
        handle = fake_discord.slash_command("testlong")
        pages = [(await handle.callback()).content] + [(await handle.followup(index=i)).content for i in range(3)]
        assert all(len(page) <= 2000 for page in pages)
        whole = (await fake_long(None)).text  # type: ignore[arg-type]
        assert "\n".join(pages).split() == whole.split()  # nothing lost, split at line ends
        assert all(page.startswith("Line ") for page in pages)
        assert len([r for r in fake_discord.requests.items if r.path.startswith("/webhooks/")]) == 3


async def test_slow_command_is_deferred_then_answered_with_a_file(app: App, fake_discord: FakeDiscord) -> None:
    async with running(app, defer_after=0.05):
        handle = fake_discord.slash_command("testslow")
        deferred = await handle.callback()
        assert deferred.callback_type == 5 and deferred.ephemeral
        answer = await handle.followup()
        assert answer.body["embeds"][0]["title"] == "Export" and not answer.ephemeral
        [file] = answer.files
        assert (file.filename, file.data) == ("plan.ics", b"BEGIN:VCALENDAR")


# ---------------------------------------------------------------- buttons
async def test_button_vote_is_stored_and_survives_a_restart(app: App, fake_discord: FakeDiscord) -> None:
    async with running(app):
        await bind_channel(fake_discord)
        poll = await fake_discord.slash_command("testpoll").callback()
        ids = button_ids(poll)
        assert ids[0] == "rg:testvote 1 A"
        assert ids[1].startswith("rgk:") and len(ids[1]) <= 100  # too long for a custom_id: remembered
        pressed = await fake_discord.click_button(ids[0]).callback()
        assert pressed.ephemeral and pressed.content == "Your vote for A is counted."
        assert await meta.get(app.db, f"vote:1:{fake_discord.user_id}") == "A"

    async with running(app):  # a new client on the same database: the old message's buttons still work
        ada = fake_discord.add_member(None, "ada")
        again = await fake_discord.click_button(ids[1], user_id=ada).callback()
        assert again.ephemeral and again.content == f"Your vote for {LONG_COMMAND.split()[-1]} is counted."
        assert await meta.get(app.db, f"vote:1:{ada}") == LONG_COMMAND.split()[-1]
        closed = await fake_discord.click_button(ids[2], user_id=ada).callback()
        assert closed.ephemeral and closed.content == "This poll is closed; its result is posted in the channel."
        unknown = await fake_discord.click_button("rgk:0123456789abcdef", user_id=ada).callback()
        assert unknown.ephemeral and "no longer works" in unknown.content


async def test_many_choices_become_a_select_menu_that_votes(app: App, fake_discord: FakeDiscord) -> None:
    async with running(app):
        await bind_channel(fake_discord)
        poll = await fake_discord.slash_command("testmany").callback()
        [row] = poll.body["components"]
        [menu] = row["components"]
        assert menu["type"] == 3 and len(menu["options"]) == 12
        chosen = await fake_discord.choose(menu["custom_id"], [menu["options"][7]["value"]]).callback()
        assert chosen.ephemeral and chosen.content == "Your vote for O7 is counted."
    assert await meta.get(app.db, f"vote:1:{fake_discord.user_id}") == "O7"


@pytest.mark.skipif(importlib.util.find_spec("cogs.votes") is None, reason="the votes cog (issue #6) is not in yet")
async def test_real_poll_button_stores_a_ballot_and_a_closed_poll_says_so(app: App, fake_discord: FakeDiscord) -> None:
    async with running(app):
        mod = await bind_channel(fake_discord)
        created = await fake_discord.slash_command(
            "poll create", {"question": "Next book?", "option1": "Dubliners", "option2": "Middlemarch"}, user_id=mod
        ).callback()
        assert not created.ephemeral, created.json
        ids = button_ids(created)
        assert len(ids) == 2 and all(i.startswith("rg:vote ") for i in ids), ids
        pressed = await fake_discord.click_button(ids[1]).callback()
        assert pressed.ephemeral and "Your vote in poll #" in pressed.content, pressed.content
        ballots = await app.db.fetchall("SELECT choices FROM ballots")
        assert len(ballots) == 1
        poll_id = ids[1].split()[1]
        closed = await fake_discord.slash_command("poll close", {"poll": poll_id}, user_id=mod).callback()
        assert not closed.ephemeral, closed.json
        late = fake_discord.click_button(ids[0], message_id=int(created.response["resource"]["message"]["id"]))
        answer = await late.callback()
        assert answer.ephemeral and f"Poll #{poll_id} is closed" in answer.content


def poll_components(fake: FakeDiscord, message_id: int) -> list[dict[str, Any]]:
    return [c for row in fake.messages[message_id]["components"] for c in row["components"]]


@pytest.mark.parametrize("closed_by", ["moderator", "deadline"])
async def test_a_closed_polls_buttons_are_disabled_on_its_message(
    app: App, fake_discord: FakeDiscord, clock: ManualClock, closed_by: str
) -> None:
    async with running(app):
        mod = await bind_channel(fake_discord)
        created = await fake_discord.slash_command(
            "poll create",
            {"question": "Next book?", "option1": "Dubliners", "option2": "Middlemarch", "closes": "1h"},
            user_id=mod,
        ).callback()
        poll_id = button_ids(created)[0].split()[1]
        message_id = int(created.response["resource"]["message"]["id"])
        shown = await fake_discord.slash_command("poll show", {"poll": poll_id}).callback()  # the same poll again
        shown_id = int(shown.response["resource"]["message"]["id"])
        assert not any(c.get("disabled") for c in poll_components(fake_discord, message_id))
        since = fake_discord.mark()
        if closed_by == "moderator":
            closed = await fake_discord.slash_command("poll close", {"poll": poll_id}, user_id=mod).callback()
            assert not closed.ephemeral, closed.json
        else:
            clock.advance(timedelta(hours=1))
            await app.tick()
        for mid in (message_id, shown_id):
            await fake_discord.wait_for_request("PATCH", rf"/channels/\d+/messages/{mid}", since=since)
            buttons = poll_components(fake_discord, mid)
            assert len(buttons) == 2 and all(b["disabled"] for b in buttons), buttons
            assert [b["label"] for b in buttons] == ["A: Dubliners", "B: Middlemarch"]
    assert await app.recall("discord", str(fake_discord.channel_id), "poll", f"vote {poll_id}") is None


# ---------------------------------------------------------------- uploads
async def test_uploaded_file_is_added_to_the_library(app: App, fake_discord: FakeDiscord) -> None:
    text = "The Sisters\n\n" + "There was no hope for him this time: it was the third stroke. " * 40
    async with running(app):
        await bind_channel(fake_discord)
        mod = moderator(fake_discord, "librarian")
        upload = fake_discord.upload("sisters.txt", text.encode())
        answer = await fake_discord.slash_command(
            "library add", {"file": upload, "title": "The Sisters"}, user_id=mod
        ).callback()
        if answer.callback_type == 5:
            answer = await fake_discord.wait_for(lambda r: r.method == "POST" and r.path.startswith("/webhooks/"))
        assert answer.body["embeds"][0]["title"] == "Added to the library", answer.json
    [book] = await book_store.all_books(app.db)
    assert book.title == "The Sisters" and book.source_name == "sisters.txt"


async def test_upload_too_large_or_of_the_wrong_kind_is_refused(app: App, fake_discord: FakeDiscord) -> None:
    async with running(app):
        await bind_channel(fake_discord)
        mod = moderator(fake_discord, "librarian")
        big = fake_discord.upload("huge.txt", b"word " * 300_000)
        too_big = await fake_discord.slash_command("library add", {"file": big}, user_id=mod).callback()
        assert too_big.ephemeral and too_big.content == "huge.txt is larger than the 1 MB limit."
        wrong = fake_discord.upload("notes.docx", b"PK\x03\x04")
        refused = await fake_discord.slash_command("library add", {"file": wrong}, user_id=mod).callback()
        assert refused.ephemeral and refused.content.startswith("I can't read notes.docx")
    assert await book_store.all_books(app.db) == []
    assert not any(r.path.startswith("/attachments/") for r in fake_discord.requests.items)


# ---------------------------------------------------------------- scheduled posts, threads, events
async def _group_id(app: App) -> int:
    row = await app.db.fetchone("SELECT id FROM groups")
    assert row is not None
    return int(row[0])


async def _enqueue(app: App, key: str, reply: Reply, **kwargs: Any) -> None:
    group = await app.db.fetchone("SELECT id, room_id FROM groups")
    assert group is not None
    await outbox_store.enqueue(
        app.db,
        key=key,
        group_id=group[0],
        platform="discord",
        room_id=group[1],
        payload=reply_to_json(reply),
        now=app.clock.now(),
        **kwargs,
    )


async def test_reading_post_opens_a_thread_and_later_posts_land_in_it(app: App, fake_discord: FakeDiscord) -> None:
    async with running(app):
        await bind_channel(fake_discord)
        opens = Reply(title="Reading 1: The Sisters", text="This week's reading is open.", kind="reading")
        await _enqueue(app, "open:1", opens, thread_key="reading:1", starts_thread=True)
        assert await app.tick() == 1
        create = await fake_discord.wait_for_request(
            "POST", rf"/channels/{fake_discord.channel_id}/messages/\d+/threads"
        )
        assert create.json["name"] == "Reading 1: The Sisters"
        [thread] = fake_discord.threads()
        post = fake_discord.channel_messages()[-1]
        assert post["embeds"][0]["title"] == "Reading 1: The Sisters" and post["nonce"] == nonce_for("open:1")
        await _enqueue(app, "prompt:1", Reply(text="What did the boy fear?", kind="prompt"), thread_key="reading:1")
        assert await app.tick() == 1
        [in_thread] = fake_discord.channel_messages(int(thread["id"]))
        assert in_thread["embeds"][0]["description"] == "What did the boy fear?"
        # A command typed inside the thread belongs to the channel's group.
        info = await fake_discord.slash_command("group info", channel_id=int(thread["id"])).callback()
        assert info.body["embeds"][0]["title"] == "Tuesday readers"
    assert await app.recall("discord", str(fake_discord.channel_id), "thread", "reading:1") == thread["id"]


async def test_reminder_from_the_scheduler_arrives_in_the_channel(
    app: App, fake_discord: FakeDiscord, clock: ManualClock
) -> None:
    async def remind(app: App, tx: Transaction, job: Job) -> list[Post]:
        return [Post(group_id=job.group_id or 0, reply=Reply(text="Reminder: we meet in one hour."))]

    app.job_handlers["test-reminder"] = remind
    async with running(app):
        await bind_channel(fake_discord)
        due = clock.now() + timedelta(hours=1)
        await job_store.add(app.db, "test-reminder", due, {}, clock.now(), await _group_id(app))
        assert await app.tick() == 0
        clock.advance(timedelta(hours=1))
        assert await app.tick() == 1
        sent = await fake_discord.wait_for_request("POST", rf"/channels/{fake_discord.channel_id}/messages")
        assert sent.json["content"] == "Reminder: we meet in one hour."
        assert sent.json["enforce_nonce"] is True and len(sent.json["nonce"]) <= 25


async def test_meetings_become_scheduled_events(app: App, fake_discord: FakeDiscord, clock: ManualClock) -> None:
    async with running(app):
        await bind_channel(fake_discord)
        group = await _group_id(app)
        from bot.storage import groups as group_store

        bound = await group_store.get(app.db, group)
        assert bound is not None
        start = clock.now() + timedelta(days=7)
        first = MeetingEvent("reading:1", "Meeting: The Sisters", start, start + timedelta(hours=1), "Reading 1")
        second = MeetingEvent(
            "reading:2", "Meeting: Araby", start + timedelta(days=7), start + timedelta(days=7, hours=1)
        )
        await app.sync_meetings(bound, [first, second])
        events = {e["name"]: e for e in fake_discord.scheduled_events()}
        assert set(events) == {"Meeting: The Sisters", "Meeting: Araby"}
        sisters = events["Meeting: The Sisters"]
        assert sisters["entity_type"] == 3 and sisters["entity_metadata"] == {"location": "#general"}
        assert sisters["scheduled_start_time"].startswith(start.strftime("%Y-%m-%dT%H:%M:%S"))

        moved = replace(first, starts_at=start + timedelta(hours=2), ends_at=start + timedelta(hours=3))
        await app.sync_meetings(bound, [moved, second])
        await app.sync_meetings(bound, [moved, second])  # nothing changed: no request
        edits = [r for r in fake_discord.requests.items if r.method == "PATCH" and "/scheduled-events/" in r.path]
        assert len(edits) == 1 and edits[0].path.endswith(sisters["id"])
        [updated] = [e for e in fake_discord.scheduled_events() if e["id"] == sisters["id"]]
        assert updated["scheduled_start_time"].startswith(moved.starts_at.strftime("%Y-%m-%dT%H:%M:%S"))

        await app.sync_meetings(bound, [second])
        assert [e["name"] for e in fake_discord.scheduled_events()] == ["Meeting: Araby"]
        assert await app.recall("discord", str(fake_discord.channel_id), "event", "reading:1") is None


async def test_posts_due_during_a_gateway_outage_wait_and_go_out_once(app: App, fake_discord: FakeDiscord) -> None:
    async with running(app) as adapter:
        await bind_channel(fake_discord)
        since = len(fake_discord.gateway_frames.items)
        disconnected = asyncio.ensure_future(adapter.client.wait_for("disconnect", timeout=10))
        await fake_discord.drop_gateway(hold=True)
        await disconnected
        assert not adapter.client.connected_for(None)
        await _enqueue(app, "during-outage", Reply(text="Reading 2 opens today."))
        assert await app.tick() == 0  # waits in the outbox
        row = await app.db.fetchone("SELECT sent_at, attempts FROM outbox WHERE key = 'during-outage'")
        assert row is not None and row[0] is None and row[1] == 1
        resumed = asyncio.ensure_future(adapter.client.wait_for("resumed", timeout=10))
        fake_discord.release_gateway()
        await resumed
        await fake_discord.wait_for_gateway(lambda f: f.op == 6, since=since)  # RESUME, not a new IDENTIFY
        assert adapter.client.connected_for(None)
        assert await app.tick() == 1
        assert await app.tick() == 0
        # Even if the outbox row had not been marked sent, Discord would drop the repeat by its nonce.
        await adapter.send(str(fake_discord.channel_id), Reply(text="Reading 2 opens today."), key="during-outage")
    posted = [m for m in fake_discord.channel_messages() if m["content"].startswith("Reading 2 opens today.")]
    assert len(posted) == 1
    assert not [f for f in fake_discord.gateway_frames.items[since:] if f.op == 2]


async def test_sharded_client_when_shard_count_is_set(app: App, fake_discord: FakeDiscord) -> None:
    app.settings = replace(app.settings, discord=DiscordSettings(shard_count=2))
    adapter = DiscordAdapter(app, guild_ready_timeout=0.05)
    assert isinstance(adapter.client, discord.AutoShardedClient)

    async def no_identify_delay(shard_id: int | None, *, initial: bool = False) -> None:
        return None

    adapter.client.before_identify_hook = no_identify_delay  # type: ignore[method-assign]
    app.adapters["discord"] = adapter
    await adapter.start()
    try:
        identifies = [f.data["shard"] for f in fake_discord.gateway_frames.items if f.op == 2]
        assert sorted(identifies) == [[0, 2], [1, 2]]
        answer = await fake_discord.slash_command("group info").callback()
        assert "not a reading group yet" in answer.content
    finally:
        await adapter.stop()


# ---------------------------------------------------------------- study plans through the real cogs
async def start_plan(fake: FakeDiscord, mod: int, book_id: int, start: str = "2026-11-03") -> None:
    """A moderator plans a book (one section per Tuesday 19:00 meeting) and confirms the preview's button."""
    options = {"book": str(book_id), "start": start, "every": "tuesday 19:00", "per-meeting": "1 section"}
    preview = await fake.slash_command("plan create", options, user_id=mod).callback()
    [confirm] = [i for i in button_ids(preview) if i.startswith("rg:plan confirm ")]
    confirmed = await fake.click_button(confirm, user_id=mod).callback()
    assert "The study plan is on" in confirmed.body["embeds"][0]["title"], confirmed.json


def dm_channels(fake: FakeDiscord) -> list[dict[str, Any]]:
    return [c for c in fake.channels.values() if c["type"] == P.DM]


async def test_a_nudge_is_a_private_message_to_that_member_only(
    app: App, fake_discord: FakeDiscord, clock: ManualClock
) -> None:
    book_id = await add_book(app)
    async with running(app) as adapter:
        mod = await bind_channel(fake_discord)
        await start_plan(fake_discord, mod, book_id)
        ada = fake_discord.add_member(None, "ada")
        asked = await fake_discord.slash_command("nudge on", user_id=ada).callback()
        assert asked.ephemeral and "12 h before a meeting" in asked.content
        assert await app.tick() == 1  # the reading opens in the channel
        # The meeting is Tuesday 3 November 19:00 in Berlin (18:00 UTC); the nudge goes out 12 hours before.
        clock.advance(timedelta(hours=21))
        await app.tick()
        opened = await fake_discord.wait_for_request("POST", r"/users/@me/channels")
        assert str(opened.json["recipient_id"]) == str(ada)
        [dm] = dm_channels(fake_discord)
        assert dm["recipients"][0]["id"] == str(ada)
        [nudge] = fake_discord.channel_messages(int(dm["id"]))
        assert nudge["embeds"][0]["title"].startswith("Before the meeting of")
        assert "Still to read for *Tuesday readers*: 1. The Sisters" in nudge["embeds"][0]["description"]
        assert "In the *Tuesday readers* channel, `done` marks" in nudge["embeds"][0]["description"]
        assert len(nudge["nonce"]) <= 25
        everywhere = [m for c in fake_discord.channels for m in fake_discord.channel_messages(c) if m is not nudge]
        assert not [m for m in everywhere if "Still to read" in json.dumps(m)]  # nowhere else, nobody else
        # A second private message goes to the same DM channel.
        await adapter.send(direct_room(str(ada)), Reply(text="One more thing."), key="second-dm")
        assert dm_channels(fake_discord) == [dm]
        assert [m["content"] for m in fake_discord.channel_messages(int(dm["id"]))][-1] == "One more thing."
    row = await app.db.fetchone("SELECT platform, room_id, sent_at FROM outbox WHERE room_id LIKE 'dm:%'")
    assert row is not None and tuple(row[:2]) == ("discord", direct_room(str(ada))) and row[2] is not None


@pytest.mark.parametrize("closed_by", ["deadline", "moderator"])
async def test_a_next_book_poll_closing_adds_the_winner_to_the_calendar(
    app: App, fake_discord: FakeDiscord, clock: ManualClock, closed_by: str
) -> None:
    first = await add_book(app, "Dubliners")
    winner = await add_book(app, "Middlemarch")
    await add_book(app, "Ulysses")
    async with running(app):
        mod = await bind_channel(fake_discord)
        await start_plan(fake_discord, mod, first)
        [planned] = fake_discord.scheduled_events()
        assert planned["name"] == "Tuesday readers: The Sisters"
        created = await fake_discord.slash_command("poll next-book", {"closes": "1h"}, user_id=mod).callback()
        [vote] = [i for i in button_ids(created) if i.endswith(" A")]  # A: Middlemarch, the first unplanned book
        assert (await fake_discord.click_button(vote).callback()).ephemeral
        if closed_by == "deadline":  # the dispatcher closes it and appends the winner inside its transaction
            clock.advance(timedelta(hours=1))
            await app.tick()
        else:
            poll_id = vote.split()[1]
            closed = await fake_discord.slash_command("poll close", {"poll": poll_id}, user_id=mod).callback()
            assert not closed.ephemeral, closed.json
        [results] = [
            e for m in fake_discord.channel_messages() for e in m["embeds"] if " results: " in e.get("title", "")
        ]
        assert "*Middlemarch* is added to the end of the group's plan." in results["description"]
        events = sorted(fake_discord.scheduled_events(), key=lambda e: e["scheduled_start_time"])
        assert len(events) == 2, events
        assert events[1]["name"] == "Tuesday readers: The Sisters" and events[1]["id"] != planned["id"]
        assert events[1]["scheduled_start_time"].startswith("2026-11-10T18:00:00")
    row = await app.db.fetchone("SELECT count(*) FROM plan_readings WHERE book_id = ?", (winner,))
    assert row is not None and row[0] == 1


async def test_suggest_a_prompt_button_opens_a_form_and_stores_the_question(
    app: App, fake_discord: FakeDiscord
) -> None:
    book_id = await add_book(app)
    async with running(app):
        mod = await bind_channel(fake_discord)
        await start_plan(fake_discord, mod, book_id)
        assert await app.tick() == 1  # reading 1 opens, with a button to suggest a prompt
        opening = fake_discord.channel_messages()[-1]
        assert opening["embeds"][0]["title"].startswith("📖 Reading 1 of 1 opens")
        buttons = {c["label"]: c["custom_id"] for row in opening["components"] for c in row["components"]}
        assert buttons["Suggest a prompt"] == "rg:prompt suggest 1 {text}"

        ada = fake_discord.add_member(None, "ada")
        pressed = fake_discord.click_button(buttons["Suggest a prompt"], message_id=int(opening["id"]), user_id=ada)
        form = await pressed.callback()
        assert form.callback_type == 9, form.json  # a modal: nothing runs before the text is there
        modal = form.data
        assert modal["title"] == "Suggest a prompt"
        [label] = modal["components"]
        assert label["type"] == 18 and label["component"]["type"] == 4 and label["component"]["style"] == 2
        # Quotes, a backslash and a `name:value` word are the member's text, not command syntax.
        question = 'Why does the boy repeat "paralysis" \\ reading:2 to himself?'
        typed = {**label["component"], "value": question}
        sent = fake_discord.submit_modal(modal["custom_id"], components=[{"type": 18, "component": typed}], user_id=ada)
        answer = await sent.callback()
        assert answer.ephemeral and answer.content.startswith("Thanks — suggestion #"), answer.json

        listed = await fake_discord.slash_command("prompt list", {"reading": "1"}).callback()
        description = listed.body["embeds"][0]["description"]
        assert question in description and "suggested by a member" in description
    row = await app.db.fetchone("SELECT text FROM prompts WHERE source = 'suggested'")
    assert row is not None and row[0] == question
