"""Reply → Discord messages, as plain data: no discord import, so the limits are tested directly.

A `Reply` becomes one or more `Page`s (one Discord message each). Embeds are used where they help (readings,
quotes, prompts, polls, or any reply with a title or fields); errors and short answers stay plain text. Long
output is split at paragraph, line or word boundaries so that no page breaks a Discord limit: 2000 characters of
content, 4096 of embed description, 25 fields of at most 256/1024 characters, 6000 characters per embed. Buttons
and files go on the last page. Button commands travel in the custom_id ("rg:<command>") when they fit in
Discord's 100 characters, otherwise under a short hash the adapter remembers ("rgk:<hash>").
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Literal

from bot.replies import Choice, File, Reply

CONTENT_LIMIT = 2000
DESCRIPTION_LIMIT = 4096
TITLE_LIMIT = 256
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FIELDS_PER_EMBED = 25
EMBED_TOTAL_LIMIT = 6000
FILES_PER_MESSAGE = 10
CUSTOM_ID_LIMIT = 100
LABEL_LIMIT = 80
BUTTONS_PER_ROW = 5
MAX_BUTTONS = 10  # more choices than this become a select menu
SELECT_OPTIONS_LIMIT = 25
NONCE_LIMIT = 25

BUTTON_PREFIX = "rg:"
HASHED_PREFIX = "rgk:"
BUTTON_TEMPLATE = r"(?P<kind>rgk?):(?P<value>.+)"
SELECT_ID = "rg-select"

EMBED_KINDS = frozenset({"reading", "quote", "prompt", "poll"})
COLOURS = {
    "reading": 0x3B82F6,
    "quote": 0xD4A017,
    "prompt": 0x22A06B,
    "poll": 0x8B5CF6,
}
DEFAULT_COLOUR = 0x5865F2
EMPTY_REPLY = "Done."

ButtonStyle = Literal["primary", "secondary", "success", "danger"]


@dataclass(frozen=True)
class Button:
    label: str
    custom_id: str
    style: ButtonStyle = "secondary"


@dataclass(frozen=True)
class SelectOption:
    label: str
    value: str  # an encoded command, like a button's custom_id


@dataclass(frozen=True)
class Page:
    """One Discord message: content and/or one embed, and on the last page the buttons/select and files."""

    content: str | None = None
    embed: dict[str, Any] | None = None
    buttons: tuple[Button, ...] = ()
    select: tuple[SelectOption, ...] = ()
    files: tuple[File, ...] = ()


@dataclass
class Rendered:
    pages: list[Page]
    # Button commands too long for a custom_id: hash key → command, for the adapter to remember.
    hashed: dict[str, str] = field(default_factory=dict)


# ---------------------------------------------------------------- buttons
def encode_command(command: str) -> tuple[str, str | None]:
    """The custom_id for a button that runs `command`, and the hash key to remember when it does not fit."""
    direct = BUTTON_PREFIX + command
    if len(direct) <= CUSTOM_ID_LIMIT:
        return direct, None
    key = hashlib.sha256(command.encode("utf-8")).hexdigest()[:32]
    return HASHED_PREFIX + key, key


def nonce_for(key: str, page: int = 0) -> str:
    """Discord nonces are at most 25 characters; outbox keys are longer, so send a digest of key and page."""
    return hashlib.sha256(f"{key}#{page}".encode()).hexdigest()[:NONCE_LIMIT]


def thread_name(reply: Reply) -> str:
    """A thread's name (1–100 characters): the reply's title, else its first line."""
    source = reply.title or next((line for line in reply.text.splitlines() if line.strip()), "") or "Discussion"
    name = " ".join(source.replace("*", "").replace("_", " ").split())
    return shorten(name, 100) or "Discussion"


# ---------------------------------------------------------------- splitting
def split_text(text: str, limit: int) -> list[str]:
    """Split text into chunks of at most `limit` characters, at paragraph, line or word boundaries."""
    text = text.strip("\n")
    chunks: list[str] = []
    while len(text) > limit:
        window = text[: limit + 1]
        cut = -1
        for separator in ("\n\n", "\n", " "):
            at = window.rfind(separator, 0, limit + 1)
            if at > limit // 4:
                cut = at
                break
        if cut == -1:
            chunks.append(text[:limit])
            text = text[limit:]
        else:
            chunks.append(text[:cut].rstrip())
            text = text[cut:].lstrip("\n ")
    if text or not chunks:
        chunks.append(text)
    return chunks


def shorten(text: str, limit: int) -> str:
    """`text` in at most `limit` characters: cut at the last word boundary that fits, marked with an ellipsis
    (a single word longer than a quarter of the limit is cut inside it rather than losing most of the room)."""
    if len(text) <= limit:
        return text
    room = text[: limit - 1]
    at = max(room.rfind(" "), room.rfind("\n"))
    if text[limit - 1].isspace():
        at = limit - 1
    kept = room[:at] if at > limit // 4 else room
    return kept.rstrip(" \n,;:-–—") + "…"


# ---------------------------------------------------------------- rendering
def uses_embed(reply: Reply) -> bool:
    if reply.kind == "error":
        return False
    return reply.kind in EMBED_KINDS or bool(reply.title) or bool(reply.fields)


def render(reply: Reply) -> Rendered:
    """The pages for a reply; never an empty message and never over a Discord limit."""
    pages = _embed_pages(reply) if uses_embed(reply) else _text_pages(reply)
    rendered = Rendered(pages=pages)
    _attach_extras(reply, rendered)
    return rendered


def _text_pages(reply: Reply) -> list[Page]:
    parts = []
    if reply.title:
        parts.append(f"**{reply.title}**")
    if reply.text:
        parts.append(reply.text)
    parts.extend(f"**{f.name}**: {f.value}" for f in reply.fields)
    text = "\n".join(parts).strip()
    if not text:
        return [Page(content=None if (reply.choices or reply.files) else EMPTY_REPLY)]
    return [Page(content=chunk) for chunk in split_text(text, CONTENT_LIMIT)]


def _embed_pages(reply: Reply) -> list[Page]:
    colour = COLOURS.get(reply.kind, DEFAULT_COLOUR)
    title = shorten(reply.title, TITLE_LIMIT) if reply.title else None
    short_fields: list[dict[str, Any]] = []
    text = reply.text
    for f in reply.fields:
        if len(f.name) > FIELD_NAME_LIMIT or len(f.value) > FIELD_VALUE_LIMIT or not f.value.strip():
            text = f"{text}\n\n**{f.name}**\n{f.value}".strip()  # too long for a field: part of the text
        else:
            short_fields.append({"name": f.name or "\u200b", "value": f.value, "inline": f.inline})
    # Leave room for the title and a "page i/n" footer inside the 6000-character total.
    room = min(DESCRIPTION_LIMIT, EMBED_TOTAL_LIMIT - TITLE_LIMIT - 32)
    embeds: list[dict[str, Any]] = []
    for chunk in split_text(text, room) if text.strip() else []:
        embeds.append({"description": chunk})
    if not embeds:
        embeds.append({})
    for entry in short_fields:
        last = embeds[-1]
        fields = last.setdefault("fields", [])
        grown = _embed_size(last, title) + len(entry["name"]) + len(entry["value"])
        if len(fields) >= FIELDS_PER_EMBED or grown > EMBED_TOTAL_LIMIT - 32:
            embeds.append({"fields": [entry]})
        else:
            fields.append(entry)
    count = len(embeds)
    pages = []
    for index, embed in enumerate(embeds):
        embed = {k: v for k, v in embed.items() if v}
        embed["color"] = colour
        if index == 0 and title:
            embed["title"] = title
        if count > 1:
            embed["footer"] = {"text": f"{index + 1}/{count}"}
        if not embed.get("title") and not embed.get("description") and not embed.get("fields"):
            embed["description"] = EMPTY_REPLY
        pages.append(Page(embed=embed))
    return pages


def _embed_size(embed: dict[str, Any], title: str | None) -> int:
    size = len(title or "") + len(embed.get("description", ""))
    size += sum(len(f["name"]) + len(f["value"]) for f in embed.get("fields", []))
    return size


def _attach_extras(reply: Reply, rendered: Rendered) -> None:
    pages = rendered.pages
    buttons: list[Button] = []
    options: list[SelectOption] = []
    choices: tuple[Choice, ...] = reply.choices
    if len(choices) > MAX_BUTTONS:
        for choice in choices[:SELECT_OPTIONS_LIMIT]:
            custom_id, key = encode_command(choice.command)
            if key:
                rendered.hashed[key] = choice.command
            options.append(SelectOption(shorten(choice.label, 100), custom_id))
    else:
        seen: set[str] = set()
        for choice in choices:
            custom_id, key = encode_command(choice.command)
            if custom_id in seen:  # Discord refuses two components with one custom_id
                continue
            seen.add(custom_id)
            if key:
                rendered.hashed[key] = choice.command
            buttons.append(Button(shorten(choice.label, LABEL_LIMIT) or "…", custom_id, choice.style))
    file_batches = [reply.files[i : i + FILES_PER_MESSAGE] for i in range(0, len(reply.files), FILES_PER_MESSAGE)]
    last = pages[-1]
    pages[-1] = Page(
        content=last.content,
        embed=last.embed,
        buttons=tuple(buttons),
        select=tuple(options),
        files=file_batches[0] if file_batches else (),
    )
    for batch in file_batches[1:]:
        pages.append(Page(files=batch))
