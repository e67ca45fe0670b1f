"""`forget me` and `export`, and the hooks other features use to join them."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest

from bot.app import APOLOGY, App
from bot.features import Catalog, ExportPart, ExportTable, Feature
from bot.replies import Reply
from bot.storage import polls as poll_store
from bot.storage.db import Executor, Transaction
from bot.storage.groups import Group
from cogs import all_features, privacy
from tests.conftest import Room


def field(reply: Reply, name: str) -> str:
    return next(f.value for f in reply.fields if f.name == name)


def files_of(reply: Reply) -> dict[str, str]:
    return {f.filename: f.data.decode("utf-8") for f in reply.files}


async def test_forget_me_removes_open_ballots_and_closed_polls_keep_their_totals(room: Room) -> None:
    await room.say('poll create "Closed one?" "Yes" "No"')
    await room.say("vote 1 A", who="Bob")
    await room.say("vote 1 B", who="Carol")
    await room.say("poll close 1")
    await room.say('poll create "Open one?" "Yes" "No"')
    await room.say("vote 2 A", who="Bob")
    await room.say("vote 2 A", who="Carol")

    receipt = await room.say("forget me", who="Bob")
    assert receipt.ephemeral and receipt.title == "Forgotten"
    assert "• poll ballots: 2" in receipt.text

    still_open = await room.say("poll show 2", who="Carol")
    assert field(still_open, "Ballots") == "1" and "**A** Yes — 1 vote (100%)" in still_open.text
    closed = await room.say("poll show 1", who="Carol")
    assert field(closed, "Ballots") == "2"
    assert "**A** Yes — 1 vote (50%)" in closed.text and "**B** No — 1 vote (50%)" in closed.text
    exported = files_of(await room.say("export"))
    assert "Bob" not in exported["poll_ballots.csv"] and "Bob" not in exported["readalong-group-1.json"]
    assert "Carol" in exported["poll_ballots.csv"]
    polls = {row["poll"]: row for row in csv.DictReader(io.StringIO(exported["polls.csv"]))}
    assert polls["1"]["ballots"] == "2" and polls["2"]["ballots"] == "1"


async def test_forget_me_covers_every_group_and_works_outside_one(app: App) -> None:
    first, second = Room(app), Room(app, room_id="room-2")
    await first.setup()
    await second.setup(founder="zoe")
    await first.say('poll create "Here?" "a" "b"')
    await second.say('poll create "There?" "a" "b"', who="zoe")
    await first.say("vote 1 a", who="bob")
    await second.say("vote 2 b", who="bob")
    receipt = await Room(app, room_id="direct-message").say("forget me", who="bob")
    assert "• poll ballots: 2" in receipt.text
    assert await poll_store.ballot_count(app.db, 1) == 0 and await poll_store.ballot_count(app.db, 2) == 0


async def test_forgetting_unlinks_the_polls_a_moderator_created(room: Room) -> None:
    await room.say('poll create "Mine?" "a" "b"')
    before = await poll_store.get(room.app.db, 1)
    assert before is not None and before.created_by is not None
    await room.say("forget me")
    after = await poll_store.get(room.app.db, 1)
    assert after is not None and after.created_by is None and after.question == "Mine?"


async def test_forgetting_is_all_or_nothing(room: Room, monkeypatch: pytest.MonkeyPatch) -> None:
    await room.say('poll create "Q?" "a" "b"')
    await room.say("vote 1 a", who="bob")
    real = privacy.forgetters(room.app.features)

    async def broken(app: App, tx: Transaction, member_id: int) -> int:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(privacy, "forgetters", lambda features: {**real, "zzz broken": broken})
    reply = await room.say("forget me", who="bob")
    assert reply.text == APOLOGY
    assert await poll_store.ballot_count(room.app.db, 1) == 1  # the ballot deletion was rolled back too


async def test_hooks_are_collected_from_feature_declarations() -> None:
    async def forget_notes(app: App, tx: Transaction, member_id: int) -> int:
        return 0

    async def export_notes(app: App, db: Executor, group: Group) -> ExportPart:
        return ExportPart("notes", [])

    fake = Feature(name="fake", forgetters={"reading notes": forget_notes}, exporters={"notes": export_notes})
    assert privacy.forgetters([fake]) == {"reading notes": forget_notes}
    assert privacy.exporters([fake]) == {"notes": export_notes}
    features = [*all_features(), fake]
    catalog = Catalog.of(features)
    assert catalog.forgetters["reading notes"] is forget_notes and catalog.exporters["notes"] is export_notes
    assert "poll ballots" in privacy.forgetters(features) and "polls" in privacy.exporters(features)

    async def forget_more_notes(app: App, tx: Transaction, member_id: int) -> int:
        return 0

    twin = Feature(name="twin", forgetters={"reading notes": forget_more_notes})
    with pytest.raises(ValueError, match="two hooks named 'reading notes'"):
        Catalog.of([fake, twin])


async def test_export_gives_moderators_csv_and_json(room: Room, monkeypatch: pytest.MonkeyPatch) -> None:
    refused = await room.say("export", who="bob")
    assert refused.kind == "error" and refused.text == "Only moderators can use `export`."
    await room.say('poll create "Order?" "Alpha" "Beta" "Gamma" kind:ranked')
    for n, ranking in enumerate(["A"] * 2 + ["B C"] * 2 + ["C B"]):
        await room.say(f"vote 1 {ranking}", who=f"reader{n}")
    await room.say("poll close 1")
    await room.say('poll create "Still open?" "Yes" "No"')
    await room.say("vote 2 B", who="Bob")

    async def export_notes(app: App, db: Executor, group: Group) -> ExportPart:
        return ExportPart("notes", {"count": 1}, (ExportTable("notes", ("member", "note"), [("x", "a, b")]),))

    real = privacy.exporters(room.app.features)
    monkeypatch.setattr(privacy, "exporters", lambda features: {**real, "notes": export_notes})
    reply = await room.say("export")
    assert reply.ephemeral and reply.title == "Export of “Test group”"
    files = files_of(reply)
    assert sorted(files) == [
        "notes.csv",
        "poll_ballots.csv",
        "poll_results.csv",
        "poll_rounds.csv",
        "polls.csv",
        "progress.csv",
        "readalong-group-1.json",
    ]
    assert {f.content_type for f in reply.files} == {"application/json", "text/csv"}
    document: dict[str, Any] = json.loads(files["readalong-group-1.json"])
    assert document["group"] == {"id": 1, "name": "Test group", "timezone": "Europe/Berlin"}
    assert document["notes"] == {"count": 1}
    ranked, still_open = document["polls"]
    assert ranked["status"] == "closed" and ranked["winners"] == ["B"] and ranked["ballots"] == 5
    assert [r["votes"] for r in ranked["rounds"]] == [{"A": 2, "B": 2, "C": 1}, {"A": 2, "B": 3}]
    assert still_open["status"] == "open" and still_open["ballots_cast"][0]["voter"] == "Bob"
    results = list(csv.DictReader(io.StringIO(files["poll_results.csv"])))
    assert [(r["poll"], r["option"], r["votes"], r["winner"]) for r in results] == [
        ("1", "A", "2", "False"),
        ("1", "B", "2", "True"),
        ("1", "C", "1", "False"),
        ("2", "A", "0", "False"),
        ("2", "B", "1", "False"),
    ]
    assert list(csv.reader(io.StringIO(files["notes.csv"]))) == [["member", "note"], ["x", "a, b"]]
