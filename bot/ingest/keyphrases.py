"""Key terms of a reading: candidate phrases from its text, re-ranked against the whole library.

Candidates are RAKE-like: runs of up to four words between punctuation, starting and ending on a content word
("Tenth Congress", "socialism in one country", "Thermidor"). A candidate's weight in a reading is its count
there times its inverse document frequency over every reading in the library, so a name that every text
mentions ("Stalin", "party") is not a key term of every reading, while "Kronstadt" is a key term of the
readings that dwell on it. Pure: no I/O, deterministic for a given library.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field


def _words(text: str) -> list[str]:
    return text.split()


STOPWORDS = frozenset(
    _words(
        """
        a about above after again against all almost also although always am among an and another any anyone
        anything are around as at away back be became because become becomes been before being below between both
        but by can cannot could did do does doing done down during each either else enough even ever every
        everything few for from further had has have having he her here hers herself him himself his how however i
        if in into is it its itself just least less like made make many may me might more most much must my myself
        neither never nevertheless no nor not nothing now of off often on once one only onto or other others
        otherwise our ours ourselves out over own per perhaps quite rather really same several shall she should
        since so some something still such than that the their theirs them themselves then there therefore these
        they this those though through thus to together too toward towards under until up upon us very via was we
        well were what whatever when whenever where whereas whether which while who whom whose why will with within
        without would yet you your yours yourself first second third new old great good long little last next word
        words way ways time times year years day days part parts fact facts case cases point points thing things
        kind sort number numbers lot whole full given mr mrs ms dr st yes said say says wrote write writes written
        called already later earlier soon far near ago hand hands instead indeed namely simply certain certainly de
        la le les der die das von van according quoted cent percent let feel helped five six seven eight nine ten
        hundred thousand million present problem problems group groups role need needs able unable january february
        march april june july august september october november december monday tuesday wednesday thursday friday
        saturday sunday volume volumes chapter chapters page pages century centuries decade decades
        eighteenth nineteenth twentieth period periods
        """
    )
)
# words that may sit inside a phrase ("socialism in one country", "dictatorship of the proletariat")
_JOINERS = frozenset({"of", "in", "one", "the", "for", "against", "without"})
_TOKEN = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*|\d+(?:st|nd|rd|th)?|[^\w\s]", re.UNICODE)
_POSSESSIVE = re.compile(r"['’]s?$")
MAX_WORDS = 4


@dataclass(frozen=True)
class Term:
    key: str  # normalised: lower case, possessives and plurals folded
    label: str  # the most frequent way the reading writes it
    weight: float
    count: int


@functools.lru_cache(maxsize=65536)
def normalise_word(word: str) -> str:
    """Lower case with possessives and simple plurals folded ("Bolsheviks’" → "bolshevik")."""
    lowered = _POSSESSIVE.sub("", word.lower()) if len(word) > 3 else word.lower()
    if len(lowered) > 4 and lowered.endswith("s") and not lowered.endswith(("ss", "us", "is", "ics")):
        if lowered.endswith("ies") and len(lowered) > 5:
            return lowered[:-3] + "y"
        return lowered[:-1]
    return lowered


@functools.lru_cache(maxsize=65536)
def _is_content(word: str) -> bool:
    bare = _POSSESSIVE.sub("", word.lower())
    return bare.isalpha() and len(bare) > 2 and bare not in STOPWORDS and not bare.endswith("ly")


def _chunks(text: str) -> Iterable[list[str]]:
    """Runs of word tokens between punctuation marks."""
    current: list[str] = []
    for token in _TOKEN.findall(text):
        if token[0].isalpha() or token[0].isdigit():
            current.append(token)
        elif token in "-'’" and current:
            continue
        else:
            if current:
                yield current
            current = []
    if current:
        yield current


def phrases(text: str) -> Iterable[tuple[str, str]]:
    """Every candidate phrase occurrence in `text` as (key, surface form)."""
    return _phrases(text) if len(text) > 2000 else _phrase_list(text)


@functools.lru_cache(maxsize=256)
def _phrases(text: str) -> tuple[tuple[str, str], ...]:
    """A long text's phrases, kept: the library index and a reading's key terms both parse the same sections."""
    return _phrase_list(text)


def _phrase_list(text: str) -> tuple[tuple[str, str], ...]:
    found: list[tuple[str, str]] = []
    for chunk in _chunks(text):
        n = len(chunk)
        content = [_is_content(w) for w in chunk]
        keys = [normalise_word(w) for w in chunk]
        possessive = [bool(_POSSESSIVE.search(w)) and w[-1:] not in "sS" for w in chunk]
        for i in range(n):
            if not content[i]:
                continue
            for j in range(i, min(n, i + MAX_WORDS)):
                word = chunk[j]
                if j > i and not (content[j] or word.lower() in _JOINERS):
                    break
                if j > i and possessive[j - 1]:
                    break  # "Lenin’s actions": a possessive ends a phrase
                if not content[j]:
                    continue
                if word[0].isupper() and j + 1 < n and chunk[j + 1][0].isupper() and content[j + 1]:
                    continue  # the name goes on ("Committee of the Fourth International")
                if i == j:
                    found.append((keys[i], _POSSESSIVE.sub("", word)))
                    continue
                found.append((" ".join(keys[i : j + 1]), " ".join(chunk[i:j]) + " " + _POSSESSIVE.sub("", word)))
    return tuple(found)


def phrase_counts(text: str) -> Counter[str]:
    return Counter(key for key, _ in phrases(text))


@dataclass
class LibraryIndex:
    """Document frequencies of candidate phrases over the library's readings (one document per section)."""

    documents: int = 0
    df: Counter[str] = field(default_factory=Counter)
    books_of: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))

    @classmethod
    def build(cls, documents: Iterable[tuple[int, str]]) -> LibraryIndex:
        """`documents` are (book id, section text) pairs."""
        index = cls()
        for book_id, text in documents:
            index.add(book_id, text)
        return index

    def add(self, book_id: int, text: str) -> None:
        keys = set(phrase_counts(text))
        self.documents += 1
        self.df.update(keys)
        for key in keys:
            self.books_of[key].add(book_id)

    def idf(self, key: str) -> float:
        return math.log((self.documents + 1) / (self.df.get(key, 0) + 0.5))


def key_terms(text: str, index: LibraryIndex, limit: int = 12, min_count: int = 2) -> list[Term]:
    """The reading's key terms, best first: frequent here, rare in the rest of the library."""
    counts: Counter[str] = Counter()
    surfaces: dict[str, Counter[str]] = defaultdict(Counter)
    for key, surface in phrases(text):
        counts[key] += 1
        surfaces[key][surface] += 1
    weights: dict[str, float] = {}
    for key, count in counts.items():
        if count < min_count:
            continue
        if index.documents >= 4 and index.df.get(key, 0) > 0.75 * index.documents:
            continue  # in nearly every reading of the library: not what this one is about
        words = key.split()
        label = _label(surfaces[key])
        proper = label[:1].isupper() and label.split()[-1][:1].isupper()
        joined = any(w in _JOINERS for w in words)
        if not proper and (joined or len(words) == 1) and count < 3:
            continue  # "question of the fate", "helped": too loose to be a term unless the reading repeats it
        length_bonus = 1.0 + 0.3 * (len(words) - 1 - sum(w in _JOINERS for w in words))
        kind_bonus = 1.25 if proper else (1.0 if len(words) > 1 else 0.6)
        weights[key] = (1 + math.log(count)) * index.idf(key) * length_bonus * kind_bonus
    # a phrase inside a longer one that explains most of its uses adds nothing ("one country")
    ranked = sorted(weights, key=lambda k: (-weights[k], k))
    kept: list[str] = []
    for key in ranked:
        padded = f" {key} "
        if any(padded in f" {longer} " and counts[longer] >= 0.6 * counts[key] for longer in kept):
            continue
        if any(f" {shorter} " in padded and counts[key] < 0.6 * counts[shorter] for shorter in kept):
            continue
        kept.append(key)
        if len(kept) >= limit:
            break
    return [Term(k, _label(surfaces[k]), round(weights[k], 4), counts[k]) for k in kept]


def _label(forms: Counter[str]) -> str:
    best = max(forms.items(), key=lambda item: (item[1], item[0][:1].islower(), item[0]))[0]
    return best


def term_pattern(term: Term) -> re.Pattern[str]:
    """Finds the term in a sentence, whatever its case, plural or possessive."""
    parts = []
    for word in term.label.split():
        stem = re.escape(word.rstrip("s") if len(word) > 4 and word.endswith("s") else word)
        parts.append(stem + r"(?:e?s|ies)?(?:['’]s?)?")
    return re.compile(r"\b" + r"\s+".join(parts) + r"\b", re.IGNORECASE)


def content_counts(text: str) -> Counter[str]:
    """Normalised content words of `text` with their counts (additive over sentences)."""
    return Counter(normalise_word(w) for chunk in _chunks(text) for w in chunk if _is_content(w))


def tfidf(counts: Counter[str], index: LibraryIndex) -> dict[str, float]:
    return {word: (1 + math.log(c)) * index.idf(word) for word, c in counts.items() if c > 0}


def unigram_vector(text: str, index: LibraryIndex) -> dict[str, float]:
    """TF-IDF over content words, for centrality (how close a passage is to its whole reading)."""
    return tfidf(content_counts(text), index)


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if not a or not b:
        return 0.0
    dot = sum(v * b.get(k, 0.0) for k, v in a.items())
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0
