"""Who speaks in a passage: the person a quotation is by, and whether a paragraph is the editor's, not the author's.

Speakers are found conservatively from the words introducing a quotation ("Trotsky wrote in 1937:", "as Lenin
put it,") or following it ("…,” wrote Trotsky."): a misattributed quote is worse than none, so a quotation whose
speaker cannot be told gets None. Editorial matter (a republisher's introduction, a magazine's standfirst, a
translator's note) is told by the way it speaks of the author in the third person next to publishing words
("Mark Hoskisson argues…", "We are republishing…", "This article first appeared…"); such paragraphs are never
"the author writes".
"""

from __future__ import annotations

import re


def _words(text: str) -> list[str]:
    return text.split()


_NAME_WORD = r"(?:(?:Mr|Mrs|Ms|Dr|St)\.|[A-Z][a-zà-ÿ’'\-]+|[A-Z]\.)"
_NAME = rf"(?P<name>{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,2}})"
_VERB = (
    r"(?:wrote|writes|noted|notes|said|says|declared|declares|observed|observes|argued|argues|explained|"
    r"explains|warned|warns|stated|states|remarked|remarks|insisted|insists|added|adds|stressed|stresses|"
    r"emphasi[sz]ed|recalled|concluded|asked|asks|replied|answered|continued|commented|proclaimed|put it|"
    r"puts it|told [\w ]{1,30}|predicted|pointed out|summed up|admitted|complained|exclaimed|describes|described|"
    # a novel's dialogue: "…,” cried Mrs. Bennet; “…,” returned her sister
    r"cried|returned|rejoined|whispered|murmured|shouted|sighed)"
)
_LEAD_INS = (
    # "Trotsky wrote in 1937:", "Lenin wrote on December 25, 1922:", "Serge recalled,"
    re.compile(rf"(?<![\w’'])(?<!\bof\s){_NAME}\s+(?:\w+ly\s+)?{_VERB}\b[^“”\"]{{0,60}}[:,]?\s*$"),
    # "as Lenin put it:", "In the words of Lenin,", "According to Trotsky,"
    re.compile(rf"\b(?:[Aa]s|[Ww]ords of|[Aa]ccording to)\s+{_NAME}(?:\s+{_VERB})?[^“”\"]{{0,40}}[:,]?\s*$"),
    # "In developing this thought, Trotsky turned to the defenders … with the following questions:"
    re.compile(
        rf"^(?:[^.!?]{{0,160}},\s+)?{_NAME}\s+(?:\w+ly\s+)?(?:{_VERB}|turned|responded|appealed|replied)\b[^.!?]*:\s*$"
    ),
)
_AFTER = (
    # "… beyond doubt,” wrote Trotsky." / "…,” Trotsky noted sarcastically, “…"
    re.compile(rf"(?:[,.!?…—–-]\s*[”\"]|”)\s*,?\s*{_VERB}\s+{_NAME}"),
    re.compile(rf"(?:[,.!?…—–-]\s*[”\"]|”)\s*,?\s*{_NAME}\s+(?:\w+ly\s+)?{_VERB}\b"),
)
_NOT_NAMES = frozenset(
    _words(
        """
        he she it they we i you this that these those the a an one someone who his her their its there here in on at
        as if when while after before during but and or so yet thus however then
        """
    )
)


def _clean_name(name: str | None) -> str | None:
    if not name:
        return None
    words = name.split()
    while words and words[0].lower() in _NOT_NAMES:
        words = words[1:]
    if not words or words[-1].lower() in _NOT_NAMES:
        return None
    return " ".join(words)


def speaker_from_lead_in(lead_in: str) -> str | None:
    """Who a quotation introduced by these words is by ("Trotsky wrote in 1937:" → "Trotsky"), or None."""
    tail = lead_in.rstrip()
    if not tail:
        return None
    sentence = re.split(r"(?<=[.!?])\s+(?=[A-Z“\"])", tail)[-1]
    for pattern in _LEAD_INS:
        match = pattern.search(sentence)
        if match and (name := _clean_name(match.group("name"))):
            return name
    return None


def block_quote_speaker(previous: str, text: str) -> str | None:
    """Who a paragraph set off without quotation marks is by, when the paragraph before introduces it ("In some
    theses unpublished at the time, Trotsky describes the origin of this mentality:"); None otherwise."""
    if not previous.rstrip().endswith(":") or text.lstrip()[:1] in "“\"‘'":
        return None
    return speaker_from_lead_in(previous)


def speaker_inline(text: str) -> str | None:
    for pattern in _AFTER:
        match = pattern.search(text)
        if match and (name := _clean_name(match.group("name"))):
            return name
    return None


# ---------------------------------------------------------------- editorial matter
_PUBLISHING = re.compile(
    r"\b(?:we (?:are )?(?:re)?(?:publish|reproduce|print|present|post)\w*|republished|"
    r"this (?:article|chapter|pamphlet|review|essay|piece|text|dossier|interview|document)\b|first (?:published|"
    r"released|appeared)|originally (?:published|appeared|written)|our readers|introduction:|editor(?:ial)?s?\b|"
    r"translat(?:ed|or|ion)\b|(?:the|our) author(?:’s|'s)?\b|supplementary text|reading guide|is here\.|"
    r"encourage (?:our )?readers)",
    re.IGNORECASE,
)


def _third_person_author(text: str, authors: tuple[str, ...]) -> bool:
    """The paragraph speaks of the book's author by name as someone else ("Mark Hoskisson argues…")."""
    for author in authors:
        parts = author.split()
        if not parts:
            continue
        name = re.escape(parts[-1])
        if re.search(
            rf"\b{name}(?:’s|'s)?\s+(?:\w+ly\s+)?(?:argues|argued|shows|writes|wrote|claims|contends|"
            rf"examines|explains|work|book|article|chapter|view|account)\b",
            text,
        ):
            return True
        if re.search(rf"\b(?:by|from|of) {re.escape(author)}\b", text) and _PUBLISHING.search(text):
            return True
    return False


def editorial_paragraphs(texts: list[str], authors: tuple[str, ...], *, opening: bool) -> set[int]:
    """0-based indices of paragraphs in the editor's or publisher's voice, not the author's.

    Only the opening of a book's first section (and a closing note) carries such matter: a standfirst, a
    republisher's note, "NOTE: This is the first of three linked documents…". A paragraph counts when it uses
    publishing words about this text or speaks of the author in the third person, and the short lines before it
    count too (a headline, a dateline), since an introduction comes before the text it introduces. A label line such as
    "Original PR Introduction:" makes the paragraph after it editorial as well.
    """
    found: set[int] = set()
    if opening:
        for i, text in enumerate(texts[:6]):
            if _PUBLISHING.search(text) or _third_person_author(text, authors):
                found.add(i)
                found.update(j for j in range(i) if len(texts[j]) < 300)  # its headline and dateline
            if re.search(r"\bintroduction:?\s*$", text.strip(), re.IGNORECASE) and i + 1 < len(texts):
                found.update((i, i + 1))
    for i in range(max(0, len(texts) - 2), len(texts)):
        if i not in found and _PUBLISHING.search(texts[i]) and re.search(r"\b(?:we|our)\b", texts[i], re.I):
            found.add(i)
    return found
