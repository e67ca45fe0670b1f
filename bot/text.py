"""Small wording helpers shared by every reply, so counts read the same everywhere."""

from __future__ import annotations


def plural(count: int, noun: str) -> str:
    """ "1 section", "2 sections": regular English plurals only, which is all the bot's nouns need."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
