"""Editors', publishers' and translators' matter: out of the readings, into the book's provenance.

A republished text carries words that are not the author's: a standfirst ("We republish a pamphlet…",
"This chapter from X's work…"), a note about the series ("NOTE: This is the first of three linked
documents…"), the place of first publication, the translator, an invitation to buy the full volume. A
group reading the text should not read them aloud as the author's, but they say where the text comes from,
so they are kept as the book's provenance (shown by `library show`, used for attribution), never dropped.

Only the edges of the text are searched — the first and last few paragraphs — and only for the editorial
voice (we publish, we reproduce, first published, translation, note), so the author's own prose is safe.
"""

from __future__ import annotations

import re

from bot.ingest.clean import Block

EDGE = 4  # paragraphs searched at each end
_NOTE = re.compile(
    r"^\[?(?:NOTE|Note|Editor[’']?s[’']? note|Editors[’']? note|Publisher[’']?s note|Translator[’']?s note|"
    r"Transcriber[’']?s[’']? note|Producer[’']?s note|Editorial note|Ed\. note)\s*[:.—–-]\s*\S",
    re.I,
)
_FIRST_PUBLISHED = re.compile(
    r"^(?:This (?:article|essay|text|chapter|review|piece|speech|pamphlet) (?:was )?)?"
    r"(?:first|originally) (?:published|appeared|printed|released|delivered)\b",
    re.I,
)
_TRANSLATION = re.compile(
    r"^(?:Translation|Translated(?: from (?:the )?[A-Z][a-z]+)?(?: by)?|Translator|English translation)\s*(?::|by)?\s+"
    r"[A-Z]",
)
_ORIGINAL_LABEL = re.compile(r"^Original(?: [\w'’]+){0,4} (?:Introduction|Preface|Note|Foreword)\s*:?$", re.I)
# the republisher speaking in its own voice about the text
_STANDFIRST = re.compile(
    r"\b(?:we (?:are )?(?:re)?publish(?:ing)?|we (?:are )?reproduc(?:e|ing)|we (?:are )?post(?:ing)?|"
    r"we republish|we encourage|encourage (?:our )?readers|reading guide|supplementary text|"
    r"(?:is|are) available (?:here )?(?:from|through|at)|purchase the (?:full )?(?:volume|book)|"
    r"this (?:article|chapter|essay|pamphlet|review|text|piece),? (?:which|from|first|originally|was))\b",
    re.I,
)
# the same voice in lines the boilerplate pass already took out: kept as provenance too
_PROMOTION = re.compile(
    r"\b(?:(?:is|are) available (?:here )?(?:from|through|at)|purchase|order (?:a|your) copy)\b", re.I
)


def is_editorial_note(text: str) -> bool:
    """ "NOTE: …", "[Transcriber's note: …]", "Editor's note — …": a note in the editors' own voice."""
    return bool(_NOTE.match(text))


def _editorial(text: str, at_start: bool) -> bool:
    words = len(text.split())
    if _NOTE.match(text) or _ORIGINAL_LABEL.match(text):
        return True
    if words <= 40 and (_FIRST_PUBLISHED.match(text) or _TRANSLATION.match(text)):
        return True
    return words <= 250 and bool(_STANDFIRST.search(text)) and (at_start or words <= 80)


def take_provenance(blocks: list[Block], removed: list[str]) -> tuple[list[Block], list[str]]:
    """The blocks without the editorial paragraphs at their edges, and those paragraphs (in order) together
    with promotion lines the boilerplate pass removed."""
    paras = [i for i, b in enumerate(blocks) if b.kind == "para"]
    if len(paras) <= 2 * EDGE:
        return blocks, [t for t in removed if _PROMOTION.search(t) and len(t) < 400]
    taken: set[int] = set()
    for i in paras[:EDGE]:
        if _editorial(blocks[i].text, at_start=True):
            taken.add(i)
    # an editor's introduction of several paragraphs ends at its label ("Original PR Introduction:")
    labels = [i for i in paras[:EDGE] if _ORIGINAL_LABEL.match(blocks[i].text)]
    if labels:
        taken.update(i for i in paras if i <= labels[0])
    for i in paras[-EDGE:]:
        if _editorial(blocks[i].text, at_start=False):
            taken.add(i)
    notes = [blocks[i].text for i in sorted(taken)]
    notes += [t for t in removed if _PROMOTION.search(t) and len(t) < 400 and t not in notes]
    return [b for i, b in enumerate(blocks) if i not in taken], notes
