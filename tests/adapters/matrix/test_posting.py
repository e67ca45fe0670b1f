"""Posts on Matrix: scheduled posts in threads with files, and a closed poll ending the Element poll."""

from __future__ import annotations

from datetime import timedelta

import nio

from bot.adapters.matrix.render import POLL_END, POLL_START
from bot.replies import File, Reply
from tests.adapters.matrix.support import (
    Connect,
    StartBot,
    answers,
    ask,
    content_of,
    ends,
    group_room,
    in_reply_to,
    post_job,
    respond,
    tiny_png,
)
from tests.support.matrix_nio import (
    send_event,
    send_text,
    wait_for_event,
)


async def test_scheduled_posts_open_a_thread_and_follow_it_with_files(
    start_bot: StartBot, matrix_client: Connect
) -> None:
    bot = await start_bot()
    alice = await matrix_client()
    room_id = await group_room(alice, bot)

    opening = Reply(title="Reading 1 opens", text="*Chapter one* is due on Thursday.", kind="reading")
    await post_job(bot, room_id, [(opening, "reading-1", True)])
    assert await bot.app.tick() == 1
    root = await wait_for_event(alice, lambda e: e.sender == bot.user_id and e.body.startswith("Reading 1 opens"))
    assert "<em>Chapter one</em>" in content_of(root)["formatted_body"]
    assert "m.relates_to" not in content_of(root)
    assert await bot.app.recall("matrix", room_id, "thread", "reading-1") == root.event_id

    files = (
        File("meeting.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar"),
        File("chart.png", tiny_png(), "image/png"),
    )
    reminder = Reply(text="Reminder: we meet tomorrow.", files=files)
    await post_job(bot, room_id, [(reminder, "reading-1", False)])
    assert await bot.app.tick() == 1

    posted = [
        await wait_for_event(alice, lambda e, body=body: e.sender == bot.user_id and e.body == body)
        for body in ("Reminder: we meet tomorrow.", "meeting.ics", "chart.png")
    ]
    for event in posted:
        relation = content_of(event)["m.relates_to"]
        assert (relation["rel_type"], relation["event_id"], relation["is_falling_back"]) == (
            "m.thread",
            root.event_id,
            True,
        )
    assert content_of(posted[1])["msgtype"] == "m.file"
    image = content_of(posted[2])
    assert image["msgtype"] == "m.image" and (image["info"]["w"], image["info"]["h"]) == (2, 1)
    download = await alice.download(mxc=image["url"])
    assert isinstance(download, nio.DownloadResponse) and download.body == tiny_png()

    thread = {"rel_type": "m.thread", "event_id": root.event_id, "is_falling_back": True}
    asked = await send_event(
        alice,
        room_id,
        "m.room.message",
        {
            "msgtype": "m.text",
            "body": "!rg group info",
            "m.relates_to": {**thread, "m.in_reply_to": {"event_id": root.event_id}},
        },
    )
    answer = await wait_for_event(alice, answers(bot, asked), room_id=room_id)
    relation = content_of(answer)["m.relates_to"]
    assert (relation["rel_type"], relation["event_id"], relation["is_falling_back"]) == (
        "m.thread",
        root.event_id,
        False,
    )


async def test_closing_a_poll_ends_the_element_poll(start_bot: StartBot, matrix_client: Connect) -> None:
    bot = await start_bot()
    alice, bob = await matrix_client(), await matrix_client()
    room_id = await group_room(alice, bot, join=(bob,))

    async def open_poll(line: str) -> nio.Event:
        command_id = await send_text(alice, room_id, line)
        return await wait_for_event(
            alice, lambda e: e.source.get("type") == POLL_START and in_reply_to(e) == command_id, room_id=room_id
        )

    # Closed by its deadline: the results go out through the outbox.
    timed = await open_poll('!rg poll create "Which book next?" "Dune" "Emma" closes:1h')
    await respond(bob, room_id, timed.event_id, "2")
    await ask(alice, room_id, bot, "!rg poll list")  # by now the response has been handled
    bot.clock.advance(timedelta(hours=1))
    assert await bot.app.tick() == 1
    ended = await wait_for_event(alice, ends(timed.event_id), room_id=room_id)
    content = content_of(ended)
    assert ended.sender == bot.user_id and content[POLL_END] == {}
    assert content["m.relates_to"] == {"rel_type": "m.reference", "event_id": timed.event_id}
    assert "Winner: B Emma." in content["org.matrix.msc1767.text"] and content["body"].startswith("Poll #")

    # Closed by a moderator: the answer to `poll close` ends it; shown twice, both Element polls end.
    shown = await open_poll('!rg poll create "When do we meet?" "Tuesday" "Thursday"')
    row = await bot.app.db.fetchone("SELECT max(id) FROM polls")
    assert row is not None
    again = await open_poll(f"!rg poll show {row[0]}")
    closed = await ask(alice, room_id, bot, f"!rg poll close {row[0]}")
    assert "results" in closed.body
    for poll in (shown, again):
        ended = await wait_for_event(alice, ends(poll.event_id), room_id=room_id)
        assert "Nobody voted." in content_of(ended)["body"]
    assert await bot.app.recall("matrix", room_id, "poll", f"vote {row[0]}") is None
