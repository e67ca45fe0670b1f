"""Which claims a prompt may stand on: the author's own argued point, steps of one argument, a subject both texts
take positions on. Pure functions of claims (issue #14: no "this…" claim, no narration, no reported view leads; no
connection on a name mentioned in passing; no structure prompt across unrelated sentences)."""

from __future__ import annotations

import re

from bot.ingest import cues, standalone
from bot.ingest.claims import Claim
from bot.ingest.keyphrases import Term, term_pattern
from bot.ingest.prompt_kinds import SectionDoc
from bot.ingest.sentences import split_sentences

STEP_PARAGRAPHS = 2  # claims further apart are two claims, not steps of one argument


def consecutive(one: Claim, other: Claim) -> bool:
    """Whether two claims can be steps of one argument: in the same paragraph or at most two paragraphs apart."""
    return one.text != other.text and abs(one.passage.paragraph - other.passage.paragraph) <= STEP_PARAGRAPHS


def own_point(doc: SectionDoc, claim: Claim) -> bool:
    """A claim a leader can put to the group as the author's: it stands on its own (no "this core", "such a
    party"), argues rather than narrates ("…in the Smolny that night"), and is not another figure's view reported
    ("Trotsky also thought…", which is Trotsky's point, not the author's)."""
    author = doc.authors[0].split()[-1] if doc.authors and doc.authors[0].split() else ""
    text = claim.text
    if claim.kind == "judgement" and standalone.reports_scene(text):
        return False  # "Armed detachments … have taken control in the city": a scene, judged only by adjectives
    if not cues.has_verb(standalone.first_sentence(text)):
        return False  # "The Democratic Centralists, led by V V Osinsky, and the Workers’ Opposition, led by…"
    return not (standalone.points_back(text) or standalone.narrates(text) or standalone.reports_view(text, author))


def takes_position(claim: Claim, topic: str) -> bool:
    """Whether the claim takes a position on the subject rather than naming it in passing: the subject comes in
    the first half of the sentence (what the claim is about, not where it ends up: "…to profess support for the
    Comintern") and the sentence argues or judges ("was wrong", "ruthlessly abused"), not only reports."""
    match = term_pattern(Term(topic.lower(), topic, 0.0, 0)).search(claim.text)
    if match is None or match.start() > len(claim.text) // 2:
        return False
    return cues.thesis_cues(claim.text) + cues.dispute_cues(claim.text) + cues.evaluative(claim.text) >= 1


# "Of course, repeating a lie … does not make it true": nobody in the room would dispute it
_TRUISM = re.compile(r"^[“\"]?(?:Of course|Obviously|Naturally|Needless to say|It goes without saying)\b")
# "For a long time debates have centred on whether…": the reading describes a debate, it does not take a side
_DEBATE = re.compile(
    r"\b(?:debates?|discussions?|controvers(?:y|ies)|arguments?)\s+(?:have\s+|has\s+)?(?:long\s+)?"
    r"(?:centred|centered|focused|focussed|raged|turned|revolved)\b|\bwhether or not\b",
    re.IGNORECASE,
)
# "The danger …, it explained, could only be defeated…": someone else's words, reported in passing
_REPORTED_SPEECH = re.compile(
    r",\s*(?:it|he|she|they|[A-Z][a-z]+)\s+(?:explained|argued|said|wrote|insisted|warned|declared|added|"
    r"stated|claimed|believed|maintained)\s*,"
)
# "In the 1890s, Bernstein had developed…", "By 1923 …": a dated report opens the sentence
_DATED_START = re.compile(
    r"^[“\"]?(?:In|On|By|From|After|Before|During|Until|Since|Between)\s+(?:the\s+)?(?:(?:early|late|mid-?)\s*)?"
    r"(?:1[5-9]\d\d|20[0-2]\d|January|February|March|April|May|June|July|August|September|October|November|"
    r"December|spring|summer|autumn|winter)"
)


# "To best understand … it is necessary to compare…": the reading announces what it will do next
_SIGNPOST = re.compile(
    r"^[“\"]?To (?:best |fully |properly )?(?:understand|grasp|appreciate|see)\b|\bit is (?:necessary|important|worth|"
    r"useful|instructive) to (?:compare|look|examine|consider|recall|note|remember|begin|start)\b|"
    r"\b(?:let us|we (?:must|should|will|shall) (?:now )?)(?:look|examine|consider|turn|compare|begin)\b",
    re.IGNORECASE,
)


_REPORTED_CLAIM = re.compile(
    r"[^.;:]{0,140}?\b(?:claimed|argued|insisted|maintained|asserted|alleged|contended)\s+that\b"
    r"|[^.;:]{0,40}?\b(?:I have heard it|it (?:is|has been|hath been) (?:said|asserted|urged|argued)|some say)\b"
)
_EXHORTATION = re.compile(
    r"\blessons?\b[^.]{0,60}\bmust\b|\bwe must\b|\bit is (?:our|the) (?:task|duty)\b|\blet us\b", re.IGNORECASE
)


def contestable(claim: Claim) -> bool:
    """Whether a group could argue about the claim, so that a leader can ask for its evidence and what would count
    against it: not a truism, not a signpost, not a description of someone else's debate or words, not a report that a
    "because" makes look argued ("The Left SRs were in coalition … until March 1918, when they left … because …")."""
    text = claim.text
    if _TRUISM.match(text) or _DEBATE.search(text) or _REPORTED_SPEECH.search(text) or _SIGNPOST.search(text):
        return False
    if _REPORTED_CLAIM.match(text) and not re.match(r"[“\"]?(?:I|We)\b(?! have heard)", text):
        return False  # "Some opponents, despairing at …, claimed that the gains … had been destroyed": theirs
    if _EXHORTATION.search(text):
        return False  # "The lessons … must be relearned": a call to the group, not a claim to weigh
    if re.match(r"[“\"]?(?:If|Unless|Suppose|Supposing)\b", text) or re.search(r"\bif\b[^.]{3,120}\bthen\b", text):
        return False  # "If Thermidor began in that year then … He cannot be implicated": a reductio, not a claim
    if standalone.tells_events([text[a:b] for a, b in split_sentences(text)]):
        return False  # "The Central Committee did not approve of their action but because it recognised the norm…"
    return not dated_report(text)


# "…demonstrated a better understanding of 1921 than Trotsky": a comparison is a judgement to argue about
_COMPARED = re.compile(r"\b(?:better|worse|greater|less|more \w+)\b[^.;]{0,80}\bthan\b")


def dated_report(text: str) -> bool:
    """A sentence that opens on a date and tells what happened then: less than two cues of argument, less than two
    words of judgement ("In September 1927 Stalin demonstrated a better understanding…" argues). A dated sentence
    that does not open on its date is judged by `standalone.tells_events`."""
    argued = cues.thesis_cues(text) + cues.dispute_cues(text) + len(_COMPARED.findall(text))
    return bool(_DATED_START.match(text)) and argued < 2 and cues.evaluative(text) < 2


# a claim about the speaker's present ("The times ahead will be critical"), not about how things go in general
_DEICTIC_TIME = re.compile(
    r"\b(?:today|nowadays|now|at present|the times ahead|the decades to come|the years ahead|our time|our day)\b",
    re.IGNORECASE,
)
# "Marxists are … in agreement with anarchists that…": who holds what, not a claim about the world
_STANCE = re.compile(r"\b(?:agree|agrees|in agreement|believe|believes|hold that|holds that|think that)\b")


def applies_beyond_case(claim: Claim) -> bool:
    """Whether a general claim can be tried on other cases, as an application prompt asks: it speaks of how things
    are in general (no past-tense report, no "today"), and is not a report of who believes what."""
    text = re.sub(r"[“\"][^”\"]*[”\"]", " ", claim.text)
    if _DEICTIC_TIME.search(text) or _STANCE.search(text):
        return False
    if re.match(r"\s*The\s+\w+(?:’s|'s)\s", text):
        return False  # "The bureaucracy's philosophy … has become…": about one body, not about any
    if re.search(r"\b(?:I|we)\s+(?:\w+ly\s+)?(?:offer|propose|shall|will|now|turn|have)\b", text):
        return False  # "…wherefore, as an opening into that business, I offer the following hints": a transition
    return not cues.past_verbs(text)


# words that make the later of two claims follow from the earlier one: a step of an argument, not two claims
_INFERENCE = re.compile(
    r"\b(?:therefore|thus|hence|consequently|the result (?:was|is)|it follows|that is why|this is why|"
    r"which is why|for this reason|this meant|as a result(?! of)|"
    r"in other words|in (?:the )?last analysis|the lesson|in short|in sum)\b",
    re.IGNORECASE,
)


def follows_from(first: Claim, second: Claim) -> bool:
    """Whether the reading marks the later claim as following from the earlier ("therefore", "this meant", "which
    is why"; a "led to" or "meant that" inside a sentence joins its own parts, not it to the one before): only
    then is "how does the reading get from the one to the other" a question about the argument rather than about
    two neighbouring sentences. `first` is the claim the step starts from."""
    return first.text != second.text and bool(_INFERENCE.search(second.text))
