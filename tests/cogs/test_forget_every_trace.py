"""Issue #16, privacy: `forget me` leaves no row naming the member, and logs written afterwards hash them."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from bot import log as bot_log
from bot.log import ClockFormatter, ContextFilter, ForgetMembers, log_context, member_ref
from tests.conftest import Room


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ContextFilter())
    handler.addFilter(ForgetMembers())
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s%(context)s: %(message)s"))
    logger = logging.getLogger("readalong.privacy-test")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    saved = set(bot_log._forgotten)
    try:
        yield stream
    finally:
        logger.removeHandler(handler)
        bot_log._forgotten.clear()
        bot_log._forgotten.update(saved)


async def test_forget_me_removes_the_member_row_and_later_logs_hash_them(room: Room, captured: io.StringIO) -> None:
    await room.say("nudge on", who="Bobby")
    row = await room.app.db.fetchone("SELECT id FROM members WHERE user_id = 'bobby'")
    assert row is not None
    receipt = await room.say("forget me", who="Bobby")
    assert "• your name, account id and group memberships: 1" in receipt.text
    assert await room.app.db.fetchone("SELECT 1 FROM members WHERE user_id = 'bobby' OR display_name = 'Bobby'") is None
    assert await room.app.db.fetchone("SELECT 1 FROM memberships WHERE member_id = ?", (row[0],)) is None
    assert await room.app.db.fetchone("SELECT 1 FROM nudges WHERE member_id = ?", (row[0],)) is None
    logger = logging.getLogger("readalong.privacy-test")
    with log_context(user="bobby"):
        logger.debug("event from %s (Bobby) in room-1", "bobby")
    line = captured.getvalue().strip()
    assert "bobby" not in line and "Bobby" not in line
    assert member_ref("bobby") in line and member_ref("Bobby") in line


def test_log_lines_can_carry_the_console_clock() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(ClockFormatter("%(asctime)s %(message)s", lambda: datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)))
    logger = logging.getLogger("readalong.clock-test")
    logger.addHandler(handler)
    try:
        logger.warning("missed something")
    finally:
        logger.removeHandler(handler)
    assert stream.getvalue() == "2030-01-02 03:04:05 UTC missed something\n"
