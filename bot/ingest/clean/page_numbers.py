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
    return _strip_inline_numbers(out, removed)


# a number standing between two words of one sentence: "except as 176 a means"; never a year ("in 1917 the
# party…", "in 1918 the…" count up through a history as pages do)
_INLINE = re.compile(r"(?<=[a-z,;] )(?!1[5-9]\d\d\b|20\d\d\b)(\d{1,4})(?= [a-z])")
# "paragraph 4 says", "article 12 of": a number its own word names is no page
_NAMED = re.compile(
    r"\b(?:paragraph|section|chapter|article|page|part|no|number|verse|line|figure|table|step|item|volume|book|"
    r"clause|point|thesis|stanza|act|scene|room|house|street|division|regiment)s?\s$",
    re.I,
)
MIN_GAP = 800  # characters between two pages: a page of print holds a few hundred words, an enumeration does not
MIN_RUN = 5  # page numbers counting up this many times through the book; a figure in a sentence does not
MAX_STEP = 3  # a page break that falls between paragraphs leaves no number in the text: a gap of a page or two


def _strip_inline_numbers(blocks: list[Block], removed: list[str]) -> list[Block]:
    """Page numbers left inside sentences with no mark at all are told by counting up through the book: each
    one a page after the last (a page or two more where a break fell between paragraphs), five times or more;
    "there were 300 delegates" counts up from nothing. One pass, chains kept by the number they wait for."""
    found: list[tuple[int, re.Match[str], int]] = []  # block, match, offset in the book
    offset = 0
    for i, b in enumerate(blocks):
        if b.kind == "para":
            found += [
                (i, m, offset + m.start())
                for m in _INLINE.finditer(b.text)
                if not _NAMED.search(b.text[max(0, m.start() - 12) : m.start()])
            ]
        offset += len(b.text) + 2
    if len(found) < MIN_RUN:
        return blocks
    waiting: dict[int, list[int]] = {}  # the next page a chain expects → the indices into `found` of its pages
    chains: list[list[int]] = []
    for k, (_, match, at) in enumerate(found):
        page = int(match.group(1))
        last = next((page - step for step in range(1, MAX_STEP + 1) if page - step in waiting), None)
        # a chain takes the number only a page of text later: "paragraph 1 … paragraph 2" is an enumeration
        chain = waiting.pop(last) if last is not None and at - found[waiting[last][-1]][2] >= MIN_GAP else None
        if chain is None:
            chain = [k]
            chains.append(chain)
        else:
            chain.append(k)
        waiting[page] = chain
    pages = {k for chain in chains if len(chain) >= MIN_RUN for k in chain}
    if not pages:
        return blocks
    cuts: dict[int, list[re.Match[str]]] = {}
    for k in sorted(pages):
        i, match, _ = found[k]
        cuts.setdefault(i, []).append(match)
    out = list(blocks)
    for i, matches in cuts.items():
        text = out[i].text
        for match in reversed(matches):
            removed.append(PAGE_NUMBER_MARK + match.group(1))
            text = text[: match.start() - 1] + text[match.end() :]  # the number and the space before it
        out[i] = replace(out[i], text=text)
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
