"""HTML from templates: Jinja2 with autoescaping on for every template, so no stored text can become markup.

Only our own stylesheet is passed through unescaped (as `Markup`), into the downloadable HTML file where
inline CSS is allowed; the served pages link it from /static instead, so their Content-Security-Policy
needs no 'unsafe-inline'.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from bot.web.document import ReadingText

STYLESHEET = "reading.css"
STATIC_TYPES = {"reading.css": "text/css", "icon.svg": "image/svg+xml"}  # every file /static serves; nothing else


@cache
def environment() -> Environment:
    return Environment(
        loader=PackageLoader("bot.web", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )


@cache
def static_file(name: str) -> bytes:
    """One of STATIC_TYPES' files, read once; the name is never a path taken from a request."""
    if name not in STATIC_TYPES:
        raise KeyError(name)
    return resources.files("bot.web").joinpath("static", name).read_bytes()


def stylesheet() -> bytes:
    return static_file(STYLESHEET)


@dataclass(frozen=True)
class PageLinks:
    """Relative prefixes from a page to its group's pages and to /static, so a path prefix in the public base
    URL (a reverse proxy serving /readalong/...) needs no rewriting."""

    group_url: str
    static_url: str


def page(template: str, links: PageLinks, **values: Any) -> str:
    return environment().get_template(template).render(group_url=links.group_url, static_url=links.static_url, **values)


def reading_file(text: ReadingText) -> bytes:
    """The reading as one self-contained HTML file (styles inline, no scripts, no outside resources)."""
    css = Markup(stylesheet().decode("utf-8"))  # our own file, not member input
    return environment().get_template("reading_file.html").render(text=text, css=css).encode("utf-8")
