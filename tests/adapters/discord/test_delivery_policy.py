"""The delivery policy end to end through the real discord.py client and the fake Discord (issue #16): a channel
that refuses the bot (403, code 50013), a deleted one (404, code 10003) and one in a passing outage (503) beside
a healthy channel. The healthy channel gets every post in order, the outage's channel gets its posts once after
recovery, the dead channels' posts end in missed_posts with their reason, moderators are told once (or it is
logged when the dead channel is the group's own), and no post is sent twice."""

from __future__ import annotations

import json
import logging
from collections import Counter
from datetime import timedelta

import pytest

from bot.app import App
from bot.clock import ManualClock
from bot.outbox import reply_to_json
from bot.replies import Reply
from bot.storage import outbox as outbox_store
from bot.storage import schedules as schedule_store
from tests.adapters.discord.support import bind_channel, moderator, running
from tests.fakes import discord_permissions as perm
from tests.fakes.discord_server import FakeDiscord

POSTS = 5


def posted(fake: FakeDiscord, channel_id: int) -> list[str]:
    """The post keys (`post <key>` in the text) of the channel's messages, oldest first."""
    found = []
    for message_id in sorted(fake.messages):
        message = fake.messages[message_id]
        if int(message["channel_id"]) != channel_id:
            continue
        text = json.dumps(message, ensure_ascii=False)
        found += [word for word in text.replace('"', " ").replace("\\n", " ").split() if word.startswith("key-")]
    return found


def message_posts(fake: FakeDiscord, channel_id: int) -> int:
    return sum(1 for r in fake.requests.items if r.method == "POST" and r.path == f"/channels/{channel_id}/messages")


async def enqueue(app: App, group_id: int, channel_id: int, key: str) -> None:
    await outbox_store.enqueue(
        app.db,
        key=key,
        group_id=group_id,
        platform="discord",
        room_id=str(channel_id),
        payload=reply_to_json(Reply(text=f"post {key} ")),
        now=app.clock.now(),
    )


async def test_dead_and_failing_channels_beside_a_healthy_one(
    app: App, fake_discord: FakeDiscord, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    fake = fake_discord
    async with running(app):
        await bind_channel(fake)  # group 1 in #general
        healthy = fake.channel_id
        refusing = fake.add_channel("announcements")  # the group posts there too (403 soon)
        flaky = fake.add_channel("reading-room")  # in a passing outage
        gone = fake.add_channel("old-club")  # its own group's room, then deleted
        owner = moderator(fake, "owner")
        setup = await fake.slash_command(
            "group setup", {"timezone": "Europe/Berlin", "name": "Old club"}, user_id=owner, channel_id=gone
        ).callback()
        assert not setup.ephemeral, setup.json
        groups = {r["room_id"]: r["id"] for r in await app.db.fetchall("SELECT id, room_id FROM groups")}
        club, old_club = groups[str(healthy)], groups[str(gone)]

        fake.set_overwrite(refusing, fake.application_id, deny=perm.SEND_MESSAGES, member=True)  # 403 / 50013
        fake.delete_channel(gone)  # 404 / 10003
        fake.outage("POST", rf"/channels/{flaky}/messages", times=3, status=503)
        for n in range(POSTS):
            await enqueue(app, club, refusing, f"key-refused-{n}")
            await enqueue(app, old_club, gone, f"key-gone-{n}")
            await enqueue(app, club, flaky, f"key-flaky-{n}")
            await enqueue(app, club, healthy, f"key-healthy-{n}")

        with caplog.at_level(logging.ERROR, logger="bot.outbox"):
            await app.tick()

        assert posted(fake, healthy)[:POSTS] == [f"key-healthy-{n}" for n in range(POSTS)]
        assert posted(fake, flaky) == []  # the outage: tried, waiting for its retry
        missed = {m.key: m.reason for m in await schedule_store.missed(app.db)}
        assert sorted(k for k in missed if "refused" in k) == [f"key-refused-{n}" for n in range(POSTS)]
        assert sorted(k for k in missed if "gone" in k) == [f"key-gone-{n}" for n in range(POSTS)]
        assert all("may not post" in missed[f"key-refused-{n}"] for n in range(POSTS))
        assert all("no longer exists" in missed[f"key-gone-{n}"] for n in range(POSTS))
        assert not any("flaky" in k or "healthy" in k for k in missed)
        # the refusing channel was asked once, the deleted one at most once (the gateway's CHANNEL_DELETE may
        # have told the client already); their other posts were given up without a request
        assert message_posts(fake, refusing) == 1 and message_posts(fake, gone) <= 1
        # one notice for the refusing channel, in the group's own channel after its posts
        notices = [m for m in fake.messages.values() if "Delivery problem" in json.dumps(m, ensure_ascii=False)]
        assert len(notices) == 1 and int(notices[0]["channel_id"]) == healthy
        assert str(refusing) in json.dumps(notices[0], ensure_ascii=False)
        # the deleted channel was its group's own room: the moderators cannot be told there, so it is logged
        logged = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
        assert len(logged) == 1 and f"discord:{gone}" in logged[0] and "no longer exists" in logged[0]

        for _ in range(20):  # time passes; the wake-up comes at the outbox's next retry
            if len(posted(fake, flaky)) == POSTS:
                break
            wake = await app.next_wakeup()
            assert wake is not None
            clock.set(max(wake, clock.now()) + timedelta(seconds=1))
            await app.tick()
        assert posted(fake, flaky) == [f"key-flaky-{n}" for n in range(POSTS)]
        assert message_posts(fake, flaky) == 3 + POSTS  # three refused by the outage, then each post once

        # new posts for the dead channels are recorded without a request and without a second notice
        await enqueue(app, club, refusing, "key-refused-late")
        await app.tick()
        assert message_posts(fake, refusing) == 1
        assert len([m for m in fake.messages.values() if "Delivery problem" in json.dumps(m)]) == 1
        assert "key-refused-late" in {m.key for m in await schedule_store.missed(app.db)}

    everything = [k for channel in (healthy, flaky, refusing, gone) for k in posted(fake, channel)]
    assert all(n == 1 for n in Counter(everything).values()), "a post went out twice"
    assert not await outbox_store.unsent(app.db, ("discord",))
