"""The fake Discord server runs the unmodified discord.py client end to end.

A tiny study bot defined here (not Readalong's) exercises each feature the adapter tests rely on.
"""

from __future__ import annotations

import datetime as dt
import io

import discord
from discord import app_commands
from discord.ext import commands

from tests.fakes import discord_payloads as P
from tests.fakes import discord_permissions as perm
from tests.fakes.discord_server import (
    FakeDiscord,
    Opt,
    running_client,
    serving_fake_discord,
)
from tests.fakes.discord_server import fake_discord as fake_discord_fixture  # noqa: F401

JOIN_BUTTON = "studybot:join"


class JoinView(discord.ui.View):
    """A persistent view: no timeout and a fixed custom_id, registered again at every start."""

    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="Join", style=discord.ButtonStyle.primary, custom_id=JOIN_BUTTON)
    async def join(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await interaction.response.send_message(f"{interaction.user.name} joined", ephemeral=True)


class NoteModal(discord.ui.Modal, title="Add a note"):
    note: discord.ui.TextInput = discord.ui.TextInput(label="Note", custom_id="note")

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"noted: {self.note.value}")


def make_bot(*, message_content: bool = False) -> commands.Bot:
    intents = discord.Intents.default()
    intents.message_content = message_content
    bot = commands.Bot(command_prefix="!", intents=intents, guild_ready_timeout=0.05)

    club = app_commands.Group(name="club", description="Reading club")
    plan = app_commands.Group(name="plan", description="Reading plans", parent=club)

    @plan.command(name="show", description="Show the reading plan of a book")
    async def plan_show(interaction: discord.Interaction, book: str, private: bool = False) -> None:
        await interaction.response.send_message(f"Plan for {book}: 3 chapters a week", ephemeral=private)

    @plan_show.autocomplete("book")
    async def book_choices(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        books = ["Dune", "Dubliners", "Middlemarch"]
        return [app_commands.Choice(name=b, value=b) for b in books if b.lower().startswith(current.lower())]

    @club.command(name="poll", description="Ask who joins")
    async def poll(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("Who is coming on Friday?", view=JoinView())

    @club.command(name="discuss", description="Open a discussion thread")
    async def discuss(interaction: discord.Interaction, topic: str) -> None:
        assert isinstance(interaction.channel, discord.TextChannel)
        starter = await interaction.channel.send(f"Discussion: {topic}")
        thread = await starter.create_thread(name=topic, auto_archive_duration=1440)
        await interaction.response.send_message(f"Thread {thread.name} in {thread.parent}")

    @club.command(name="meet", description="Schedule a meeting")
    async def meet(interaction: discord.Interaction) -> None:
        assert interaction.guild is not None
        start = dt.datetime(2030, 5, 1, 18, 0, tzinfo=dt.UTC)
        event = await interaction.guild.create_scheduled_event(
            name="Chapter 3",
            start_time=start,
            end_time=start + dt.timedelta(hours=1),
            entity_type=discord.EntityType.external,
            privacy_level=discord.PrivacyLevel.guild_only,
            location="Library, room 2",
        )
        await interaction.response.send_message(f"Scheduled {event.name} at {event.location} ({event.id})")

    @club.command(name="export", description="Export the plan")
    async def export(interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        await interaction.followup.send("Here it is", file=discord.File(io.BytesIO(b"week 1: ch. 1-3\n"), "plan.txt"))

    @club.command(name="upload", description="Upload notes")
    async def upload(interaction: discord.Interaction, notes: discord.Attachment) -> None:
        data = await notes.read()
        await interaction.response.send_message(f"{notes.filename}: {len(data)} bytes: {data.decode()}")

    @club.command(name="note", description="Write a note")
    async def note(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(NoteModal())

    @club.command(name="greet", description="Greet a member")
    async def greet(interaction: discord.Interaction, member: discord.Member) -> None:
        await interaction.response.send_message(f"Hello {member.display_name}")

    async def setup_hook() -> None:
        bot.add_view(JoinView())

    bot.setup_hook = setup_hook  # type: ignore[method-assign]
    bot.tree.add_command(club)
    return bot


async def test_login_ready_and_command_sync(fake_discord: FakeDiscord) -> None:
    bot = make_bot()
    async with running_client(bot):
        assert bot.user is not None and bot.user.id == fake_discord.application_id
        guild = bot.get_guild(fake_discord.guild_id)
        assert guild is not None and guild.name == "Readalong Test Guild"
        assert guild.me is not None
        general = guild.get_channel(fake_discord.channel_id)
        assert isinstance(general, discord.TextChannel) and general.name == "general"
        assert [r.path for r in fake_discord.requests.items[:2]] == ["/users/@me", "/oauth2/applications/@me"]
        identify = await fake_discord.wait_for_gateway(lambda f: f.op == 2)
        assert identify.data["intents"] == discord.Intents.default().value

        synced = await bot.tree.sync()
        assert [c.name for c in synced] == ["club"]
        assert synced[0].id == int(fake_discord.commands()[0]["id"])
        sync_request = await fake_discord.wait_for_request("PUT", rf"/applications/{bot.application_id}/commands")
        assert sync_request.json[0]["options"][0]["name"] == "plan"


async def test_subcommand_group_reply_and_ephemeral_flag(fake_discord: FakeDiscord) -> None:
    async with running_client(make_bot()):
        public = await fake_discord.slash_command("club plan show", {"book": "Dune"}).callback()
        assert public.callback_type == 4
        assert public.content == "Plan for Dune: 3 chapters a week"
        assert not public.ephemeral
        assert public.response["resource"]["message"]["content"] == public.content

        private = await fake_discord.slash_command("club plan show", {"book": "Dune", "private": True}).callback()
        assert private.flags & 64

        greet = await fake_discord.slash_command("club greet", {"member": Opt(P.USER, fake_discord.user_id)}).callback()
        assert greet.content == "Hello reader"


async def test_autocomplete_returns_choices(fake_discord: FakeDiscord) -> None:
    async with running_client(make_bot()):
        handle = fake_discord.autocomplete("club plan show", {"book": "du"}, focused="book")
        assert await handle.choices() == [
            {"name": "Dune", "value": "Dune"},
            {"name": "Dubliners", "value": "Dubliners"},
        ]


async def test_persistent_button_still_works_after_restart(fake_discord: FakeDiscord) -> None:
    async with running_client(make_bot()):
        poll = await fake_discord.slash_command("club poll").callback()
        button = poll.body["components"][0]["components"][0]
        assert button["custom_id"] == JOIN_BUTTON

    async with running_client(make_bot()):
        click = fake_discord.click_button(JOIN_BUTTON, user_id=fake_discord.add_member(None, "ada"))
        answer = await click.callback()
        assert answer.content == "ada joined"
        assert answer.ephemeral
    assert click.payload["message"]["id"] == poll.response["resource"]["message"]["id"]
    identifies = [f for f in fake_discord.gateway_frames.items if f.op == 2]
    assert len(identifies) == 2


async def test_thread_from_message(fake_discord: FakeDiscord) -> None:
    async with running_client(make_bot()) as bot:
        reply = await fake_discord.slash_command("club discuss", {"topic": "Chapter 1"}).callback()
        assert reply.content == "Thread Chapter 1 in general"
        create = await fake_discord.wait_for_request("POST", r"/channels/\d+/messages/\d+/threads")
        assert create.json["name"] == "Chapter 1"
        [thread] = fake_discord.threads()
        assert thread["parent_id"] == str(fake_discord.channel_id)
        assert bot.get_channel(int(thread["id"])) is not None  # THREAD_CREATE reached the cache


async def test_scheduled_event_created(fake_discord: FakeDiscord) -> None:
    # Since 23 Feb 2026 creating events needs Create Events, which the README's invite integer lacks.
    fake_discord.set_bot_permissions(perm.README_INVITE | perm.CREATE_EVENTS)
    async with running_client(make_bot()):
        reply = await fake_discord.slash_command("club meet").callback()
        [event] = fake_discord.scheduled_events()
        assert event["name"] == "Chapter 3"
        assert event["entity_metadata"] == {"location": "Library, room 2"}
        assert event["scheduled_start_time"].startswith("2030-05-01T18:00:00")
        assert reply.content == f"Scheduled Chapter 3 at Library, room 2 ({event['id']})"


async def test_file_sent_as_attachment_is_recorded(fake_discord: FakeDiscord) -> None:
    async with running_client(make_bot()):
        handle = fake_discord.slash_command("club export")
        deferred = await handle.callback()
        assert deferred.callback_type == 5
        followup = await handle.followup()
        assert followup.content == "Here it is"
        [file] = followup.files
        assert (file.filename, file.data) == ("plan.txt", b"week 1: ch. 1-3\n")
        [attachment] = followup.response["attachments"]
        assert attachment["filename"] == "plan.txt" and attachment["size"] == 16


async def test_attachment_option_is_read_by_the_bot(fake_discord: FakeDiscord) -> None:
    async with running_client(make_bot()):
        notes = fake_discord.upload("notes.txt", b"Ishmael!")
        reply = await fake_discord.slash_command("club upload", {"notes": notes}).callback()
        assert reply.content == "notes.txt: 8 bytes: Ishmael!"


async def test_modal_round_trip(fake_discord: FakeDiscord) -> None:
    async with running_client(make_bot()):
        opened = await fake_discord.slash_command("club note").callback()
        assert opened.callback_type == 9
        submitted = fake_discord.submit_modal(opened.data["custom_id"], {"note": "read ch. 4"})
        assert (await submitted.callback()).content == "noted: read ch. 4"


async def test_gateway_drop_resumes_and_replays_missed_event(fake_discord: FakeDiscord) -> None:
    bot = make_bot(message_content=True)
    async with running_client(bot):
        since = len(fake_discord.gateway_frames.items)
        await fake_discord.drop_gateway()
        missed = fake_discord.post_message("posted while the bot was away")
        received = await bot.wait_for("message", check=lambda m: m.id == int(missed["id"]), timeout=10)
        assert received.content == "posted while the bot was away"
        await fake_discord.wait_for_gateway(lambda f: f.op == 6, since=since)
        assert not [f for f in fake_discord.gateway_frames.items[since:] if f.op == 2]
        [session] = fake_discord.sessions.values()
        assert session.resumes == 1


async def test_sharded_bot_gets_each_guild_on_its_shard() -> None:
    async with serving_fake_discord(shard_count=2) as fake:
        # a guild's shard is (id >> 22) % shard_count: pick the next timestamp so it lands on the other shard
        second = fake.add_guild("Second guild", guild_id=((fake.guild_id >> 22) + 1) << 22)
        bot = commands.AutoShardedBot(command_prefix="!", intents=discord.Intents.default(), guild_ready_timeout=0.05)

        async def no_identify_delay(shard_id: int | None, *, initial: bool = False) -> None:
            return None

        bot.before_identify_hook = no_identify_delay  # type: ignore[method-assign]
        async with running_client(bot):
            assert {g.id for g in bot.guilds} == {fake.guild_id, second}
            assert {g.shard_id for g in bot.guilds} == {0, 1}
        assert await fake.wait_for_request("GET", "/gateway/bot")


async def test_unknown_routes_are_recorded_as_404(fake_discord: FakeDiscord) -> None:
    bot = make_bot()
    async with running_client(bot):
        guild = bot.get_guild(fake_discord.guild_id)
        assert guild is not None
        try:
            await guild.fetch_emojis()
        except discord.NotFound as exc:
            assert exc.code == 0
        else:
            raise AssertionError("expected a 404")
        [unknown] = fake_discord.unknown_requests
        assert unknown.method == "GET" and unknown.path == f"/guilds/{fake_discord.guild_id}/emojis"


class ShelfView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="Close", custom_id="shelf:close")
    async def close(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await interaction.response.edit_message(content="Shelf closed", view=None)

    @discord.ui.select(
        custom_id="shelf:pick",
        options=[discord.SelectOption(label="Dune"), discord.SelectOption(label="Emma")],
    )
    async def pick(self, interaction: discord.Interaction, select: discord.ui.Select) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await interaction.edit_original_response(content=f"Picked {select.values[0]}")


async def test_guild_command_components_and_deferred_edit(fake_discord: FakeDiscord) -> None:
    bot = commands.Bot(command_prefix="!", intents=discord.Intents.default(), guild_ready_timeout=0.05)
    guild = discord.Object(fake_discord.guild_id)

    @bot.tree.command(name="shelf", description="Show the shelf", guild=guild)
    async def shelf(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("Shelf", view=ShelfView())

    async with running_client(bot):
        await bot.tree.sync(guild=guild)
        command = fake_discord.slash_command("shelf")
        assert command.payload["data"]["guild_id"] == str(fake_discord.guild_id)
        await command.callback()

        picked = fake_discord.choose("shelf:pick", ["Emma"])
        assert (await picked.callback()).callback_type == 5
        assert (await picked.original_edit()).content == "Picked Emma"
        assert picked.response_message is not None and picked.response_message["flags"] == 64

        closed = await fake_discord.click_button("shelf:close").callback()
        assert closed.callback_type == 7
        assert command.response_message is not None
        assert command.response_message["content"] == "Shelf closed"
        assert command.response_message["components"] == []
