"""Sentence offsets for a paragraph, so quotes and prompts can cite exact sentences.

syntok knows abbreviations, initials ("J.N. Westwood"), ellipses, brackets and quotations, but it
tokenises every character and was most of the ingestion time. So we first cut a paragraph at the
boundaries that are beyond doubt — a full stop after an ordinary lowercase word, outside brackets,
followed by a capitalised word — and hand syntok only the stretches between them that contain a doubtful
mark (an initial, an abbreviation, an ellipsis, a semicolon, a bracket). On plain prose the result is the
same as running syntok on the whole paragraph; a test checks that on the default library.

Two shortcuts keep syntok's own answer while giving it less to read: the plain words between doubtful
ones are dropped before it tokenises (`_shorten`), and a quotation closed by a short citation bracket is
cut where syntok always cuts it (`_citation_tail`). Property tests compare both with syntok itself.
"""

from __future__ import annotations

import bisect
import re

from syntok import segmenter
from syntok._segmentation_states import State
from syntok.tokenizer import Tokenizer

_TOKENIZER = Tokenizer()
_CANDIDATE = re.compile(r"[.!?…;:]+[\"'”’)\]]*(?=(\s+))")  # group 1: the whitespace after the mark
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "st",
        "jr",
        "sr",
        "vs",
        "etc",
        "viz",
        "cf",
        "al",
        "ca",
        "approx",
        "eg",
        "ie",
        "no",
        "nos",
        "vol",
        "vols",
        "pp",
        "p",
        "ch",
        "fig",
        "gen",
        "col",
        "capt",
        "rev",
        "prof",
        "sen",
        "rep",
        "gov",
        "lt",
        "sgt",
        "mt",
        "ft",
        "inc",
        "ltd",
        "co",
        "corp",
        "dept",
        "univ",
        "ed",
        "eds",
        "trans",
        "esp",
        "ibid",
        "op",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
    ]
)


# read backwards: an optional line break ("$" matches before one), closing marks, then the word
_CLOSERS_THEN_WORD = re.compile(r"\n?[)\]”’\"']*([^\W_]+)")
_NUMBER_LABEL = re.compile(r"\b(?:no|nos|p|pp|vol|ch)\.?\s*$")
_SEMICOLON_GLUED = re.compile(r";[^\W\d_]")
_NOT_DOUBTFUL = ":\"'”’)]"  # a mark made only of these never ends a sentence for syntok


def _clear_boundary(text: str, mark: str, mark_start: int, k: int, depth: int) -> bool:
    """Is the mark at `mark_start`, followed by whitespace up to `k`, a sentence end beyond doubt?"""
    if depth or mark[0] not in ".!?" or mark.startswith("..") or any(c in mark for c in ";:…)]"):
        return False
    if k < len(text) and text[k] in "\"“‘'":
        k += 1
    if k >= len(text) or not text[k].isupper():
        return False
    # the word right before the mark (and its closing brackets/quotes), at most 40 characters back
    lo = max(0, mark_start - 40)
    found = _CLOSERS_THEN_WORD.match(text[lo:mark_start][::-1])
    if found is None:
        return False
    w = found.group(1)[::-1]
    if w.isdigit():  # "in 1917. The" yes, "No. 3. The" is left to syntok
        word_start = mark_start - found.end()
        return len(w) >= 2 and not _NUMBER_LABEL.search(text[max(0, word_start - 5) : word_start].lower())
    return len(w) >= 2 and w[-1].islower() and w.lower() not in _ABBREVIATIONS


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of each sentence in `text`; whitespace between sentences is not included.

    One pass over the candidate marks decides both where the clear boundaries are and whether the
    stretch between two of them holds a doubtful mark (one that syntok might split at).
    """
    spans: list[tuple[int, int]] = []
    n = len(text)
    start = n - len(text.lstrip())
    end = len(text.rstrip())
    if start >= end:
        return spans
    brackets = "(" in text or "[" in text  # without an opening bracket the depth is always 0
    depth = 0
    scanned = start
    doubtful = False
    for m in _CANDIDATE.finditer(text, start):
        mark_start, mark_end = m.span()
        if brackets:
            segment = text[scanned:mark_start]
            depth = max(0, depth + segment.count("(") + segment.count("[") - segment.count(")") - segment.count("]"))
            scanned = mark_start
        mark = m.group()
        k = m.end(1)
        if _clear_boundary(text, mark, mark_start, k, depth):
            _chunk(text, start, mark_end, spans, doubtful)
            start = k
            doubtful = False
        elif not doubtful and mark_end < end and mark.strip(_NOT_DOUBTFUL):
            nxt = text[k]
            doubtful = not (nxt.islower() or nxt.isdigit())
    if start < end:
        _chunk(text, start, end, spans, doubtful)
    return spans


def _chunk(text: str, start: int, end: int, spans: list[tuple[int, int]], doubtful: bool) -> None:
    """A stretch without a clear boundary: one sentence, unless syntok has something to judge in it."""
    piece = text[start:end]
    if not (doubtful or piece.count("(") != piece.count(")") or (";" in piece and _SEMICOLON_GLUED.search(piece))):
        spans.append((start, end))
        return
    tail = _citation_tail(piece)
    if tail is None:
        spans.extend((start + s, start + e) for s, e in _syntok(piece))
        return
    mark_start, head_end, bracket_start = tail
    if _TERMINAL_OR_BRACKET.search(piece, 0, mark_start):
        spans.extend((start + s, start + e) for s, e in _syntok(piece[:head_end]))
    else:  # no terminal before the closing one: a single sentence
        spans.append((start, start + head_end))
    spans.append((start + bracket_start, end))


def _inner_sentence(tokens: list[str]) -> bool:
    """syntok's test for a bracket holding a sentence: its first word capitalised, its last one followed by
    a terminal (State.__find_end_of_bracketed_text, for a bracket with no brackets inside)."""
    first_is_title: bool | None = None
    last_is_terminal = False
    for i in range(1, len(tokens) - 1):
        value = tokens[i]
        if first_is_title is None and value.isalnum():
            first_is_title = value.istitle()
        elif first_is_title and value.isalnum():
            last_is_terminal = tokens[i + 1] in State.terminals
    return bool(first_is_title and last_is_terminal)


# A quotation closed by its citation at the end of a stretch: "…the other.” (Memoirs, page 59)". When the
# word before the full stop is nothing syntok treats specially (an abbreviation, an initial, a number, a
# month, a Roman numeral), syntok always ends the sentence before a bracket that nothing follows; and a
# bracket of fewer than 50 tokens with none inside is skipped whole (if it is long, only when it does not
# hold a sentence), so it is a sentence of its own. Both facts
# follow from syntok's rules (State._move_and_maybe_extract_terminal, State._skip_bracketed_text), and
# test_sentences.py checks them against syntok itself. Only one closing quote: after a second one syntok
# reads on.
_CITATION = re.compile(r"[.!?][\"”’']?\s+\([^()\[\]{}]*\)$")
# syntok's terminals and brackets (State.terminals, State.opening_brackets, State.closing_brackets)
_TERMINAL_OR_BRACKET = re.compile(
    "[.!?;\u203c\u203d\u2047\u2048\u2049\u3002\ufe52\ufe57\uff01\uff0e\uff1f\uff61"
    "([{\uff5f\uff5b\uff3b\uff08\ufe5d\ufe5b\ufe59\ufd3e\u301a\u3018\u2985\u2983\u2329"
    ")\\]}\uff60\uff5d\uff3d\uff09\ufe5e\ufe5c\ufe5a\ufd3f\u301b\u3019\u2986\u2984\u232a]"
)
_ANY_BRACKET = frozenset("([{)]}") | State.opening_brackets | State.closing_brackets


def _citation_tail(piece: str) -> tuple[int, int, int] | None:
    """(start of the closing mark, end of the sentence, start of the bracket) for a quotation's citation."""
    m = _CITATION.search(piece)
    if m is None:
        return None
    mark_start = m.start()
    bracket_start = piece.index("(", mark_start)
    head_end = len(piece[:bracket_start].rstrip())
    if (
        _ODD_SPACE.search(piece, head_end, bracket_start)
        or not _ANY_BRACKET.isdisjoint(piece[:mark_start])  # an earlier bracket could reach across the cut
        or not _ANY_BRACKET.isdisjoint(piece[bracket_start + 1 : -1])
    ):
        return None
    # syntok's tokenizer works on one whitespace-free run at a time: the bracket must come out as tokens of
    # their own ("(?" would be one token and no bracket), and so must the closing mark, after a word
    inside = [t.value for t in _TOKENIZER.tokenize(piece[bracket_start:])]
    if inside[0] != "(" or inside[-1] != ")" or len(inside) >= 50:
        return None
    if len(piece) - bracket_start >= 70 and _inner_sentence(inside):
        return None  # syntok reads a long bracket holding a sentence as sentences
    run_start = max(piece.rfind(c, 0, mark_start) for c in " \t\n\r") + 1
    tokens = [t.value for t in _TOKENIZER.tokenize(piece[run_start:head_end])]
    marks = list(piece[mark_start:head_end])
    if len(tokens) <= len(marks) or tokens[-len(marks) :] != marks:
        return None
    word = tokens[-len(marks) - 1]
    if (
        len(word) < 2
        or "." in word
        or word.isnumeric()
        or word in State.abbreviations
        or word in State.roman_numerals
        or word in State.months
    ):
        return None
    return mark_start, head_end, bracket_start


# Syntok looks beyond the token in hand only (a) over the marks right after a terminal and the token or
# two after them, and (b) from an opening bracket to its closing one, across at most 50 tokens. Anywhere
# else it just appends the token to the sentence. So the words of a long plain stretch — no terminal, no
# bracket, not inside a bracket — can be dropped, keeping the two after and the one before each doubtful
# word, without changing a single decision. The tokenizer works on whitespace-separated runs one at a
# time, so the kept runs give the very same tokens. The bracket sets are syntok's (State.*_brackets).
_UNSAFE = re.compile(r"[^\s\w,:'\"‘’“”*/&%–—-]")  # a terminal, a bracket, or anything else syntok might judge
_RUN = re.compile(r"\S+")
_ODD_SPACE = re.compile(r"[^\S \t\n\r]")  # whitespace that syntok's tokenizer and `re` might disagree on
_OPENING = frozenset("([{")
_CLOSING = frozenset(")]}")
_WIDE_BRACKETS = re.compile(
    "[\uff5f\uff5b\uff3b\uff08\ufe5d\ufe5b\ufe59\ufd3e\u301a\u3018\u2985\u2983\u2329"
    "\uff60\uff5d\uff3d\uff09\ufe5e\ufe5c\ufe5a\ufd3f\u301b\u3019\u2986\u2984\u232a]"
)
_KEEP_AFTER = 2  # runs kept after a doubtful one: syntok reads at most two tokens past a terminal's marks
_KEEP_BEFORE = 1  # runs kept before one: the token before a terminal
_BRACKET_REACH = 60  # runs kept after an opening bracket that has not closed: syntok gives up after 50 tokens


def _syntok(text: str) -> list[tuple[int, int]]:
    """Offsets of syntok's sentences in `text`, long plain stretches shortened first (same result)."""
    short, anchors = _shorten(text)
    spans: list[tuple[int, int]] = []
    for sentence in segmenter.split(_TOKENIZER.tokenize(short)):
        if not sentence:
            continue
        first, last = sentence[0], sentence[-1]
        start, end = first.offset, last.offset + len(last.value)
        if start < end:
            spans.append((_original(anchors, start), _original(anchors, end)))
    return spans


def _shorten(text: str) -> tuple[str, list[tuple[int, int]]]:
    """Drop the runs syntok cannot decide on; returns the text and its (short, original) offset anchors."""
    if _ODD_SPACE.search(text) or _WIDE_BRACKETS.search(text):
        return text, [(0, 0)]
    spans = [m.span() for m in _RUN.finditer(text)]
    if len(spans) <= _KEEP_AFTER + _KEEP_BEFORE + 1:
        return text, [(0, 0)]
    starts = [s for s, _e in spans]
    unsafe = {bisect.bisect_right(starts, m.start()) - 1 for m in _UNSAFE.finditer(text)}
    runs = [(s, e, i not in unsafe) for i, (s, e) in enumerate(spans)]
    keep = [True] * len(runs)
    since_doubt = 0  # plain runs since the last doubtful one (the text start counts as doubtful)
    depth = 0  # open brackets
    since_open = _BRACKET_REACH + 1  # runs since the last opening bracket
    for i, (s, e, safe) in enumerate(runs):
        since_open += 1
        if safe:
            since_doubt += 1
            keep[i] = since_doubt <= _KEEP_AFTER or (depth > 0 and since_open <= _BRACKET_REACH)
            continue
        since_doubt = 0
        run = text[s:e]
        # a run without a letter or digit is one token for syntok ("?)" is no closing bracket): there an
        # opening bracket still counts (keeping more is always safe) but a closing one does not
        closes = len(run) == 1 or any(c.isalnum() for c in run)
        for c in run:
            if c in _OPENING:
                depth += 1
                since_open = 0
            elif c in _CLOSING and closes:
                depth = max(0, depth - 1)
    until_doubt = 0  # plain runs until the next doubtful one (the text end counts as doubtful)
    for i in range(len(runs) - 1, -1, -1):
        if not runs[i][2]:
            until_doubt = 0
            continue
        until_doubt += 1
        if until_doubt <= _KEEP_BEFORE:
            keep[i] = True
    if all(keep):
        return text, [(0, 0)]
    parts: list[str] = []
    anchors: list[tuple[int, int]] = []
    length = prev_end = 0
    joined = True  # the previous run was kept, so this one continues the same anchor
    for (s, e, _safe), kept in zip(runs, keep, strict=True):
        if not kept:
            joined = False
            continue
        gap = text[prev_end:s] if joined else " "
        parts.append(gap)
        length += len(gap)
        if not joined or not anchors:
            anchors.append((length, s))
        parts.append(text[s:e])
        length += e - s
        prev_end = e
        joined = True
    return "".join(parts), anchors


def _original(anchors: list[tuple[int, int]], offset: int) -> int:
    """The offset in the original text of a token boundary in the shortened one."""
    k = bisect.bisect_right(anchors, offset, key=lambda anchor: anchor[0]) - 1
    short_at, original_at = anchors[max(k, 0)]
    return original_at + offset - short_at
