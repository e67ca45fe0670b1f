"""Slash commands end to end: the real discord.py client inside DiscordAdapter, a real App on a
temporary database, and the fake Discord on loopback. Tests wait for recorded requests, never sleep."""

from __future__ import annotations

from bot.adapters.discord.interactions import STALE_COMMAND
from bot.app import App
from bot.storage import books as book_store
from bot.storage import meta
from tests.adapters.discord.support import add_book, bind_channel, fake_long, moderator, running
from tests.fakes.discord_server import FakeDiscord


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
        fake_discord.set_command_permissions("group-admin", lead)  # as the README asks servers to do
        answer = await fake_discord.slash_command(
            "group-admin timezone", {"timezone": "Asia/Tokyo"}, user_id=member
        ).callback()
        assert answer.content == "The group's time zone is now Asia/Tokyo."


async def test_moderator_command_refused_to_a_member_privately(app: App, fake_discord: FakeDiscord) -> None:
    async with running(app):
        await bind_channel(fake_discord)
        fake_discord.set_command_permissions("group-admin", fake_discord.guild_id)  # a server shows it to everyone
        refused = await fake_discord.slash_command("group-admin timezone", {"timezone": "Asia/Tokyo"}).callback()
        assert refused.flags & 64
        assert refused.content == "Only moderators can use `group-admin timezone`."  # as typed on Discord
    group = await app.db.fetchone("SELECT timezone FROM groups")
    assert group is not None and group[0] == "Europe/Berlin"


async def test_command_in_a_channel_without_a_group_says_how_to_start(app: App, fake_discord: FakeDiscord) -> None:
    async with running(app):
        answer = await fake_discord.slash_command("group info").callback()
        assert answer.ephemeral
        assert answer.content.startswith("This room is not a reading group yet; a moderator can start one here")


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


async def test_uploaded_file_is_added_to_the_library(app: App, fake_discord: FakeDiscord) -> None:
    text = "The Sisters\n\n" + "There was no hope for him this time: it was the third stroke. " * 40
    async with running(app):
        await bind_channel(fake_discord)
        mod = moderator(fake_discord, "librarian")
        upload = fake_discord.upload("sisters.txt", text.encode())
        answer = await fake_discord.slash_command(
            "library-admin add", {"file": upload, "title": "The Sisters"}, user_id=mod
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
        too_big = await fake_discord.slash_command("library-admin add", {"file": big}, user_id=mod).callback()
        assert too_big.ephemeral and too_big.content == "huge.txt is larger than the 1 MB limit."
        wrong = fake_discord.upload("notes.docx", b"PK\x03\x04")
        refused = await fake_discord.slash_command("library-admin add", {"file": wrong}, user_id=mod).callback()
        assert refused.ephemeral and refused.content.startswith("I can't read notes.docx")
    assert await book_store.all_books(app.db) == []
    assert not any(r.path.startswith("/attachments/") for r in fake_discord.requests.items)
