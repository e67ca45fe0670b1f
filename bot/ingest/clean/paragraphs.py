"""Lines → paragraphs: hard wrapping undone, emphasis marks dropped, paragraphs broken mid-sentence rejoined."""

from __future__ import annotations

import re
from bisect import bisect_right
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
    if _soft_hyphen_end(a) and b[:1].islower():
        return a + b  # keep the hyphen: we cannot tell "well-known" from a soft break
    return a + " " + b


def _soft_hyphen_end(a: str) -> bool:
    """Ends in a letter and a hyphen; looks at the last two characters only, so it costs nothing on long text."""
    return a.endswith("-") and len(a) > 1 and bool(_LETTER.match(a[-2]))


_LETTER = re.compile(r"[^\W\d_]")
_RUNS_ON = re.compile(r"(?:\b[a-z][\w’'-]*|[,;–—-])$")


def _continues(line: str, nxt: str) -> bool:
    """In a not-hard-wrapped file, does a line run on into the next one inside the same block?

    `line` is the last line of the paragraph so far, never the whole paragraph: the test is about how it ends.
    """
    if not line or not nxt or LIST_ITEM.match(nxt) or is_date_line(nxt):
        return False
    return bool(_RUNS_ON.search(line[-200:])) and not nxt[0].isdigit()


_SPACE_RUN = re.compile(r"[ \t]+")
# _italics_, *emphasis*, __strong__, **strong** of plain-text and Markdown books: the marks go, the words
# stay; a lone asterisk or snake_case is left alone. A scanner, not a regex: a lazy regex looking for the
# closing mark from every opening one is quadratic on a line of "*a *a *a …".
# =bold= of Project Gutenberg's plain texts; the class stops at the next "=", so the scan is linear
_BOLD_EQUALS = re.compile(r"(?<![\w=])=(?=[^\s=])([^=\n]{1,200}?)(?<=[^\s=])=(?![\w=])")
_MARK_RUN = re.compile(r"\*+|_+")
_WORD_CHAR = re.compile(r"\w")


def strip_emphasis(text: str) -> str:
    """Drop the marks of *x*, **x**, _x_ and __x__ spans; linear in the text.

    An opening mark is a run of one or two identical marks after a non-word, non-mark character and before
    a non-space, non-mark one; its closing mark is the nearest later run of the same marks after a
    non-space, non-mark character and before a non-word, non-mark one, on the same line.
    """
    if "*" not in text and "_" not in text:
        return text
    n = len(text)
    openers: list[tuple[int, str]] = []
    closers: dict[str, list[int]] = {}
    for m in _MARK_RUN.finditer(text):
        mark, start, end = m.group(), m.start(), m.end()
        if len(mark) > 2:
            continue
        before = text[start - 1] if start else ""
        after = text[end] if end < n else ""
        if (
            (not before or not (_WORD_CHAR.match(before) or before in "*"))
            and after
            and not (after.isspace() or after in "*_")
        ):
            openers.append((start, mark))
        closes_after = not after or not (_WORD_CHAR.match(after) or after == "*")
        if before and not (before.isspace() or before in "*_") and closes_after:
            closers.setdefault(mark, []).append(start)
    if not openers or not closers:
        return text
    out: list[str] = []
    cursor = 0
    for start, mark in openers:
        if start < cursor:
            continue  # inside a span already closed
        ends = closers.get(mark)
        if not ends:
            continue
        k = bisect_right(ends, start)
        if k == len(ends):
            continue
        close = ends[k]
        newline = text.find("\n", start, close)
        if newline != -1:
            continue
        out.append(text[cursor:start])
        out.append(text[start + len(mark) : close])
        cursor = close + len(mark)
    if not out:
        return text
    out.append(text[cursor:])
    return "".join(out)


def lines_to_paragraphs(text: str, wrapped: bool | None = None) -> list[str]:
    lines = text.split("\n")
    if wrapped is None:
        wrapped = _is_hard_wrapped(lines)
    paragraphs: list[str] = []
    current: list[str] = []  # the paragraph's lines and separators, joined once at its end (a long run of
    last = ""  # joined lines must not be copied once per line)

    def finish() -> None:
        if current:
            paragraphs.append("".join(current))
            current.clear()

    for raw in lines:
        line = raw.strip()
        if not line:
            finish()
            continue
        if not current:
            current.append(line)
        elif (wrapped and not LIST_ITEM.match(line)) or _continues(last, line):
            current.append("" if _soft_hyphen_end(last) and line[:1].islower() else " ")
            current.append(line)
        else:
            finish()
            current.append(line)
        last = line
    finish()
    paragraphs = [_SPACE_RUN.sub(" ", p) if "  " in p or "\t" in p else p for p in paragraphs]
    return [_BOLD_EQUALS.sub(r"\1", strip_emphasis(p)) if "=" in p else strip_emphasis(p) for p in paragraphs]


# a chapter label or a Roman-numbered title standing alone starts something new, whatever came before
_HEADING_START = re.compile(
    r"^(?:(?:chapter|book|part|volume|section|letter|stave|canto)\s+(?:[ivxlcdm]+|\d{1,3}|the\s+\w+)\b|"
    r"[IVXLC]{1,7}\.\s+[A-Z])",
    re.I,
)


def _capitals_line(text: str) -> bool:
    """A short paragraph in capitals ("OF THE ORIGIN …, WITH CONCISE REMARKS ON THE ENGLISH CONSTITUTION") is a
    title, however many words it has: no sentence was broken after it."""
    return len(text) <= 160 and not any(c.islower() for c in text) and sum(c.isalpha() for c in text) >= 4


def rejoin(blocks: list[Block]) -> list[Block]:
    """Glue paragraphs broken mid-sentence ("…and the Communist" / "International. In his …").

    A run of glued pieces is collected and joined once, and each test looks at the run's first piece, its
    last piece or its first few words, so a page of thousands of broken paragraphs costs no more than one.
    """
    out: list[Block] = []
    run: list[str] = []  # pieces of the paragraph being glued, out[-1] is its block
    words = 0  # words in the run, counted up to 15

    def close() -> None:
        if len(run) > 1:
            out[-1] = Block("para", "".join(run))
        run.clear()

    for b in blocks:
        # a paragraph that keeps its line breaks is a code block: never glued to anything
        if run and b.kind == "para" and "\n" not in run[0] and "\n" not in b.text:
            last = run[-1]
            if (
                not ends_sentence(last)
                and not last.rstrip().endswith(":")
                and not LIST_ITEM.match(b.text)
                and not (_HEADING_START.match(b.text) and len(b.text.split(None, 14)) <= 14)
                and not (LIST_ITEM.match(run[0]) and not b.text[:1].islower())
                and not (len(run) == 1 and not b.text[:1].islower() and _capitals_line(last))
                and (b.text[:1].islower() or words >= 15)
                and words >= 4
            ):
                run[-1] = last.rstrip()
                run.append(("" if _soft_hyphen_end(run[-1]) and b.text[:1].islower() else " ") + b.text)
                words = min(15, words + len(b.text.split(None, 15)))
                continue
        close()
        out.append(b)
        if b.kind == "para":
            run.append(b.text)
            words = len(b.text.split(None, 15))
    close()
    return out
