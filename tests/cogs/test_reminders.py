"""Meeting reminders through a chat room: `reminders set` and `reminders show`."""

from __future__ import annotations

from tests.conftest import Room


async def test_reminders_show_explains_whole_days_only_when_there_are_any(room: Room) -> None:
    whole_days = "Whole days mean the same clock time that many days before"
    assert whole_days in (await room.say("reminders show")).text  # the default: 24h and 1h
    await room.say("reminders set 2h 30m")
    assert whole_days not in (await room.say("reminders show")).text
    await room.say("reminders set off")
    shown = await room.say("reminders show")
    assert shown.text == "Reminders: no reminders before meetings, plus the post when each reading opens."
