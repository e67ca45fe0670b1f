"""Lines → paragraphs: hard wrapping undone, emphasis marks dropped, paragraphs broken mid-sentence rejoined."""

from __future__ import annotations

import re
from statistics import median

from bot.ingest.clean.boilerplate import LIST_ITEM, ends_sentence, is_date_line
from bot.ingest.clean.model import Block


def _is_hard_wrapped(lines: list[str]) -> bool:
    lengths = [len(x) for x in lines if x.strip()]
    if len(lengths) < 8:
        return False
    short = sum(1 for n in lengths if n <= 100) / len(lengths)
    return short >= 0.9 and median(lengths) >= 35


def _join(a: str, b: str) -> str:
    if re.search(r"[^\W\d_]-$", a) and b[:1].islower():
        return a + b  # keep the hyphen: we cannot tell "well-known" from a soft break
    return a + " " + b


def _continues(line: str, nxt: str) -> bool:
    """In a not-hard-wrapped file, does a line run on into the next one inside the same block?"""
    if not line or not nxt or LIST_ITEM.match(nxt) or is_date_line(nxt):
        return False
    return bool(re.search(r"(?:\b[a-z][\w’'-]*|[,;–—-])$", line)) and not nxt[0].isdigit()


_SPACE_RUN = re.compile(r"[ \t]+")
# _italics_, *emphasis*, __strong__, **strong** of plain-text and Markdown books: the marks go, the words
# stay; a lone asterisk or snake_case is left alone
_EMPHASIS = re.compile(r"(?<![\w*_])(\*{1,2}|_{1,2})(?=[^\s*_])(.+?)(?<=[^\s*_])\1(?![\w*_])")


def lines_to_paragraphs(text: str, wrapped: bool | None = None) -> list[str]:
    lines = text.split("\n")
    if wrapped is None:
        wrapped = _is_hard_wrapped(lines)
    paragraphs: list[str] = []
    current: str | None = None
    for raw in lines:
        line = raw.strip()
        if not line:
            if current is not None:
                paragraphs.append(current)
                current = None
            continue
        if current is None:
            current = line
        elif (wrapped and not LIST_ITEM.match(line)) or _continues(current, line):
            current = _join(current, line)
        else:
            paragraphs.append(current)
            current = line
    if current is not None:
        paragraphs.append(current)
    paragraphs = [_SPACE_RUN.sub(" ", p) if "  " in p or "\t" in p else p for p in paragraphs]
    return [_EMPHASIS.sub(r"\2", p) if "_" in p or "*" in p else p for p in paragraphs]


def _has_words(text: str, n: int) -> bool:
    """At least n whitespace-separated words, without splitting a long paragraph in full."""
    return len(text.split(None, n)) >= n


def rejoin(blocks: list[Block]) -> list[Block]:
    """Glue paragraphs broken mid-sentence ("…and the Communist" / "International. In his …")."""
    out: list[Block] = []
    for b in blocks:
        # a paragraph that keeps its line breaks is a code block: never glued to anything
        if out and b.kind == "para" and out[-1].kind == "para" and "\n" not in out[-1].text and "\n" not in b.text:
            prev = out[-1].text
            if (
                not ends_sentence(prev)
                and not prev.rstrip().endswith(":")
                and not LIST_ITEM.match(b.text)
                and not (LIST_ITEM.match(prev) and not b.text[:1].islower())
                and (b.text[:1].islower() or _has_words(prev, 15))
                and _has_words(prev, 4)
            ):
                out[-1] = Block("para", _join(prev.rstrip(), b.text))
                continue
        out.append(b)
    return out
