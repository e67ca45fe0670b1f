"""A print edition's page numbers left in an e-text: "[Pg 176]", "[Page 12]", "{12}", or a number alone
between the two halves of a sentence. They interrupt the sentence they fall in ("except as 176 a
means"), so they leave the text, listed in `removed` the way the HTML walker lists its page spans."""

from __future__ import annotations

import re
from dataclasses import replace

from bot.ingest.clean.boilerplate import ends_sentence
from bot.ingest.clean.model import Block

PAGE_NUMBER_MARK = "page number: "  # how a removed page number is listed in `removed`, in every format
# bracketed forms are unambiguous: Gutenberg's [Pg 12], [Page 12], [p. 12], {12}; "[12]" is a note marker
# "{12}" only as a token of its own: "x{2}" in a regex or "{1}" in a format string is code, not a page
_BRACKETED = re.compile(
    r"\s?(?:\[(?:Pg|Page|p\.)\s?(?:\d{1,4}|[ivxlc]{1,7})\]|(?:(?<=\s)|^)\{(?:\d{1,4}|[ivxlc]{1,7})\}(?=\s|$))", re.I
)
_BARE = re.compile(r"^\d{1,4}$")


def strip_page_numbers(blocks: list[Block], removed: list[str]) -> list[Block]:
    """Drop page numbers inside paragraphs and paragraphs that are only a page number.

    A bare number standing alone is a page number only where it splits a sentence (the paragraph before
    does not end one and the one after goes on in lower case); a chapter's "1" over its title is not."""
    out: list[Block] = []
    for i, b in enumerate(blocks):
        if b.kind != "para":
            out.append(b)
            continue
        text = b.text
        if "[" in text or "{" in text:
            text = _BRACKETED.sub(lambda m: _note(m, removed), text).strip()
        if not text:
            continue
        if _BARE.match(text) and _splits_sentence(blocks, i):
            removed.append(PAGE_NUMBER_MARK + text)
            continue
        out.append(b if text == b.text else replace(b, text=text))
    return out


def _note(m: re.Match[str], removed: list[str]) -> str:
    removed.append(PAGE_NUMBER_MARK + m.group().strip())
    return ""


def _splits_sentence(blocks: list[Block], i: int) -> bool:
    before = blocks[i - 1] if i else None
    after = blocks[i + 1] if i + 1 < len(blocks) else None
    open_before = before is not None and before.kind == "para" and not ends_sentence(before.text)
    lower_after = after is not None and after.kind == "para" and after.text[:1].islower()
    return open_before and lower_after
