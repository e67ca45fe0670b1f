"""Project Gutenberg's header and licence: removed, with Title/Author/Release Date kept as hints."""

from __future__ import annotations

import re

from bot.ingest.clean.model import Block

_PG_START = re.compile(r"^\*{3}\s*START OF (?:THE|THIS) PROJECT GUTENBERG.*$", re.I | re.M)
_PG_END = re.compile(
    r"^(?:\*{3}\s*END OF (?:THE|THIS) PROJECT GUTENBERG.*|End of (?:the )?Project Gutenberg'?s? .*|"
    r"End of this Project Gutenberg.*)$",
    re.I | re.M,
)
_PG_FIELD = re.compile(r"^(Title|Author|Release [Dd]ate|Language|Translator|Editor):\s*(.+)$", re.M)
# the same markers and fields inside a line: a book whose paragraphs were run together into one
_PG_START_INLINE = re.compile(r"\*{3}\s*START OF (?:THE|THIS) PROJECT GUTENBERG[^*\n]{0,300}\*{3}", re.I)
_PG_END_INLINE = re.compile(r"\*{3}\s*END OF (?:THE|THIS) PROJECT GUTENBERG[^*\n]{0,300}\*{3}", re.I)
_FIELD_NAMES = r"Title|Author|Release [Dd]ate|Language|Translator|Editor|Credits|Illustrator|Most recently updated"
_PG_FIELD_INLINE = re.compile(rf"({_FIELD_NAMES}):\s*(.{{1,200}}?)\s*(?=(?:{_FIELD_NAMES}):|\*{{3}}|$)")


def strip_gutenberg(text: str) -> tuple[str, list[str], dict[str, str]]:
    """Drop the Project Gutenberg header and licence, keeping Title/Author/Release Date as hints."""
    if "project gutenberg" not in text.lower():  # both markers name it; a cheap test before the regexes
        return text, [], {}
    start = _PG_START.search(text) or _PG_START_INLINE.search(text)
    end = _PG_END.search(text, start.end() if start else 0) or _PG_END_INLINE.search(text, start.end() if start else 0)
    if not start and not end:
        return text, [], {}
    hints: dict[str, str] = {}
    removed: list[str] = []
    head = text[: start.start()] if start else ""
    for key, value in _PG_FIELD.findall(head) or _PG_FIELD_INLINE.findall(head):
        if key.lower() in ("credits", "illustrator", "most recently updated"):
            continue
        hints.setdefault(key.lower().split()[0], value.strip())
    body_start = start.end() if start else 0
    body_end = end.start() if end else len(text)
    removed.extend(line for line in text[:body_start].split("\n") if line.strip())
    removed.extend(line for line in text[body_end:].split("\n") if line.strip())
    body = text[body_start:body_end]
    # "Produced by …" credits sit right after the START line.
    m = re.match(r"\s*((?:Produced|Transcribed|E-text prepared) by[^\n]*(?:\n[^\n]+)*)\n\s*\n", body)
    if m:
        removed.extend(line for line in m.group(1).split("\n") if line.strip())
        body = body[m.end() :]
    return body, removed, hints


_START_BLOCK = re.compile(r"\*{3}\s*START OF (?:THE|THIS) PROJECT GUTENBERG", re.I)
_END_BLOCK = re.compile(r"\*{3}\s*END OF (?:THE|THIS) PROJECT GUTENBERG|^End of (?:the |this )?Project Gutenberg", re.I)
_CREDIT = re.compile(r"^(?:Produced|Transcribed|E-text prepared|Prepared) by\b", re.I)


def strip_gutenberg_blocks(blocks: list[Block], removed: list[str], hints: dict[str, str]) -> list[Block]:
    """The same header and licence in a format that has blocks (HTML, EPUB, PDF, Markdown): everything up to
    the START marker and from the END marker on, with the fields of the header kept as hints."""
    marked = [i for i, b in enumerate(blocks) if "utenberg" in b.text or "UTENBERG" in b.text]
    if not marked:
        return blocks
    start = next((i for i in marked if _START_BLOCK.search(blocks[i].text)), None)
    end = next((i for i in reversed(marked) if _END_BLOCK.search(blocks[i].text) and (start or -1) < i), None)
    if start is None and end is None:
        return blocks
    first = 0 if start is None else start + 1
    last = len(blocks) if end is None else end
    while last > first and blocks[last - 1].kind == "heading":
        last -= 1  # the heading of the licence's own section (an EPUB's "THE FULL PROJECT GUTENBERG LICENSE")
    head = "\n".join(b.text for b in blocks[:first])
    for key, value in _PG_FIELD.findall(head) or _PG_FIELD_INLINE.findall(head):
        if key.lower() not in ("credits", "illustrator", "most recently updated"):
            hints.setdefault(key.lower().split()[0], value.strip())
    while first < last and blocks[first].kind == "para" and _CREDIT.match(blocks[first].text):
        first += 1
    removed.extend(b.text for b in blocks[:first])
    removed.extend(b.text for b in blocks[last:])
    return blocks[first:last]
