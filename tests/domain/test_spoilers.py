from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.spoilers import NOTHING_OPENED, is_visible, visible_reading_limit


def test_group_view_follows_only_the_group() -> None:
    assert visible_reading_limit(2) == 2
    assert is_visible(2, group_position=2)
    assert not is_visible(3, group_position=2)
    assert not is_visible(0, group_position=NOTHING_OPENED)


def test_private_view_takes_the_further_of_group_and_member() -> None:
    assert visible_reading_limit(2, member_position=5) == 5  # read ahead: already seen it
    assert visible_reading_limit(4, member_position=1) == 4  # behind: may look at what the group discusses
    assert is_visible(5, 2, 5) and not is_visible(6, 2, 5)
    assert visible_reading_limit(NOTHING_OPENED, NOTHING_OPENED) == -1


def test_invalid_positions() -> None:
    with pytest.raises(ValueError):
        visible_reading_limit(-2)
    with pytest.raises(ValueError):
        visible_reading_limit(0, -5)
    with pytest.raises(ValueError):
        is_visible(-1, 3)


positions = st.integers(-1, 50)


@given(reading=st.integers(0, 60), group=positions, member=positions)
def test_visibility_rule(reading: int, group: int, member: int) -> None:
    in_group = is_visible(reading, group)
    in_private = is_visible(reading, group, member)
    assert in_group == (reading <= group)
    assert in_private == (reading <= group or reading <= member)
    assert not in_group or in_private  # anything shown to the group may be shown to any member
