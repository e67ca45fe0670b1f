"""The slash command tree: synced to the configured guilds, options completed from the library."""

from __future__ import annotations

from dataclasses import replace

from bot.app import App
from bot.config import DiscordSettings
from tests.adapters.discord.support import add_book, bind_channel, running
from tests.fakes.discord_server import FakeDiscord


async def test_commands_sync_to_configured_guilds(app: App, fake_discord: FakeDiscord) -> None:
    app.settings = replace(app.settings, discord=DiscordSettings(guild_ids=(fake_discord.guild_id,)))
    async with running(app):
        sync = await fake_discord.wait_for_request(
            "PUT", rf"/applications/{fake_discord.application_id}/guilds/{fake_discord.guild_id}/commands"
        )
        assert sync.status == 200, sync.response
        assert [c["name"] for c in sync.json if "dm_permission" in c or c["contexts"] != [0]] == []
        assert {tuple(c["integration_types"]) for c in sync.json} == {(0,)}
        handle = fake_discord.slash_command("help")
        assert handle.payload["data"]["guild_id"] == str(fake_discord.guild_id)
        assert (await handle.callback()).body["embeds"][0]["title"] == "Readalong commands"


async def test_autocomplete_offers_books(app: App, fake_discord: FakeDiscord) -> None:
    book_id = await add_book(app)
    await add_book(app, "Middlemarch")
    async with running(app):
        choices = await fake_discord.autocomplete("library show", {"book": "dub"}, focused="book").choices()
        assert choices == [{"name": f"#{book_id} Dubliners", "value": str(book_id)}]
        shown = await fake_discord.slash_command("library show", {"book": str(book_id)}).callback()
        assert "The Sisters" in shown.body["embeds"][0]["description"]


async def test_help_names_the_commands_as_typed_on_discord(app: App, fake_discord: FakeDiscord) -> None:
    async with running(app):
        mod = await bind_channel(fake_discord)
        listing = await fake_discord.slash_command("help", user_id=mod).callback()
        text = listing.body["embeds"][0]["description"]
        assert "`/plan-admin pause`" in text and "`/plan show`" in text
        assert "`/plan pause`" not in text and "`/plan-admin show`" not in text
        detail = await fake_discord.slash_command("help", {"topic": "plan"}, user_id=mod).callback()
        assert "`/plan-admin shift <by>`" in detail.body["embeds"][0]["description"]
        pause = await fake_discord.slash_command("help", {"topic": "plan-admin pause"}, user_id=mod).callback()
        assert "Usage: `/plan-admin pause`" in pause.body["embeds"][0]["description"]
