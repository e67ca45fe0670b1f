"""Raw scraped text → paragraphs and headings, with every removed line reported.

The reading list is scraped web pages and e-texts, so the same debris recurs in every book we have
never seen: share bars, "most recent" sidebars, image captions with credits, tag breadcrumbs, contact
footers, Project Gutenberg licences, hard-wrapped lines, paragraphs broken mid-sentence, and pages
flattened into one line where a heading sits glued between two sentences. The rules below look at the
*shape* of such debris (short lines made only of platform names, a caption ending in "/ Image: credit",
a tail of teaser blocks with dates), never at any particular text's wording, and whatever they drop is
returned in `removed` so that tests can prove no reading text was lost.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from statistics import median

# ---------------------------------------------------------------- model of the cleaner's output


@dataclass(frozen=True)
class Block:
    """A paragraph, heading or note on its way to becoming a section."""

    kind: str  # "para" | "heading" | "note"
    text: str
    level: int = 1
    strong: bool = False  # heading from structure, numbering or glue — not a guess from a short line
    label: str | None = None  # a note's number, when it has one
    notes: tuple[str, ...] = ()  # note texts cited by this paragraph


@dataclass
class Cleaned:
    blocks: list[Block]
    removed: list[str] = field(default_factory=list)
    hints: dict[str, str] = field(default_factory=dict)  # metadata found on the way (Gutenberg header)


# ---------------------------------------------------------------- vocabularies (generic, not per text)

PLATFORMS = frozenset(
    [
        "facebook",
        "twitter",
        "instagram",
        "youtube",
        "whatsapp",
        "telegram",
        "linkedin",
        "reddit",
        "pinterest",
        "tumblr",
        "mastodon",
        "bluesky",
        "threads",
        "vk",
        "rss",
        "flipboard",
        "tiktok",
    ]
)
# a share bar is platform names plus these words
SHARE_WORDS = PLATFORMS | frozenset(
    [
        "x",
        "share",
        "tweet",
        "email",
        "e-mail",
        "mail",
        "print",
        "pocket",
        "messenger",
        "sms",
        "copy",
        "link",
        "pdf",
        "save",
        "comments",
        "comment",
    ]
)
SIDEBAR_MARKERS = re.compile(
    r"^(?:most recent|most read|most popular|recent posts|recent articles|related|related articles|related "
    r"posts|related stories|read more|read next|more from [\w .&-]+|more stories|more articles|you may also "
    r"like|you might also like|recommended|recommended for you|latest|latest news|latest articles|trending|"
    r"popular|also read|see also|keep reading|further reading on this site)\s*:?$",
    re.IGNORECASE,
)
_BOILERPLATE_STARTS = (
    r"to contact\b.{0,80}|contact us\b.{0,60}|follow us\b.{0,60}|"
    r"subscribe\b.{0,80}|sign up\b.{0,80}|join (?:our|the) (?:mailing list|newsletter)\b.{0,60}|"
    r"(?:support|donate to) (?:our|us|this)\b.{0,80}|donate\b.{0,40}|newsletter\b.{0,40}|"
    r"all rights reserved\.?|(?:copyright|©).{0,100}|tags?:.{0,200}|filed under:?.{0,150}|"
    r"posted in:?.{0,150}|categor(?:y|ies):.{0,150}|share this(?: article| page| story| post)?:?|"
    r"click here\b.{0,80}|leave a (?:comment|reply)\b.{0,40}|\d+ comments?|print this (?:article|page)|"
    r"advertisement|advertising|sponsored(?: content)?|skip to (?:main )?content|back to top|loading\.{0,3}|"
    r"(?:read more|read next|read also|see also|related|more on this(?: story| topic)?)\s*:.{0,200}|"
    r"photo(?:graph)?s? by\b.{0,80}|"
    r"(?:image|photo|photograph|picture|illustration|credit|source|caption)s?\s*:.{0,150}|"
    r"(?:buy|order|purchase) (?:it|a copy|the book|your copy|now)\b.{0,100}|"
    r"\[(?:illustration|image|picture|figure)\b[^\]]{0,300}\]"  # a scanned book's picture placeholder
)
# two kinds mention their key word anywhere in the line ("… visit:", "… is available from …"): they are
# tried only when the word is there, because a leading wildcard makes every line slow
_VISIT = r".{0,60}\bvisit:?"
_AVAILABLE = r".{0,200}\b(?:is|are) (?:now )?available (?:here|now|to (?:buy|order)|for purchase|from|at)\b.{0,100}"
_BOILERPLATE_START = re.compile(rf"^(?:{_BOILERPLATE_STARTS})$", re.IGNORECASE)
_VISIT_LINE = re.compile(_VISIT, re.IGNORECASE)
_AVAILABLE_LINE = re.compile(_AVAILABLE, re.IGNORECASE)
BOILERPLATE_LINE = re.compile(rf"^(?:{_BOILERPLATE_STARTS}|{_VISIT}|{_AVAILABLE})$", re.IGNORECASE)  # all in one
# a caption that ends in its photo credit: "… (AP Photo/Name)", "… Photograph: Name/Agency"
_AGENCY_CREDIT = re.compile(r"\((?:[A-Z][\w.&-]*\s+)?photo(?:graph)?s?\s*/[^()]{1,80}\)$", re.I)
_CREDIT_LABEL = re.compile(r"\b(?:photograph|photo|illustration|image)s?(?: credit)?:\s*[^.!?:]{2,80}$", re.I)
LINK_ONLY = re.compile(r"^(?:\[[^\]]{0,200}\]\([^)\s]{1,500}\)|<?https?://\S+>?|(?:www\.)?[\w-]+(?:\.[\w-]+)+/\S*)$")
CAPTION_TAIL = re.compile(r"^[^\[\]]{3,160}\]$")  # "One of the pamphlets found in X.]" — a caption cut from [ … ]
CREDIT_WORDS = re.compile(
    r"(?:fair use|public domain|creative commons|cc[- ]by(?:[- ][\w.-]+)?|wikimedia(?: commons)?)", re.I
)
TAG_MARKERS = frozenset(
    ["featured", "tags", "tagged", "topics", "topic", "category", "categories", "filed", "home", "news"]
)
DATE_LINE = re.compile(
    r"^(?:(?:published|posted|updated|first published)(?: on)?:?\s+)?"
    r"(?:\d{1,2}(?:st|nd|rd|th)?\s+[A-Z][a-z]+\.?,?\s+\d{4}|[A-Z][a-z]+\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}|"
    r"\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{2,4}|[A-Z][a-z]+\s+\d{4})$"
)
TERMINAL = tuple(".!?…\"”’')]")
LIST_ITEM = re.compile(r"^(?:[*•·▪–-]\s+|\(?\d{1,3}[.)]\s+|\(?[a-z][.)]\s+)")

# ---------------------------------------------------------------- small predicates


def is_share_bar(text: str) -> bool:
    if len(text) > 150 or text.count(" ") > 12:
        return False
    tokens = [t.strip(".,:;|/·•-").lower() for t in text.split()]
    tokens = [t for t in tokens if t]
    if not tokens or len(tokens) > 12:
        return False
    if not all(t in SHARE_WORDS for t in tokens):
        return False
    return any(t in PLATFORMS for t in tokens) or tokens in (["share"], ["tweet"], ["share", "tweet"])


def is_date_line(text: str) -> bool:
    return bool(DATE_LINE.match(text.strip()))


_MARKER_AFTER_END = re.compile(r"[.!?”\"’)][\d]{1,3}$")


def ends_sentence(text: str) -> bool:
    t = text.rstrip().rstrip("*_")
    # a footnote marker after the full stop ("…to families.2") still ends the sentence
    return t.endswith(TERMINAL) or bool((t[-1:].isdigit() or t.endswith("\n")) and _MARKER_AFTER_END.search(t))


def is_boilerplate(text: str) -> bool:
    """A whole paragraph that no reading group wants to read aloud."""
    t = text.strip()
    if not t:
        return False
    if len(t) > 300:
        return False
    if is_share_bar(t) or LINK_ONLY.match(t) or SIDEBAR_MARKERS.match(t):
        return True
    if _BOILERPLATE_START.match(t):
        return True
    low = t.lower()
    if ("visit" in low and _VISIT_LINE.fullmatch(t)) or ("available" in low and _AVAILABLE_LINE.fullmatch(t)):
        return True
    if t.endswith(")") and len(t) <= 330 and _AGENCY_CREDIT.search(t):
        return True
    if ":" in t and _CREDIT_LABEL.search(t):
        return True
    if CAPTION_TAIL.match(t) and len(t.split()) <= 25:
        return True
    return bool(" / " in t and re.search(r" / (?:image|photo|picture|credit|source|illustration)s?:", t, re.I))


def _tag_like(word: str) -> bool:
    return bool(re.fullmatch(r"(?:[A-Z][\w’'&-]*|\d{4}(?:-\d{2,4})?)", word))


def find_tag_trail(text: str) -> tuple[str, str, str] | None:
    """Find a CMS tag trail inside a line: "Title 1917 Stalinism Featured Stalinism Caption…".

    A trail is recognised only by CMS evidence — a marker word such as "Featured" or a tag repeated
    within a few words — and consists of single capitalised words or years. It is extended to the left
    over years only, so a title that merely ends in capitalised words is never eaten. Returns
    (before, trail, after) or None.
    """
    words = text.split(" ")
    lowered = [w.lower() for w in words]
    for k, w in enumerate(words):
        if not _tag_like(w) or w.isdigit():
            continue
        span: tuple[int, int] | None = None
        if lowered[k] in TAG_MARKERS and k > 0:
            span = (k, k)
        for j in range(k + 1, min(len(words), k + 5)):
            if lowered[j] == lowered[k] and all(_tag_like(x) for x in words[k : j + 1]):
                span = (k, j)
                break
        if span is None:
            continue
        lo, hi = span
        # absorb neighbouring marker words and repeated tags
        while (
            hi + 1 < len(words)
            and _tag_like(words[hi + 1])
            and (lowered[hi + 1] in TAG_MARKERS or lowered[hi + 1] in lowered[lo : hi + 1])
        ):
            hi += 1
        while lo > 0 and (
            re.fullmatch(r"\d{4}(?:-\d{2,4})?", words[lo - 1])
            or (lowered[lo - 1] in TAG_MARKERS and _tag_like(words[lo - 1]))
        ):
            lo -= 1
        before = " ".join(words[:lo]).strip()
        if len(before.split()) < 2:
            return None
        return before, " ".join(words[lo : hi + 1]), " ".join(words[hi + 1 :]).strip()
    return None


# ---------------------------------------------------------------- Project Gutenberg

_PG_START = re.compile(r"^\*{3}\s*START OF (?:THE|THIS) PROJECT GUTENBERG.*$", re.I | re.M)
_PG_END = re.compile(
    r"^(?:\*{3}\s*END OF (?:THE|THIS) PROJECT GUTENBERG.*|End of (?:the )?Project Gutenberg'?s? .*|"
    r"End of this Project Gutenberg.*)$",
    re.I | re.M,
)
_PG_FIELD = re.compile(r"^(Title|Author|Release [Dd]ate|Language|Translator|Editor):\s*(.+)$", re.M)


def strip_gutenberg(text: str) -> tuple[str, list[str], dict[str, str]]:
    """Drop the Project Gutenberg header and licence, keeping Title/Author/Release Date as hints."""
    if "project gutenberg" not in text.lower():  # both markers name it; a cheap test before the regexes
        return text, [], {}
    start = _PG_START.search(text)
    end = _PG_END.search(text, start.end() if start else 0)
    if not start and not end:
        return text, [], {}
    hints: dict[str, str] = {}
    removed: list[str] = []
    head = text[: start.start()] if start else ""
    for key, value in _PG_FIELD.findall(head):
        hints.setdefault(key.lower().split()[0], value.strip())
    body_start = start.end() if start else 0
    body_end = end.start() if end else len(text)
    removed.extend(line for line in text[:body_start].split("\n") if line.strip())
    removed.extend(line for line in text[body_end:].split("\n") if line.strip())
    body = text[body_start:body_end]
    # "Produced by …" credits sit right after the START line.
    m = re.match(r"\s*((?:Produced|Transcribed|E-text prepared) by[^\n]*(?:\n[^\n]+)*)\n\s*\n", body)
    if m:
        removed.extend(line for line in m.group(1).split("\n") if line.strip())
        body = body[m.end() :]
    return body, removed, hints


# ---------------------------------------------------------------- glued lines (pages flattened to one line)

_INITIAL_BEFORE = re.compile(r"(?:^|[\s(\[“\"'‘.])[A-Z]$")
_ABBREV_BEFORE = re.compile(r"(?:^|\W)(?:Mr|Mrs|Ms|Dr|St|Jr|Sr|vs|No|Vol|pp?|ed|eds|cf|Fig|Prof|Gen|Col|Capt|Rev|Mt)$")
# A sentence end glued to the next sentence: "…International.The October Revolution…"
_GLUED_BOUNDARY = re.compile(
    r"(?=[.!?…\"'”’):])"  # the first character any branch can start with: lets the scan skip plain text fast
    r"(?:[.!?…]+[\"'”’)\]]*|[\"'”’]?\)|:(?=[\"“][A-Z]))"  # sentence end, closing bracket, or colon before a quote
    r"(?=[\"“‘']?[A-Z][a-z]|[\"“‘']?[AI]\s|[\"“][A-Z]|\d{1,2}\.\s+\S|‘[A-Z]|\.\.\.[a-z])"
)
# "xx.Yy": matched from the mark and looking back, which skips ordinary text ten times faster than
# starting with [a-z]{2}; `needs_glue_split` drops overlaps so it counts exactly like findall would
_GLUED_SIGNAL = re.compile(r"[.!?](?<=[a-z]{2}[.!?])[\"'”’)]*(?:[A-Z][a-z]|[AI]\s)")
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


def _split_glued_heading(segment: str) -> tuple[str, str] | None:
    """If the segment starts "Heading TextFirst word of the next sentence…", return (heading, rest)."""
    numbered = re.match(r"(\d{1,2})\.\s+", segment)
    offset = numbered.end() if numbered else 0
    for m in _HEAD_BODY_SEAM.finditer(segment[offset : offset + 120]):
        cut = offset + m.start()
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
        words = body.split()
        if not 1 <= len(words) <= 12 or len(head) > 110:
            return None
        if not numbered and not is_title_case(body):
            return None
        if len(rest.split()) < 4:
            return None
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
        for segment in _split_at_boundaries(chunk):
            glued = _split_glued_heading(segment)
            if glued:
                blocks.append(Block("heading", glued[0], strong=True))
                segment = glued[1]
            blocks.append(Block("para", segment))
    return blocks


def _split_at_boundaries(chunk: str) -> list[str]:
    out: list[str] = []
    last = 0
    for m in _GLUED_BOUNDARY.finditer(chunk):
        cut = m.end()
        if m.group().startswith(":"):
            cut = m.end()
        before = chunk[max(0, m.start() - 12) : m.start()]
        if m.group().startswith(".") and (_INITIAL_BEFORE.search(before) or _ABBREV_BEFORE.search(before)):
            continue
        if before[-1:].isdigit() and m.group().startswith(".") and chunk[cut : cut + 1].isdigit():
            continue
        if cut - last < 2:
            continue
        out.append(chunk[last:cut].strip())
        last = cut
    out.append(chunk[last:].strip())
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


# ---------------------------------------------------------------- paragraphs from lines


def _is_hard_wrapped(lines: list[str]) -> bool:
    lengths = [len(x) for x in lines if x.strip()]
    if len(lengths) < 8:
        return False
    short = sum(1 for n in lengths if n <= 100) / len(lengths)
    return short >= 0.9 and median(lengths) >= 35


def _join(a: str, b: str) -> str:
    if re.search(r"[^\W\d_]-$", a) and b[:1].islower():
        return a + b  # keep the hyphen: we cannot tell "well-known" from a soft break
    return a + " " + b


def _continues(line: str, nxt: str) -> bool:
    """In a not-hard-wrapped file, does a line run on into the next one inside the same block?"""
    if not line or not nxt or LIST_ITEM.match(nxt) or is_date_line(nxt):
        return False
    return bool(re.search(r"(?:\b[a-z][\w’'-]*|[,;–—-])$", line)) and not nxt[0].isdigit()


_SPACE_RUN = re.compile(r"[ \t]+")
# _italics_, *emphasis*, __strong__, **strong** of plain-text and Markdown books: the marks go, the words
# stay; a lone asterisk or snake_case is left alone
_EMPHASIS = re.compile(r"(?<![\w*_])(\*{1,2}|_{1,2})(?=[^\s*_])(.+?)(?<=[^\s*_])\1(?![\w*_])")


def lines_to_paragraphs(text: str, wrapped: bool | None = None) -> list[str]:
    lines = text.split("\n")
    if wrapped is None:
        wrapped = _is_hard_wrapped(lines)
    paragraphs: list[str] = []
    current: str | None = None
    for raw in lines:
        line = raw.strip()
        if not line:
            if current is not None:
                paragraphs.append(current)
                current = None
            continue
        if current is None:
            current = line
        elif (wrapped and not LIST_ITEM.match(line)) or _continues(current, line):
            current = _join(current, line)
        else:
            paragraphs.append(current)
            current = line
    if current is not None:
        paragraphs.append(current)
    paragraphs = [_SPACE_RUN.sub(" ", p) if "  " in p or "\t" in p else p for p in paragraphs]
    return [_EMPHASIS.sub(r"\2", p) if "_" in p or "*" in p else p for p in paragraphs]


# ---------------------------------------------------------------- whole-document passes


_TEASER_END = re.compile(r"\s*(?:\[(?:…|\.\.\.)\]|\((?:…|\.\.\.)\)|…|\.\.\.)$")


def _remove_teasers(blocks: list[Block], removed: list[str]) -> list[Block]:
    """A CMS excerpt ("This year is […]") repeated in full further down is not text."""
    out: list[Block] = []
    texts = [b.text for b in blocks]
    for i, b in enumerate(blocks):
        m = (
            _TEASER_END.search(b.text)
            if b.kind == "para" and b.text.rstrip("\n").endswith(("…", "...", "]", ")"))
            else None
        )
        if m:
            stem = b.text[: m.start()].strip()
            following = " ".join(texts[i + 1 : i + 12])
            if len(stem) >= 40 and stem in following:
                removed.append(b.text)
                continue
        out.append(b)
    return out


def _remove_sidebar_tail(blocks: list[Block], removed: list[str]) -> list[Block]:
    """Drop a trailing run of related-article teasers (titles, blurbs, bylines, dates).

    The run must start at a share bar or a "Most recent"-style marker in the second half of the text, and
    everything after it must look like teasers: short blocks, with dates among them.
    """
    n = len(blocks)
    for i in range(n // 3, n):
        b = blocks[i]
        if b.kind == "note" or not (is_share_bar(b.text) or SIDEBAR_MARKERS.match(b.text.strip())):
            continue
        rest = blocks[i + 1 :]
        if any(r.kind == "note" for r in rest):
            continue
        if all(len(r.text.split()) <= 80 for r in rest) and (
            len(rest) <= 2 or sum(1 for r in rest if is_date_line(r.text)) >= 2
        ):
            removed.extend(r.text for r in blocks[i:])
            return blocks[:i]
    return blocks


def _has_words(text: str, n: int) -> bool:
    """At least n whitespace-separated words, without splitting a long paragraph in full."""
    return len(text.split(None, n)) >= n


def _rejoin(blocks: list[Block]) -> list[Block]:
    """Glue paragraphs broken mid-sentence ("…and the Communist" / "International. In his …")."""
    out: list[Block] = []
    for b in blocks:
        # a paragraph that keeps its line breaks is a code block: never glued to anything
        if out and b.kind == "para" and out[-1].kind == "para" and "\n" not in out[-1].text and "\n" not in b.text:
            prev = out[-1].text
            if (
                not ends_sentence(prev)
                and not prev.rstrip().endswith(":")
                and not LIST_ITEM.match(b.text)
                and not (LIST_ITEM.match(prev) and not b.text[:1].islower())
                and (b.text[:1].islower() or _has_words(prev, 15))
                and _has_words(prev, 4)
            ):
                out[-1] = Block("para", _join(prev.rstrip(), b.text))
                continue
        out.append(b)
    return out


# ---------------------------------------------------------------- front matter of plain-text books

_CONTENTS_LINE = re.compile(r"^\s*(?:table\s+of\s+)?contents\s*[.:]?\s*$", re.I)
_OPENING_HEADING = re.compile(
    r"^\s*(?:(?:chapter|book|part|volume|letter|canto)\s+(?:[ivxlcdm]+|\d{1,3}|[a-z]+)\b.*|"
    r"preface|foreword|introduction|prologue|prelude|dedication|to the reader|author'?s note)\s*[.:]?\s*$",
    re.I,
)
_TOC_PAGE = re.compile(r"[\s.·…_-]*\d{0,4}\s*$")  # dot leaders and a page number after a contents entry
_YEAR_LINE = re.compile(r"^\s*(1[5-9]\d\d|20\d\d)\.?\s*$")


def _toc_key(line: str) -> str:
    return re.sub(r"[\W_]+", " ", _TOC_PAGE.sub("", line.strip())).strip().lower()


def _same_entry(line: str, entry: str) -> bool:
    """A heading in the text that a contents entry announces ("CHAPTER I." ~ "CHAPTER I. THE HARBOUR")."""
    a, b = _toc_key(line), _toc_key(entry)
    return bool(a and b) and (a == b or a.startswith(b + " ") or b.startswith(a + " "))


def _blocks_of_lines(lines: list[str], start: int) -> Iterator[tuple[int, int]]:
    """(first, end) line ranges of the blank-line separated blocks from `start` on."""
    i = start
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        j = i
        while j < len(lines) and lines[j].strip():
            j += 1
        yield i, j
        i = j


def strip_contents(lines: list[str], removed: list[str]) -> list[str]:
    """Drop a table of contents: a "Contents" line and the short entries after it.

    The contents end where the text repeats its first entry as a heading, or where prose begins (then the
    last short block before the prose is given back: it is that first heading). Only the first quarter
    of the text is searched, so a chapter that mentions its contents is safe.
    """
    limit = max(40, len(lines) // 4)
    at = next((i for i, line in enumerate(lines[:limit]) if _CONTENTS_LINE.match(line)), None)
    if at is None:
        return lines
    entries: list[str] = []
    end = at + 1
    last_block: tuple[int, int] | None = None
    for first, stop in _blocks_of_lines(lines, at + 1):
        block = [x.strip() for x in lines[first:stop]]
        if entries and any(_same_entry(x, entries[0]) for x in block[:1]):
            break  # the text itself begins
        if any(len(x) > 80 for x in block) or (len(block) > 1 and not all(_toc_entry(x) for x in block)):
            if last_block is not None and last_block[1] - last_block[0] == 1 and len(entries) > 1:
                entries = entries[:-1]
                end = last_block[0]
            break
        if not all(_toc_entry(x) for x in block):
            break
        entries.extend(block)
        end = stop
        last_block = (first, stop)
    if len(entries) < 2:
        return lines
    removed.extend(x.strip() for x in lines[at:end] if x.strip())
    return lines[:at] + lines[end:]


def _toc_entry(line: str) -> bool:
    words = line.split()
    return 0 < len(words) <= 14 and len(line) <= 80 and not line.rstrip().endswith((",", ";", "!", "?"))


def strip_title_page(lines: list[str], hints: dict[str, str], removed: list[str]) -> list[str]:
    """A Gutenberg book's own title page (title, "by", author, publisher, year) before the text begins.

    Dropped only when it repeats the title or author the Gutenberg header stated, and only up to the
    first heading, contents line or prose block; a year standing alone on it becomes the date hint.
    """
    known = {_toc_key(v) for k, v in hints.items() if k in ("title", "author") and v}
    if not known:
        return lines
    end = 0
    seen_known = False
    for first, stop in _blocks_of_lines(lines, 0):
        block = [x.strip() for x in lines[first:stop]]
        if stop - first > 5 or any(len(x) > 60 for x in block):
            break
        if any(_CONTENTS_LINE.match(x) or _OPENING_HEADING.match(x) for x in block):
            break
        if any(x.endswith((".", "!", "?")) and len(x.split()) > 6 for x in block):
            break
        seen_known = seen_known or any(_toc_key(re.sub(r"^by\s+", "", x, flags=re.I)) in known for x in block)
        end = stop
    if not seen_known:
        return lines
    page = [x.strip() for x in lines[:end] if x.strip()]
    removed.extend(page)
    for x in page:
        year = _YEAR_LINE.match(x)
        if year:
            hints.setdefault("date", year.group(1))
    return lines[end:]


def clean_text(text: str, *, wrapped: bool | None = None) -> Cleaned:
    """Turn a decoded plain text into blocks; headings found here are the glued ones only."""
    body, removed, hints = strip_gutenberg(text)
    raw_lines = body.split("\n")
    if hints:
        raw_lines = strip_title_page(raw_lines, hints, removed)
    raw_lines = strip_contents(raw_lines, removed)
    blocks: list[Block] = []
    pending: list[str] = []
    first_content = True

    def flush() -> None:
        if pending:
            for p in lines_to_paragraphs("\n".join(pending), wrapped):
                blocks.append(Block("para", p))
            pending.clear()

    for line in raw_lines:
        if needs_glue_split(line):
            flush()
            blocks.extend(split_glued_line(line.strip(), removed, first_content))
        else:
            pending.append(line)
        if line.strip():
            first_content = False
    flush()
    return finish_blocks(blocks, removed, hints)


def finish_blocks(blocks: list[Block], removed: list[str], hints: dict[str, str] | None = None) -> Cleaned:
    """Boilerplate passes shared by every format, once blocks exist."""
    blocks = _remove_sidebar_tail(blocks, removed)
    kept: list[Block] = []
    for b in blocks:
        if b.kind == "para" and is_boilerplate(b.text):
            removed.append(b.text)
            continue
        kept.append(b)
    kept = _remove_teasers(kept, removed)
    kept = _rejoin(kept)
    return Cleaned(kept, removed, dict(hints or {}))
