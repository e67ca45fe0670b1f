"""Quote candidates: passages of one to three sentences worth posting, scored when a book is added.

A passage qualifies when it can stand alone (rules in `problems`): whole sentences of about 60–400
characters, balanced quotation marks, no footnote markers, no boilerplate or editorial notes, and no opening
that leans on the sentence before ("This", "He", "Such" …; "But", "However" … only cost points). Qualifying
passages are scored by salience within their reading: closeness to the reading as a whole (TF-IDF cosine),
the reading's key terms they contain (re-ranked against the library, see keyphrases.py) and a comfortable
length. Overlapping and near-duplicate passages are removed, the best kept.

Who is speaking: when the passage is itself a quotation inside the text ("Trotsky wrote in 1937: “…”"),
`speaker` names the person quoted, found conservatively from the words introducing the quotation; a quotation
whose speaker cannot be told is not offered at all, because a misattributed quote is worse than none. Passages
in the author's own voice have `speaker` None (the book's or section's author).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import chain

from bot.ingest.attribution import block_quote_speaker, signed_by, speaker_inline
from bot.ingest.attribution import speaker_from_lead_in as speaker_from_lead_in  # re-exported
from bot.ingest.keyphrases import LibraryIndex, cosine, tfidf
from bot.ingest.scoring import Features, SectionScoring, named_before, section_scoring, sentence_features
from bot.ingest.scoring import ParagraphLike as ParagraphLike  # re-exported
from bot.ingest.scoring import quote_depths as quote_depths  # re-exported
from bot.ingest.standalone import (
    _CLOSE_Q,
    _OPEN_Q,
    MAX_CHARS,
    MIN_CHARS,
    _memorable,
    is_weak_opening,
    narrates,
    points_back,
    stands_alone,
    worth_posting,
)
from bot.ingest.standalone import problems as problems  # re-exported: the rules quotes are held to

MAX_SENTENCES = 3
_INNER_OPENING = re.compile(r"[:,]\s*[“„\"](?=[A-Z])")


@dataclass(frozen=True)
class QuoteCandidate:
    paragraph: int  # 1-based position of the paragraph in its section
    first_sentence: int  # 0-based indices into the paragraph's sentences
    last_sentence: int
    start: int  # character offsets of `text` in the paragraph (outer quotation marks of a quotation excluded)
    end: int
    text: str
    speaker: str | None  # who is quoted; None: the author's own words
    score: float


# ---------------------------------------------------------------- quotation structure
@dataclass(frozen=True)
class _Window:
    paragraph: int
    first: int
    last: int
    start: int
    end: int
    speaker: str | None


def _windows(paragraphs: Sequence[ParagraphLike], scoring: SectionScoring) -> list[_Window]:
    """Every run of 1–3 whole sentences that could be a quote, with its speaker resolved."""
    found = []
    previous_text = ""
    for number, paragraph in enumerate(paragraphs, start=1):
        text = paragraph.text
        spans = paragraph.sentences
        depths = scoring.depths[number - 1]
        inside = scoring.inside[number - 1]
        block = block_quote_speaker(previous_text, text) or signed_by(text)
        for i in range(len(spans)):
            starts = [spans[i][0]]
            # a quotation introduced inside the sentence ("…, as Lenin put it: “We have…”") may stand alone
            inner = _INNER_OPENING.search(text, spans[i][0], spans[i][1])
            if inner and depths[inner.end() - 1] == 0:
                starts.append(inner.end() - 1)
            for begin in starts:
                for j in range(i, min(len(spans), i + MAX_SENTENCES)):
                    start, end = begin, spans[j][1]
                    if end - start > MAX_CHARS + 2:
                        break
                    if named_before(paragraph, i, j):
                        continue  # "The faction fell…" after "…the Robespierre faction…" two sentences back
                    window = _classify(text, depths, inside, start, end, number, i, j, previous_text)
                    if window is not None and block is not None:
                        window = replace(window, speaker=window.speaker or block)  # set off after "…describes:"
                    if window is not None:
                        found.append(window)
        previous_text = text
    return found


def _classify(
    text: str,
    depths: list[int],
    inside: list[int],
    start: int,
    end: int,
    number: int,
    first: int,
    last: int,
    previous: str,
) -> _Window | None:
    def outside(a: int, b: int) -> int:  # characters of text[a:b] outside quotation marks
        b = min(b, len(depths))
        return (b - a) - (inside[b] - inside[a]) if b > a else 0

    opens_here = depths[start] == 0 and (text[start] in _OPEN_Q or text[start] == '"')
    if depths[start] == 0:
        if depths[end] > 0:
            if not opens_here or outside(start + 1, end):
                return None  # a lead-in that opens a quotation it does not close, or narration inside
            s, e, opened_at = start + 1, end, start  # the first sentences of a longer quotation
        elif opens_here and text[end - 1] in _CLOSE_Q + '"' and not outside(start + 1, end):
            s, e, opened_at = start + 1, end - 1, start  # one whole quotation
        else:
            quoted = inside[end] - inside[start]
            speaker = None
            if quoted > 0.5 * (end - start):
                speaker = speaker_inline(text[start:end])
                if speaker is None:
                    return None  # mostly someone else's words and we cannot tell whose
            return _Window(number, first, last, start, end, speaker)
    else:
        s, e = start, end
        if depths[end] == 0:
            if text[end - 1] not in _CLOSE_Q + '"':
                return None
            e = end - 1
        if outside(s, e + 1):
            return None  # narration between quoted parts: not one person's words
        found = _opening_index(depths, start)
        if found is None:
            return None
        opened_at = found
    lead_in = text[:opened_at] if opened_at > 0 else previous
    speaker = speaker_from_lead_in(lead_in)
    if speaker is None:
        speaker = speaker_inline(text[opened_at : min(len(text), e + 80)])
    if speaker is None:
        return None
    return _Window(number, first, last, s, e, speaker)


def _opening_index(depths: list[int], at: int) -> int | None:
    """Where the quotation containing position `at` opened (the index of its opening mark)."""
    level = depths[at]
    k = at
    while k > 0 and depths[k] >= level:
        k -= 1
    return k if depths[k] == level - 1 else None


# ---------------------------------------------------------------- scoring
def _length_fit(n: int) -> float:
    if 100 <= n <= 280:
        return 1.0
    if n < 100:
        return max(0.0, (n - MIN_CHARS) / (100 - MIN_CHARS))
    return max(0.0, 1.0 - (n - 280) / (MAX_CHARS - 280) * 0.6)


def _shingles(text: str) -> frozenset[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return frozenset(tuple(words[i : i + 3]) for i in range(max(1, len(words) - 2)))


def near_duplicate(a: str, b: str, threshold: float = 0.5) -> bool:
    return _similar(_shingles(a), _shingles(b), threshold)


def _similar(sa: frozenset[tuple[str, ...]], sb: frozenset[tuple[str, ...]], threshold: float = 0.5) -> bool:
    if not sa or not sb:
        return False
    overlap = len(sa & sb)
    return _close(overlap, len(sa), len(sb), threshold)


def _close(overlap: int, a: int, b: int, threshold: float = 0.5) -> bool:
    """Jaccard of at least `threshold`, or one passage mostly inside the other."""
    return overlap / (a + b - overlap) >= threshold or overlap / min(a, b) >= 0.8


class SeenQuotes:
    """Quotes already taken, indexed by word trigram so a near-duplicate check costs only the quotes that share
    a trigram with the candidate, not every quote of the library (that comparison made indexing quadratic)."""

    def __init__(self, texts: Sequence[str] = ()) -> None:
        self._sizes: list[int] = []
        self._postings: dict[tuple[str, ...], list[int]] = defaultdict(list)
        for text in texts:
            self.add(text)

    def __len__(self) -> int:
        return len(self._sizes)

    def add(self, text: str, shingles: frozenset[tuple[str, ...]] | None = None) -> None:
        shingles = _shingles(text) if shingles is None else shingles
        number = len(self._sizes)
        self._sizes.append(len(shingles))
        for shingle in shingles:
            self._postings[shingle].append(number)

    def near(self, text: str, shingles: frozenset[tuple[str, ...]] | None = None) -> bool:
        shingles = _shingles(text) if shingles is None else shingles
        if not shingles:
            return False
        postings = self._postings
        overlaps = Counter(chain.from_iterable(postings[s] for s in shingles if s in postings))
        size = len(shingles)
        return any(_close(n, size, self._sizes[k]) for k, n in overlaps.items())


def _window_features(window: _Window, paragraph: ParagraphLike, cached: list[Features]) -> Features:
    """The window's features: summed from its sentences when it spans them whole (quotation marks aside)."""
    spans = paragraph.sentences
    whole = window.start - spans[window.first][0] in (0, 1) and spans[window.last][1] - window.end in (0, 1)
    if not whole:
        return sentence_features(paragraph.text[window.start : window.end])
    parts = cached[window.first : window.last + 1]
    if len(parts) == 1:
        return parts[0]
    words: Counter[str] = Counter()
    for part in parts:
        words.update(part.words)
    return Features(words, frozenset().union(*(part.phrases for part in parts)))


def _after_a_stop(text: str, at: int) -> bool:
    """Whether text[at:] starts the paragraph or follows a stop (spaces aside), read backwards from `at` and not
    by copying the paragraph's start for each window."""
    k = at - 1
    while k >= 0 and text[k].isspace():
        k -= 1
    return k < 0 or text[k] in _STOPS


_STOPS = ".!?:;…”’\"')]"


def find_quotes(
    paragraphs: Sequence[ParagraphLike],
    index: LibraryIndex,
    *,
    limit: int | None = None,
    exclude: Sequence[str] | SeenQuotes = (),
    narrative: bool = False,
    scoring: SectionScoring | None = None,
) -> list[QuoteCandidate]:
    """The section's quote candidates, best first, none a near-duplicate of `exclude` (texts already taken).

    When `exclude` is a SeenQuotes, the chosen quotes are added to it, so one index serves a whole book.
    `scoring`: the section's `section_scoring`, when the caller shares it with the argument model.
    """
    section_text = "\n\n".join(p.text for p in paragraphs)
    scoring = scoring or section_scoring(paragraphs, index)
    weights = {t.key: t.weight for t in scoring.terms}
    top_weight = max(weights.values(), default=1.0)
    centre, centre_length = scoring.centre, scoring.centre_length
    features = scoring.sentences
    scored: list[tuple[float, _Window, str]] = []
    for window in _windows(paragraphs, scoring):
        paragraph = paragraphs[window.paragraph - 1]
        text = paragraph.text[window.start : window.end]
        spans = paragraph.sentences
        parts = [paragraph.text[spans[k][0] : spans[k][1]] for k in range(window.first, window.last + 1)]
        if not stands_alone(text) or not worth_posting(text, window.speaker, narrative=narrative, parts=parts):
            continue
        if window.speaker is None and not narrative and (points_back(text) or narrates(text)):
            continue  # "…whether this core could be won back", "…at a demonstration the previous month"
        if window.speaker is None and not _after_a_stop(paragraph.text, window.start):
            continue  # starts in mid-sentence (a lost stop, a sentence split wrongly)
        found = _window_features(window, paragraph, features[window.paragraph - 1])
        centrality = cosine(tfidf(found.words, index), centre, centre_length)
        term_score = min(1.0, sum(w for k, w in weights.items() if k in found.phrases) / (1.5 * top_weight))
        score = 0.5 * min(1.0, centrality * 2.5) + 0.3 * term_score + 0.2 * _length_fit(len(text))
        if is_weak_opening(text):
            score *= 0.75
        score *= _memorable(text, parts)
        if window.speaker:
            score *= 1.1
        if "(" in text:
            score *= 0.9
        scored.append((round(min(score, 1.0), 4), window, text))
    scored.sort(key=lambda item: (-item[0], item[1].paragraph, item[1].first, item[1].last))
    chosen: list[QuoteCandidate] = []
    seen = exclude if isinstance(exclude, SeenQuotes) else SeenQuotes(exclude)
    used: set[tuple[int, int]] = set()
    cap = limit if limit is not None else max(2, min(40, len(section_text) // 700))
    for score, window, text in scored:
        sentences = {(window.paragraph, k) for k in range(window.first, window.last + 1)}
        if sentences & used:
            continue
        shingles = _shingles(text)
        if seen.near(text, shingles):
            continue
        used |= sentences
        seen.add(text, shingles)
        chosen.append(
            QuoteCandidate(
                window.paragraph, window.first, window.last, window.start, window.end, text, window.speaker, score
            )
        )
        if len(chosen) >= cap:
            break
    return chosen
