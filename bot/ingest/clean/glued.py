"""Pages flattened into one line: re-divided into paragraphs, with glued headings and captions split off.

Over 400 lines: the cut and seam patterns and the splitter that applies them are read together; the
book-pattern helpers already live in line_pattern.py.
"""

from __future__ import annotations

import itertools
import re

from bot.ingest.clean.boilerplate import CREDIT_WORDS, find_tag_trail
from bot.ingest.clean.line_pattern import (
    CAPS_THEN_TEXT,
    ROMAN_PART_THEN_TEXT,
    known_word_cuts,
    number_cuts,
    own_label_cuts,
    own_label_words,
    roman_part_cuts,
    split_by_first_word,
    split_caps_tail,
    year_cuts,
)
from bot.ingest.clean.model import Block

_INITIAL_BEFORE = re.compile(r"(?:^|[\s(\[“\"'‘.])[A-Z]$")
_ABBREV_BEFORE = re.compile(r"(?:^|\W)(?:Mr|Mrs|Ms|Dr|St|Jr|Sr|vs|No|Vol|pp?|ed|eds|cf|Fig|Prof|Gen|Col|Capt|Rev|Mt)$")
# A sentence end glued to the next sentence: "…International.The October Revolution…"
_GLUED_BOUNDARY = re.compile(
    r"(?=[.!?…\"'”’):])"  # the first character any branch can start with: lets the scan skip plain text fast
    r"(?:[.!?…]+[\"'”’)\]]*|[\"'”’]?\)|:(?=[\"“][A-Z]))"  # sentence end, closing bracket, or colon before a quote
    r"(?=[\"“‘']?[A-Z][a-z]|[\"“‘']?[AI]\s|[\"“][A-Z]|\d{1,2}\.\s+\S|‘[A-Z]|\.\.\.[a-z]|"
    r"[A-Z]{3,15}\s+[IVXLC]{1,7}\.|"  # a label in capitals, whatever its word: "…Amen.SERMON II.On Bridges"
    r"[A-Z]{2,20}(?:\s[A-Z]{2,20}){0,2}[.:]\s+[A-Z\[‘“\"]|"  # a speaker: "…Lane?LANE.  I didn't", "…you?CRITO: Yes"
    r"\[(?:Footnote|Illustration)\b|"  # an e-text's note or picture placeholder: "…it.[Footnote 1: Lucian…]"
    r"[A-Z]{2,}(?:[ ,'’-]+[A-Z]{2,})*\.?(?:[A-Z][a-z]|[AI]\s|$))"  # a line in capitals: "…gone.ON KEYSA key",
    # "…reason.OF MONARCHY AND HEREDITARY SUCCESSION.Mankind"
)
# "xx.Yy": matched from the mark and looking back, which skips ordinary text ten times faster than
# starting with [a-z]{2}; `needs_glue_split` drops overlaps so it counts exactly like findall would
_GLUED_SIGNAL = re.compile(
    r"[.!?](?<=[a-z]{2}[.!?])[\"'”’)]*"
    r"(?:[A-Z][a-z]|[AI]\s|[A-Z]{2,20}(?:\s[A-Z]{2,20}){0,2}[.:]\s+[A-Z\[‘“\"]|\d{1,3}(?:[A-Z][a-z]|[AI]\s))"
)  # the last: a chapter or poem number glued between two texts ("…with thee.2When forty winters")
_NAME_PREFIX = re.compile(r"(?:^|\s)(?:Mc|Mac|O’|O'|De|Di|Da|Du|La|Le|Van|Von|Fitz|St)$")
_SMALL_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "nor",
        "but",
        "of",
        "in",
        "on",
        "at",
        "to",
        "for",
        "by",
        "with",
        "from",
        "as",
        "into",
        "onto",
        "over",
        "under",
        "per",
        "vs",
        "versus",
        "via",
        "de",
        "la",
        "le",
        "du",
        "des",
        "von",
        "van",
        "der",
        "den",
        "di",
        "da",
    ]
)
_CAPTION = re.compile(
    r"(?P<caption>[^.!?/\n]{3,160}?) / (?P<credit>(?:(?:Image|Photo|Picture|Photograph|Credit|Source|"
    r"Illustration)s?:\s?)?)"
)
_CREDIT_END = re.compile(r"(?<=[a-z0-9.)])(?=[A-Z\"“‘])|(?<=[A-Z])(?=[A-Z][a-z])")


def is_title_case(phrase: str) -> bool:
    words = [w for w in re.split(r"\s+", phrase.strip()) if w]
    if not words:
        return False
    significant = 0
    for i, word in enumerate(words):
        core = word.lstrip("‘“\"'(.…[")
        if not core:
            continue
        if i > 0 and core.lower().strip("’'\",:;)") in _SMALL_WORDS:
            continue
        if not (core[0].isupper() or core[0].isdigit()):
            return False
        significant += 1
    return significant >= 1


# where a heading meets the first word of its text: "…Lights" + "The" (the look-ahead first: it fails sooner)
_HEAD_BODY_SEAM = re.compile(r"(?=[A-Z\d][a-z\d-])(?<=[a-z’'”\")\]…\d.])")


_LABEL_WORD = (
    r"(?:CHAPTER|Chapter|BOOK|Book|PART|Part|VOLUME|Volume|STAVE|Stave|LETTER|Letter|SECTION|Section|ACT|Act|"
    r"SCENE|Scene)"
)
_ORDINAL = (
    r"(?:(?:[Tt]he|THE)\s+(?:First|Second|Third|Fourth|Fifth|Sixth|Seventh|Eighth|Ninth|Tenth|Last|FIRST|SECOND|"
    r"THIRD|FOURTH|FIFTH|SIXTH|SEVENTH|EIGHTH|NINTH|TENTH|LAST)|"
    r"(?:ONE|TWO|THREE|FOUR|FIVE|SIX|SEVEN|EIGHT|NINE|TEN|ELEVEN|TWELVE|One|Two|Three|Four|Five|Six|Seven|Eight|"
    r"Nine|Ten|Eleven|Twelve)(?![a-z]))"
)
# an ordinal before the label word, in capitals: "FIRST ACT", "THE SECOND BOOK"
_ORDINAL_LABEL = (
    r"(?:THE\s+)?(?:FIRST|SECOND|THIRD|FOURTH|FIFTH|SIXTH|SEVENTH|EIGHTH|NINTH|TENTH|ELEVENTH|TWELFTH|LAST)\s+"
    r"(?:ACT|PART|BOOK|VOLUME|CHAPTER|STAVE|CANTO)(?![a-z])"
)
_ORDINAL_THEN_TEXT = re.compile(rf"({_ORDINAL_LABEL})\.?(?=[A-Z‘“\"]|\s*$)")
_MATTER_WORD = r"(?:PREFACE|FOREWORD|INTRODUCTION|PROLOGUE|EPILOGUE|AFTERWORD|CONCLUSION|POSTSCRIPT)"
# where a heading glued to what comes before it begins: a chapter label right after any character, or a
# Roman-numbered title right after a sentence end ("…lost.CHAPTER II: THE STORM…", "…lost.II. The Storm…",
# "…lost.III.THE END OF IT…"), or a matter word in capitals before its text ("…GREAVEPREFACEThe mill…")
_LABEL_CUT = re.compile(
    r"(?=[A-Z\d])(?:"  # every branch starts at a capital or a digit: other positions fail at C speed
    rf"(?<=\S)(?={_LABEL_WORD}\s+(?:[IVXLC]+(?:\b|(?=[A-Z][a-z]|A\s))|\d{{1,3}}\b|{_ORDINAL}))|"
    r"(?<=\s)(?=(?:CHAPTER|BOOK|PART|VOLUME|STAVE|LETTER)\s+(?:[IVXLC]+|\d{1,3})\b)|"  # capitals: never mid-sentence
    rf"(?<=\S)(?={_MATTER_WORD}\.?(?:[A-Z][a-z]|[AI]\s))|"  # "…GREAVEPREFACEThe", "…MDCCLXXVI.INTRODUCTION.Perhaps"
    rf"(?<=\S)(?={_ORDINAL_LABEL})|"  # "…dusk.FIRST ACTSCENE", "…CURTAINSECOND ACT"
    r"(?<=[A-Z]{2})(?=\d{1,2}\.\s+[A-Z])|"  # a numbered title after capitals: "…DUNNING1. The Lamps"
    r"(?<=[a-z.!?])(?=[IVX]{1,4}[A-Z][a-z])|"  # a part's numeral between a title and its text: "…WifeIThe road"
    r"(?<=[a-z])(?=\d{1,3}\.\s+[A-Z](?:[A-Z]|\s[A-Z]))|"  # a contents entry after a title: "…Buccaneer1. THE OLD"
    r"(?<=\S)(?=(?:CONTENTS|Contents)(?:[A-Z]|$))|"  # the contents list's own word, glued on both sides
    r"(?<=[A-Z]{2})(?<![IVXLC])(?=I\.\s+[A-Z]{2})|"  # the first of titles numbered in capitals: "CONTENTSI. OF TRUTH"
    r"(?<=[A-Z]{2})(?=(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday),)"  # a diary after its title page
    r")"
)
_BYLINE_START = re.compile(r"(?:(?:translated|edited|illustrated|written)\s+)?by\s+[A-Z]", re.I)
_NUMBER_THEN_TEXT = re.compile(r"(\d{1,3})(?=[A-Z][a-z]|[AI]\s)")
_NUMERAL_THEN_TEXT = re.compile(r"([IVX]{1,4})(?=[A-Z][a-z])")
_ROMAN_CUT = re.compile(
    r"(?=[IVXLC])(?<=[.!?\"”’)\]a-z])(?=[IVXLC]{1,7}\.(?:\s+[A-Z‘“\"]|[A-Z]{2}))"
)  # "…lost.II. The", "CrossingI. The"
# the label or number a glued heading starts with, and its separator: "CHAPTER II: ", "Book the First--", "II. "
_HEAD_PREFIX = re.compile(
    rf"(?:{_LABEL_WORD}\s+(?:[IVXLC]+|\d{{1,3}}|{_ORDINAL})\b(?:\s*(?:--|—|–|:|\.)\s*|\s+)|"
    rf"{_LABEL_WORD}\s+[IVXLC]+(?=[A-Z][a-z]|A\s)|"  # "CHAPTER IThe Landlady", "CHAPTER IIA Night": no separator
    r"[IVXLC]{1,7}\.(?:\s+|(?=[A-Z]{2}))|\d{1,2}\.\s+|\d{1,3}(?=[A-Z][a-z]|[AI]\s))"
)
# a label glued straight to its text with no title between: "LETTER I.To Mrs. Saville" → "LETTER I"
_LABEL_THEN_TEXT = re.compile(rf"({_LABEL_WORD}\s+(?:[IVXLC]+|\d{{1,3}}|{_ORDINAL}))\.(?=[A-Z‘“\"][a-z]|[AI]\s)")
_MATTER_THEN_TEXT = re.compile(rf"({_MATTER_WORD})\.?(?=[A-Z][a-z]|[AI]\s)")
# a label whose numeral runs straight into the first sentence, no stop: "CHAPTER IIMy master's family…"
_LABEL_NUMERAL_THEN_TEXT = re.compile(rf"({_LABEL_WORD}\s+[IVXLC]+)(?=[A-Z][a-z]|A\s)")
# a label whose numeral ends in the pronoun I of its first sentence: "CHAPTER II" + "I resisted" read as
# "CHAPTER III resisted" (no sentence begins in lower case)
_LABEL_THEN_PRONOUN = re.compile(rf"({_LABEL_WORD}\s+[IVXLC]+)(?=I\s+[a-z])")

# "…THE STORM" + "The wind", "…ISLAND" + "by Robert" (not "ISLAN" + "Dby"), "…Benbow" + "SQUIRE TRELAWNEY"
_CAPS_BODY_SEAM = re.compile(
    r"(?=[A-Zb\"“])(?:"  # each branch starts at a capital, a byline's "by" or a quote: others fail at once
    r"(?<=[A-Z]{2})(?=[A-Z][a-z])(?![A-Z]by\s)|(?<=[A-Z]{2})(?=by\s+[A-Z])|(?<=[a-z])(?=[A-Z]{2}|A\s[A-Z]{2})|"
    r"(?<=[A-Z]{2})(?=[\"“][A-Z][a-z])|"  # "…A CASE OF IDENTITY" + "\"My dear fellow,\""
    r"(?<=[A-Z]{3})(?=[AI]\s[a-z])"  # "…THE RED-HEADED LEAGUE" + "I had called"
    r")"
)


def _seams(text: str) -> list[int]:
    """Where a heading may end and its text begin, in order: after a lowercase letter or a capital run."""
    cuts = {m.start() for m in _HEAD_BODY_SEAM.finditer(text)} | {m.start() for m in _CAPS_BODY_SEAM.finditer(text)}
    return sorted(cuts)


def _split_glued_heading(segment: str) -> tuple[str, str] | None:
    """If the segment starts "Heading TextFirst word of the next sentence…", return (heading, rest)."""
    numbered = _HEAD_PREFIX.match(segment)
    offset = numbered.end() if numbered else 0
    for seam in _seams(segment[offset : offset + 120]):
        cut = offset + seam
        head, rest = segment[:cut], segment[cut:]
        if head.endswith(" ") or not head.strip() or re.search(r"(?:^|\s)[‘“\"']$", head):
            return None
        if _NAME_PREFIX.search(head) or (re.search(r"\d$", head) and rest[0].isdigit()):
            return None
        if rest[0].isdigit() and not re.match(r"\d{4}\b", rest):
            return None  # only a year may follow a heading directly ("The Turning Point1923-1924 …")
        body = head[offset:]
        if re.search(r"[!?;:]|(?<!\.)\.(?!\.)|\s\.\s", body.strip(".… ")):
            return None
        if body.rstrip("\"”’' ").endswith(","):
            return None  # '"MY DEAR FRIEND,"If you are…': a letter's salutation, no heading
        words = body.split()
        if not 1 <= len(words) <= 12 or len(head) > 110:
            return None
        if not numbered and not is_title_case(body):
            return None
        if len(rest.split()) < 4:
            return None
        if numbered and offset and (segment[offset - 1].isupper() or segment[offset - 1].isdigit()):
            # "CHAPTER IThe Landlady", "2Black Dog Appears"
            return f"{segment[:offset]}: {body}".strip(), rest
        return head.strip(), rest
    return None


def _find_captions(line: str) -> list[tuple[int, int, str]]:
    """Spans of "Caption text / Image: credit" inserted between two glued sentences."""
    spans: list[tuple[int, int, str]] = []
    for m in re.finditer(r" / ", line):
        slash = m.start()
        # caption starts after the previous sentence end (or line start)
        before = line[max(0, slash - 200) : slash]
        b = max(before.rfind(". "), before.rfind("? "), before.rfind("! "), before.rfind(") "), before.rfind("” "))
        start = slash - len(before) + (b + 2 if b >= 0 else 0)
        if b < 0 and slash > 200:
            continue
        after = line[m.end() : m.end() + 120]
        label = re.match(r"(?:Image|Photo|Picture|Photograph|Credit|Source|Illustration)s?:\s?", after)
        credit_start = m.end()
        tail = after[label.end() :] if label else after
        end_m = _CREDIT_END.search(tail)
        lic = CREDIT_WORDS.match(tail)
        if lic and (not end_m or end_m.start() > 90 or tail[lic.end() : lic.end() + 1].isspace()):
            credit_len = lic.end()
        elif end_m and end_m.start() <= 90:
            credit_len = end_m.start()
        elif label and len(tail) < 90:
            credit_len = len(tail)
        else:
            continue
        if not label and not end_m:
            continue
        end = credit_start + (label.end() if label else 0) + credit_len
        if not label and not re.fullmatch(r"[A-Z][\w.’'-]*(?: [A-Z][\w.’'-]*){0,4}", line[credit_start:end]):
            continue
        spans.append((start, end, line[start:end].strip()))
    return spans


def split_glued_line(line: str, removed: list[str], first_line: bool) -> list[Block]:
    """Re-divide a page flattened into one line into paragraphs and headings."""
    pieces: list[str] = []
    cursor = 0
    captions = _find_captions(line)
    for start, end, caption in captions:
        pieces.append(line[cursor:start])
        if first_line and cursor == 0 and start == 0:
            # masthead: "Title Tag Tag Featured Tag Caption / Image: credit"
            cap_text, _, credit = caption.partition(" / ")
            found = find_tag_trail(cap_text)
            if found:
                core, tags, cap = found
                pieces[-1] = core
                removed.append(tags)
                removed.append(f"{cap} / {credit}".strip())
                pieces.append("\n")
                cursor = end
                continue
        removed.append(caption)
        pieces.append("\n")
        cursor = end
    pieces.append(line[cursor:])
    text = "".join(pieces)
    blocks: list[Block] = []
    for chunk in text.split("\n"):
        chunk = chunk.strip()
        if not chunk:
            continue
        own = own_label_words(chunk)
        vocabulary: dict[str, int] = {}  # the chunk's words in lower case, counted once when first needed
        numbers = number_cuts(chunk)
        counted = bool(numbers)  # the line's chapter numbers count up: one alone is a heading
        roman_parts = bool(roman_part_cuts(chunk))
        own_then_text = re.compile(rf"((?:{'|'.join(own)})\s+[IVXLC]{{1,7}})\.(?=[A-Z‘“\"][a-z])") if own else None
        for segment in _split_at_boundaries(chunk, numbers | own_label_cuts(chunk, own)):
            before, segment = split_caps_tail(segment)
            if before:
                blocks.append(Block("para", before))
            caps = (
                None
                if _HEAD_PREFIX.match(segment) or _ORDINAL_THEN_TEXT.match(segment) or _MATTER_THEN_TEXT.match(segment)
                else CAPS_THEN_TEXT.match(segment)
            )
            if caps and len(segment[caps.end() :].split()) >= 4 and not _BARE_LABEL.search(caps.group(1)):
                # a line in capitals glued to its text: a para of its own, and the book's pattern decides
                # later whether it is a heading ("ON KEYSA key is…") or a shout ("…HARVEST SUPPER TONIGHTThe")
                blocks.append(Block("para", caps.group(1)))
                segment = segment[caps.end() :]
            ordinal = _ORDINAL_THEN_TEXT.match(segment)
            glued = (ordinal.group(1), segment[ordinal.end() :].lstrip(". ")) if ordinal else None
            pronoun = None if glued else _LABEL_THEN_PRONOUN.match(segment)
            if pronoun:
                glued = (pronoun.group(1).strip(), segment[pronoun.end() :])
            glued = glued or _split_glued_heading(segment)
            bare = (
                None
                if glued
                else (
                    _LABEL_THEN_TEXT.match(segment)
                    or _LABEL_NUMERAL_THEN_TEXT.match(segment)
                    or _MATTER_THEN_TEXT.match(segment)
                    or _NUMERAL_THEN_TEXT.match(segment)
                )
            )
            own_label = None if glued or own_then_text is None else own_then_text.match(segment)
            if own_label:  # "SERMON I.On Patience.": the book's own label, however short its title
                glued = (own_label.group(1), segment[own_label.end() :].lstrip(". "))
            elif bare and len(segment.split()) > 4:
                glued = (bare.group(1), segment[bare.end() :].lstrip(". "))
            elif not glued and (part := ROMAN_PART_THEN_TEXT.match(segment)) and roman_parts:
                glued = (part.group(1), segment[part.end() :])  # "II.At three o'clock": a part, no title
                if not glued[1].strip():
                    blocks.append(Block("heading", glued[0], strong=True))
                    continue
            elif not glued and counted and (number := _NUMBER_THEN_TEXT.match(segment)):
                glued = (number.group(1), segment[number.end() :])  # "2When forty winters…": a number, no title
            if glued:
                blocks.extend(_heading_blocks(glued[0], chunk, vocabulary))
                segment = glued[1]
                head = glued[0]
                for _ in range(3):  # a title page glued to the first heading: "…MOTHEROn FerriesThe ferry",
                    # "AESOP'S FABLESTranslated by G. F. TownsendThe Wolf and the LambWOLF, meeting…"
                    again = _split_glued_heading(segment) if _BYLINE_START.match(head) or head.isupper() else None
                    if not again or ordinal:
                        break
                    blocks.extend(_heading_blocks(again[0], chunk, vocabulary))
                    head, segment = again
            elif _bare_label(segment):  # a contents entry or a heading with nothing glued after it
                blocks.append(Block("heading", segment, strong=True))
                continue
            blocks.append(Block("para", unglue_verse(segment)))
    return split_by_first_word(blocks)


_LONG_CAPS_TOKEN = re.compile(r"(?<![A-Z'’-])[A-Z][A-Z'’-]{11,40}(?![A-Z'’-])")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]+")


def _heading_blocks(head: str, chunk: str, vocabulary: dict[str, int]) -> list[Block]:
    """A glued heading; when it is two capitals lines glued with no seam ("THE CUSTOM-HOUSEINTRODUCTORY TO
    …"), the first is the heading and the second its subtitle, a paragraph."""
    cut = _glued_word_cut(head, chunk, vocabulary)
    if cut:
        return [Block("heading", head[:cut], strong=True), Block("para", head[cut:])]
    return [Block("heading", head, strong=True)]


def _glued_word_cut(head: str, chunk: str, vocabulary: dict[str, int]) -> int:
    """Where a heading in capitals holds two lines glued with no seam ("THE CUSTOM-HOUSEINTRODUCTORY TO…"):
    after a token's longest prefix of six letters or more that the book uses as a word elsewhere, in any case
    ("Custom-House"), leaving six capitals or more, when the whole token is not used again. 0: none.
    `vocabulary` is filled from the chunk on first use, so the chunk is read once however many headings."""
    if not head.isupper():
        return 0
    for m in _LONG_CAPS_TOKEN.finditer(head):
        if not vocabulary:
            for w in _WORD.findall(chunk):
                vocabulary[w.lower()] = vocabulary.get(w.lower(), 0) + 1
        token = m.group()
        if vocabulary.get(token.lower(), 0) >= 2:
            continue  # a word the book uses again: no two lines glued
        for k in range(len(token) - 6, 5, -1):
            if token[:k].lower() in vocabulary:
                return m.start() + k
    return 0


# verse quoted in a flattened page loses its line breaks: "…of the FatherlandHave been…", "…forty,Give us…"
_VERSE_SEAM = re.compile(r"(?=[A-Z])(?:(?<=[a-z]{3})(?=[A-Z][a-z])|(?<=[a-z][,;])(?=[A-Z][a-z]|[AI]\s))")


def unglue_verse(segment: str) -> str:
    """Lines of verse glued together get the " / " that quoted verse is written with; only where a segment
    has two such seams at least, so a lone CamelCase name is left alone."""
    seams = [m.start() for m in _VERSE_SEAM.finditer(segment)]
    if len(seams) < 2:
        return segment
    out, last = [], 0
    for cut in seams:
        out.append(segment[last:cut])
        last = cut
    out.append(segment[last:])
    return " / ".join(out)


_BARE_LABEL = re.compile(rf"{_LABEL_WORD}\s+(?:[IVXLC]+|\d{{1,3}}|{_ORDINAL})\b")


def _bare_label(segment: str) -> bool:
    """ "CHAPTER II. THE STORM" cut out of a run-together line: a label and at most a short title."""
    return (
        bool(_BARE_LABEL.match(segment))
        and len(segment) <= 100
        and len(segment.split()) <= 12
        and not (segment.endswith((",", ";", ":")) or (segment.endswith((".", "!", "?")) and segment[-2:-1].islower()))
    )


def _split_at_boundaries(chunk: str, pattern_cuts: set[int]) -> list[str]:
    """Cut at glued labels and numerals, and where the line's own pattern says (numbers, label words)."""
    cuts = sorted(
        {0}
        | {m.start() for m in _LABEL_CUT.finditer(chunk)}
        | {m.start() for m in _ROMAN_CUT.finditer(chunk)}
        | pattern_cuts
        | roman_part_cuts(chunk)
        | year_cuts(chunk)
        | known_word_cuts(chunk)
    )
    if len(cuts) == 1:
        return _split_at_sentence_ends(chunk)
    return [s for a, b in zip(cuts, [*cuts[1:], len(chunk)], strict=True) for s in _split_at_sentence_ends(chunk[a:b])]


_CAPS_TITLE_AFTER = re.compile(r"[A-Z]{2,}(?:[ ,'’-]+[A-Z]{2,})+\.(?:[A-Z][a-z]|[AI]\s|$)")


def _split_at_sentence_ends(chunk: str) -> list[str]:
    out: list[str] = []
    last = 0
    inner: list[int] = []  # sentence ends inside a quotation: the space that was lost goes back, no new paragraph

    def piece(end: int) -> str:
        cuts = [last, *inner, end]
        return " ".join(p for p in (chunk[a:b].strip() for a, b in itertools.pairwise(cuts)) if p)

    for m in _GLUED_BOUNDARY.finditer(chunk):
        cut = m.end()
        if m.group().startswith(":"):
            cut = m.end()
        before = chunk[max(0, m.start() - 12) : m.start()]
        if (
            m.group().startswith(".")
            and (_INITIAL_BEFORE.search(before) or _ABBREV_BEFORE.search(before))
            and not (_INITIAL_BEFORE.search(before) and _CAPS_TITLE_AFTER.match(chunk, cut))
        ):
            continue  # "J. Smith", "Mr. Bennet" — but "…E. A. P.THE RAVEN.Once": initials, then a title
        if before[-1:].isdigit() and m.group().startswith(".") and chunk[cut : cut + 1].isdigit():
            continue
        if cut - last < 2:
            continue
        if m.start() - last < 1500 and chunk.count("“", last, m.start()) > chunk.count("”", last, m.start()):
            inner.append(cut)  # inside a quotation: "…as well… A serious purge…” stays one paragraph
            continue
        quote = chunk.find('"', m.start(), cut)
        # straight quotes: with every earlier one closed, a quote after the mark opens the next sentence
        if quote != -1 and chunk[cut : cut + 1].isupper():
            if chunk.count('"', last, m.start()) % 2 == 0:
                cut = quote
            elif chunk[quote + 1 : quote + 2] == '"':
                cut = quote + 1
        out.append(piece(cut))
        last = cut
        inner = []
    out.append(piece(len(chunk)))
    return [s for s in out if s]


def needs_glue_split(line: str) -> bool:
    """A long line with at least two sentence ends glued to the next word ("…here.The …")."""
    if len(line) <= 200:
        return False
    found = 0
    last_end = 0
    for m in _GLUED_SIGNAL.finditer(line):
        if m.start() - 2 >= last_end:  # the two letters before the mark belong to the signal
            found += 1
            last_end = m.end()
            if found >= 2:
                return True
    return False
