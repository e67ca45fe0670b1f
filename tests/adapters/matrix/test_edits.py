"""Edits of commands (`m.replace`) and the records that keep commands from running twice, against a real Synapse."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import nio

from bot.storage import meta
from bot.timeutil import to_db
from tests.adapters.matrix.support import Connect, StartBot, answers, content_of, group_room, in_reply_to, seen_until
from tests.support.matrix_nio import send_event, send_text, wait_for_event


async def test_an_edited_command_is_answered_in_the_thread_of_the_original(
    start_bot: StartBot, matrix_client: Connect
) -> None:
    bot = await start_bot()
    alice = await matrix_client()
    room_id = await group_room(alice, bot)
    root = await send_text(alice, room_id, "Chapter one: what did you make of the ending?")
    thread = {"rel_type": "m.thread", "event_id": root, "is_falling_back": True, "m.in_reply_to": {"event_id": root}}
    typo = await send_event(
        alice, room_id, "m.room.message", {"msgtype": "m.text", "body": "!rg grop info", "m.relates_to": thread}
    )
    refused = await wait_for_event(alice, answers(bot, typo), room_id=room_id)
    assert "did you mean `group`" in refused.body
    assert content_of(refused)["m.relates_to"]["event_id"] == root

    # Element's edit of a message in a thread: the thread is in the original, not in the edit (m.new_content
    # carries no m.relates_to, and the edit's own relation is the m.replace).
    edit = {
        "msgtype": "m.text",
        "body": "* !rg group info",
        "m.new_content": {"msgtype": "m.text", "body": "!rg group info"},
        "m.relates_to": {"rel_type": "m.replace", "event_id": typo},
    }
    edited = await send_event(alice, room_id, "m.room.message", edit)
    answer = await wait_for_event(alice, answers(bot, edited), room_id=room_id)
    assert "Time zone: Europe/Berlin" in answer.body
    relation = content_of(answer)["m.relates_to"]
    assert (relation.get("rel_type"), relation.get("event_id")) == ("m.thread", root)


async def test_records_of_handled_commands_go_after_two_periods_and_no_command_ever_runs_twice(
    start_bot: StartBot, matrix_client: Connect
) -> None:
    bot = await start_bot()
    alice = await matrix_client()
    room_id = await group_room(alice, bot)
    ran = await send_text(alice, room_id, "!rg group timezone Europe/Paris")
    await wait_for_event(alice, answers(bot, ran), room_id=room_id)
    period = timedelta(days=bot.settings.matrix.handled_days)

    async def records() -> dict[str, str]:
        rows = await bot.app.db.fetchall("SELECT kind, external_id FROM external_refs WHERE key = ?", (ran,))
        return {row["kind"]: row["external_id"] for row in rows}

    async def next_period() -> None:
        """A period later the next sync drops the old records and makes the current ones old."""
        bot.clock.advance(period)
        marker = await send_text(alice, room_id, "!rg help")
        await wait_for_event(alice, answers(bot, marker), room_id=room_id)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 10
        while await meta.get(bot.app.db, "matrix.handled_rotated_at") != to_db(bot.clock.now()):
            assert loop.time() < deadline, "no rotation after the sync"
            await asyncio.sleep(0.05)

    async def timezone_after_editing_to(zone: str) -> str:
        edited = await edit(alice, room_id, ran, f"!rg group timezone {zone}")
        marker = await send_text(alice, room_id, "!rg group info")
        seen = await seen_until(alice, room_id, answers(bot, marker))
        assert edited not in {in_reply_to(e) for e in seen}  # the edit was not answered: nothing ran
        return seen[-1].body

    assert await records() == {"handled": "done"}
    await next_period()
    assert await records() == {"handled~old": "done"}  # a period old: still known
    assert "Time zone: Europe/Paris" in await timezone_after_editing_to("Europe/Rome")
    await next_period()
    assert await records() == {}  # two periods old: dropped
    # Its record gone, an edit of the command still does not run it: the original was a command, it may have run.
    assert "Time zone: Europe/Paris" in await timezone_after_editing_to("Europe/Madrid")


async def edit(member: nio.AsyncClient, room_id: str, original: str, body: str) -> str:
    content = {
        "msgtype": "m.text",
        "body": f"* {body}",
        "m.new_content": {"msgtype": "m.text", "body": body},
        "m.relates_to": {"rel_type": "m.replace", "event_id": original},
    }
    return await send_event(member, room_id, "m.room.message", content)
