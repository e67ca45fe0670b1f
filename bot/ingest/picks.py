"""Which claims a prompt may stand on: the author's own argued point, steps of one argument, a subject both texts
take positions on. Pure functions of claims (issue #14: no "this…" claim, no narration, no reported view leads; no
connection on a name mentioned in passing; no structure prompt across unrelated sentences)."""

from __future__ import annotations

from bot.ingest import cues, standalone
from bot.ingest.claims import Claim
from bot.ingest.keyphrases import Term, term_pattern
from bot.ingest.prompt_kinds import SectionDoc

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
    return not (standalone.points_back(text) or standalone.narrates(text) or standalone.reports_view(text, author))


def takes_position(claim: Claim, topic: str) -> bool:
    """Whether the claim takes a position on the subject rather than naming it in passing: the subject comes in
    the first half of the sentence (what the claim is about, not where it ends up: "…to profess support for the
    Comintern") and the sentence argues or judges ("was wrong", "ruthlessly abused"), not only reports."""
    match = term_pattern(Term(topic.lower(), topic, 0.0, 0)).search(claim.text)
    if match is None or match.start() > len(claim.text) // 2:
        return False
    return cues.thesis_cues(claim.text) + cues.dispute_cues(claim.text) + cues.evaluative(claim.text) >= 1
