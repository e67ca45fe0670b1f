"""Key terms of a reading: candidate phrases from its text, re-ranked against the whole library.

Candidates are RAKE-like: runs of up to four words between punctuation, starting and ending on a content word
("Tenth Congress", "socialism in one country", "Thermidor"). A candidate's weight in a reading is its count
there times its inverse document frequency over every reading in the library, so a name that every text
mentions ("Stalin", "party") is not a key term of every reading, while "Kronstadt" is a key term of the
readings that dwell on it. Pure: no I/O, deterministic for a given library.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
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


# Tokens are words (letters, joined by hyphens or apostrophes), numbers ("1917", "3rd") and single punctuation
# marks. A mark other than a hyphen or an apostrophe ends a run of words; it is never part of a word or number
# token, so splitting at the marks first and finding the words of each piece gives the same runs in C.
_BREAK = re.compile(r"[^\w\s\-'’]")
_WORD_OR_NUMBER = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*|\d+(?:st|nd|rd|th)?", re.UNICODE)


def _chunks(text: str) -> Iterable[list[str]]:
    """Runs of word tokens between punctuation marks."""
    for piece in _BREAK.split(text):
        tokens = _WORD_OR_NUMBER.findall(piece)
        if not tokens:
            continue
        if piece.isascii():  # every token starts with a letter or a digit
            yield tokens
            continue
        current: list[str] = []
        for token in tokens:  # a "word" that starts with a numeric sign ("½") ends the run
            if token[0].isalpha() or token[0].isdigit():
                current.append(token)
            elif current:
                yield current
                current = []
        if current:
            yield current


def phrases(text: str) -> Iterable[tuple[str, str]]:
    """Every candidate phrase occurrence in `text` as (key, surface form)."""
    return _phrases(text) if len(text) > 2000 else phrase_list(text)


@functools.lru_cache(maxsize=256)
def _phrases(text: str) -> tuple[tuple[str, str], ...]:
    """A long text's phrases, kept: the library index and a reading's key terms both parse the same sections."""
    return phrase_list(text)


# What a token may do in a phrase: break it (neither a content word nor a joiner), join it ("of", "the"), end it
# (a content word), or only go on (a capitalised content word whose next word is one too: the name goes on)
_BREAKS, _JOINS, _ENDS = 0, 1, 2


@functools.lru_cache(maxsize=65536)
def _word(word: str) -> tuple[int, str, str, bool]:
    """(what it may do, normalised key, surface without a possessive, capitalised content word) of one token."""
    content = _is_content(word)
    role = _ENDS if content else _JOINS if word.lower() in _JOINERS else _BREAKS
    return role, normalise_word(word), _POSSESSIVE.sub("", word), content and word[0].isupper()


def phrase_list(text: str) -> tuple[tuple[str, str], ...]:
    """`phrases(text)`, not kept: for a caller that reads each text once and passes the result on."""
    return _chunk_phrases(_chunks(text))


def _chunk_phrases(chunks: Iterable[list[str]]) -> tuple[tuple[str, str], ...]:
    found: list[tuple[str, str]] = []
    append = found.append
    for chunk in chunks:
        words = [_word(w) for w in chunk]
        n = len(words)
        roles = [w[0] for w in words]
        # a capitalised word followed by a capitalised content word does not end a phrase: the name goes on
        # ("Committee of the Fourth International")
        for j in range(n - 1):
            if roles[j] == _ENDS and chunk[j][0].isupper() and words[j + 1][3]:
                roles[j] = -1
        keys = [w[1] for w in words]
        for i in range(n):
            if words[i][0] != _ENDS:
                continue
            if roles[i] == _ENDS:
                append((keys[i], words[i][2]))
            for j in range(i + 1, min(n, i + MAX_WORDS)):
                role = roles[j]
                if role == _BREAKS:
                    break
                # a possessive would end a phrase ("Lenin’s actions"), but no word token ends in an apostrophe
                if role == _ENDS:
                    append((" ".join(keys[i : j + 1]), " ".join(chunk[i:j]) + " " + words[j][2]))
    return tuple(found)


def phrase_counts(text: str) -> Counter[str]:
    return Counter(key for key, _ in phrases(text))


def words_and_phrases(text: str) -> tuple[Counter[str], tuple[tuple[str, str], ...]]:
    """`content_counts(text)` and `phrase_list(text)`, from one reading of its words."""
    chunks = list(_chunks(text))
    words = Counter(filter(None, map(_content_key, itertools.chain.from_iterable(chunks))))
    return words, _chunk_phrases(chunks)


# What lies after a text's last word (or before its first) when it closes the run of words there: a punctuation
# mark other than a hyphen or an apostrophe, with nothing but spaces, hyphens, apostrophes or underscores beside.
_CLOSED_END = re.compile(r"[^\w\s\-'’][\s\-'’_]*\Z")
_CLOSED_START = re.compile(r"[\s\-'’_]*[^\w\s\-'’]")
SPACES = re.compile(r"\s*")


def joins_cleanly(before: str, after: str) -> bool:
    """Whether `before` + spaces + `after` has exactly the words and runs of the two texts read apart, so their
    phrases and content words can be concatenated: no run of words goes on across the join."""
    return bool(_CLOSED_END.search(before) or _CLOSED_START.match(after))


@dataclass
class LibraryIndex:
    """Document frequencies of candidate phrases over the library's readings (one document per section)."""

    documents: int = 0
    df: Counter[str] = field(default_factory=Counter)
    books_of: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    _idf: dict[str, float] = field(default_factory=dict, repr=False, compare=False)  # cleared by `add`

    @classmethod
    def build(cls, documents: Iterable[tuple[int, str]]) -> LibraryIndex:
        """`documents` are (book id, section text) pairs."""
        index = cls()
        for book_id, text in documents:
            index.add(book_id, text)
        return index

    def add(self, book_id: int, text: str, found: Iterable[tuple[str, str]] | None = None) -> None:
        """One section; `found`: its `phrases`, when the caller has them already."""
        keys = {key for key, _ in (phrases(text) if found is None else found)}
        self.documents += 1
        self.df.update(keys)
        for key in keys:
            self.books_of[key].add(book_id)
        self._idf.clear()

    def idf(self, key: str) -> float:
        value = self._idf.get(key)
        if value is None:
            value = self._idf[key] = math.log((self.documents + 1) / (self.df.get(key, 0) + 0.5))
        return value


def key_terms(
    text: str,
    index: LibraryIndex,
    limit: int = 12,
    min_count: int = 2,
    found: Iterable[tuple[str, str]] | Counter[tuple[str, str]] | None = None,
) -> list[Term]:
    """The reading's key terms, best first: frequent here, rare in the rest of the library. `found`: the text's
    `phrases`, or their Counter, when the caller has them already."""
    pairs = Counter(phrases(text) if found is None else found)  # (key, surface) → occurrences, counted in C
    counts: Counter[str] = Counter()
    for (key, _surface), n in pairs.items():
        counts[key] += n
    surfaces: dict[str, dict[str, int]] = {}  # how each candidate is written, for its label
    for (key, surface), n in pairs.items():
        if counts[key] >= min_count:
            surfaces.setdefault(key, {})[surface] = n
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


def _label(forms: Mapping[str, int]) -> str:
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
    """Normalised content words of `text` with their counts (additive over sentences). Runs do not matter here,
    and a token that is no word of a run is no content word either, so every token is asked."""
    return Counter(filter(None, map(_content_key, _WORD_OR_NUMBER.findall(text))))


@functools.lru_cache(maxsize=65536)
def _content_key(word: str) -> str:
    """The normalised word when it is a content word, else ""."""
    return normalise_word(word) if _is_content(word) else ""


def tfidf(counts: Counter[str], index: LibraryIndex) -> dict[str, float]:
    return {word: (1 + math.log(c)) * index.idf(word) for word, c in counts.items() if c > 0}


def unigram_vector(text: str, index: LibraryIndex) -> dict[str, float]:
    """TF-IDF over content words, for centrality (how close a passage is to its whole reading)."""
    return tfidf(content_counts(text), index)


def length(vector: dict[str, float]) -> float:
    return math.sqrt(sum(v * v for v in vector.values()))


def cosine(a: dict[str, float], b: dict[str, float], b_length: float | None = None) -> float:
    """`b_length`: `length(b)`, when one `b` is compared with many vectors."""
    if not a or not b:
        return 0.0
    dot = sum(v * b.get(k, 0.0) for k, v in a.items())
    norm = length(a) * (length(b) if b_length is None else b_length)
    return dot / norm if norm else 0.0
