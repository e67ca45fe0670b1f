# Over 400 lines: the cue patterns and word lists are data, read with the few functions that count them.
"""Sentence cues for the argument model: what a sentence does in its reading, told from its words alone.

Discourse analysis of argumentative text (claim and premise indicators, e.g. the "argumentative zoning" and
argument-mining literature) finds most claims and their evidence by cue phrases: "we argue", "in fact",
"the result was", "those who claim…", "for example", a date or a figure. Those cues are lists here, plus an
evaluative lexicon: VADER's bundled word valences (vaderSentiment, MIT, shipped with the package: no download at
run time) and the words of judgement history and politics use that VADER, made for social media, lacks.
Pure functions over one sentence (or a short passage), cached: the argument model and the quote scorer read the
same sentences, and a quote window of three sentences shares them with its neighbours.
"""

from __future__ import annotations

import functools
import re

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

_THESIS = re.compile(
    r"\b(?:(?:we|I) (?:would )?(?:argue|contend|maintain|believe|insist|think|conclude|hold|reject|identify|"
    r"do not (?:equate|accept|agree|believe|think)|cannot accept|can (?:say|see))|the (?:point|truth|fact) is|"
    r"in (?:fact|reality|truth)|it (?:is|was) (?:clear|evident|obvious|true|false|wrong|no accident)|clearly|"
    r"undoubtedly|could only|can only|was (?:essential|necessary|justified|unavoidable|inevitable)|"
    r"the (?:key|real|essence|root|heart|lesson|conclusion|crux|central question)|was not\b[^.]{0,80}\bbut\b|"
    r"not because\b|far from|on the contrary|decisive(?:ly)?|crucial|fundamental(?:ly)?|inevitabl[ey]|"
    r"necessar(?:y|ily)|responsible for|led (?:directly )?to|paved the (?:way|road)|the result (?:was|is)|meant that|"
    r"explains? why|shows? that|showed that|proves?|proved|demonstrat\w+ that|mistake\w*|error|wrong|"
    r"correct(?:ly)?|must|cannot|can never|only (?:way|answer|road|alternative)|above all|in (?:the )?last analysis|"
    r"the (?:greatest|worst|most important|main|chief)|no (?:other|alternative)|therefore|hence|it follows|"
    r"in other words|that is why|this is why|which is why|utterly|essentially|underestimated|overestimated|"
    r"significance|conclude[sd]?|argues|argued|maintains|meant to be|was (?:bound|doomed) to|amounted to|in effect|"
    r"the (?:logical|natural|inevitable) (?:outcome|result|continuation|consequence)|because(?! of)|shaped|sealed|"
    r"undermined|made (?:it )?possible|opened the door|paved)\b",
    re.IGNORECASE,
)
# causal and modal words: a claim more often than not, but narration uses them too, so they count half
_WEAK_THESIS = re.compile(
    r"\b(?:due to|owing to|thus|consequently|had to|should have|could have|would have|turned into|caused|"
    r"produced|ensured|prevented|enabled|"
    r"no longer|completely|betray\w*)\b",
    re.IGNORECASE,
)
_DISPUTE = re.compile(
    r"\b(?:(?:those|others|some|many|critics|historians|writers|scholars|commentators|apologists|defenders|"
    r"anarchists|Stalinists|liberals|opponents|authors|biographers|academics) (?:who )?(?:argue|claim|maintain|"
    r"insist|assert|believe|say|contend|suggest|allege)\w*|it is (?:often|sometimes|commonly|widely|usually) "
    r"(?:said|argued|claimed|believed|asserted)|contrary to|(?:we |I )?disagree\w*|"
    r"reject\w*\s+(?:the|this|that|such|these|those|any)\s+(?:\w+\s+)?"
    r"(?:view|claim|idea|notion|argument|theory|thesis|interpretation|account|charge)s?|refut\w+|myths?|"
    r"legends?|lies?\b|slanders?|falsif\w+|so-called|mistaken|wrong to|(?:is|was) not true|untrue|caricatur\w+|"
    r"distort\w*|against the view|criticis\w+|criticiz\w+|polemic\w*|philippics?|apologetic\w*|revisionis\w+|"
    r"does not share|do not share|we differ|our differences)\b",
    re.IGNORECASE,
)
_REPORTED = re.compile(
    r"\b(?:(?:On|Among|For|In) (?P<who>the [\w’' -]{2,40}?),? (?:the )?(?:received wisdom|(?:common |usual |standard |"
    r"orthodox |conventional |prevailing )?view|consensus|argument) (?:is|was)|the (?:received wisdom|(?:common|usual|"
    r"standard|orthodox|conventional|prevailing) (?:view|account|wisdom)) (?:is|was)|it is (?:often|commonly|"
    r"widely|usually) (?:said|argued|claimed|believed))",
    re.IGNORECASE,
)
_OPPONENT = re.compile(
    r"\b(?P<who>(?:[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+){0,2})|those|others|some|many|critics|historians|writers|"
    r"scholars|commentators|apologists|defenders|anarchists|Stalinists|liberals|opponents)\s+(?:who\s+)?"
    r"(?:argue|argued|claim|claimed|claims|maintain\w*|insist\w*|assert\w*|contend\w*|allege\w*|believe\w*)\b"
    r"(?:\s+that)?",
)
_EVIDENCE = re.compile(
    r"\b(?:1[5-9]\d\d|20[0-2]\d)s?\b|\b\d[\d,.]*\s*(?:per ?cent|%|million|thousand|people|members|delegates|"
    r"votes|workers|peasants|troops|copies)|\b(?:for (?:example|instance)|such as|according to|recorded|documents?|"
    r"archives?|figures|statistics|letters?|reports?|resolution|decree|minutes|testimony|memoirs?|diary|"
    r"wrote in|said in|census|evidence|proof|shown by|as (?:[A-Z]\w+ )?(?:put it|wrote|noted))\b",
    re.IGNORECASE,
)
_DEFINITION = (
    # “Thermidor” — the term in quotation marks, then what it is
    re.compile(
        r"[“\"‘](?P<term>[^”\"’]{3,40})[”\"’],?\s+(?:means|meant|refers? to|that is|i\.e\.|stands? for|"
        r"(?:is|was) (?:a|an|the) (?:name|term|word|phrase|label|idea|concept|theory|notion))\b"
    ),
    # By “permanent revolution” Trotsky meant…; the term “Thermidor” denotes…
    re.compile(
        r"\b(?:[Bb]y|the (?:term|word|concept|notion|idea|theory) (?:of )?)\s*[“\"‘]"
        r"(?P<term>[A-Za-z][^”\"’]{2,40})[”\"’],?"
        r"\s+(?:we|he|she|they|[A-Z]\w+)?\s*(?:mean[st]?|meant|is|was|refers? to|denotes?)\b"
    ),
    re.compile(
        r"\bwhat (?:[A-Z]\w+|he|she|they|Marxists|historians) (?:called|calls|termed|dubbed)\s+[“\"‘]?"
        r"(?P<term>[A-Za-z][\w’' -]{2,40}?)[”\"’]?(?=[,.;:]|\s)"
    ),
    re.compile(
        r"\b(?:so-called|the term|the concept of|the notion of|the theory of)\s+[“\"‘]?"
        r"(?P<term>[A-Za-z][\w’' -]{2,40}?)[”\"’]?(?=[,.;:]|\s(?:is|was|as|in|and|which|that|with)\b)"
    ),
    re.compile(
        r"[“\"‘](?P<term>[A-Za-z][^”\"’]{2,40})[”\"’],?\s+"
        r"(?:as (?:he|she|they|[A-Z]\w+) (?:called|put) it|in (?:his|her|their) (?:words|phrase))"
    ),
)
_NOT_TERMS = frozenset(
    [
        "the",
        "a",
        "an",
        "this",
        "that",
        "these",
        "those",
        "his",
        "her",
        "their",
        "its",
        "our",
        "of",
        "in",
        "on",
        "by",
        "it",
        "he",
        "she",
        "they",
        "we",
    ]
)
_SCARE = re.compile(r"[“\"](?P<term>[a-z][a-z’' -]{2,30})[”\"]")
_PRESENT = re.compile(
    r"\b(?:is|are|isn’t|aren’t|cannot|can|must|(?<!the )will|should|does|do|doesn’t|don’t|has|have|becomes?|"
    r"remains?|(?<!every )(?<!by )(?<!all )(?<!any )(?<!no )means|lies|needs?|requires?|depends|counts|forgives|"
    r"forgets|rises|falls|grows|comes|goes|makes|"
    r"takes|gives|leads|ends|begins|wins|loses|holds|seems|tends|belongs|exists|stands|works|lives|dies|rules|"
    r"serves|fights|fears|wants|knows|sees|follows|creates|destroys|demands|decides|matters|changes)\b"
)
_PAST = re.compile(
    r"\b(?:was|were|had|did|became|began|went|took|made|came|said|wrote|died|ran|read|left|gave|got|saw|told|"
    r"thought|knew|found|kept|stood|sat|rode|held|brought|fell|rose|fought|won|lost|led|met|sent|built|struck|"
    r"threw|drove|chose|spoke|broke|sought|taught|\w{3,}ed)\b"
)
_YEAR = re.compile(r"\b(?:1[5-9]\d\d|20[0-2]\d)s?\b")
_FIRST_PERSON = re.compile(r"\b(?:I|me|my|we|us|our)\b")


def _at_words(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """The same pattern told that every match starts on a word character (each alternative of those below opens
    with a word boundary and a letter or digit): the engine then passes other positions at once, about a third
    faster on the sentences every quote window and claim reads."""
    return re.compile(r"(?=\w)(?:" + pattern.pattern + ")", pattern.flags)


_THESIS, _WEAK_THESIS, _DISPUTE, _EVIDENCE, _PRESENT, _PAST = map(
    _at_words, (_THESIS, _WEAK_THESIS, _DISPUTE, _EVIDENCE, _PRESENT, _PAST)
)
# Counting cues case-insensitively was the costliest regex work of a book's analysis. The same patterns in lower
# case, run on the text folded as the regex engine folds case for them (İ and ı match i, ſ matches s, the Kelvin
# sign k, then lower case: every character keeps its place), count the same matches about twice as fast.
_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})


def lower_case(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """An IGNORECASE pattern of ASCII letters, in lower case, to run on `fold(text)`: the same matches."""
    if re.search(r"\\[A-Z]|[^\x00-\x7f]", pattern.pattern.replace("©", "")) or not pattern.flags & re.IGNORECASE:
        raise ValueError(f"not a pattern to fold: {pattern.pattern[:40]}")  # \W or a non-ASCII letter would change
    return re.compile(pattern.pattern.lower(), pattern.flags & ~re.IGNORECASE)


_FOLDS = re.compile("[\u0130\u0131\u017f\u212a]")


def fold(text: str) -> str:
    """`text` with its case folded the way IGNORECASE folds it for patterns of ASCII letters, place for place."""
    return (text.translate(_FOLD) if _FOLDS.search(text) else text).lower()


_THESIS_FOLDED, _WEAK_THESIS_FOLDED, _DISPUTE_FOLDED, _EVIDENCE_FOLDED = map(
    lower_case, (_THESIS, _WEAK_THESIS, _DISPUTE, _EVIDENCE)
)
_EVALUATIVE_EXTRA = frozenset(
    [
        "butcher",
        "butchers",
        "hideous",
        "cult",
        "cults",
        "lie",
        "lies",
        "myth",
        "myths",
        "genius",
        "monstrous",
        "nausea",
        "sycophantic",
        "fawning",
        "gravedigger",
        "jackboots",
        "tyranny",
        "tyrant",
        "despot",
        "despotic",
        "bloody",
        "bloodily",
        "brutal",
        "brutally",
        "barbaric",
        "barbarism",
        "crimes",
        "criminal",
        "heroism",
        "heroic",
        "courageous",
        "courage",
        "cowardly",
        "cowardice",
        "shameful",
        "disgrace",
        "noble",
        "glorious",
        "magnificent",
        "infamous",
        "treacherous",
        "treachery",
        "betrayer",
        "villain",
        "martyr",
        "martyrs",
        "tragedy",
        "catastrophe",
        "catastrophic",
        "triumph",
        "degenerate",
        "degeneration",
        "corrupt",
        "corruption",
        "slavish",
        "servile",
        "rotten",
        "poison",
        "poisoned",
        "cynical",
        "cynicism",
        "hypocrisy",
        "hypocritical",
        "sinister",
        "ruthless",
        "ruthlessly",
        "terrible",
        "terrifying",
        "horror",
        "horrors",
        "suffering",
        "sufferings",
        "oppression",
        "oppressive",
        "liberation",
        "freedom",
        "dignity",
        "honour",
        "honor",
        "truth",
        "falsehood",
        "slander",
        "fraud",
        "farce",
        "grotesque",
        "absurd",
    ]
)


@functools.lru_cache(maxsize=1)
def _lexicon() -> dict[str, float]:
    return SentimentIntensityAnalyzer().lexicon


def words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z][a-z’'-]*", text)


@functools.lru_cache(maxsize=65536)
def evaluative(text: str) -> int:
    """How many words of judgement the passage uses (VADER valence ≥ 1.5 in either direction, or our list)."""
    lexicon = _lexicon()
    count = 0
    for word in words(text):
        lower = word.lower()
        if lower in _EVALUATIVE_EXTRA or abs(lexicon.get(lower, 0.0)) >= 1.5:
            count += 1
    return count


@functools.lru_cache(maxsize=65536)
def thesis_cues(text: str) -> float:
    """Claim indicators in the passage; causal and modal words count half."""
    folded = fold(text)
    return len(_THESIS_FOLDED.findall(folded)) + 0.5 * len(_WEAK_THESIS_FOLDED.findall(folded))


@functools.lru_cache(maxsize=65536)
def dispute_cues(text: str) -> int:
    return len(_DISPUTE_FOLDED.findall(fold(text)))


@functools.lru_cache(maxsize=65536)
def evidence_cues(text: str) -> int:
    return len(_EVIDENCE_FOLDED.findall(fold(text)))


def years(text: str) -> list[str]:
    return list(_years(text))


@functools.lru_cache(maxsize=65536)
def _years(text: str) -> tuple[str, ...]:
    return tuple(_YEAR.findall(text))


@functools.lru_cache(maxsize=65536)
def opponent(text: str) -> str | None:
    """Whose position the sentence takes up ("Trotsky argued that…", "those who claim…"), or None."""
    match = _OPPONENT.search(text)
    if not match:
        return None
    who = match.group("who")
    return None if who in ("We", "I", "It", "This", "They", "He", "She", "The") else who


def reported_view(text: str) -> str | None:
    """Whose view a sentence opens by reporting ("On the anarchist left the view is that…" → "the anarchist
    left"), "others" for an unnamed received wisdom; None when the sentence does not report a view."""
    match = _REPORTED.search(text[:160])
    if not match:
        return None
    return match.group("who") or "others"


@functools.lru_cache(maxsize=65536)
def defined_term(text: str) -> str | None:
    """A term the sentence defines or puts in question ("what Trotsky called “Soviet Thermidor”"), or None."""
    for pattern in _DEFINITION:
        match = pattern.search(text)
        if match:
            term = match.group("term").strip(" “”\"’‘'")
            first = term.split()[0].lower() if term.split() else ""
            if 3 <= len(term) <= 40 and first not in _NOT_TERMS and len(term.split()) <= 5:
                return term
    scare = _SCARE.search(text)
    if scare and dispute_cues(text) and " " in scare.group("term").strip():
        return scare.group("term").strip()
    return None


@functools.lru_cache(maxsize=65536)
def is_general(text: str) -> bool:
    """A claim meant to hold beyond its case: its first verb present tense or modal, no date, no question, a
    generic subject (at most one name), and a word that generalises ("always", "every", "cannot", "a man…")."""
    unquoted = re.sub(r"[“\"][^”\"]*[”\"]", " ", text)
    if _YEAR.search(unquoted) or "?" in text or re.match(r"\s*(?:But|And|Or|So|Yet)\b", text):
        return False
    present = [m.start() for m in _PRESENT.finditer(unquoted)]
    past = [m.start() for m in _PAST.finditer(unquoted) if not _participle(unquoted, m.start())]
    if not present or (past and past[0] < present[0]) or len(past) > len(present):
        return False
    names = re.findall(r"(?<!^)\b[A-Z][a-z]+", unquoted.strip())
    first = (re.findall(r"[A-Za-z]+", unquoted) or [""])[0]
    if names or (first[:1].isupper() and first.lower() not in GENERIC_SUBJECTS and first.lower() not in _STOP_OPENERS):
        return False  # about named people or places: a claim about them, not a general one
    if re.search(r"\b(?:book|review|article|chapter|essay|pamphlet|volume)\b", unquoted, re.IGNORECASE):
        return False  # about the text itself ("A short book review cannot convey…"), not about the world
    personal = re.search(r"\b(?:he|she|him|her|his|they|them|their|I|we|you)\b", unquoted)
    return bool(_GENERALISING.search(unquoted)) or not personal


def past_verbs(text: str) -> list[str]:
    """The finite past-tense verbs of a passage ("had become", "developed"), not participles after be or have."""
    return [m.group() for m in _PAST.finditer(text) if not _participle(text, m.start())]


def present_verbs(text: str) -> list[str]:
    return _PRESENT.findall(text)


def has_verb(text: str) -> bool:
    return bool(_PRESENT.search(text) or _PAST.search(text))


GENERIC_SUBJECTS = frozenset(
    [
        "men",
        "women",
        "people",
        "nobody",
        "everyone",
        "revolutions",
        "revolution",
        "parties",
        "party",
        "workers",
        "history",
        "power",
        "politics",
        "socialism",
        "capitalism",
        "democracy",
        "marxists",
        "marxism",
        "pride",
        "courage",
        "debt",
        "debts",
        "money",
        "nothing",
        "no",
        "every",
        "all",
        "any",
        "each",
        "those",
        "whoever",
        "only",
        "bureaucracy",
        "bureaucracies",
        "states",
        "classes",
        "leaders",
        "theory",
        "theories",
        "truth",
    ]
)
_STOP_OPENERS = frozenset(["the", "a", "an", "it", "there", "what", "to", "in", "on", "for", "of"])


def _participle(text: str, at: int) -> bool:
    """ "is owed", "have given": a past form after a form of be or have is not a past-tense report."""
    before = text[:at].split()[-1:] or [""]
    return before[0].lower() in {"is", "are", "be", "been", "being", "am", "has", "have", "not"}


_GENERALISING = re.compile(
    r"\b(?:always|never|every|any|all|no one|nothing|cannot|can never|must|whoever|those who|only|no|seldom|rarely|"
    r"often|usually|men|people|nobody|"
    r"(?:a|any|every|no) (?:party|revolution|state|class|movement|government|society|regime|leadership|"
    r"bureaucracy|people|man|woman|town|debt|bank|lawyer|minority|majority|dictatorship|democracy))\b",
    re.IGNORECASE,
)


def is_first_person(text: str) -> bool:
    return bool(_FIRST_PERSON.search(text))
