"""A Reply as Matrix event content, pure (no nio): notices with HTML, polls, files and relations.

Rendering: a Reply's Markdown text becomes `org.matrix.custom.html` (see `markdown`: member text is escaped, never
markup), next to the plain `body`. The
title is a heading, fields a list, choices a numbered list with the command to type; a poll is an MSC3381 poll.
"""

from __future__ import annotations

import html
import json
import struct
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from bot.adapters.base import typed_command
from bot.adapters.matrix.markdown import inline_html, plain_text, text_html
from bot.replies import Choice, File, Reply

HTML_FORMAT = "org.matrix.custom.html"
POLL_START = "org.matrix.msc3381.poll.start"
POLL_END = "org.matrix.msc3381.poll.end"
POLL_TEXT = "org.matrix.msc1767.text"
POLL_KIND = "org.matrix.msc3381.poll.disclosed"
POLL_KIND_UNDISCLOSED = "org.matrix.msc3381.poll.undisclosed"  # results only once the poll ends
# Synapse refuses events over 65 536 bytes (M_TOO_LARGE); the content stays well under it, leaving room for the
# event's envelope (ids, signatures, relations).
MAX_CONTENT_BYTES = 60_000
CUT_NOTE = "… (cut here: too long for one Matrix message)"
MAX_POLL_ANSWERS = 20  # MSC3381: clients show at most 20 answers
KEYCAPS = ("1️⃣", "2️⃣", "3️⃣", "4️⃣", "5️⃣", "6️⃣", "7️⃣", "8️⃣", "9️⃣", "🔟")


# ---------------------------------------------------------------- replies → content
def choice_keys(count: int) -> list[str]:
    """The reaction a member can use for each choice: keycap digits, then letters beyond ten."""
    return [KEYCAPS[i] if i < len(KEYCAPS) else chr(ord("A") + i) for i in range(count)]


def render(reply: Reply, prefix: str = "!rg ") -> tuple[str, str]:
    """(body, formatted_body) for a notice; the body is readable as is, the HTML is safe to show."""
    body: list[str] = []
    parts: list[str] = []
    if reply.title:
        body.append(plain_body(reply.title))
        parts.append(f"<h4>{inline_html(reply.title)}</h4>")
    if reply.text:
        body.append(plain_body(reply.text))
        rendered = text_html(reply.text)
        quotes_itself = any(line.startswith(">") for line in reply.text.splitlines())  # "> passage\n— author"
        wrap = reply.kind == "quote" and not quotes_itself
        parts.append(f"<blockquote>{rendered}</blockquote>" if wrap else rendered)
    if reply.fields:
        body.extend(f"{plain_body(f.name)}: {plain_body(f.value)}" for f in reply.fields)
        items = "".join(f"<li><strong>{inline_html(f.name)}:</strong> {field_html(f.value)}</li>" for f in reply.fields)
        parts.append(f"<ul>{items}</ul>")
    if reply.choices:
        keys = choice_keys(len(reply.choices))
        body.extend(
            f"{key} {plain_body(c.label)} — {prefix}{typed_command(c.command)}"
            for key, c in zip(keys, reply.choices, strict=True)
        )
        body.append("React with the number or type the command.")
        items = "".join(
            f"<li>{key} {inline_html(c.label)} — "
            f"<code>{html.escape(prefix + typed_command(c.command), quote=False)}</code></li>"
            for key, c in zip(keys, reply.choices, strict=True)
        )
        parts.append(f"<ul>{items}</ul><p><em>React with the number or type the command.</em></p>")
    return "\n".join(body), "".join(parts)


def plain_body(text: str) -> str:
    """A line or paragraph of the bot's Markdown as plain text: no `**` or `*`, code spans kept as `code`."""
    return "\n".join(plain_text(line, keep_code=True) for line in text.split("\n"))


def field_html(value: str) -> str:
    """A field's value: inline, unless it spans lines or quotes ("> passage\n— author"), then as blocks."""
    if "\n" in value or value.lstrip().startswith(">"):
        return text_html(value)
    return inline_html(value)


def message_content(reply: Reply, prefix: str = "!rg ", msgtype: str = "m.notice") -> dict[str, Any]:
    """An m.notice (answers to commands: Element does not notify for them) or an m.text (posts members should be
    notified of). A reply too long for one event loses the end of its text, with a note saying so."""
    content = _content(reply, prefix, msgtype)
    text = reply.text
    while _size(content) > MAX_CONTENT_BYTES and text:
        text = text[: len(text) * MAX_CONTENT_BYTES // _size(content) * 9 // 10].rstrip()
        content = _content(replace(reply, text=text + CUT_NOTE if text else CUT_NOTE.lstrip("… ")), prefix, msgtype)
        if not text:
            break
    return content


def notice_content(reply: Reply, prefix: str = "!rg ") -> dict[str, Any]:
    return message_content(reply, prefix, "m.notice")


def _content(reply: Reply, prefix: str, msgtype: str) -> dict[str, Any]:
    body, formatted = render(reply, prefix)
    return {"msgtype": msgtype, "body": body, "format": HTML_FORMAT, "formatted_body": formatted}


def _size(content: dict[str, Any]) -> int:
    return len(json.dumps(content, ensure_ascii=False).encode("utf-8"))


def is_poll(reply: Reply) -> bool:
    return reply.kind == "poll" and 2 <= len(reply.choices) <= MAX_POLL_ANSWERS


def has_message(reply: Reply) -> bool:
    return bool(reply.title or reply.text or reply.fields or reply.choices)


def poll_question(reply: Reply) -> str:
    return plain_text(reply.title or reply.text.split("\n", 1)[0]).strip() or "Poll"


def poll_card(reply: Reply) -> Reply | None:
    """The poll's details (text, fields) as a card sent before the poll itself, which shows only the question."""
    if not reply.text and not reply.fields:
        return None
    return Reply(title=reply.title, text=reply.text, fields=reply.fields, kind=reply.kind)


def poll_start_content(reply: Reply) -> dict[str, Any]:
    """An MSC3381 poll (unstable names, as Element sends them); answer ids are the choice numbers 1…n.

    The question is the title (or the first line); the rest of the Reply goes in the card before it.
    """
    question = poll_question(reply)
    labels = [plain_text(c.label) for c in reply.choices]
    fallback = "\n".join([question, *(f"{n}. {label}" for n, label in enumerate(labels, 1))])
    return {
        POLL_START: {
            "question": {POLL_TEXT: question, "body": question, "msgtype": "m.text"},
            "kind": POLL_KIND_UNDISCLOSED if reply.anonymous else POLL_KIND,
            "max_selections": max(1, min(reply.max_selections, len(labels))),
            "answers": [{"id": str(n), POLL_TEXT: label} for n, label in enumerate(labels, 1)],
        },
        POLL_TEXT: fallback,
        "body": fallback,
    }


def poll_end_content(reply: Reply, start_id: str) -> dict[str, Any]:
    """An MSC3381 poll end for the poll `start_id`, with the results as its text for clients without polls."""
    text = plain_body("\n".join(part for part in (reply.title, reply.text) if part)).strip() or "The poll has ended."
    return {
        "m.relates_to": {"rel_type": "m.reference", "event_id": start_id},
        POLL_END: {},
        POLL_TEXT: text,
        "body": text,
    }


def file_content(file: File, content_uri: str) -> dict[str, Any]:
    """An m.image (PNG/JPEG/…) or m.file event for an uploaded attachment."""
    info: dict[str, Any] = {"mimetype": file.content_type, "size": len(file.data)}
    msgtype = "m.file"
    if file.content_type.startswith("image/"):
        msgtype = "m.image"
        if size := png_size(file.data):
            info["w"], info["h"] = size
    return {"msgtype": msgtype, "body": file.filename, "filename": file.filename, "url": content_uri, "info": info}


def png_size(data: bytes) -> tuple[int, int] | None:
    if len(data) >= 24 and data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR":
        width, height = struct.unpack(">II", data[16:24])
        return width, height
    return None


def thread_relation(root_id: str) -> dict[str, Any]:
    """Post into the thread of `root_id`; clients without threads show it as a reply to the root."""
    return {
        "rel_type": "m.thread",
        "event_id": root_id,
        "is_falling_back": True,
        "m.in_reply_to": {"event_id": root_id},
    }


def reply_relation(event_id: str, thread_id: str | None = None) -> dict[str, Any]:
    """Answer `event_id`, inside its thread when it was sent in one."""
    if thread_id:
        return {
            "rel_type": "m.thread",
            "event_id": thread_id,
            "is_falling_back": False,
            "m.in_reply_to": {"event_id": event_id},
        }
    return {"m.in_reply_to": {"event_id": event_id}}


def choices_to_ref(choices: Sequence[Choice]) -> list[list[str]]:
    return [[c.label, c.command] for c in choices]
