"""Argument or narrative: whether a book argues (essays, history, theory) or tells (fiction, memoir).

The two get different prompts: a claim can be weighed, a narrator's aside cannot be asked for a historian's
evidence. Told from surface features that separate the two registers well (Biber's dimensions of register
variation: narrative concern shows in past-tense verbs, third-person pronouns and reported speech;
argument in dates, figures and claim cues): the share of paragraphs that are dialogue, speech verbs after
quotations, personal pronouns, and dates and argument cues per thousand words. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.ingest import cues

ARGUMENT = "argument"
NARRATIVE = "narrative"
_SPEECH = re.compile(
    r"[,!?]\s*[”\"]\s*(?:said|cried|asked|replied|answered|whispered|exclaimed|returned|added)\b|"
    r"[”\"]\s*(?:he|she|I) (?:said|cried|asked|replied|answered)\b"
)
_PRONOUNS = re.compile(r"\b(?:he|she|him|her|his|I|me|my)\b")


def classify(paragraphs: Iterable[str]) -> str:
    """ "narrative" or "argument" for a whole book's paragraphs."""
    texts = [p for p in paragraphs if p.strip()]
    if not texts:
        return ARGUMENT
    words = sum(len(p.split()) for p in texts) or 1
    per_thousand = 1000 / words
    dialogue = sum(1 for p in texts if p.lstrip()[:1] in '“"') / len(texts)
    speech = sum(len(_SPEECH.findall(p)) for p in texts) * per_thousand
    pronouns = sum(len(_PRONOUNS.findall(p)) for p in texts) * per_thousand
    dates = sum(len(cues.years(p)) for p in texts) * per_thousand
    argued = sum(cues.thesis_cues(p) + cues.dispute_cues(p) for p in texts) * per_thousand
    narrative_signs = 3 * dialogue + 0.4 * speech + 0.03 * pronouns
    argument_signs = 0.25 * dates + 0.08 * argued
    return NARRATIVE if narrative_signs > argument_signs + 1.0 else ARGUMENT


def features(paragraphs: Iterable[str]) -> dict[str, float]:
    """The numbers `classify` weighs, for tests and the review script."""
    texts = [p for p in paragraphs if p.strip()]
    words = sum(len(p.split()) for p in texts) or 1
    per_thousand = 1000 / words
    return {
        "dialogue": round(sum(1 for p in texts if p.lstrip()[:1] in '“"') / max(1, len(texts)), 3),
        "speech": round(sum(len(_SPEECH.findall(p)) for p in texts) * per_thousand, 2),
        "pronouns": round(sum(len(_PRONOUNS.findall(p)) for p in texts) * per_thousand, 2),
        "dates": round(sum(len(cues.years(p)) for p in texts) * per_thousand, 2),
        "argued": round(sum(cues.thesis_cues(p) + cues.dispute_cues(p) for p in texts) * per_thousand, 2),
    }
