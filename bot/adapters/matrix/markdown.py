"""The bot's Markdown as Matrix HTML, through markdown-it-py on a restricted preset.

Only what the bot's replies use is switched on: emphasis, strong, code spans, links, lists, block quotes,
backslash escapes and line breaks. Raw HTML is off (`html=False`), so anything a member typed is escaped and can
never become markup; links with unsafe schemes (javascript:, data:, …) are refused by markdown-it itself.

Chat text is written line by line, so before parsing every line break counts (`breaks`), a `•` line is a list
item, and a quote or list ends at the first line that is not part of it (CommonMark would continue it lazily).
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt

MARKDOWN = MarkdownIt("zero", {"html": False, "breaks": True}).enable(
    ["emphasis", "backticks", "link", "list", "blockquote", "newline", "escape"]
)
_DOT_BULLET = re.compile(r"^(\s*)•\s+")
_LIST_ITEM = re.compile(r"^\s{0,3}(?:[-*+]|\d{1,9}[.)])\s")


def _line_kind(line: str) -> str:
    if not line.strip():
        return "blank"
    if line.lstrip(" ").startswith(">"):
        return "quote"
    return "item" if _LIST_ITEM.match(line) else "text"


def _as_markdown(text: str) -> str:
    """The bot's chat text as CommonMark: `•` bullets become `-`, and a blank line ends a quote or a list."""
    lines: list[str] = []
    previous = "blank"
    for raw in text.split("\n"):
        line = _DOT_BULLET.sub(r"\1- ", raw, count=1)
        kind = _line_kind(line)
        if previous in ("quote", "item") and kind not in (previous, "blank"):
            lines.append("")  # no lazy continuation: the next line starts a block of its own
        lines.append(line)
        previous = kind
    return "\n".join(lines)


def text_html(text: str) -> str:
    """Paragraphs, lists and quotes as HTML, with no newlines between the tags (Matrix shows them as is)."""
    return MARKDOWN.render(_as_markdown(text)).replace("\n", "")


def inline_html(text: str) -> str:
    """One line's emphasis, code spans and links as HTML, everything else escaped."""
    return MARKDOWN.renderInline(text).replace("\n", "")


def plain_text(text: str, *, keep_code: bool = False) -> str:
    """The text without its markup, for places that show no formatting (poll questions, answers and ends, and
    the plain `body` beside the HTML). With `keep_code`, code spans keep their backticks: commands stay visible
    as commands in a plain body.

    A link keeps its address after its text, so nothing a member needs is lost.
    """
    out: list[str] = []
    link: tuple[str, int] | None = None  # (address, where its text starts in `out`)
    for token in MARKDOWN.parseInline(text)[0].children or []:
        if token.type == "code_inline" and keep_code:
            fence = "``" if "`" in token.content else "`"
            out.append(f"{fence}{token.content}{fence}")
        elif token.type in ("text", "code_inline"):
            out.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            out.append("\n")
        elif token.type == "link_open":
            link = (str(token.attrGet("href") or ""), len(out))
        elif token.type == "link_close" and link is not None:
            address, start = link
            if address and "".join(out[start:]) != address:
                out.append(f" ({address})")
            link = None
    return "".join(out)
