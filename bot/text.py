"""Small wording helpers shared by every reply, so counts read the same everywhere."""

from __future__ import annotations

import re


def plural(count: int, noun: str) -> str:
    """ "1 section", "2 sections": regular English plurals only, which is all the bot's nouns need."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """Text as it may be stored and printed: a lone surrogate (valid in Matrix JSON, not in UTF-8) becomes U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


def whole_number(text: str, limit: int = 2**63 - 1) -> int | None:
    """ASCII digits read as a number up to `limit`, else None: "²" passes str.isdigit() yet int() refuses it, and
    int() refuses more than 4,300 digits, so the length is checked before converting."""
    if not (text.isascii() and text.isdigit()) or len(text.lstrip("0")) > len(str(limit)):
        return None
    value = int(text)
    return value if value <= limit else None


def section_label(heading: str | None, position: int) -> str:
    """The one name of a section in every command: its heading, else "Opening" for the first, "Section N" after."""
    return heading or ("Opening" if position == 1 else f"Section {position}")
