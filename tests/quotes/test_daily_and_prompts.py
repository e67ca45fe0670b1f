"""The quote of the day through the scheduler, and members' own prompts: curated, suggested, upvoted."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from bot.replies import Upload
from bot.storage import jobs as job_store
from bot.storage import outbox as outbox_store
from bot.storage import quotes as quote_store
from cogs.discussion import top_prompt_and_quote
from cogs.library import load_default_library
from cogs.quotes import DAILY_KIND
from tests.conftest import Room

SMALL_BOOK = (
    b"# Notes on Thermidor\n\nBy Ada Example\n\n## The argument\n\n"
    b"The Thermidorian reaction in France ended the rule of the Jacobins in the summer of 1794.\n\n"
    b"Revolutions are not defeated only by armies; they are also worn down by exhaustion and scarcity.\n\n"
    b"A bureaucracy rises when the masses withdraw from political life after years of sacrifice.\n\n"
    b"The Tenth Congress of the Russian party banned factions in March 1921, during the Kronstadt rising.\n"
)


async def quotes_of_the_day(room: Room) -> list[str]:
    rows = await outbox_store.unsent(room.app.db, ("test",))
    payloads = [json.loads(r.payload) for r in rows]
    return [p["text"] for p in payloads if p["title"] == "Quote of the day"]


async def test_quote_of_the_day_rearms_daily_at_local_time_without_repeats(room: Room) -> None:
    app = room.app
    added = await room.say("library add", uploads=(Upload("thermidor.md", SMALL_BOOK),))
    assert added.title == "Added to the library", added.text
    pool = await quote_store.pool(app.db, 1, None)
    assert 2 <= len(pool) <= 4

    refused = await room.say("quote daily on 08:30", who="bob")
    assert refused.text == "Only moderators can use `quote daily`."
    bad = await room.say("quote daily on 25:00")
    assert "couldn't read the time" in bad.text
    on = await room.say("quote daily on 08:30")
    assert "every day at 08:30 (Europe/Berlin)" in on.text
    (job,) = await job_store.pending(app.db, 1)
    assert job.kind == DAILY_KIND and job.fire_at == datetime(2026, 11, 3, 7, 30, tzinfo=UTC)  # 08:30 in Berlin

    for day in range(len(pool) + 1):
        app.clock.set(datetime(2026, 11, 3, 7, 30, tzinfo=UTC) + timedelta(days=day))  # type: ignore[attr-defined]
        await app.tick()
        (following,) = await job_store.pending(app.db, 1)
        assert following.fire_at == datetime(2026, 11, 4, 7, 30, tzinfo=UTC) + timedelta(days=day)
    posted = await quotes_of_the_day(room)
    assert len(posted) == len(pool) + 1
    assert len(set(posted[:-1])) == len(pool)  # no repeat until every quote has been shown
    assert posted[-1] in posted[:-1]
    shown = await quote_store.pool(app.db, 1, None)
    assert sorted(q.shown_count for q in shown) == [1] * (len(pool) - 1) + [2]

    app.clock.set(datetime(2027, 3, 27, 12, 0, tzinfo=UTC))  # type: ignore[attr-defined]
    await room.say("quote daily on 08:30")
    (job,) = await job_store.pending(app.db, 1)
    assert job.fire_at == datetime(2027, 3, 28, 6, 30, tzinfo=UTC)  # the clocks went forward overnight

    off = await room.say("quote daily off")
    assert off.text == "The quote of the day is off."
    assert await job_store.pending(app.db, 1) == []
    assert "no quote of the day to stop" in (await room.say("quote daily off")).text


async def test_members_curate_suggest_and_upvote_prompts(room: Room) -> None:
    app = room.app
    await load_default_library(app.db, app.settings, app.clock.now)
    unnamed = await room.say("prompts", who="bob")
    assert unnamed.kind == "error" and "Name a reading" in unnamed.text
    generated = await room.say("prompts jacobins:7", who="bob")
    assert generated.kind == "prompt" and generated.title.startswith("Discussion: Lenin’s crisis in 1921")
    assert generated.text.count("?") >= 3 and "*The Red Jacobins: Thermidor and the Russian Revolution in 1921* §7" in (
        generated.text
    )

    refused = await room.say("prompt add jacobins:7 Was the ban on factions necessary?", who="bob")
    assert refused.text == "Only moderators can use `prompt add`."
    assert "question mark" in (await room.say("prompt add jacobins:7 Discuss the ban")).text
    added = await room.say("prompt add jacobins:7 Was the ban on factions necessary in 1921?")
    assert added.text.startswith("Added prompt #") and added.text.endswith("`prompts` now.")  # no plan: all open
    curated_id = int(added.text.split("#")[1].split(";")[0])
    suggested = await room.say("prompt suggest jacobins:7 Could Lenin have chosen otherwise?", who="bob")
    suggestion_id = int(suggested.text.split("#")[1].split()[0])
    hidden = await room.say("prompts jacobins:7", who="carol")
    assert hidden.text.startswith(f"#{curated_id} Was the ban on factions necessary in 1921?")
    assert "Could Lenin have chosen otherwise?" not in hidden.text  # a suggestion needs an upvote first

    assert (await room.say(f"prompt upvote {suggestion_id}", who="carol")).text.endswith("(1 upvote).")
    again = await room.say(f"prompt upvote {suggestion_id}", who="carol")
    assert again.kind == "error" and "already upvoted" in again.text
    assert (await room.say(f"prompt upvote {suggestion_id}", who="dave")).text.endswith("(2 upvotes).")
    assert "no prompt #999" in (await room.say("prompt upvote 999", who="dave")).text
    shown = await room.say("prompts jacobins:7", who="carol")
    assert shown.text.splitlines()[2] == f"#{suggestion_id} Could Lenin have chosen otherwise?"
    assert "2 upvotes" in shown.text
    # every prompt is led by the # that `prompt upvote` takes, never by a list position
    assert all(line.startswith(("#", "   ")) for line in shown.text.split("\n\n")[0].splitlines())
    listed = await room.say("prompt list jacobins:7", who="carol")
    assert "suggested by a member" in listed.text and "from the moderators" in listed.text

    section_id = (await app.db.fetchone("SELECT section_id FROM prompts WHERE id = ?", (suggestion_id,)))[0]
    prompt, quote = await top_prompt_and_quote(app, app.db, 1, [section_id])
    assert prompt == "Was the ban on factions necessary in 1921?"
    assert quote is not None and quote.section_id == section_id


async def test_suggestions_refuse_duplicates_bare_marks_and_self_upvotes_and_keep_quotes(room: Room) -> None:
    app = room.app
    await load_default_library(app.db, app.settings, app.clock.now)
    added = await room.say('prompt suggest jacobins:7 Was Lenin "right" to ban factions in 1921?', who="bob")
    own_id = int(added.text.split("#")[1].split()[0])
    listed = await room.say("prompt list jacobins:7", who="bob")
    assert f'#{own_id} Was Lenin "right" to ban factions in 1921?' in listed.text  # straight quotes kept
    whole = await room.say('prompt suggest jacobins:7 "Could the party have kept its democracy?"', who="dan")
    assert "Could the party have kept its democracy?" in (await room.say("prompt list jacobins:7")).text
    assert whole.text.startswith("Thanks")

    bare = await room.say("prompt suggest jacobins:7 ?", who="carol")
    assert bare.kind == "error" and "three words" in bare.text
    twin = await room.say("prompt suggest jacobins:7 was lenin “right” to ban factions in 1921", who="carol")
    assert twin.kind == "error" and "question mark" in twin.text
    twin = await room.say("prompt suggest jacobins:7 Was Lenin right to ban factions in 1921?", who="carol")
    assert twin.kind == "error" and f"already prompt #{own_id}" in twin.text

    self_vote = await room.say(f"prompt upvote {own_id}", who="bob")
    assert self_vote.kind == "error" and "your own prompt" in self_vote.text
    assert (await room.say(f"prompt upvote {own_id}", who="carol")).text.endswith("(1 upvote).")

    assert (await room.say(f"prompt edit {own_id} Was the ban on factions necessary?", who="bob")).text == (
        "Only moderators can use `prompt edit`."
    )
    edited = await room.say(f'prompt edit {own_id} Was the "temporary" ban on factions necessary?')
    assert edited.text == f'Prompt #{own_id} now reads: Was the "temporary" ban on factions necessary?'
    shown = await room.say("prompts jacobins:7", who="carol")
    assert 'Was the "temporary" ban on factions necessary?' in shown.text  # upvoted: it joins the prompts
    assert (await room.say(f"prompt remove {own_id}", who="bob")).kind == "error"
    removed = await room.say(f"prompt remove {own_id}")
    assert removed.text == f"Removed prompt #{own_id} (1 upvote with it)."
    assert "temporary" not in (await room.say("prompt list jacobins:7", who="carol")).text
    assert "no curated or suggested prompt" in (await room.say(f"prompt remove {own_id}")).text
