"""Reading the text where the group meets (issue #12): `read` attaches a reading as EPUB and HTML with its web
link; `web link`, `web rotate` and `web off` manage the group's pages.

Only readings the group has opened are given out, by the same rule as quotes (bot/domain/spoilers.py, applied in
bot/web/content.py). Everything here is platform-free: the files and the link are a Reply; the pages themselves
are served by bot/adapters/web.py. Kept in one file so it can move onto the feature declarations as a whole.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.commands import Invocation, Permission, ReadingRef, command
from bot.features import Feature
from bot.replies import File, Reply, UserError
from bot.storage import web as web_store
from bot.storage.groups import Group
from bot.storage.plans import PlanReading
from bot.timeutil import format_local
from bot.web import content, links, logs
from bot.web.epub import MEDIA_TYPE as EPUB_TYPE
from bot.web.epub import reading_epub
from bot.web.render import reading_file

logs.install()  # `web rotate` and `web link` write tokens through aiosqlite, which logs parameters at DEBUG

PAGES_OFF = "The group's web pages are turned off; a moderator can turn them on with a new link: `web rotate`."
NOT_SERVED = "This bot does not serve web pages (web.enabled is off in its config), so there is no link to give."


def _choose(plan: content.Syllabus, ref: str | None, zone: ZoneInfo) -> PlanReading:
    """The reading asked for (its number or part of its title), or the group's current one; opened ones only."""
    if not plan.readings:
        raise UserError("This group has no study plan yet, so there is no reading to give out.")
    if ref is None or not ref.strip():
        if plan.position < 0:
            first = plan.readings[0]
            raise UserError(f"No reading has opened yet; the first opens {format_local(first.opens_at, zone)}.")
        return plan.readings[plan.position]
    needle = ref.strip().lower().lstrip("#")
    if needle.isdigit():
        number = int(needle)
        if not 1 <= number <= len(plan.readings):
            raise UserError(f"The plan has readings 1 to {len(plan.readings)}; there is no reading {number}.")
        reading = plan.readings[number - 1]
    else:
        matches = [r for r in plan.readings if needle in r.title.lower()]
        if not matches:
            raise UserError(f"No reading in the plan is called “{ref}”; `plan show` lists them with their numbers.")
        if len(matches) > 1:
            options = ", ".join(f"{r.number}. {r.title}" for r in matches[:4])
            raise UserError(f"“{ref}” matches several readings: {options}. Use the reading's number.")
        reading = matches[0]
    if not plan.visible(reading):
        raise UserError(
            f"Reading {reading.number} opens {format_local(reading.opens_at, zone)}; "
            "I only give out readings the group has reached."
        )
    return reading


async def _token(inv: Invocation, group: Group) -> str | None:
    """The group's pages' token when this bot serves pages and they are on (made on first use)."""
    if not inv.app.settings.web.enabled:
        return None
    access = await web_store.get(inv.db, group.id)
    if access is not None and not access.enabled:
        return None
    if access is None:
        access = await web_store.enable(inv.db, group.id, inv.now())
    return access.token


@command(
    "read",
    help="The reading as EPUB and HTML files, with its web page (default: the current reading).",
    params={"reading": "Reading number or part of its title"},
)
async def read(inv: Invocation, reading: ReadingRef | None = None) -> Reply:
    group = inv.require_group()
    zone = ZoneInfo(group.timezone)
    plan = await content.syllabus(inv.db, group.id)
    chosen = _choose(plan, reading, zone)
    text = await content.reading_text(inv.db, chosen)
    if not text.sections:
        raise UserError(f"Reading {chosen.number}'s text is no longer in the library.")
    stem = text.file_stem()
    files = (
        File(f"{stem}.epub", reading_epub(text, modified=chosen.opened_at or inv.now()), EPUB_TYPE),
        File(f"{stem}.html", reading_file(text), "text/html"),
    )
    lines = [
        f"*{text.book_title}* — {text.byline}; meeting {format_local(chosen.meeting_at, zone)}, "
        f"about {chosen.minutes} min.",
        "The EPUB opens in any e-book app; the HTML file in any browser. Paragraph numbers match the citations.",
    ]
    token = await _token(inv, group)
    if token is not None:
        lines.append(f"Read it online: {links.reading_url(inv.app.settings.web, token, chosen.number)}")
    title = f"Reading {chosen.number}: {chosen.title}"
    return Reply(title=title, text="\n".join(lines), files=files, kind="reading")


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


FEATURE = Feature(name="reading", commands=(read, web_link, web_rotate, web_off))
