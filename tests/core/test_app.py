"""The App end to end in-process: commands through the registry, permissions, errors, jobs and the outbox."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from bot.app import APOLOGY, App
from bot.clock import ManualClock
from bot.commands import Invocation, Permission, command, spec_of
from bot.replies import Reply
from bot.scheduling import Post
from bot.storage import jobs as job_store
from bot.storage.db import Transaction
from bot.storage.jobs import Job
from tests.conftest import Room


class RecordingAdapter:
    platform = "test"

    def __init__(self, fail_times: int = 0) -> None:
        self.sent: list[tuple[str, Reply, str]] = []
        self.fail_times = fail_times

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def send(
        self, room_id: str, reply: Reply, *, key: str, thread_key: str | None = None, starts_thread: bool = False
    ) -> str:
        if self.fail_times:
            self.fail_times -= 1
            raise ConnectionError("platform unavailable")
        self.sent.append((room_id, reply, key))
        return f"m{len(self.sent)}"


async def test_help_lists_every_command_and_explains_one(room: Room) -> None:
    reply = await room.say("help")
    for spec in room.app.registry:
        assert f"/{spec.name}`" in reply.text
    detail = await room.say("help group timezone")
    assert "Usage: `/group timezone <timezone>`" in detail.text
    assert "Moderators only." in detail.text


async def test_unknown_command_is_one_sentence(room: Room) -> None:
    reply = await room.say("libary list")
    assert reply.kind == "error" and reply.ephemeral
    assert reply.text == "I don't know the command “libary” — did you mean `library`? `help` lists them all."


async def test_moderator_commands_are_refused_to_members(room: Room) -> None:
    refused = await room.say("group timezone Europe/Paris", who="bob")
    assert refused.kind == "error"
    assert refused.text == "Only moderators can use `group timezone`."
    accepted = await room.say("group timezone Europe/Paris", who="alice")
    assert accepted.kind != "error"
    info = await room.say("group info", who="bob")
    assert any(f.value == "Europe/Paris" for f in info.fields)


async def test_commands_outside_a_group_say_how_to_start_one(app: App) -> None:
    lonely = Room(app, room_id="elsewhere")
    reply = await lonely.say("group info")
    assert "not a reading group yet" in reply.text
    refused = await lonely.say("group setup", who="mallory")
    assert refused.kind == "error"
    created = await lonely.say("group setup Europe/Berlin Tuesday readers", who="mod", platform_moderator=True)
    assert created.title == "Reading group “Tuesday readers” is set up"
    again = await lonely.say("group setup", who="mod", platform_moderator=True)
    assert "already the reading group" in again.text


async def test_unexpected_errors_become_an_apology_and_a_log_line(room: Room, caplog: pytest.LogCaptureFixture) -> None:
    @command("boom now", help="Fails.")
    async def boom(inv: Invocation) -> Reply:
        raise KeyError("secret internals")

    room.app.registry.add(spec_of(boom))  # type: ignore[arg-type]
    with caplog.at_level(logging.ERROR):
        reply = await room.say("boom now")
    assert reply.text == APOLOGY
    assert "secret internals" not in reply.text
    assert any("command failed" in r.message for r in caplog.records)


async def test_due_jobs_become_posts_delivered_exactly_once(room: Room, clock: ManualClock) -> None:
    app = room.app
    group = await app.db.fetchone("SELECT id FROM groups")
    assert group is not None

    async def announce(app: App, tx: Transaction, job: Job) -> list[Post]:
        return [Post(group_id=job.group_id or 0, reply=Reply(text=f"hello {job.payload['n']}"))]

    app.job_handlers["announce"] = announce
    adapter = RecordingAdapter(fail_times=1)
    app.adapters["test"] = adapter
    for n in range(3):
        await job_store.add(app.db, "announce", clock.now() + timedelta(hours=n + 1), {"n": n}, clock.now(), group[0])
    assert await app.tick() == 0
    clock.advance(timedelta(hours=2))
    assert await app.tick() == 0  # the first send failed: it stays, and nothing overtakes it
    assert await app.tick() == 2
    first, second = (r.text for _, r, _ in adapter.sent)
    assert first.startswith("hello 0") and "posted late" in first  # due an hour before the clock got there
    assert second == "hello 1"  # due exactly now: on time
    clock.advance(timedelta(hours=1))  # within the catch-up grace of jobs (JOB_CATCH_UP)
    await app.tick()
    await app.tick()
    assert [r.text.split("\n")[0] for _, r, _ in adapter.sent] == ["hello 0", "hello 1", "hello 2"]
    keys = [k for _, _, k in adapter.sent]
    assert len(set(keys)) == 3 and all(k.startswith("job:") for k in keys)
    assert await app.next_wakeup() is None


async def test_jobs_without_a_handler_are_recorded_as_missed(room: Room, clock: ManualClock) -> None:
    await job_store.add(room.app.db, "no-such-kind", clock.now(), {}, clock.now())
    await room.app.tick()
    row = await room.app.db.fetchone("SELECT status FROM jobs")
    assert row is not None and row[0] == "missed"


def test_every_registered_command_has_help(app: App) -> None:
    for spec in app.registry:
        assert spec.help.endswith((".", "?")), spec.name
        assert spec.permission in (Permission.MEMBER, Permission.MODERATOR)
