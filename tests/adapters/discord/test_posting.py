"""Posts from the outbox and the scheduler: threads, private messages, a closed poll's buttons."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from bot.adapters.base import direct_room
from bot.adapters.discord.render import nonce_for
from bot.app import App
from bot.clock import ManualClock
from bot.replies import Reply
from bot.scheduling import Post
from bot.storage import jobs as job_store
from bot.storage.db import Transaction
from bot.storage.jobs import Job
from tests.adapters.discord.support import (
    add_book,
    bind_channel,
    button_ids,
    dm_channels,
    enqueue_post,
    group_id_of,
    poll_components,
    running,
    start_plan,
)
from tests.fakes.discord_server import FakeDiscord


@pytest.mark.parametrize("closed_by", ["moderator", "deadline"])
async def test_a_closed_polls_buttons_are_disabled_on_its_message(
    app: App, fake_discord: FakeDiscord, clock: ManualClock, closed_by: str
) -> None:
    async with running(app):
        mod = await bind_channel(fake_discord)
        created = await fake_discord.slash_command(
            "poll-admin create",
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
            closed = await fake_discord.slash_command("poll-admin close", {"poll": poll_id}, user_id=mod).callback()
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


async def test_reading_post_opens_a_thread_and_later_posts_land_in_it(app: App, fake_discord: FakeDiscord) -> None:
    async with running(app):
        await bind_channel(fake_discord)
        opens = Reply(title="Reading 1: The Sisters", text="This week's reading is open.", kind="reading")
        await enqueue_post(app, "open:1", opens, thread_key="reading:1", starts_thread=True)
        assert await app.tick() == 1
        create = await fake_discord.wait_for_request(
            "POST", rf"/channels/{fake_discord.channel_id}/messages/\d+/threads"
        )
        assert create.json["name"] == "Reading 1: The Sisters"
        [thread] = fake_discord.threads()
        post = fake_discord.channel_messages()[-1]
        assert post["embeds"][0]["title"] == "Reading 1: The Sisters" and post["nonce"] == nonce_for("open:1")
        await enqueue_post(app, "prompt:1", Reply(text="What did the boy fear?", kind="prompt"), thread_key="reading:1")
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
        await job_store.add(app.db, "test-reminder", due, {}, clock.now(), await group_id_of(app))
        assert await app.tick() == 0
        clock.advance(timedelta(hours=1))
        assert await app.tick() == 1
        sent = await fake_discord.wait_for_request("POST", rf"/channels/{fake_discord.channel_id}/messages")
        assert sent.json["content"] == "Reminder: we meet in one hour."
        assert sent.json["enforce_nonce"] is True and len(sent.json["nonce"]) <= 25


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
