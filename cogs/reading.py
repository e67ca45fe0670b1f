"""Reading the text where the group meets (issue #12): `read` attaches a reading as EPUB and HTML with its web
link; `web link`, `web rotate` and `web off` manage the group's pages.

Only readings the group has opened are given out, by the same rule as quotes (`reading_gate`; a reading is named
in every form `resolve_reading` knows). Everything here is platform-free: the files and the link are a Reply; the
pages themselves are served by bot/adapters/web.py. The reading-opens post gets its `read` line from here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.commands import Invocation, Permission, ReadingRef, command
from bot.events import ReadingOpening
from bot.features import Feature
from bot.replies import Field, File, Reply, UserError
from bot.services.links import group_token, linked
from bot.services.readings import ResolvedReading, from_plan, reading_gate, resolve_reading
from bot.storage import plans as plan_store
from bot.storage import web as web_store
from bot.storage.groups import Group
from bot.storage.plans import PlanReading
from bot.timeutil import format_local
from bot.web import content, links, logs
from bot.web.document import section_anchor
from bot.web.epub import MEDIA_TYPE as EPUB_TYPE
from bot.web.epub import reading_epub
from bot.web.render import reading_file

if TYPE_CHECKING:
    from bot.services import Services

logs.install()  # `web rotate` and `web link` write tokens through aiosqlite, which logs parameters at DEBUG

PAGES_OFF = "The group's web pages are turned off; a moderator can turn them on with a new link: `web rotate`."
NOT_SERVED = "This bot does not serve web pages (web.enabled is off in its config), so there is no link to give."
NOT_REACHED = "I only give out readings the group has reached."


async def _chosen(inv: Invocation, group: Group, ref: str | None) -> ResolvedReading:
    """The reading asked for, in every form `resolve_reading` knows, or the group's current one; opened only."""
    readings = await plan_store.readings(inv.db, group.id)
    if ref is None or not ref.strip():
        if not readings:
            raise UserError("This group has no study plan yet, so there is no reading to give out.")
        position = max((r.position for r in readings if r.opened), default=-1)
        if position < 0:
            raise UserError(f"No reading has opened yet; the first opens {_when(readings[0], group)}.")
        return from_plan(readings[position])
    chosen = await resolve_reading(inv.db, readings, ref)
    gate = await reading_gate(inv.db, group.id)
    if not all(gate.shows(s) for s in chosen.section_ids):
        if chosen.planned is not None:
            raise UserError(f"Reading {chosen.planned.number} opens {_when(chosen.planned, group)}; {NOT_REACHED}")
        raise UserError(f"That part of the plan hasn't opened yet; {NOT_REACHED}")
    return chosen


def _when(reading: PlanReading, group: Group) -> str:
    return format_local(reading.opens_at, ZoneInfo(group.timezone))


async def _token(inv: Invocation, group: Group) -> str | None:
    """The group's pages' token when this bot serves pages and they are on (made on first use)."""
    return await group_token(inv.db, inv.app.settings.web, group.id, inv.now())


@command(
    "read",
    help="The reading as EPUB and HTML files, with its web page (default: the current reading).",
    params={"reading": "Plan reading number, book:section (e.g. jacobins:3) or part of a title or heading"},
)
async def read(inv: Invocation, reading: ReadingRef | None = None) -> Reply:
    group = inv.require_group()
    chosen = await _chosen(inv, group, reading)
    planned = chosen.planned if chosen.planned and chosen.planned.section_ids == chosen.section_ids else None
    if planned is not None:
        text = await content.reading_text(inv.db, planned)
    else:
        assert chosen.book_id is not None  # resolve_reading always names the book
        text = await content.sections_text(inv.db, chosen.book_id, chosen.section_ids, chosen.title)
    if not text.sections:
        raise UserError(f"{chosen.title}: its text is no longer in the library.")
    stem = text.file_stem()
    modified = (chosen.planned.opened_at if chosen.planned else None) or inv.now()
    files = (
        File(f"{stem}.epub", reading_epub(text, modified=modified), EPUB_TYPE),
        File(f"{stem}.html", reading_file(text), "text/html"),
    )
    where = f"*{text.book_title}* — {text.byline}"
    if chosen.planned is not None:
        zone = ZoneInfo(group.timezone)
        where += f"; meeting {format_local(chosen.planned.meeting_at, zone)}"
    pace = inv.app.settings.library.words_per_minute
    minutes = planned.minutes if planned is not None else max(1, round(text.words / pace))
    lines = [
        f"{where}, about {minutes} min.",
        "The EPUB opens in any e-book app; the HTML file in any browser. Paragraph numbers match the citations.",
    ]
    token = await _token(inv, group) if chosen.planned is not None else None
    if token is not None and chosen.planned is not None:
        url = links.reading_url(inv.app.settings.web, token, chosen.planned.number)
        if planned is None:
            url += f"#{section_anchor(text.sections[0].number)}"
        lines.append(f"Read it online: {url}")
    return Reply(title=chosen.title, text="\n".join(lines), files=files, kind="reading")


async def reading_opens_link(services: Services, event: ReadingOpening) -> None:
    """The reading-opens post says how to get the text here (`read`) and, with pages on, links to its page."""
    number = event.reading.number
    text = f"`read {number}` attaches it as EPUB and HTML files."
    token = await group_token(event.tx, services.settings.web, event.group_id, services.clock.now())
    if token is not None:
        url = links.reading_url(services.settings.web, token, number)
        text += f" Or read it on {linked('the reading’s page', url)}."
    event.extras.append(Field("Read it", text))


@command("web link", help="The address of the group's web pages: plan, readings, progress, calendar and polls.")
async def web_link(inv: Invocation) -> Reply:
    group = inv.require_group()
    if not inv.app.settings.web.enabled:
        raise UserError(NOT_SERVED)
    token = await _token(inv, group)
    if token is None:
        raise UserError(PAGES_OFF)
    settings = inv.app.settings.web
    feed = links.feed_url(settings, token)
    return Reply(
        title="The group's pages",
        text=(
            f"{links.group_url(settings, token)}\n"
            f"Calendar to subscribe to: {links.webcal_url(feed)}\n"
            "The link is the key: share it only with members. A moderator can change it with `web rotate`."
        ),
    )


@command(
    "web rotate",
    help="Give the group's pages a new address; the old link stops working at once.",
    permission=Permission.MODERATOR,
)
async def web_rotate(inv: Invocation) -> Reply:
    group = inv.require_group()
    if not inv.app.settings.web.enabled:
        raise UserError(NOT_SERVED)
    access = await web_store.rotate(inv.db, group.id, inv.now())
    return Reply(
        title="New address for the group's pages",
        text=f"{links.group_url(inv.app.settings.web, access.token)}\nThe old link no longer works.",
    )


@command("web off", help="Turn the group's web pages off (every link stops working).", permission=Permission.MODERATOR)
async def web_off(inv: Invocation) -> Reply:
    group = inv.require_group()
    if not await web_store.disable(inv.db, group.id):
        return Reply(text="The group's web pages are already off.")
    return Reply(text="The group's web pages are off; their link no longer works. `web rotate` turns them on again.")


FEATURE = Feature(
    name="reading",
    commands=(read, web_link, web_rotate, web_off),
    listeners=((ReadingOpening, reading_opens_link),),
)
