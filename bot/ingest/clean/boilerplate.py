"""Debris by its shape: share bars, sidebars, captions with credits, tag trails, teasers.

The rules look at the *shape* of such debris (short lines made only of platform names, a caption ending in
"/ Image: credit", a tail of teaser blocks with dates), never at any particular text's wording.
"""

from __future__ import annotations

import re

from bot.ingest.clean.model import Block

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
    t = text[-80:].rstrip().rstrip("*_")  # the end is all that matters: never copy a long paragraph
    if len(t) < 8 < len(text):
        t = text.rstrip().rstrip("*_")
    # a footnote marker after the full stop ("…to families.2") still ends the sentence
    return t.endswith(TERMINAL) or bool(t[-1:].isdigit() and _MARKER_AFTER_END.search(t[-4:]))


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


_TEASER_END = re.compile(r"\s*(?:\[(?:…|\.\.\.)\]|\((?:…|\.\.\.)\)|…|\.\.\.)$")


def remove_teasers(blocks: list[Block], removed: list[str]) -> list[Block]:
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


def remove_sidebar_tail(blocks: list[Block], removed: list[str]) -> list[Block]:
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
