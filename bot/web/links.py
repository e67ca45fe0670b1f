"""Addresses of a group's pages, as members see them (the public base URL, not the listening address)."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from bot.config import WebSettings


def group_url(settings: WebSettings, token: str) -> str:
    """The absolute link to a group's pages, the one `web link` shows."""
    return f"{settings.base_url()}/g/{token}/"


def reading_url(settings: WebSettings, token: str, number: int) -> str:
    return f"{group_url(settings, token)}r/{number}"


def paragraph_url(settings: WebSettings, token: str, number: int, section: int, paragraph: int) -> str:
    """Where a citation (§section ¶paragraph of plan reading `number`) leads."""
    return f"{reading_url(settings, token, number)}#p-{section}-{paragraph}"


def feed_url(settings: WebSettings, token: str) -> str:
    return f"{group_url(settings, token)}calendar.ics"


def webcal_url(https_url: str) -> str:
    """The same address with the webcal:// scheme, which phones open as a calendar subscription."""
    return urlunsplit(("webcal", *urlsplit(https_url)[1:]))
