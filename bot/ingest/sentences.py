"""Sentence offsets for a paragraph, so quotes and prompts can cite exact sentences.

syntok knows abbreviations, initials ("J.N. Westwood"), ellipses, brackets and quotations, but it
tokenises every character and was most of the ingestion time. So we first cut a paragraph at the
boundaries that are beyond doubt — a full stop after an ordinary lowercase word, outside brackets,
followed by a capitalised word — and hand syntok only the stretches between them that contain a doubtful
mark (an initial, an abbreviation, an ellipsis, a semicolon, a bracket). On plain prose the result is the
same as running syntok on the whole paragraph; a test checks that on the default library.
"""

from __future__ import annotations

import re

from syntok import segmenter
from syntok.tokenizer import Tokenizer

_TOKENIZER = Tokenizer()
_CANDIDATE = re.compile(r"[.!?…;:]+[\"'”’)\]]*(?=\s)")
_WORD_BEFORE = re.compile(r"([^\W_]+)[)\]”’\"']*$")
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


def _clear_boundary(text: str, m: re.Match[str], depth: int) -> bool:
    mark = m.group()
    if depth or mark[0] not in ".!?" or any(c in mark for c in ";:…)]") or mark.startswith(".."):
        return False
    k = m.end()
    while k < len(text) and text[k].isspace():
        k += 1
    if k < len(text) and text[k] in "\"“‘'":
        k += 1
    if k >= len(text) or not text[k].isupper():
        return False
    word = _WORD_BEFORE.search(text, max(0, m.start() - 40), m.start())
    if word is None:
        return False
    w = word.group(1)
    if w.isdigit():  # "in 1917. The" yes, "No. 3. The" is left to syntok
        before = text[max(0, word.start() - 5) : word.start()].lower()
        return len(w) >= 2 and not re.search(r"\b(?:no|nos|p|pp|vol|ch)\.?\s*$", before)
    return len(w) >= 2 and w[-1].islower() and w.lower() not in _ABBREVIATIONS


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of each sentence in `text`; whitespace between sentences is not included."""
    spans: list[tuple[int, int]] = []
    start = len(text) - len(text.lstrip())
    depth = 0
    scanned = start
    for m in _CANDIDATE.finditer(text, start):
        segment = text[scanned : m.start()]
        depth = max(0, depth + segment.count("(") + segment.count("[") - segment.count(")") - segment.count("]"))
        scanned = m.start()
        if not _clear_boundary(text, m, depth):
            continue
        _chunk(text, start, m.end(), spans)
        start = m.end()
        while start < len(text) and text[start].isspace():
            start += 1
    end = len(text.rstrip())
    if start < end:
        _chunk(text, start, end, spans)
    return spans


def _chunk(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    piece = text[start:end]
    if _needs_syntok(piece):
        spans.extend((start + s, start + e) for s, e in _syntok(piece))
    else:
        spans.append((start, end))


def _needs_syntok(piece: str) -> bool:
    """Only a doubtful mark followed by something that could start a sentence needs judging."""
    if piece.count("(") != piece.count(")") or re.search(r";[^\W\d_]", piece):
        return True
    for m in _CANDIDATE.finditer(piece):
        if m.end() >= len(piece.rstrip()):
            break
        if set(m.group()) <= {":", '"', "'", "”", "’", ")", "]"}:
            continue
        k = m.end()
        while k < len(piece) and piece[k].isspace():
            k += 1
        if k < len(piece) and not (piece[k].islower() or piece[k].isdigit()):
            return True
    return False


def _syntok(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for sentence in segmenter.split(_TOKENIZER.tokenize(text)):
        if not sentence:
            continue
        first, last = sentence[0], sentence[-1]
        start, end = first.offset, last.offset + len(last.value)
        if start < end:
            spans.append((start, end))
    return spans
