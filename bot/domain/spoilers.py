"""What may be shown without spoiling: quotes, prompts and discussion from a reading are gated by position.

Positions are reading indices in the plan (0-based), -1 meaning "nothing yet":

* the group's position is the last reading the group has *opened* (its discussion or reading post has gone
  out), whether or not every member has read it;
* a member's position is the furthest reading that member has reached (finished), see
  ``progress.furthest_reading``.

The rule: content from reading ``i`` may be shown **in the group** only once the group has opened reading
``i``; it may be shown **to one member privately** once either the group or that member has reached it.
The group view ignores individual members, because one fast reader must not unlock spoilers for everyone;
the private view takes the larger position, because a member who read ahead has already seen it and one
who is behind has chosen to look at what the group is discussing.
"""

from __future__ import annotations

__all__ = ["NOTHING_OPENED", "is_visible", "visible_reading_limit"]

NOTHING_OPENED = -1


def visible_reading_limit(group_position: int, member_position: int | None = None) -> int:
    """The highest reading index whose content may be shown; -1 when nothing may.

    Pass ``member_position=None`` for something posted in the group, the member's position for something
    sent to that member alone.
    """
    _check(group_position)
    if member_position is None:
        return group_position
    _check(member_position)
    return max(group_position, member_position)


def is_visible(reading_index: int, group_position: int, member_position: int | None = None) -> bool:
    """Whether content from ``reading_index`` may be shown, by the rule in the module docstring."""
    if reading_index < 0:
        raise ValueError("reading_index must not be negative")
    return reading_index <= visible_reading_limit(group_position, member_position)


def _check(position: int) -> None:
    if position < NOTHING_OPENED:
        raise ValueError("a position is a reading index, or -1 before the first reading")
