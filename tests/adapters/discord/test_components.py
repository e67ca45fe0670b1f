"""Buttons, menus and text forms: pressed through the fake Discord, answered privately."""

from __future__ import annotations

import importlib.util

import pytest

from bot.app import App
from bot.storage import meta
from tests.adapters.discord.support import LONG_COMMAND, add_book, bind_channel, button_ids, running, start_plan
from tests.fakes.discord_server import FakeDiscord


async def test_button_vote_is_stored_and_survives_a_restart(app: App, fake_discord: FakeDiscord) -> None:
    async with running(app):
        await bind_channel(fake_discord)
        poll = await fake_discord.slash_command("testpoll").callback()
        ids = button_ids(poll)
        assert ids[0] == "rg:testvote 1 A"
        assert ids[1].startswith("rgk:") and len(ids[1]) <= 100  # too long for a custom_id: remembered
        pressed = await fake_discord.click_button(ids[0]).callback()
        assert pressed.ephemeral and pressed.content == "Your vote for A is counted."
        assert await meta.get(app.db, f"vote:1:{fake_discord.user_id}") == "A"

    async with running(app):  # a new client on the same database: the old message's buttons still work
        ada = fake_discord.add_member(None, "ada")
        again = await fake_discord.click_button(ids[1], user_id=ada).callback()
        assert again.ephemeral and again.content == f"Your vote for {LONG_COMMAND.split()[-1]} is counted."
        assert await meta.get(app.db, f"vote:1:{ada}") == LONG_COMMAND.split()[-1]
        closed = await fake_discord.click_button(ids[2], user_id=ada).callback()
        assert closed.ephemeral and closed.content == "This poll is closed; its result is posted in the channel."
        unknown = await fake_discord.click_button("rgk:0123456789abcdef", user_id=ada).callback()
        assert unknown.ephemeral and "no longer works" in unknown.content


async def test_many_choices_become_a_select_menu_that_votes(app: App, fake_discord: FakeDiscord) -> None:
    async with running(app):
        await bind_channel(fake_discord)
        poll = await fake_discord.slash_command("testmany").callback()
        [row] = poll.body["components"]
        [menu] = row["components"]
        assert menu["type"] == 3 and len(menu["options"]) == 12
        chosen = await fake_discord.choose(menu["custom_id"], [menu["options"][7]["value"]]).callback()
        assert chosen.ephemeral and chosen.content == "Your vote for O7 is counted."
    assert await meta.get(app.db, f"vote:1:{fake_discord.user_id}") == "O7"


@pytest.mark.skipif(importlib.util.find_spec("cogs.polls") is None, reason="the votes cog (issue #6) is not in yet")
async def test_real_poll_button_stores_a_ballot_and_a_closed_poll_says_so(app: App, fake_discord: FakeDiscord) -> None:
    async with running(app):
        mod = await bind_channel(fake_discord)
        created = await fake_discord.slash_command(
            "poll-admin create",
            {"question": "Next book?", "option1": "Dubliners", "option2": "Middlemarch"},
            user_id=mod,
        ).callback()
        assert not created.ephemeral, created.json
        ids = button_ids(created)
        assert len(ids) == 2 and all(i.startswith("rg:vote ") for i in ids), ids
        pressed = await fake_discord.click_button(ids[1]).callback()
        assert pressed.ephemeral and "Your vote in poll #" in pressed.content, pressed.content
        ballots = await app.db.fetchall("SELECT choices FROM ballots")
        assert len(ballots) == 1
        poll_id = ids[1].split()[1]
        closed = await fake_discord.slash_command("poll-admin close", {"poll": poll_id}, user_id=mod).callback()
        assert not closed.ephemeral, closed.json
        late = fake_discord.click_button(ids[0], message_id=int(created.response["resource"]["message"]["id"]))
        answer = await late.callback()
        assert answer.ephemeral and f"Poll #{poll_id} is closed" in answer.content


async def test_suggest_a_prompt_button_opens_a_form_and_stores_the_question(
    app: App, fake_discord: FakeDiscord
) -> None:
    book_id = await add_book(app)
    async with running(app):
        mod = await bind_channel(fake_discord)
        await start_plan(fake_discord, mod, book_id)
        assert await app.tick() == 1  # reading 1 opens, with a button to suggest a prompt
        opening = fake_discord.channel_messages()[-1]
        assert opening["embeds"][0]["title"].startswith("📖 Reading 1 of 1 opens")
        buttons = {c["label"]: c["custom_id"] for row in opening["components"] for c in row["components"]}
        assert buttons["Suggest a prompt"] == "rg:prompt suggest 1 {text}"

        ada = fake_discord.add_member(None, "ada")
        pressed = fake_discord.click_button(buttons["Suggest a prompt"], message_id=int(opening["id"]), user_id=ada)
        form = await pressed.callback()
        assert form.callback_type == 9, form.json  # a modal: nothing runs before the text is there
        modal = form.data
        assert modal["title"] == "Suggest a prompt"
        [label] = modal["components"]
        assert label["type"] == 18 and label["component"]["type"] == 4 and label["component"]["style"] == 2
        # Quotes, a backslash and a `name:value` word are the member's text, not command syntax.
        question = 'Why does the boy repeat "paralysis" \\ reading:2 to himself?'
        typed = {**label["component"], "value": question}
        sent = fake_discord.submit_modal(modal["custom_id"], components=[{"type": 18, "component": typed}], user_id=ada)
        answer = await sent.callback()
        assert answer.ephemeral and answer.content.startswith("Thanks — suggestion #"), answer.json

        listed = await fake_discord.slash_command("prompt list", {"reading": "1"}).callback()
        description = listed.body["embeds"][0]["description"]
        assert question in description and "suggested by a member" in description
    row = await app.db.fetchone("SELECT text FROM prompts WHERE source = 'suggested'")
    assert row is not None and row[0] == question
