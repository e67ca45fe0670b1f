"""Where a citation leads: the group's web pages (its token and the public base URL) and which opened reading
holds each section, so every citation the bot posts can link to its exact paragraph.

Shared by the features that cite (quotes, discussion, library, reading). No link is made when this bot serves no
pages (`web.enabled` off), when a moderator turned the group's pages off, or when the cited section is in no
reading the group has opened: a link never leads to a 404 and never past the spoiler gate.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from bot.config import WebSettings
from bot.domain.spoilers import is_visible
from bot.storage import plans as plan_store
from bot.storage import web as web_store
from bot.storage.db import Executor
from bot.web import links as urls


async def group_token(db: Executor, settings: WebSettings, group_id: int, now: datetime) -> str | None:
    """The group's pages' token when this bot serves pages and they are on; pages are on by default, so the token
    is made on first use (`web off` turns them off, `web rotate` replaces the token)."""
    if not settings.enabled:
        return None
    access = await web_store.get(db, group_id)
    if access is not None and not access.enabled:
        return None
    if access is None:
        access = await web_store.enable(db, group_id, now)
    return access.token


@dataclass(frozen=True)
class GroupLinks:
    """A group's link context: its pages' address (None: no links) and section id → opened reading number."""

    settings: WebSettings | None = None
    token: str | None = None
    readings: Mapping[int, int] = field(default_factory=dict)

    def reading(self, number: int) -> str | None:
        """The page of plan reading `number` when it is open to the group."""
        if self.settings is None or self.token is None or number not in self.readings.values():
            return None
        return urls.reading_url(self.settings, self.token, number)

    def paragraph(self, section_id: int, section: int, paragraph: int) -> str | None:
        """Where §section ¶paragraph (of the section with id `section_id`) stands on the group's pages."""
        number = self.readings.get(section_id)
        if self.settings is None or self.token is None or number is None:
            return None
        return urls.paragraph_url(self.settings, self.token, number, section, paragraph)


NO_LINKS = GroupLinks()


async def group_links(db: Executor, settings: WebSettings, group_id: int | None, now: datetime) -> GroupLinks:
    """The link context of a group (NO_LINKS without a group, without pages, or without opened readings)."""
    if group_id is None or not settings.enabled:
        return NO_LINKS
    readings = await plan_store.readings(db, group_id)
    position = max((r.position for r in readings if r.opened), default=-1)
    opened: dict[int, int] = {}
    for reading in readings:
        if is_visible(reading.position, position):
            for section_id in reading.section_ids:
                opened.setdefault(section_id, reading.number)
    if not opened:
        return NO_LINKS
    token = await group_token(db, settings, group_id, now)
    if token is None:
        return NO_LINKS
    return GroupLinks(settings, token, opened)


def linked(text: str, url: str | None) -> str:
    """`[text](<url>)` when there is an address, else the text: Discord and Matrix show a link (the angle brackets
    keep Discord from unfurling a preview of the group's page), the console the Markdown as typed."""
    if url is None:
        return text
    label = text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
    return f"[{label}](<{url}>)"
