"""The client and its gateway (against the fake Discord): login, intents, shards, outages."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import discord

from bot.adapters.discord import DiscordAdapter, create_adapter
from bot.app import App
from bot.config import DiscordSettings
from bot.replies import Reply
from tests.adapters.discord.support import MANAGE_GUILD, PRIVILEGED, bind_channel, enqueue_post, running
from tests.fakes import discord_payloads as P
from tests.fakes.discord_server import FakeDiscord


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
        assert set(library) >= {"list", "show"}
        [book] = library["show"]["options"]
        assert (book["name"], book["type"], book["autocomplete"], book["required"]) == ("book", P.STRING, True, True)
        library_admin = {o["name"]: o for o in by_name["library-admin"]["options"]}
        add_options = {o["name"]: o for o in library_admin["add"]["options"]}
        assert add_options["file"]["type"] == P.ATTACHMENT and not add_options["file"].get("required")
        timezone = {o["name"]: o for o in by_name["group-admin"]["options"]}["timezone"]["options"][0]
        assert timezone["description"].startswith("IANA time zone")
        assert int(by_name["testmod"]["default_member_permissions"]) == MANAGE_GUILD
        # A mixed group: the members' part for everyone, the moderators' part hidden by default.
        assert by_name["group"]["default_member_permissions"] is None
        assert int(by_name["group-admin"]["default_member_permissions"]) == MANAGE_GUILD
        vote = {o["name"]: o["type"] for o in by_name["testvote"]["options"]}
        assert vote == {"poll": P.INTEGER, "answer": P.STRING}
    finally:
        await adapter.stop()
    async with running(app):  # unchanged commands are not uploaded again at the next start
        pass
    puts = [r for r in fake_discord.requests.items if r.method == "PUT" and r.path.endswith("/commands")]
    assert len(puts) == 1


async def test_posts_due_during_a_gateway_outage_wait_and_go_out_once(app: App, fake_discord: FakeDiscord) -> None:
    async with running(app) as adapter:
        await bind_channel(fake_discord)
        since = len(fake_discord.gateway_frames.items)
        disconnected = asyncio.ensure_future(adapter.client.wait_for("disconnect", timeout=10))
        await fake_discord.drop_gateway(hold=True)
        await disconnected
        assert not adapter.client.connected_for(None)
        await enqueue_post(app, "during-outage", Reply(text="Reading 2 opens today."))
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
