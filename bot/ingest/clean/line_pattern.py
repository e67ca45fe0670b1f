"""A run-together line's own heading pattern: what the book repeats tells a heading from a shout.

Flattened into one line, a book still shows its pattern: chapter numbers counting up, a capitals word
used as a label after sentence ends ("SERMON II."), lines in capitals that start with the same word ("ON
KEYS", "ON STRING"). A glued heading that shares the pattern is cut off; one that does not stays text.
"""

from __future__ import annotations

import itertools
import re

from bot.ingest.clean.model import Block

# a chapter number printed alone, glued between the text before and its title: "…a bit.\"2Black Dog Appears"
_NUMBER_CUT = re.compile(r"(?=\d)(?<=[A-Za-z.!?\"”’])(?=(\d{1,3})(?:[A-Z][a-z]|[AI]\s))")


def number_cuts(chunk: str) -> set[int]:
    """Where bare chapter numbers are glued in, if the line has them counting up (1, 2, 3: the book's own
    pattern); a lone "word1Next" is a footnote marker and is left to the notes pass."""
    found = [(m.start(), int(m.group(1))) for m in _NUMBER_CUT.finditer(chunk)]
    steps = [b - a for (_, a), (_, b) in itertools.pairwise(found)]
    ups = sum(1 for (_, a), (_, b) in itertools.pairwise(found) if b == a + 1 or b == 1)
    counting = len(found) >= 2 and 1 in steps and ups >= (len(found) - 1) / 2  # a real +1, not "1 … 1"
    return {at for at, _ in found} if counting else set()


# a label word of the book's own after a sentence end: "…Amen.SERMON II.On Bridges"
_OWN_LABEL_AFTER_END = re.compile(r"(?=[A-Z])(?<=[.!?])([A-Z]{3,15})\s+[IVXLC]{1,7}\.")


def own_label_cuts(chunk: str, own: list[str]) -> set[int]:
    """A capitals word the line uses as a label at least twice after a sentence end is this book's label
    word, so it starts a heading even glued to capitals: "…REV. AMOS PELLSERMON I.On Patience"."""
    return {m.start() for w in own for m in re.finditer(rf"(?<=[A-Z]){w}(?=\s+[IVXLC]{{1,7}}\.)", chunk)}


def own_label_words(chunk: str) -> list[str]:
    """Capitals words used as a label ("SERMON II.") after a sentence end at least twice in the line."""
    seen: dict[str, int] = {}
    for m in _OWN_LABEL_AFTER_END.finditer(chunk):
        seen[m.group(1)] = seen.get(m.group(1), 0) + 1
    return [w for w, n in seen.items() if n >= 2][:3]


# a line in capitals glued to its text: "ON KEYSA key is…", "ON BUTTONSNobody has…"
CAPS_THEN_TEXT = re.compile(r"([A-Z]{2,}(?:[ ,'’-]+[A-Z]{2,})*)(?=(?![A-Z]by\s)[A-Z][a-z]|[AI]\s)")
_ALL_CAPS = re.compile(r"^[A-Z]{2,}(?:[ ,'’.-]+[A-Z]{2,})*\.?$")


def split_by_first_word(blocks: list[Block]) -> list[Block]:
    """Lines in capitals that start with the same word at least twice ("ON KEYS", "ON STRING") show the
    book's heading pattern, so a capitals line with that word glued inside it ("…TENTH IMPRESSIONON
    BUTTONS", a title page run into the first heading) is cut where the word begins."""
    caps = [b.text for b in blocks if b.kind == "para" and _ALL_CAPS.match(b.text)]
    starts: dict[str, int] = {}
    for text in caps:
        word = text.split(None, 1)[0]
        starts[word] = starts.get(word, 0) + 1
    words = [w for w, n in starts.items() if n >= 2 and len(w) >= 2]
    if not words:
        return blocks
    out: list[Block] = []
    for b in blocks:
        glued = b.kind == "para" and _ALL_CAPS.match(b.text)
        cut = max((_glued_start(b.text, w) for w in words), default=-1) if glued else -1
        if cut > 0:
            out.extend([Block("para", b.text[:cut]), Block("para", b.text[cut:])])
        else:
            out.append(b)
    return out


def _glued_start(text: str, word: str) -> int:
    """Where `word` begins glued to the capitals before it ("IMPRESSIONON BUTTONS" → at "ON "), or -1."""
    at = text.rfind(word + " ")
    return at if at > 0 and text[at - 1].isupper() else -1


_CAPS_WORD = re.compile(r"[A-Z](?<![A-Za-z][A-Z])[A-Z]{2,19}(?![A-Za-z])")  # a word in capitals standing alone
_CAPS_RUN = re.compile(r"[A-Z]{7,40}(?=[ :,.])")


def known_word_cuts(chunk: str) -> set[int]:
    """A word in capitals the line uses on its own at least twice ("EUTHYPHRO:", a speaker) is part of the
    book's vocabulary, so a run of capitals that starts with it and goes on into another word
    ("EUTHYPHROPERSONS OF THE DIALOGUE") is cut after it: the dialogue's title, then its persons."""
    counts: dict[str, int] = {}
    for m in _CAPS_WORD.finditer(chunk):
        counts[m.group()] = counts.get(m.group(), 0) + 1
    known = {w for w, n in counts.items() if n >= 2}
    if not known:
        return set()
    cuts: set[int] = set()
    for m in _CAPS_RUN.finditer(chunk):
        run = m.group()
        if run in known:
            continue
        for k in range(len(run) - 4, 2, -1):  # the longest known word that leaves a word of four or more
            if run[:k] in known:
                cuts.add(m.start() + k)
                break
    return cuts


_CAPS_TAIL = re.compile(r"(?<=[a-z])[A-Z]{2,}(?:[ ,'’-]+[A-Z]{2,})*$")


def split_caps_tail(segment: str) -> tuple[str, str]:
    """ "…by Benjamin JowettEUTHYPHRO" before a cut: the line in capitals glued to the end is a paragraph
    of its own, and the book's pattern decides later what it is. Returns (text before it, the rest)."""
    if not segment[-1:].isupper():
        return "", segment
    end = segment[-200:]  # a line in capitals is short: only the segment's end is searched
    tail = _CAPS_TAIL.search(end)
    at = len(segment) - len(end) + tail.start() if tail else 0
    if tail is None or len(segment[:at].split()) < 2:
        return "", segment
    return segment[:at], tail.group()


_ROMAN = r"(?:X{0,3})(?:IX|IV|V?I{1,3}|V)|X{1,3}"  # I to XXXIX: a part's numeral
# a part's numeral glued between the text before and its own text: "…BOHEMIAI.To Sherlock", "…answered.II.At"
_ROMAN_PART = re.compile(rf"(?=[IVX])(?<=[A-Za-z.!?\"”’])(?<![IVXLCM])({_ROMAN})\.(?=[A-Z][a-z])")
ROMAN_PART_THEN_TEXT = re.compile(rf"({_ROMAN})\.(?=[A-Z][a-z]|\s*$)")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10}


def _value(numeral: str) -> int:
    total = 0
    for i, c in enumerate(numeral):
        v = _ROMAN_VALUES[c]
        total += -v if i + 1 < len(numeral) and _ROMAN_VALUES[numeral[i + 1]] > v else v
    return total


def roman_part_cuts(chunk: str) -> set[int]:
    """Parts numbered "I.", "II." glued to their text, where the line has them counting up (as number_cuts)."""
    found = [(m.start(), _value(m.group(1))) for m in _ROMAN_PART.finditer(chunk)]
    steps = [b - a for (_, a), (_, b) in itertools.pairwise(found)]
    ups = sum(1 for step, (_, b) in zip(steps, found[1:], strict=True) if step == 1 or b == 1)
    counting = len(found) >= 2 and 1 in steps and ups >= (len(found) - 1) / 2
    return {at for at, _ in found} if counting else set()


# a title page's year in Roman numerals glued to the capitals after it: "…AND FIELDS MDCCCLTHE CUSTOM-HOUSE"
_ROMAN_YEAR_GLUED = re.compile(
    r"(?<![A-Z])M{1,2}(?:CM|DCCC|DCC|DC|D|CD|CCC|CC|C)(?:XC|LXXX|LXX|LX|L|XL|XXX|XX|X)?"
    r"(?:IX|VIII|VII|VI|V|IV|III|II|I)?(?=[A-Z]{2})(?![IVXLCDM]+\.)"  # not inside "MDCCLXXVI.INTRODUCTION"
)


def year_cuts(chunk: str) -> set[int]:
    """After a Roman year glued to the next capitals: the title page ends with its year."""
    return {m.end() for m in _ROMAN_YEAR_GLUED.finditer(chunk[:5000])}
