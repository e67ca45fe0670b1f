"""A feature declares itself once (bot/features.py) and the App finds every part of it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import pytest

from bot.app import App
from bot.clock import ManualClock
from bot.commands import BookRef, Invocation, command
from bot.config import Settings
from bot.features import Catalog, ExportPart, Feature
from bot.replies import Reply
from bot.scheduling import CatchUp, Due, Firing, Outcome, Post, ScheduleKind
from bot.services import Services
from bot.storage import jobs as job_store
from bot.storage.db import Executor, Transaction
from bot.storage.groups import Group
from bot.storage.jobs import Job
from bot.storage.schedules import Schedule
from cogs import all_features
from tests.conftest import Room


@command("fake hello", help="Say hello from the fake feature.")
async def fake_hello(inv: Invocation) -> Reply:
    return Reply(text=f"hello from {inv.zone}")


async def fake_job(services: Services, tx: Transaction, job: Job) -> list[Post]:
    return [Post(job.group_id or 0, Reply(text="fake job ran"))]


async def fake_fire(services: Services, tx: Transaction, dues: Sequence[Due]) -> list[Outcome]:
    return [Outcome(Firing(), None) for _ in dues]


async def fake_next(services: Services, tx: Transaction, schedule: Schedule, after: datetime) -> datetime | None:
    return None


async def fake_complete(services: Services, group: Group | None, typed: str) -> list[tuple[str, str]]:
    return [("fake", typed)]


async def fake_forget(services: Services, tx: Transaction, member_id: int) -> int:
    return 7


async def fake_export(services: Services, db: Executor, group: Group) -> ExportPart:
    return ExportPart("fake", {"ok": True})


FAKE_KIND = ScheduleKind("fake-kind", fire=fake_fire, next_fire=fake_next, catch_up=CatchUp(grace=timedelta(1)))
FAKE = Feature(
    name="fake",
    commands=(fake_hello,),
    schedule_kinds=(FAKE_KIND,),
    jobs={"fake-job": fake_job},
    completers={BookRef: fake_complete},
    forgetters={"fake records": fake_forget},
    exporters={"fake": fake_export},
)


async def test_a_feature_declared_once_is_found_by_the_app(settings: Settings, clock: ManualClock) -> None:
    real = [f for f in all_features() if f.name != "library"]  # the library's BookRef completer makes way
    app = await App.open(settings, clock=clock, features=[*real, FAKE])
    try:
        room = Room(app)
        await room.setup()
        assert (await room.say("fake hello")).text == "hello from Europe/Berlin"
        assert app.schedule_kinds["fake-kind"].policy == CatchUp(grace=timedelta(1))
        assert app.job_handlers["fake-job"] is fake_job
        assert await app.complete(room.context("alice"), BookRef, "cap") == [("fake", "cap")]
        forgotten = await room.say("forget me", who="bob")
        assert "• fake records: 7" in forgotten.text
        exported = await room.say("export")
        assert exported.text.endswith(": fake, polls, progress.")
        group = await app.db.fetchone("SELECT id FROM groups")
        assert group is not None
        await job_store.add(app.db, "fake-job", clock.now(), {}, clock.now(), group[0])
        await app.tick()
        row = await app.db.fetchone("SELECT status FROM jobs WHERE kind = 'fake-job'")
        assert row is not None and row[0] == "done"
    finally:
        await app.close()


def test_every_feature_declares_itself_once_and_nothing_is_claimed_twice() -> None:
    features = all_features()
    catalog = Catalog.of(features)
    assert {f.name for f in features} == {
        "admin",
        "discussion",
        "library",
        "plans",
        "polls",
        "privacy",
        "progress",
        "quotes",
        "reading",
        "reminders",
    }
    assert {"reading-opens", "reminder"} <= set(catalog.schedule_kinds)
    assert {"nudge", "poll-close", "daily-quote"} <= set(catalog.job_handlers)
    with pytest.raises(ValueError, match="two commands are named 'fake hello'"):
        Catalog.of([FAKE, Feature(name="twin", commands=(fake_hello,))])
    with pytest.raises(ValueError, match="two handlers for job kind 'fake-job'"):
        Catalog.of([FAKE, Feature(name="twin", jobs={"fake-job": fake_job})])
    with pytest.raises(ValueError, match="two schedule kinds named 'fake-kind'"):
        Catalog.of([FAKE, Feature(name="twin", schedule_kinds=(FAKE_KIND,))])
    with pytest.raises(ValueError, match="two completers for 'BookRef'"):
        Catalog.of([*features, FAKE])
    with pytest.raises(ValueError, match="two features named 'fake'"):
        Catalog.of([FAKE, FAKE])
