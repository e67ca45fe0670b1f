"""Raw scraped text → paragraphs and headings, with every removed line reported.

The reading list is scraped web pages and e-texts, so the same debris recurs in every book we have
never seen: share bars, "most recent" sidebars, image captions with credits, tag breadcrumbs, contact
footers, Project Gutenberg licences, hard-wrapped lines, paragraphs broken mid-sentence, and pages
flattened into one line where a heading sits glued between two sentences. Each pass is a module of
this package; whatever a pass drops is returned in `removed` so that tests can prove no reading text
was lost.
"""

from __future__ import annotations

import re
from dataclasses import replace

from bot.ingest.clean.boilerplate import (
    BOILERPLATE_LINE,
    LIST_ITEM,
    ends_sentence,
    find_tag_trail,
    is_boilerplate,
    is_date_line,
    is_share_bar,
    remove_sidebar_tail,
    remove_teasers,
)
from bot.ingest.clean.front_matter import strip_contents, strip_title_page
from bot.ingest.clean.glued import is_title_case, needs_glue_split, split_glued_line
from bot.ingest.clean.gutenberg import strip_gutenberg, strip_gutenberg_blocks
from bot.ingest.clean.model import Block, Cleaned
from bot.ingest.clean.page_numbers import strip_page_numbers
from bot.ingest.clean.paragraphs import lines_to_paragraphs, rejoin
from bot.ingest.clean.spaced import is_flattened, split_flattened

__all__ = [
    "BOILERPLATE_LINE",
    "LIST_ITEM",
    "Block",
    "Cleaned",
    "clean_text",
    "ends_sentence",
    "find_tag_trail",
    "finish_blocks",
    "is_boilerplate",
    "is_date_line",
    "is_share_bar",
    "is_title_case",
    "lines_to_paragraphs",
    "needs_glue_split",
    "split_glued_line",
    "strip_contents",
    "strip_gutenberg",
    "strip_title_page",
]


def clean_text(text: str, *, wrapped: bool | None = None) -> Cleaned:
    """Turn a decoded plain text into blocks; headings found here are the glued ones only."""
    body, removed, hints = strip_gutenberg(text)
    raw_lines = body.split("\n")
    if hints:
        raw_lines = strip_title_page(raw_lines, hints, removed)
    raw_lines = strip_contents(raw_lines, removed)
    blocks: list[Block] = []
    pending: list[str] = []
    first_content = True

    def flush() -> None:
        if pending:
            for p in lines_to_paragraphs("\n".join(pending), wrapped):
                blocks.append(Block("para", _BULLET.sub("", p) if p[:1] in "*•" else p))
            pending.clear()

    for line in raw_lines:
        if needs_glue_split(line):
            flush()
            blocks.extend(split_glued_line(line.strip(), removed, first_content))
        elif is_flattened(line):  # every line break removed, sentences still spaced: its headings cut out
            flush()
            blocks.extend(split_flattened(line.strip()))
        else:
            pending.append(line)
        if line.strip():
            first_content = False
    flush()
    return finish_blocks(blocks, removed, hints)


def finish_blocks(blocks: list[Block], removed: list[str], hints: dict[str, str] | None = None) -> Cleaned:
    """Boilerplate passes shared by every format, once blocks exist."""
    hints = dict(hints or {})
    blocks = strip_gutenberg_blocks(blocks, removed, hints)
    blocks = [fix_heading_number(b) if b.kind == "heading" else b for b in blocks]
    blocks = strip_page_numbers(blocks, removed)
    blocks = remove_sidebar_tail(blocks, removed)
    kept: list[Block] = []
    for b in blocks:
        if b.kind == "para" and is_boilerplate(b.text):
            removed.append(b.text)
            continue
        kept.append(b)
    kept = remove_teasers(kept, removed)
    kept = rejoin(kept)
    return Cleaned(kept, removed, hints)


_BULLET = re.compile(r"^[*•]\s+(?=\S)")  # a plain-text list item's literal bullet: the item stays, the mark goes
_GLUED_NUMBER = re.compile(r"^(\d{1,3}(?:\.\d{1,3})*\.?)(?=[^\W\d_])")
_DOUBLED_NUMBER = re.compile(r"^\d{1,3}\.\s+(?=\d{1,3}\.\s+\S)")


def fix_heading_number(block: Block) -> Block:
    """ "3.1Title" → "3.1 Title"; "17. 16. The defeat" (a list's number before the text's own) → "16. The defeat"."""
    text = _DOUBLED_NUMBER.sub("", block.text)
    text = _GLUED_NUMBER.sub(r"\1 ", text)
    return block if text == block.text else replace(block, text=text)
