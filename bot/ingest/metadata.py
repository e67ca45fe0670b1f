"""Title, authors and date, as the text itself states them.

Scraped articles open with a header — title, maybe a dek, a byline, a date — before the first real
paragraph; books in plain text may instead say "written by …" or "a chapter from X's book “T”" in an
editor's introduction. We read only those places, never guess from the body, and reject a header date
that the body itself contradicts (a CMS placeholder like "January 1, 1917" on an article that reports
events of 2018).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.ingest.clean import Block, ends_sentence, is_date_line
from bot.ingest.clean.front_matter import roman_year
from bot.ingest.headings import subtitle_heading
from bot.ingest.provenance import is_editorial_note

_UP = "A-ZÀ-ÖØ-ÞĀ-Ž"
_LOW = "a-zß-öø-ÿā-ž"
_NAME_WORD = rf"[{_UP}][{_LOW}]+(?:[-’'][{_UP}]?[{_LOW}]+)?"
_PARTICLE = r"(?:de|da|di|van|von|der|den|du|la|le|bin|ibn|al)"
NAME = rf"{_NAME_WORD}(?:\s+(?:[{_UP}]\.\s*)*(?:{_PARTICLE}\s+)?{_NAME_WORD}){{1,3}}"
_NAME_RE = re.compile(rf"^(?:[{_UP}]\.\s*)*{NAME}$")
_BYLINE = re.compile(rf"^(?:by|written by|author:|authors:)\s+({NAME}(?:\s*(?:,|and|&)\s*{NAME})*)\.?$", re.I)
_POSTED_BY = re.compile(
    rf"^(?:(?i:posted|published|updated)(?:\s+on)?:?\s+)?(.+?)\s+(?:(?i:by)|—|–|-|\|)\s+({NAME})\.?$"
)
_WRITTEN_BY = re.compile(rf"\b(?:written|authored|penned|compiled)\s+by\s+({NAME})")
_EXCERPT = re.compile(
    rf"\b(?:chapter|excerpt|extract|section|selection|passage)s?\s+(?:is\s+)?(?:taken\s+)?from\s+(?:the\s+)?"
    rf"({NAME})[’']s?\s+(?:book|work|study|volume|monograph|history|essay|novel|treatise)\s*,?\s*"
    r"(?:“([^”]{3,200})”|\"([^\"]{3,200})\"|‘(.{3,200}?)’(?!\w))"
)
_ARGUES = re.compile(rf"(?:^|[.!?]\s+)({NAME})\s+(?:argues|contends|writes|shows|explains|maintains)\s+that\b")
_PUBLISHED = re.compile(
    r"\b(?:first\s+(?:published|released|printed|appeared)|published|publication|appeared|written)\b[^.;]{0,40}?"
    r"\b(?:in|on)\s+((?:\d{1,2}\s+)?(?:[A-Z][a-z]+\s+)?(?:\d{1,2},?\s+)?(1[5-9]\d\d|20\d\d))\b"
)
_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ]
    )
}
_MONTHS.update({m[:3]: i for m, i in list(_MONTHS.items())})
_CHAPTER_LABEL = re.compile(
    r"^(?:(?:chapter|book|part|volume|section|letter|lecture|canto|act|stave)\s+[\w.]+(?:\s*(?:--|—|–|:)\s*.*)?|"
    r"[IVXLC]+\.?|\d{1,3}\.?|\d{1,3}\.\s.*|"
    r"(?:preface|foreword|introduction|prologue|contents|table of contents|dedication|acknowledgements?)[.:]?)$",
    re.I,
)
_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")


@dataclass
class Metadata:
    title: str | None = None
    subtitle: str | None = None
    authors: list[str] = field(default_factory=list)
    date: str | None = None
    consumed: list[str] = field(default_factory=list)


def normalise_date(text: str) -> str | None:
    """ISO for what the text states: "21 December 2019" → "2019-12-21", "June 1987" → "1987-06"."""
    t = re.sub(r"^(?:published|posted|updated|first published)(?: on)?:?\s+", "", text.strip(), flags=re.I)
    t = t.replace(",", " ")
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?", t.strip())
    if m:
        return f"{m.group(1)}-{m.group(2)}-{m.group(3)}"
    parts = t.split()
    day = month = year = None
    for p in parts:
        low = p.lower().rstrip(".")
        if re.fullmatch(r"\d{4}", p):
            year = int(p)
        elif re.fullmatch(r"\d{1,2}(?:st|nd|rd|th)?", low):
            day = int(re.sub(r"\D", "", low))
        elif low in _MONTHS:
            month = _MONTHS[low]
    if year is None:
        return None
    if month and day and 1 <= day <= 31:
        return f"{year:04d}-{month:02d}-{day:02d}"
    if month:
        return f"{year:04d}-{month:02d}"
    return f"{year:04d}"


def clean_title(text: str) -> str:
    t = re.sub(r"(?<![\w*])[*_]{1,2}(?=\S)(.+?)(?<=\S)[*_]{1,2}(?![\w*])", r"\1", text.strip())
    t = re.sub(r"^\[[^\]]{1,30}\]\s+", "", t)  # "[Dossier] Title": a CMS category label
    t = re.sub(r"^#+\s*", "", t)
    return t.strip()


def is_name(text: str) -> bool:
    t = text.strip()
    return len(t) <= 50 and bool(_NAME_RE.match(t))


def _title_like(text: str) -> bool:
    t = text.strip()
    words = t.split()
    if not words or len(words) > 30 or len(t) > 250:
        return False
    if t.endswith((".", ":", ",", ";")) and not t.endswith("..."):
        return False
    return bool(t[:1].isupper() or t[:1].isdigit() or t[:1] in "“\"‘'[*_")


def _is_body(b: Block) -> bool:
    words = len(b.text.split())
    return words > 30 or (ends_sentence(b.text) and words > 12 and not b.text.rstrip().endswith(("?", "!")))


def read_header(blocks: list[Block]) -> tuple[Metadata, list[Block]]:
    """Consume the title/dek/byline/date lines that open a scraped article."""
    meta = Metadata()
    i = 0
    limit = min(len(blocks), 8)
    pattern = _caps_heading_words(blocks)
    while i < limit:
        b = blocks[i]
        text = b.text.strip()
        if (
            i == 1
            and blocks[0].kind == "heading"
            and meta.title
            and meta.subtitle is None
            and i + 1 < limit
            and subtitle_heading(b, blocks[0].level, blocks[i + 1])
        ):
            meta.subtitle = clean_title(text)  # an <h3> under the <h1> title, with no text before the next heading
            meta.consumed.append(b.text)
            i += 1
            continue
        if b.kind == "heading" and b.strong and meta.title is None and b.level == 1:
            # a level-1 structural heading opening the document is its title only if no other
            # heading shares its level
            if sum(1 for x in blocks if x.kind == "heading" and x.level == 1) == 1:
                meta.title = clean_title(text)
                meta.consumed.append(b.text)
                i += 1
                continue
            break
        if b.kind != "para" or _is_body(b) or _CHAPTER_LABEL.match(text) or is_editorial_note(text):
            break  # an editor's note under the title is provenance, not a subtitle
        if i and text.isupper() and text.split(None, 1)[0] in pattern:
            break  # "ON BUTTONS" when "ON KEYS" and "ON STRING" follow: the first heading, not a subtitle
        neighbours = [blocks[j].text for j in (i - 1, i + 1) if 0 <= j < len(blocks)]
        by = _BYLINE.match(text)
        posted = _POSTED_BY.match(text)
        if posted and is_date_line(posted.group(1)) and meta.date is None:
            meta.date = normalise_date(posted.group(1))  # "Posted on September 30, 2022 by Tomas Reyes"
            if not meta.authors:
                meta.authors.append(posted.group(2))
        elif is_date_line(text) and meta.date is None:
            meta.date = normalise_date(text)
        elif re.fullmatch(r"by\.?", text, re.I) and i + 1 < len(blocks) and _name_line(blocks[i + 1]):
            meta.consumed.append(b.text)  # a title page's "BY" on its own line, the name on the next
            i += 1
            meta.authors.append(_name_line(blocks[i]) or "")
        elif by:
            meta.authors.extend(re.split(r"\s*(?:,|\band\b|&)\s*", by.group(1)))
        elif is_name(text) and (any(is_date_line(n) for n in neighbours) or meta.title is not None):
            meta.authors.append(text)
        elif _title_like(text) and meta.title is None:
            meta.title = clean_title(text)
        elif _title_like(text) and meta.subtitle is None and not meta.authors and meta.date is None:
            meta.subtitle = clean_title(text)
        elif meta.title is not None and _imprint(text):
            year = _YEAR.search(text)
            roman = roman_year(text)
            if meta.date is None and (year or roman):
                meta.date = year.group(1) if year else roman
        else:
            break
        meta.consumed.append(b.text)
        i += 1
    if meta.title and _shouting(meta.title):
        meta.title = title_case(meta.title)
    meta.authors = [title_case(a) if _shouting(a) else a for a in meta.authors]
    if i == 0:
        return meta, blocks
    return meta, blocks[i:]


_DEGREES = re.compile(r"(?:,?\s+(?:M\.A\.|B\.A\.|D\.D\.|LL\.D\.|Ph\.D\.|F\.R\.S\.|Esq\.))+$", re.I)


def _name_line(b: Block) -> str | None:
    """A person's name standing alone on a title page ("ANNA WEIR", "J. R. GREEN, M.A."), degrees dropped."""
    if b.kind != "para":
        return None
    name = _DEGREES.sub("", b.text.strip())
    name = title_case(name) if _shouting(name) else name
    return name if is_name(name) else None


def _caps_heading_words(blocks: list[Block]) -> set[str]:
    """First words that start three or more short lines in capitals: a book's heading pattern (ON KEYS…)."""
    counts: dict[str, int] = {}
    for b in blocks:
        if b.kind == "para" and len(b.text) <= 60 and b.text.isupper():
            word = b.text.split(None, 1)[0]
            counts[word] = counts.get(word, 0) + 1
    return {w for w, n in counts.items() if n >= 3}


_IMPRINT_WORDS = re.compile(
    r"\b(?:press|publishers?|publishing|sons|company|co\.|ltd|limited|books|printed|impression|edition|"
    r"london|new york|boston|philadelphia|chicago|edinburgh|paris|toronto|copyright|all rights reserved)\b",
    re.I,
)


def _imprint(text: str) -> bool:
    """A title page's imprint: place, publisher, edition or year, in a few words and no sentence."""
    words = text.split()
    if not words or len(words) > 14 or (ends_sentence(text) and not text.rstrip().endswith(("Ltd.", "Co."))):
        return False
    return bool(
        _IMPRINT_WORDS.search(text) or _YEAR.fullmatch(text.strip(" .")) or roman_year(text) == text.strip(" .")
    )


def _shouting(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 4 and not any(c.islower() for c in letters)


_SMALL = frozenset(["a", "an", "the", "and", "or", "of", "in", "on", "at", "to", "for", "by", "with", "from"])


def title_case(text: str) -> str:
    """ "THE LIGHTKEEPER'S YEAR" → "The Lightkeeper's Year": a title page in capitals, as a reader writes it."""
    words = text.lower().split()
    out = []
    for i, w in enumerate(words):
        if i and w in _SMALL:
            out.append(w)
            continue
        out.append(re.sub(r"^([^\w]*)(\w)", lambda m: m.group(1) + m.group(2).upper(), w))
    return " ".join(out)


def read_introduction(meta: Metadata, blocks: list[Block]) -> None:
    """Fill what the header lacked from the editor's introduction (first few paragraphs)."""
    intro = [b.text for b in blocks[:6] if b.kind == "para"][:5]
    for text in intro:
        m = _EXCERPT.search(text)
        if m:
            if not meta.authors:
                meta.authors.append(m.group(1))
            if meta.title is None:
                meta.title = next(g for g in m.groups()[1:] if g).strip()
            break
    if not meta.authors:
        for text in intro:
            m = _WRITTEN_BY.search(text) or _ARGUES.search(text)
            if m:
                meta.authors.append(m.group(1))
                break
    if meta.date is None:
        for text in intro[:3]:
            m = _PUBLISHED.search(text)
            if m:
                meta.date = normalise_date(m.group(1))
                break


def plausible_date(date: str | None, body: list[str]) -> str | None:
    """Drop a date that precedes years the body itself reports as past (≥ 2 mentions)."""
    if date is None:
        return None
    year = int(date[:4])
    later = 0
    for text in body:
        for y in _YEAR.findall(text):
            if int(y) > year + 1:
                later += 1
    return None if later >= 2 else date


_SURNAME_FIRST = re.compile(
    rf"^({_NAME_WORD}(?:[- ]{_NAME_WORD})?),\s+((?:[{_UP}]\.\s*|{_NAME_WORD}\s*)+?)(?:,\s*\d{{4}}\s*-\s*\d{{0,4}})?$"
)


def surname_last(name: str) -> str:
    """ "Merrow, Agnes" (a catalogue's order, as Gutenberg and OPF files give it) → "Agnes Merrow"."""
    m = _SURNAME_FIRST.match(name.strip())
    return f"{m.group(2).strip()} {m.group(1)}" if m else name.strip()


_PG_TITLE = re.compile(r"^(?:The\s+)?Project Gutenberg(?:'s)?\s+E-?[Bb]ook\s+of\s+(.+?)(?:,\s+by\s+(.+?))?\.?$", re.I)


def gutenberg_title(title: str) -> tuple[str, str | None]:
    """ "The Project Gutenberg eBook of The Orchard Letters, by Agnes Merrow" → the title and the author."""
    m = _PG_TITLE.match(title.strip())
    if not m:
        return title, None
    return m.group(1).strip(), (m.group(2).strip() if m.group(2) else None)


_SOFTWARE = re.compile(
    r"\b(?:microsoft|word|writer|openoffice|libreoffice|acrobat|adobe|distiller|pdf|latex|tex|pdftex|xetex|"
    r"ghostscript|quartz|reportlab|calibre|indesign|quarkxpress|scribus|printer|scanner|administrator|admin|"
    r"user|owner|unknown|anonymous|author|untitled|default)\b|\.(?:docx?|odt|rtf|pdf|tex|indd)\b|@|\d{3,}",
    re.I,
)


def plausible_pdf_field(value: str | None, *others: str | None) -> str | None:
    """A PDF's Title or Author only when it reads like one: not the software that made the file, not a file
    name, not a user account, not the same as the Producer or Creator field."""
    if not value:
        return None
    v = re.sub(r"\s+", " ", str(value)).strip()
    if not v or len(v) > 200 or _SOFTWARE.search(v) or any(o and v.lower() == str(o).strip().lower() for o in others):
        return None
    if not re.search(r"[^\W\d_]{2}", v):
        return None
    return v
