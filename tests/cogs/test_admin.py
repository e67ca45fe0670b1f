"""Group administration through a chat room: a room bound to a group, and the group's time zone."""

from __future__ import annotations

import pytest

from tests.conftest import Room


@pytest.mark.parametrize("zone", ["Factory", "localtime"])
async def test_zones_that_are_no_place_are_refused(room: Room, zone: str) -> None:
    reply = await room.say(f"group timezone {zone}")
    assert reply.kind == "error" and f"`timezone`: “{zone}” is not the time zone of a place" in reply.text
    assert "Europe/Berlin" in (await room.say("group info")).plain()
