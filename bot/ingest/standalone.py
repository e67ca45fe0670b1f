# Over 400 lines: the standalone rules, their table and what makes a passage worth posting are read together.
"""Whether a passage can stand alone as a quote or a prompt's citation, and whether it is worth posting.

The rules (`problems`): whole sentences of about 60–400 characters, balanced quotation marks, no footnote
markers, no boilerplate or editorial notes, no opening that leans on the sentence before ("This", "He",
"More British troops…", "At that time…"; "But", "However" … only cost points), no run-on across a lost paragraph
break or words glued together, no link text ("… is here."), no fragment ("Precisely because …"). Worth posting
(`worth_posting`): a named figure's words, a general claim, an argued point or a vivid judgement — never a bare
report of what happened. Pure functions of the passage's text.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Sequence

from bot.ingest import cues
from bot.ingest.clean import BOILERPLATE_LINE

MIN_CHARS = 60
MAX_CHARS = 400


def _words(text: str) -> list[str]:
    return text.split()


DANGLING = frozenset(
    _words(
        """
        this these those that he she it they him her his its their them such there both here thus former latter
        hence which whom
        """
    )
)
WEAK = frozenset(
    _words(
        """
        but and however so yet also then still moreover nevertheless nonetheless furthermore instead meanwhile or
        nor therefore consequently indeed besides likewise otherwise accordingly again finally
        """
    )
)
_OPEN_Q = "“„"
_CLOSE_Q = "”"
_FOOTNOTE = re.compile(
    r"\[\d{1,3}\]|\[[a-z*†]\]|[¹²³⁴⁵⁶⁷⁸⁹⁰]|[*†‡]|(?<=[a-z.,;:!?”’)\]])\d{1,3}(?=[\s,.;:!?”’)]|$)|\(\d{1,2}\)"
)
_EDITORIAL = re.compile(
    r"\b(?:we (?:are )?(?:re)?publish\w*|(?:re)?published (?:by|in|on|online|here|with|as)|our readers?|"
    r"this (?:article|chapter|pamphlet|review|essay|piece|text|post|interview|series|book) "
    r"(?:was|is|first|appeared|originally|from|by|has|will)|first (?:published|released|appeared)|"
    r"originally (?:published|appeared|written)|editor(?:ial)?s?\b|translat(?:ed|ion) by|purchase|subscribe|"
    r"newsletter|click|download|https?://|www\.|\w@\w|all rights reserved|copyright|©|note:|footnote|"
    r"read more|see also|part (?:one|two|three|\d) of|(?:first|second|third|last) of (?:two|three|four) )",
    re.IGNORECASE,
)


# ---------------------------------------------------------------- the standalone rules
_PREPOSITIONS = frozenset(
    _words(
        """
        in of for with by from on at to despite after under because given like against
        """
    )
)


_SELF_REFERENCE = frozenset(["article", "essay", "book", "chapter", "pamphlet", "review", "study", "paper"])


def first_word(text: str) -> str:
    match = re.match(r"[\s“”\"‘’'(\[…]*([A-Za-z]+)", text)
    return match.group(1).lower() if match else ""


_EXTRAPOSED_IT = re.compile(
    r"[\s“\"]*It\s+(?:is|was|has been|had been|must be|may be|seems|seemed)\s+(?:not\s+)?(?:a|an|the|no|\w+ly\s+)?"
    r"\s*\w+(?:\s+\w+){0,4}?,?\s+(?:that|to|whether|how|what|when)\b"
)


def dangling(text: str) -> bool:
    """Whether the passage opens by pointing back at something before it ("This…", "In such cases…")."""
    words = re.findall(r"[A-Za-z]+", text[:40].lower())[:2]
    if not words:
        return False
    if words[0] == "this" and words[1:] and words[1] in _SELF_REFERENCE:
        return False  # "This article does not share…": the text speaking of itself leans on nothing
    if _EXTRAPOSED_IT.match(text):
        return False  # "It is a truth universally acknowledged, that…": the "it" stands for the clause that follows
    return words[0] in DANGLING or (len(words) == 2 and words[0] in _PREPOSITIONS and words[1] in DANGLING)


def problems(text: str) -> list[str]:
    """Why a passage cannot stand alone as a quote; [] when it can."""
    return list(_problems(text))


def stands_alone(text: str) -> bool:
    """`not problems(text)`, asking the rules most often broken first and stopping at the first broken one: most
    candidate passages of a book fail on their opening or their length, before the costlier rules are asked."""
    return _stands_alone(text)


@functools.lru_cache(maxsize=65536)
def _stands_alone(text: str) -> bool:
    return not any(rule(text) for rule in _MOST_BROKEN_FIRST)


@functools.lru_cache(maxsize=65536)
def _problems(text: str) -> tuple[str, ...]:
    return tuple(name for name, rule in _RULES if rule(text))


def _bad_length(text: str) -> bool:
    return not MIN_CHARS <= len(text) <= MAX_CHARS


def _no_start(text: str) -> bool:
    return not text.lstrip("“„\"‘'([ ")[:1].isupper()


_END = re.compile(r"[.!?][”’\"')\]]*$")
_TRAILING_OFF = re.compile(r"(?:…|\. ?\. ?\.)[”’\"')\]]*$")
_LOWER_INSIDE = re.compile(r"[.!?…][”’\"')\]]*\s+[“‘\"'(\[]*(?:…|\. \. \.)?\s*[a-z]")
_FIRST_BREAK = re.compile(r"(?<=[.!?])[”’\"')\]]*\s+")


def _no_end(text: str) -> bool:
    return not _END.search(text) or bool(_TRAILING_OFF.search(text))


def _unbalanced(text: str) -> bool:
    return not balanced(text)


def _matches(pattern: re.Pattern[str]) -> Callable[[str], bool]:
    return lambda text: pattern.search(text) is not None


def _run_on(text: str) -> bool:
    return bool(_RUN_ON.search(text) or _GLUED.search(text))


def _fragment(text: str) -> bool:
    opening = _FIRST_BREAK.split(text, maxsplit=1)[0]
    return bool(_FRAGMENT.match(opening)) and "," not in opening


_LEANING = frozenset(
    _words(
        """
        more further furthermore another other others also even again then later similarly likewise meanwhile nor or
        instead besides moreover still yet thus hence therefore accordingly consequently finally otherwise too
        either neither subsequently afterwards thereafter rather no yes wherefore
        """
    )
)
_LEANING_PREFIXES = (
    ("the", "same"),
    ("the", "latter"),
    ("the", "former"),
    ("the", "following"),
    ("the", "other"),
    ("the", "next"),
    ("the", "rest"),
    ("in", "addition"),
    ("in", "other", "words"),
    ("in", "fact"),  # "In fact, Trotsky's fundamental disagreement…": the answer to a charge made before
    ("on", "the", "one", "hand"),  # "On the one hand, because it frees production…": the answer to a question
    ("the", "two", "first"),  # "The two first, by being hereditary…": the two named before
    ("the", "two", "former"),
    ("in", "turn"),
    ("as", "a", "result"),
    ("by", "then"),
    ("after", "that"),
    ("at", "that"),
    ("the", "result", "was"),
    ("at", "the", "same"),
    ("quite", "the", "opposite"),
    ("the", "opposite"),
    ("on", "the", "other"),
    ("for", "all", "that"),
)
_RUN_ON = re.compile(
    r"\b[a-z]{3,}\s+(?:In|The|But|At|On|By|For|After|As|When|This|It|He|She|They|We|Its|His|Her|There|Then|Yet|"
    r"So|Our|Their|A|An)\s+(?:\d|[a-z])"
)
# a run of lower case is taken whole (possessive): the capital must follow it, so trying shorter runs is wasted work
_GLUED = re.compile(r"[a-z][.!?][A-Z][a-z]|(?<![Mm]c)(?<!Ma)(?<!\bDe)(?<!\bLa)\b[A-Za-z][a-z]{3,}+[A-Z][a-z]{2}")
_DEAD_LINK = re.compile(
    r"\b(?:is|are) (?:here|below|available here|linked here)\s*[.:]|click here|image:|fair use|"
    r"\b(?:facebook|twitter|instagram|youtube|share)\b.*\b(?:facebook|twitter|instagram|youtube|share)\b",
    re.IGNORECASE,
)
_FRAGMENT = re.compile(
    r"[“\"‘']?(?:(?:Precisely|Just|Only|Simply|Partly|Largely|Mainly|Not)\s+)?(?:because|although|though|since|"
    r"whereas|unless|so that)\b",
    re.IGNORECASE,
)


# a connective early in the sentence ties it to the one before as surely as one that opens it
_CONNECTIVES = frozenset(["also", "too", "thus", "hence", "therefore", "again", "likewise", "similarly", "otherwise"])
# "The justification was…", "The answer is…": a noun that stands for something the sentence before said
_ANAPHORIC_NOUNS = frozenset(
    ["justification", "reason", "answer", "consequence", "explanation", "outcome", "response", "problem", "result"]
)
_DEMONSTRATIVE_OPENERS = frozenset(
    [
        "but",
        "and",
        "yet",
        "the",
        "a",
        "all",
        "one",
        "much",
        "most",
        "some",
        "each",
        "while",
        "although",
        "though",
        "since",
        "when",
        "if",
        "as",
        "so",
        "whereas",
    ]
)


def leans(text: str) -> bool:
    """Whether the passage needs the sentence before it: "More British troops…", "The same year…",
    "At that time…", "Another reason…" (pronoun openings are `dangling`)."""
    words = tuple(re.findall(r"[A-Za-z]+", text[:80].lower())[:7])
    if not words:
        return False
    if words[0] in _LEANING or any(words[: len(p)] == p for p in _LEANING_PREFIXES):
        return True
    if any(w in _CONNECTIVES for w in words[1:4]):
        return True  # "Trotsky also thought…", "Local government too was…", "Only thus can be assured…"
    if words[0] == "the" and len(words) > 2 and words[1] in _ANAPHORIC_NOUNS and words[2] in ("was", "is"):
        return True
    if re.search(r"\bthe one\b[^.]{0,80}\bthe other\b", first_sentence(text), re.IGNORECASE):
        return True  # "The bloody mindedness of the one, shew the necessity of … the other": two named before
    if "which" in words[1:3] and words[0] in ("some", "many", "most", "all", "each", "one", "none", "both", "of"):
        return True  # "Some of which are, First.--…": the things of the sentence before
    # a demonstrative early on, after a preposition or "the … of": "At that time", "The result of this strategy"
    opener = words[0] in _PREPOSITIONS or words[0] in _DEMONSTRATIVE_OPENERS
    if any(w in ("these", "those") for w in words[1:5]) and "who" not in words[:6]:
        return True  # "Thermidor involved the final elimination of those internal party checks"
    if words[0] in _PREPOSITIONS and words[1:2] == ("that",):
        return True  # "At that time", "By that year"
    return opener and any(w in ("this", "these", "those", "such") for w in words[1:5])


def _cues(text: str, parts: Sequence[str]) -> tuple[float, int, bool]:
    """(claim and dispute cues, words of judgement, a date) of a passage, summed over its sentences when given:
    each sentence is read once (cues.py caches), however many windows share it."""
    pieces = parts or (text,)
    argued = sum(cues.thesis_cues(p) + cues.dispute_cues(p) for p in pieces)
    return argued, sum(cues.evaluative(p) for p in pieces), any(cues.years(p) for p in pieces)


def worth_posting(text: str, speaker: str | None, *, narrative: bool = False, parts: Sequence[str] = ()) -> bool:
    """A quote says something: a named figure's words, a general claim, an argued point or a vivid judgement —
    never a bare report of what happened ("In Samara, the SRs set up a government"). In a novel: the narrator's
    general remarks, or a character's line that judges or generalises — not a line of plot. `parts`: the
    passage's sentences, when the caller has them."""
    argued, judged, dated = _cues(text, parts)
    if narrative:
        if cues.is_general(text) and len(text) < 300:
            return True
        if speaker is None and (parallel(text) or (realises(text) and judged >= 1)):
            return True  # "What he most dreaded, that I most desired…", "I now understood … the white man's power"
        # a character's line that says something: a judgement with weight, an argued point or a view of life — not
        # "I do not cough for my own amusement" (one word of judgement is a novel's every other line)
        spoken = " ".join(re.findall(r"[“\"]([^”\"]+)[”\"]", text)) or text
        return speaker is not None and (cues.evaluative(spoken) >= 2 or argued >= 1 or cues.is_general(spoken))
    if speaker is not None:
        return True
    if _HEARSAY.match(text):
        return False  # "I have heard it asserted by some, that…": the view the author goes on to refute
    if re.search(r"\bthe author (?:hath|has|is|was|will|does)\b", text, re.IGNORECASE):
        return False  # "In the following sheets, the author hath studiously avoided…": a note about the text
    if tells_events(parts or (text,)):
        return False  # "The sailors refused to surrender. Trotsky … ordered the attack.": what happened, not a point
    if argued >= 1 or (cues.is_general(text) and len(text) < 300):
        return True
    # a vivid judgement, not a report: words of judgement, no date, not a dated event ("In July, …")
    return judged >= 2 and not dated and not _DATED_OPENING.match(text)


_SINGLE_QUOTED = re.compile(r"(?<!\w)['‘][^'’]{1,40}['’](?!\w)")


_HEARSAY = re.compile(
    r"[“\"]?(?:I have (?:often )?heard it|It (?:is|has been|hath been) (?:often |sometimes |commonly )?(?:said|"
    r"asserted|urged|argued)|Some (?:say|will say|have said))\b"
)


def tells_events(sentences: Sequence[str]) -> bool:
    """Whether every sentence reports what happened: a past-tense verb, none in the present, and no cue of
    argument — a "because" counts as none when a named actor does the deed and the reason is the actor's own
    ("The Central Committee did not approve … but because it recognised the norm …, it restricted itself to…"),
    where "The Kronstadt rising was crushed because the party feared…" explains. Each sentence is read once,
    however many windows share it."""
    return all(_tells_event(sentence) for sentence in sentences)


@functools.lru_cache(maxsize=65536)
def _tells_event(sentence: str) -> bool:
    # words in quotation marks, single ones too ("as a 'correct' and 'necessary' measure"), are not the cue
    bare = _SINGLE_QUOTED.sub(" ", re.sub(r"[“\"][^”\"]*[”\"]", " ", sentence))
    named = _named_actor(bare)
    # "…because it recognised…", "…because they opposed…": the actor's own reason, told; "because the revolution
    # was isolated" explains
    motive = len(re.findall(r"\bbecause\s+(?:he|she|it|they)\b", bare, re.IGNORECASE)) if named else 0
    cue = cues.thesis_cues(bare) - motive
    # a dispute a named actor had ("…that it expel Zinoviev and Kamenev … for criticising the plans") is told
    disputed = 0 if named else cues.dispute_cues(bare)
    return not (cue > 0 or disputed or not cues.past_verbs(bare) or cues.present_verbs(bare))


_DETERMINERS = frozenset(["the", "a", "an", "this", "that", "these", "those", "its", "their", "his", "her", "our"])


def _named_actor(sentence: str) -> bool:
    """Whether the sentence opens on a named person or body ("Lenin attacked…", "The Central Committee did…")."""
    opening = re.findall(r"[A-Za-z][\w’'-]*", sentence)[:4]
    if not opening:
        return False
    first = opening[0]
    common = _DETERMINERS | _PREPOSITIONS | cues.GENERIC_SUBJECTS
    if first[:1].isupper() and first.lower() not in common:
        return True
    return first.lower() in _DETERMINERS and any(w[:1].isupper() for w in opening[1:3])


# a narrator who tells what they came to see: the memoir's turning points ("From that moment, I understood…")
_REALISED = re.compile(
    r"\bI (?:now|then|at once|at last|suddenly) (?:understood|saw|knew|realised|realized|felt)\b|"
    r"\bI (?:understood|realised|realized) (?:that|what|how|why|the)\b"
)


def realises(text: str) -> bool:
    """Whether the narrator tells what they came to see ("I now understood…", "I realised that…")."""
    return bool(_REALISED.search(text))


def parallel(text: str) -> bool:
    """Whether two clauses of the passage repeat one frame with other words in it — the antithesis a reader
    remembers ("What he most dreaded, that I most desired. What he most loved, that I most hated.")."""
    clauses = [re.findall(r"[a-z’']+", c.lower()) for c in re.split(r"[.;:!?]", text)]
    clauses = [c for c in clauses if len(c) >= 4]
    for one, other in itertools.pairwise(clauses):
        if len(one) == len(other):
            same = sum(a == b for a, b in zip(one, other, strict=True))
            swapped = " ".join(a + " " + b for a, b in zip(one, other, strict=True) if a != b)
            # what changes between the two is a judgement ("dreaded"/"loved"), not a date or a place
            if 0.5 <= same / len(one) < 1.0 and same >= 3 and cues.evaluative(swapped) >= 1:
                return True
    return False


def _memorable(text: str, parts: Sequence[str] = ()) -> float:
    """What makes a line worth posting beyond its salience: a general claim, an argued point, words of judgement;
    a date or a place-and-time opening marks a report."""
    argued, judged, dated = _cues(text, parts)
    factor = 1.0
    if cues.is_general(text):
        factor *= 1.35
    factor *= 1.0 + 0.08 * min(argued, 3)
    factor *= 1.0 + 0.05 * min(judged, 3)
    if dated or _DATED_OPENING.match(text) or re.match(r"[“\"]?(?:In|At|On)\s+[A-Z]", text):
        factor *= 0.75
    return factor


_DATED_OPENING = re.compile(
    r"[“\"]?(?:In|On|By|After|Before|During|Early|Late)\s+(?:the\s+)?(?:(?:early|late|spring|summer|autumn|winter|"
    r"January|February|March|April|May|June|July|August|September|October|November|December)\b|\d)"
)


def is_boilerplate(text: str) -> bool:
    return bool(BOILERPLATE_LINE.match(text.strip()) or _EDITORIAL_FOLDED.search(cues.fold(text)))


def balanced(text: str) -> bool:
    """Double quotation marks pair up; every single opening quote ‘ is closed later."""
    depth = 0
    straight = 0
    for ch in _DOUBLE_MARKS.findall(text):  # the marks alone, not every character
        if ch in _OPEN_Q:
            depth += 1
        elif ch in _CLOSE_Q:
            depth -= 1
            if depth < 0:
                return False
        elif ch == '"':
            straight += 1
    if depth != 0 or straight % 2:
        return False
    if "‘" not in text:
        return True
    opens = [m.start() for m in re.finditer("‘", text)]
    closes = [m.start() for m in re.finditer("’(?![A-Za-z])", text)]
    return all(any(c > o for c in closes) for o in opens)


_DOUBLE_MARKS = re.compile("[" + re.escape(_OPEN_Q + _CLOSE_Q) + '"]')


def is_weak_opening(text: str) -> bool:
    return first_word(text) in WEAK


# ---------------------------------------------------------------- whether a claim is the author's own argued point
# a demonstrative that points back at a thing named before: "this core", "these methods", "such a party"; the text
# speaking of itself ("this article") or of a span of time ("this period") points at nothing before it
_BACK_REFERENCE = re.compile(
    r"\b(?:this|these)\s+(?!(?:is|was|are|were|who|which|that|book|reading|chapter|article|essay|review|"
    r"pamphlet|study|century|decade|year|period|day|way|time|sense|respect|regard)\b)[a-z]+"
    r"|\bsuch an?\s+[a-z]+[.!?]?$"
    r"|\b(?:on|in|under|by|from|of)\s+such\s+(?!as\b)[a-z]+s\b(?!\s+as\b)"  # "…a parasite on such circumstances"
    r"|,\s+they\s+[a-z]+"  # "From the fact that …, they drew a false conclusion"
    # "those internal party checks" (which?), not "those who…", "those it fears" (the clause says who)
    r"|\bthose\s+(?!(?:who|whom|which|that|whose|of|in|at|on|with|for|it|he|she|they|we|I|you)\b)[a-z]+\s+[a-z]+"
    r"|\b(?:in|by|from|after|until|since|at)\s+that\s+(?:year|time|moment|period|month|decade|point|stage)\b",
    re.IGNORECASE,
)
# "Lenin and Trotsky both commented…", "Trotsky also thought…": a named figure's view reported, not the author's
_REPORTED_VIEW = re.compile(
    r"^(?P<who>[A-Z][\w’'-]+(?:\s+and\s+[A-Z][\w’'-]+)?)\s+(?:(?:both|also|himself|themselves|later|then|still|"
    r"had|has|have|always|often)\s+){0,2}(?:thought|believed|commented|argued|said|wrote|claimed|insisted|stated|"
    r"declared|maintained|held|warned|explained|noted|knew|felt|feared|hoped|pointed out|recognised|recognized)\b"
)
# narration inside an argument: a scene's time ("that night") or an exclamation told in the historic present
_NARRATION = re.compile(
    r"\b(?:that|the same|the next|the following)\s+(?:night|day|morning|evening|afternoon)\b|!"
    r"|\bthe (?:previous|next|following) (?:day|week|month|year)\b",
    re.IGNORECASE,
)


_SENTENCE_END = re.compile(r"(?<=[.!?])[”\"]?\s+(?=[“\"]?[A-Z])")


def first_sentence(text: str) -> str:
    return _SENTENCE_END.split(text.strip(), maxsplit=1)[0]


def points_back(text: str) -> bool:
    """Whether a claim's first sentence leans on one before it: "This…"/"These…" openings (`dangling`, `leans`)
    or a demonstrative, "such a…" or a bare "they" that names nothing the sentence itself has named."""
    opening = first_sentence(text)
    return dangling(text) or leans(text) or bool(_BACK_REFERENCE.search(opening))


def reports_view(text: str, author: str) -> str | None:
    """The figure whose view the claim reports ("Trotsky also thought…"), None when it is the author's own."""
    match = _REPORTED_VIEW.match(text)
    if match is None or author in match.group("who").split():
        return None
    return match.group("who")


def narrates(text: str) -> bool:
    """A scene told as narration (a time of day, "the previous month", an exclamation) rather than a point argued."""
    return bool(_NARRATION.search(text))


# "…the Russian Revolution has reached its deciding moment", "…have taken control in the city": a scene reported as
# it happens; an argued claim in the present perfect carries a cue of its own, so only uncued sentences are asked
_PRESENT_PERFECT = re.compile(
    r"\b(?:has|have)\s+(?:\w+ly\s+)?(?:[a-z]+ed|taken|begun|come|risen|fallen|won|lost|gone|"
    r"seen|given|broken|driven|become|ceased|reached)\b"
)


def reports_scene(text: str) -> bool:
    """A sentence telling a scene in the historic present or present perfect with no cue of argument."""
    opening = first_sentence(text)
    return bool(_PRESENT_PERFECT.search(opening)) and cues.thesis_cues(opening) + cues.dispute_cues(opening) == 0


# asked of many passages: the lower-case patterns on folded text find the same, faster (cues.lower_case)
_EDITORIAL_FOLDED, _DEAD_LINK_FOLDED = cues.lower_case(_EDITORIAL), cues.lower_case(_DEAD_LINK)

# The rules in the order `problems` names them; `stands_alone` asks the same rules, those most often broken first.
_RULES: tuple[tuple[str, Callable[[str], bool]], ...] = (
    ("length", _bad_length),
    ("not a sentence start", _no_start),
    ("not a sentence end", _no_end),
    ("a sentence inside starts in lower case", _matches(_LOWER_INSIDE)),
    ("unbalanced quotation marks", _unbalanced),
    ("footnote marker", _matches(_FOOTNOTE)),
    ("boilerplate", is_boilerplate),
    ("dangling opening", dangling),
    ("leans on the sentence before", leans),
    ("run-on across a lost break", _run_on),
    ("link text", lambda text: _DEAD_LINK_FOLDED.search(cues.fold(text)) is not None),
    ("fragment", _fragment),
)
_RULE = dict(_RULES)
_MOST_BROKEN_FIRST = tuple(
    _RULE[name]
    for name in (
        "length",
        "dangling opening",
        "leans on the sentence before",
        "not a sentence end",
        "not a sentence start",
        "a sentence inside starts in lower case",
        "fragment",
        "unbalanced quotation marks",
        "footnote marker",
        "run-on across a lost break",
        "boilerplate",
        "link text",
    )
)
