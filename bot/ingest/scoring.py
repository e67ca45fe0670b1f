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
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Protocol

from bot.ingest.keyphrases import (
    SPACES,
    LibraryIndex,
    Term,
    content_counts,
    joins_cleanly,
    key_terms,
    length,
    phrase_list,
    tfidf,
    words_and_phrases,
)
from bot.ingest.standalone import _CLOSE_Q, _OPEN_Q

_MARK = re.compile("[" + re.escape(_OPEN_Q + _CLOSE_Q) + '"]')


class ParagraphLike(Protocol):
    @property
    def text(self) -> str: ...
    @property
    def sentences(self) -> tuple[tuple[int, int], ...]: ...


def quote_depths(text: str, start: int = 0) -> list[int]:
    """Quotation depth before each character (curly quotes nest), and after the last.

    A straight quote opens when a space or the start is before it and a word after it, closes when a word is
    before it and a space or punctuation after; only a quote with no space on either side ("…property..."It is",
    glued in a scraped page) toggles, so one stray mark no longer turns every later quotation of a long paragraph
    inside out. Built a run at a time between quotation marks, not a character at a time."""
    depths: list[int] = []
    depth = start
    straight_open = start > 0
    done = 0
    last = len(text) - 1
    for match in _MARK.finditer(text):
        at = match.start()
        depths.extend([depth] * (at + 1 - done))  # the characters up to the mark, and the mark itself
        done = at + 1
        ch = text[at]
        if ch in _OPEN_Q:
            depth += 1
        elif ch in _CLOSE_Q:
            depth = max(0, depth - 1)
        else:
            opens = straight_quote_opens(text[at - 1] if at else " ", text[at + 1] if at < last else " ", straight_open)
            depth = depth + 1 if opens else max(0, depth - 1)
            straight_open = opens
    depths.extend([depth] * (len(text) + 1 - done))
    return depths


def straight_quote_opens(before: str, after: str, open_now: bool) -> bool:
    """Whether a straight quote between these two characters opens a quotation (see `quote_depths`)."""
    if before.isspace() and not after.isspace():
        return True
    if after.isspace() or after in ".,;:!?)]—–-":
        return False
    return not open_now


_GLUED_QUOTE = re.compile(r'(?<=\S)"(?=\S)')


def _mended_depths(text: str) -> list[int]:
    """`quote_depths`, read again without the closing marks glued on both sides when they leave a later quotation
    closing what nothing opened: '…bourgeois property..."It is absolutely correct that … Bonapartism." (The
    Class Nature…)' is one quotation whose two excerpts lost the space between them, not a close and a reopen."""
    depths = quote_depths(text)
    glued = [m.start() for m in _GLUED_QUOTE.finditer(text) if depths[m.start() + 1] < depths[m.start()]]
    if not glued or not _closes_later_unopened(depths, text, glued[0]):
        return depths
    neutral = list(text)
    for at in glued:
        neutral[at] = "\u2033"  # a double prime: the same length, no quotation mark
    return quote_depths("".join(neutral))


def _closes_later_unopened(depths: Sequence[int], text: str, after: int) -> bool:
    """Whether a straight quote after position `after` closes at depth 0 (a close with nothing open)."""
    return any(
        ch == '"'
        and depths[at] == 0
        and depths[at + 1] == 0
        and straight_quote_opens(text[at - 1], text[at + 1] if at + 1 < len(text) else " ", False) is False
        for at, ch in enumerate(text[after + 1 :], start=after + 1)
    )


def _closes_unopened(depths: Sequence[int], text: str) -> bool:
    """Whether the paragraph closes a quotation before it opens one: it began inside a quotation."""
    for at, ch in enumerate(text):
        if ch in _OPEN_Q or (ch in '"' and depths[at + 1] > depths[at]):
            return False
        if ch in _CLOSE_Q or (ch == '"' and depths[at + 1] == depths[at] == 0):
            return True
    return False


def inside_counts(depths: Sequence[int]) -> list[int]:
    """Running count of characters inside quotation marks: the share of any span costs two look-ups."""
    return list(accumulate(map(bool, depths), initial=0))


@dataclass(frozen=True)
class Features:
    """Content-word counts and phrase keys of one sentence, computed once and summed for each window."""

    words: Counter[str]
    phrases: Collection[str]  # distinct keys: a tuple for a sentence (a book keeps thousands), a set for a window


def sentence_features(text: str) -> Features:
    words, found = words_and_phrases(text)
    return Features(words, tuple(dict.fromkeys(key for key, _ in found)))


@dataclass(frozen=True)
class SectionRead:
    """A section's text read once: its phrases and content words, and each sentence's."""

    text: str  # the paragraphs joined by blank lines
    phrases: Counter[tuple[str, str]]  # Counter(phrase_list(text)): counted, a long book keeps less
    words: Counter[str]  # content_counts(text)
    sentences: list[list[Features]]  # per paragraph, per sentence


def read_section(paragraphs: Sequence[ParagraphLike]) -> SectionRead:
    """Each sentence is read for its words and phrases; the section's are their concatenation when only spaces lie
    outside the sentences and no run of words crosses a join (`joins_cleanly`), which is what reading the whole
    text gives; otherwise the whole text is read again."""
    text = "\n\n".join(p.text for p in paragraphs)
    sentences: list[list[Features]] = []
    phrases: Counter[tuple[str, str]] = Counter()
    words: Counter[str] = Counter()
    whole = True  # the concatenation is exact so far
    previous = ""  # the sentence before, across paragraphs
    for paragraph in paragraphs:
        features = []
        done = 0
        for start, end in paragraph.sentences:
            sentence = paragraph.text[start:end]
            counts, found = words_and_phrases(sentence)
            features.append(Features(counts, tuple(dict.fromkeys(key for key, _ in found))))
            if (
                whole
                and SPACES.fullmatch(paragraph.text, done, start)
                and (not previous or joins_cleanly(previous, sentence))
            ):
                phrases.update(found)
                words.update(counts)
            else:
                whole = False
            previous, done = sentence, end
        whole = whole and bool(SPACES.fullmatch(paragraph.text, done))
        sentences.append(features)
    if not whole:
        return SectionRead(text, Counter(phrase_list(text)), content_counts(text), sentences)
    return SectionRead(text, phrases, words, sentences)


@dataclass(frozen=True)
class SectionScoring:
    terms: list[Term]  # key_terms(section text, limit=15)
    centre: dict[str, float]  # TF-IDF of the whole reading
    centre_length: float
    depths: list[list[int]]  # per paragraph: quote_depths
    inside: list[list[int]]  # per paragraph: inside_counts
    sentences: list[list[Features]]  # per paragraph, per sentence


def section_scoring(
    paragraphs: Sequence[ParagraphLike], index: LibraryIndex, read: SectionRead | None = None
) -> SectionScoring:
    """`read`: the section's `read_section`, when the caller has it already (it built the library index)."""
    read = read or read_section(paragraphs)
    centre = tfidf(read.words, index)
    depths: list[list[int]] = []
    before = ""
    for paragraph in paragraphs:
        found = _mended_depths(paragraph.text)
        # the paragraph before ended inside a quotation, or on a mark the cut left there ('…property..."' | 'It is
        # absolutely correct … Bonapartism." (The Class Nature…)')
        cut_inside = bool(depths) and (depths[-1][-1] > 0 or before.rstrip().endswith('"'))
        before = paragraph.text
        if cut_inside and _closes_unopened(found, paragraph.text):
            # a quotation the cleaner cut in two at a glued sentence end ("…the proletariat...The political
            # domination of the proletariat is incompatible…" (Results and Prospects)): still Trotsky's words
            found = quote_depths(paragraph.text, start=1)
        depths.append(found)
    return SectionScoring(
        terms=key_terms(read.text, index, limit=15, found=read.phrases),
        centre=centre,
        centre_length=length(centre),
        depths=depths,
        inside=[inside_counts(d) for d in depths],
        sentences=read.sentences,
    )


# "The faction fell…", or after an opening phrase: "During the Stalinist regime, the prison operated…"
_DEFINITE_OPENING = re.compile(r"\s*[“\"]?(?:[A-Z][^,.;]{0,60},\s+)?[Tt]he\s+([a-z]{4,})\b")


def named_before(paragraph: ParagraphLike, first: int, last: int) -> bool:
    """Whether a sentence of the window opens on "The <noun>" that only the two sentences before the window name:
    "The faction fell to the Thermidorians…" after "In France the Robespierre faction had alienated itself…"."""
    spans = paragraph.sentences
    if first == 0:
        return False
    earlier = ""  # read only when a sentence of the window opens on "the <noun>": this runs for every quote window
    for k in range(first, last + 1):
        opening = _DEFINITE_OPENING.match(paragraph.text, spans[k][0], spans[k][1])
        if opening is None:
            continue
        earlier = earlier or " ".join(paragraph.text[a:b] for a, b in spans[max(0, first - 2) : first]).lower()
        noun = opening.group(1)
        inside = paragraph.text[spans[first][0] : spans[k][0]].lower()
        if re.search(rf"\b{noun}\b", earlier) and not re.search(rf"\b{noun}\b", inside):
            return True
    return False
