"""Edits of commands (`m.replace`) against a real Synapse: where the edited command's answer goes."""

from __future__ import annotations

from tests.adapters.matrix.support import Connect, StartBot, answers, content_of, group_room
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
