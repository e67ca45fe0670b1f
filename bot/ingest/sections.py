"""Headings and readings: where a section starts, and how long a sitting it makes.

Structure from the file (Markdown #, HTML h1–h6, EPUB nav, PDF outline) always wins. Without it we
recognise headings in the text, but conservatively: a false heading cuts a reading in two and shows the
group a sentence as a title, which is worse than a missed one. A short line counts only if it looks like
a title (no closing full stop, no trailing colon or comma) *and* sits between finished prose paragraphs.

Readings: a section far longer than the target sitting (more than 1.5× target minutes) is split at
paragraph boundaries into balanced parts; the first part keeps the heading exactly, later parts get
" (part 2/3)". Tiny untitled sections are merged into a neighbour; a section with a real heading is
never merged away, however short — losing a heading is worse than a short reading.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

from bot.ingest.clean import Block
from bot.ingest.model import Paragraph, Section, count_words, estimate_minutes
from bot.ingest.sentences import split_sentences

# ---------------------------------------------------------------- sections and readings


@dataclass
class _Draft:
    heading: str | None
    level: int
    paras: list[Block]
    extra_notes: list[str]
    part: int = 1
    parts: int = 1

    @property
    def words(self) -> int:
        return sum(count_words(p.text) for p in self.paras)


def _drafts(blocks: list[Block]) -> list[_Draft]:
    drafts: list[_Draft] = []
    for b in blocks:
        if b.kind == "heading":
            # a bare number or numeral heading loses its full stop: "3." → "3", "IV." → "IV"
            heading = re.sub(r"^(\d{1,3}|[IVXLCDM]{1,7})\.$", r"\1", b.text.strip())
            # a note cited from a line that became the heading ("CHAPTER I. THE HARBOUR a[2]") stays with the
            # section it heads: no note text is ever dropped
            drafts.append(_Draft(heading, max(1, b.level), [], list(b.notes)))
        elif b.kind == "para":
            if not drafts:
                drafts.append(_Draft(None, 1, [], []))
            drafts[-1].paras.append(b)
    headed = [d.level for d in drafts if d.heading is not None]
    if headed:
        top = min(headed)
        for d in drafts:
            if d.heading is not None:  # an untitled opening is top level whatever the headings' levels
                d.level = d.level - top + 1
    return drafts


def _split_long_paragraph(p: Block, max_words: int) -> list[Block]:
    if count_words(p.text) <= max_words:
        return [p]
    pieces: list[Block] = []
    current: list[str] = []
    words = 0
    for start, end in split_sentences(p.text):
        sentence = p.text[start:end]
        w = count_words(sentence)
        if current and words + w > max_words:
            pieces.append(Block("para", " ".join(current)))
            current, words = [], 0
        current.append(sentence)
        words += w
    if current:
        pieces.append(Block("para", " ".join(current)))
    if pieces:
        pieces[0] = replace(pieces[0], notes=p.notes)
    return pieces


def _split(d: _Draft, target_words: int) -> list[_Draft]:
    # words need a separator between them, so a text of n characters holds at most (n + 1) // 2: most
    # sections are far below the limit and need no counting
    if sum((len(p.text) + 1) // 2 for p in d.paras) <= 1.5 * target_words or d.words <= 1.5 * target_words:
        return [d]
    paras = [q for p in d.paras for q in _split_long_paragraph(p, target_words)]
    total = sum(count_words(p.text) for p in paras)
    n = max(2, math.ceil(total / target_words))
    n = min(n, len(paras))
    if n < 2:
        return [d]
    chunks: list[list[Block]] = []
    current: list[Block] = []
    done = 0
    for p in paras:
        w = count_words(p.text)
        boundary = total * (len(chunks) + 1) / n
        if current and len(chunks) < n - 1 and done + w / 2 > boundary:
            chunks.append(current)
            current = []
        current.append(p)
        done += w
    chunks.append(current)
    parts = len(chunks)
    out = []
    for k, chunk in enumerate(chunks, start=1):
        heading = d.heading if k == 1 or d.heading is None else f"{d.heading} (part {k}/{parts})"
        out.append(_Draft(heading, d.level, chunk, d.extra_notes if k == parts else [], k, parts))
    return out


def _merge_tiny(drafts: list[_Draft], min_words: int) -> list[_Draft]:
    """Fold tiny untitled sections into a neighbour; headed sections always stay."""
    out = list(drafts)
    i = 0
    while i < len(out) and len(out) > 1:
        d = out[i]
        if d.heading is None and d.words < min_words:
            if i == 0:  # an untitled opening joins the first titled section
                out[1].paras[:0] = d.paras
                out[1].extra_notes[:0] = d.extra_notes
            else:
                out[i - 1].paras.extend(d.paras)
                out[i - 1].extra_notes.extend(d.extra_notes)
            del out[i]
            continue
        i += 1
    return out


def build_sections(
    blocks: list[Block], uncited_notes: list[str], words_per_minute: int, target_minutes: int
) -> list[Section]:
    drafts = _drafts(blocks)
    if not drafts:
        return []
    if uncited_notes:
        drafts[-1].extra_notes.extend(uncited_notes)
    min_words = 2 * words_per_minute
    drafts = _merge_tiny(drafts, min_words)
    target_words = max(1, target_minutes * words_per_minute)
    split: list[_Draft] = []
    for d in drafts:
        split.extend(_split(d, target_words))
    sections = []
    for d in split:
        paragraphs = tuple(Paragraph(p.text, tuple(split_sentences(p.text))) for p in d.paras)
        notes = tuple(n for p in d.paras for n in p.notes) + tuple(d.extra_notes)
        sections.append(Section(d.heading, d.level, paragraphs, notes, d.part, d.parts))
    return sections


def minutes(section: Section, words_per_minute: int) -> int:
    return estimate_minutes(section.words, words_per_minute)
