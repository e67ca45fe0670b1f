"""What scoring a reading's passages reads, worked out once per reading and shared by its quote candidates
(quotes.py) and its argument model (claims.py).

Both score passages by the reading's key terms and by closeness to the reading as a whole, and both walk the
quotation marks of every paragraph. Adding a book computed each of these twice, and tokenised every sentence
once per window it sat in; `SectionScoring` holds them so `analyse_book` computes each once (#13: the whole
`library add` near-linear). Pure: same input, same numbers, bit for bit.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Protocol

from bot.ingest.keyphrases import LibraryIndex, Term, content_counts, features, key_terms, length, tfidf
from bot.ingest.standalone import _CLOSE_Q, _OPEN_Q

_MARK = re.compile("[" + re.escape(_OPEN_Q + _CLOSE_Q) + '"]')


class ParagraphLike(Protocol):
    @property
    def text(self) -> str: ...
    @property
    def sentences(self) -> tuple[tuple[int, int], ...]: ...


def quote_depths(text: str) -> list[int]:
    """Quotation depth before each character (straight quotes toggle, curly ones nest), and after the last.

    Built a run at a time between quotation marks, not a character at a time."""
    depths: list[int] = []
    depth = 0
    straight_open = False
    done = 0
    for match in _MARK.finditer(text):
        at = match.start()
        depths.extend([depth] * (at + 1 - done))  # the characters up to the mark, and the mark itself
        done = at + 1
        ch = text[at]
        if ch in _OPEN_Q:
            depth += 1
        elif ch in _CLOSE_Q:
            depth = max(0, depth - 1)
        elif straight_open:
            depth = max(0, depth - 1)
            straight_open = False
        else:
            depth += 1
            straight_open = True
    depths.extend([depth] * (len(text) + 1 - done))
    return depths


def inside_counts(depths: Sequence[int]) -> list[int]:
    """Running count of characters inside quotation marks: the share of any span costs two look-ups."""
    return list(accumulate(map(bool, depths), initial=0))


@dataclass(frozen=True)
class Features:
    """Content-word counts and phrase keys of one sentence, computed once and summed for each window."""

    words: Counter[str]
    phrases: frozenset[str]


def sentence_features(text: str) -> Features:
    words, phrases = features(text)
    return Features(words, phrases)


@dataclass(frozen=True)
class SectionScoring:
    terms: list[Term]  # key_terms(section text, limit=15)
    centre: dict[str, float]  # TF-IDF of the whole reading
    centre_length: float
    depths: list[list[int]]  # per paragraph: quote_depths
    inside: list[list[int]]  # per paragraph: inside_counts
    sentences: list[list[Features]]  # per paragraph, per sentence


def section_scoring(
    paragraphs: Sequence[ParagraphLike], index: LibraryIndex, found: Sequence[tuple[str, str]] | None = None
) -> SectionScoring:
    """`found`: the phrases of the section's text (`keyphrases.phrases`), when the caller has them already."""
    text = "\n\n".join(p.text for p in paragraphs)
    centre = tfidf(content_counts(text), index)
    depths = [quote_depths(p.text) for p in paragraphs]
    return SectionScoring(
        terms=key_terms(text, index, limit=15, found=found),
        centre=centre,
        centre_length=length(centre),
        depths=depths,
        inside=[inside_counts(d) for d in depths],
        sentences=[[sentence_features(p.text[s:e]) for s, e in p.sentences] for p in paragraphs],
    )
