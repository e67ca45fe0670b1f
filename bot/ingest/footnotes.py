"""Footnotes: markers out of the reading text, note texts kept and attached to their paragraph.

Scraped pages lose the superscript, so a marker ends up glued to the word ("novel1Victor"), after the
punctuation ("degenerated.4 It") or in brackets ("[3]"), and some CMSs paste the whole note text inline
right after the marker. When the text carries a notes list we know each note's words and can cut the
pasted copy out exactly; without one we only remove markers, because guessing where a pasted note ends
would risk deleting the author's own sentence.
"""

from __future__ import annotations

import re
from dataclasses import replace

from bot.ingest.clean import Block

_NOTES_HEADER = re.compile(
    r"^(?:notes|footnotes|endnotes|notes and references|references and notes|notes and sources)\s*:?$", re.I
)
_NOTE_ITEM = re.compile(r"^\[?\^?(\d{1,3})[\].):]?\s+(\S.*)$")
_MD_NOTE = re.compile(r"^\[\^([\w-]{1,20})\]:\s*(.+)$")
_BRACKET_MARKER = re.compile(r"\[\^([\w-]{1,20})\]|(?<=\S)\[(\d{1,3})\]")
_SUPERSCRIPT = re.compile("[\u00b9\u00b2\u00b3\u2070\u2074-\u2079]+")
_SUPER_MAP = str.maketrans("\u00b9\u00b2\u00b3\u2070\u2074\u2075\u2076\u2077\u2078\u2079", "1230456789")
_AFTER_LETTERS = re.compile(r"(?<=[^\W\d_])(\d+)(?![\d,.]\d)")
_AFTER_PUNCT = re.compile(r"(?<=[^\s\d][.,;:!?”\"’')\]])(\d{1,3})(?=\s|$|[^\W\d_]|[“\"‘])")
_GLUED_YEAR = re.compile(r"(?<=[a-z])((?:1[0-9]|20)\d\d)(?=$|[^\d])")
# cheap pre-check: a digit right after a letter or a punctuation mark, a bracket marker, a superscript.
# It starts with one character class and looks back, so ordinary text is skipped at C speed.
_ANY_MARKER = re.compile(
    "[\\d\\[\u00b9\u00b2\u00b3\u2070\u2074-\u2079]"
    "(?:(?<=[^\\W\\d_]\\d)|(?<=[^\\d\\s][.,;:!?”\"’')\\]]\\d)|(?<=\\[)\\^?[\\w-]{1,20}\\]|(?<=[\u00b9\u00b2\u00b3\u2070\u2074-\u2079]))"
)
_NUMBER_ABBREV = frozenset(
    [
        "p",
        "pp",
        "no",
        "nos",
        "vol",
        "vols",
        "ch",
        "chap",
        "fig",
        "figs",
        "art",
        "sec",
        "para",
        "ed",
        "n",
        "nr",
        "op",
        "cf",
        "ibid",
        "page",
        "pages",
    ]
)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def collect_notes(blocks: list[Block]) -> tuple[list[Block], dict[str, str], list[str]]:
    """Pull notes lists out of the flow; returns (remaining blocks, label → note text, removed headers)."""
    notes: dict[str, str] = {}
    removed: list[str] = []
    out: list[Block] = []
    i = 0
    while i < len(blocks):
        b = blocks[i]
        if b.kind == "note":
            notes[b.label or str(len(notes) + 1)] = _norm(b.text)
            i += 1
            continue
        md = _MD_NOTE.match(b.text) if b.kind == "para" else None
        if md:
            notes[md.group(1)] = _norm(md.group(2))
            i += 1
            continue
        if b.kind in ("para", "heading") and _NOTES_HEADER.match(b.text.strip()):
            j = i + 1
            headers = [b.text]
            items: list[tuple[str, str]] = []
            while j < len(blocks):
                nxt = blocks[j]
                if nxt.kind in ("para", "heading") and _NOTES_HEADER.match(nxt.text.strip()) and not items:
                    headers.append(nxt.text)
                    j += 1
                    continue
                m = _NOTE_ITEM.match(nxt.text) if nxt.kind == "para" else None
                if not m:
                    break
                items.append((m.group(1), _norm(m.group(2))))
                j += 1
            if items:
                removed.extend(headers)
                for label, text in items:
                    notes[label] = text
                i = j
                continue
        out.append(b)
        i += 1
    return out, notes, removed


_CITATION = re.compile(r"(?<=\S)\[(\d{1,3})\]")
_FOLLOWING_NOTE = re.compile(r"^\[(\d{1,3})\]\s+(\S.*)$|^\[Footnote\s+(\d{1,3})\s*:\s*(\S.*?)\]$", re.S | re.I)


def attach_following_notes(blocks: list[Block], removed: list[str]) -> list[Block]:
    """Notes printed right after the text that cites them, as e-texts do at the end of a chapter:
    "…as well as she could.[1]" … "[1] The ladder is still kept…" (or "[Footnote 1: …]").

    A "[n] …" paragraph is a note only when an earlier paragraph cites [n] and that citation has not
    been answered yet, so numbering that restarts in every chapter pairs each note with its own
    citation, and a paragraph that merely starts with a bracketed number stays text.
    """
    if not any(b.kind == "para" and b.text.startswith("[") for b in blocks):
        return blocks
    waiting: dict[str, int] = {}  # label → index in `out` of the paragraph citing it
    out: list[Block] = []
    for b in blocks:
        if b.kind == "para":
            m = _FOLLOWING_NOTE.match(b.text)
            label = m and (m.group(1) or m.group(3))
            if m and label in waiting:
                index = waiting.pop(label)
                citing = out[index]
                note = _norm(m.group(2) or m.group(4))
                removed.append(f"[Footnote {label}]" if m.group(3) else f"[{label}]")  # the label, not text
                text = re.sub(rf"(?<=\S)\[{label}\]", "", citing.text, count=1)
                out[index] = replace(citing, text=text, notes=(*citing.notes, note))
                continue
            for cited in _CITATION.findall(b.text):
                waiting[cited] = len(out)
        out.append(b)
    return out


_DIGIT_RUN = re.compile(r"(?<!\d)\d{1,3}")


_LETTERS_AT_END = re.compile(r"[^\W\d_]+$")
_WORD_AT_END = re.compile(r"(\w+)\.?:?$")


def _last_match(pattern: re.Pattern[str], text: str, end: int, reach: int = 200) -> re.Match[str] | None:
    """`pattern.search(text[:end])` for a pattern anchored at the end, read from the last `reach` characters (the
    whole prefix only when the match runs back to their start): copying and scanning the paragraph's whole start
    for each marker made a long paragraph with many numbers quadratic."""
    start = max(0, end - reach)
    found = pattern.search(text[start:end])
    if start and (found is None or found.start() == 0):
        return pattern.search(text[:end])
    return found


def strip_markers(text: str, notes: dict[str, str]) -> tuple[str, list[str]]:
    """Remove footnote markers (and pasted copies of known notes); returns (text, labels in order)."""
    labels: list[str] = []
    if not _ANY_MARKER.search(text):
        return text, labels

    # 1. pasted note texts right after their marker (only the labels the text has digits for: a book with
    # hundreds of notes would otherwise search every paragraph for every note)
    present = {run[:n] for run in _DIGIT_RUN.findall(text) for n in (1, 2, 3)}
    for label, note in notes.items():
        if label not in present or not label.isdigit() or len(note) < 8:
            continue
        probe = label + note[:20]
        start = 0
        while True:
            k = text.find(probe, start)
            if k < 0:
                break
            if k > 0 and (text[k - 1].isdigit() or text[k - 1].isspace()):
                start = k + 1
                continue
            end = k + len(label)
            if text.startswith(note, end):
                end += len(note)
            else:  # the pasted copy may differ at its end: take the longest common prefix
                n = 0
                while end + n < len(text) and n < len(note) and text[end + n] == note[n]:
                    n += 1
                end += n if n >= 20 else 0
            labels.append(label)
            text = (text[:k] + " " + text[end:]).replace("  ", " ") if end < len(text) else text[:k]
            start = k

    # 2. bracket and superscript markers
    def bracket(m: re.Match[str]) -> str:
        labels.append(m.group(1) or m.group(2))
        return ""

    text = _BRACKET_MARKER.sub(bracket, text)
    if _SUPERSCRIPT.search(text):
        text = _SUPERSCRIPT.sub(lambda m: labels.append(m.group().translate(_SUPER_MAP)) or "", text)  # type: ignore[func-returns-value]

    # 3. a year glued to a word is a lost space, not a marker: "Writings1933-34"
    text = _GLUED_YEAR.sub(r" \1", text)

    # 4. digits glued to a word: "novel1 Victor", "Gulag1,"
    def after_letters(m: re.Match[str]) -> str:
        digits = m.group(1)
        start = m.start()
        word = _last_match(_LETTERS_AT_END, text, start)
        nxt = text[m.end() : m.end() + 1]
        if (
            len(digits) > 3
            or not word
            or len(word.group()) < 3
            or not word.group()[-1].islower()
            or (nxt and (nxt.islower() or nxt.isdigit()))
        ):
            return digits
        labels.append(digits)
        return " " if nxt.isalpha() else ""  # "word1Next" → "word Next", never "wordNext"

    text = _AFTER_LETTERS.sub(after_letters, text)

    # 5. digits after punctuation: "degenerated.4 It", "faction].”10"
    def after_punct(m: re.Match[str]) -> str:
        at = m.start()
        if text[at - 1 : at] in (".", ":"):
            word = _last_match(_WORD_AT_END, text, at)
            if word and word.group(1).lower() in _NUMBER_ABBREV:
                return m.group(1)
        if text[at - 1 : at] in (",", ":") and not text[at - 2 : at - 1].isalpha():
            return m.group(1)
        labels.append(m.group(1))
        return " " if text[m.end() : m.end() + 1].isalpha() else ""

    text = _AFTER_PUNCT.sub(after_punct, text)
    text = re.sub(r" {2,}", " ", text).strip()
    return text, labels


def attach_notes(blocks: list[Block]) -> tuple[list[Block], list[str], list[str]]:
    """Collect notes, strip markers, attach each note to the paragraph that cited it.

    Returns (blocks, notes nobody cited, removed lines). Uncited notes are kept by the caller on the
    section where the notes list stood, so no note text is ever dropped.
    """
    remaining, notes, removed = collect_notes(blocks)
    remaining = attach_following_notes(remaining, removed)
    cited: set[str] = set()
    out: list[Block] = []
    for b in remaining:
        if b.kind != "para":
            out.append(b)
            continue
        text, labels = strip_markers(b.text, notes)
        attached = []
        for label in labels:
            if label in notes and label not in cited:
                cited.add(label)
                attached.append(notes[label])
        if text == b.text and not attached and not b.notes:
            out.append(b)  # nothing changed: skip copying the frozen block
        else:
            out.append(replace(b, text=text, notes=b.notes + tuple(attached)))
    uncited = [text for label, text in notes.items() if label not in cited]
    return [b for b in out if b.kind != "para" or b.text], uncited, removed
