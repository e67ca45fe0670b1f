"""Contents lists and title pages among the blocks, in every format.

A contents list is recognised by the book itself: its entries come back later as the text's headings
(as a run of headings, as one run-together paragraph, or as short entries under a "Contents" line). A
title page is the opening block that names the book, in capitals or without a sentence in it.
"""

from __future__ import annotations

import re

from bot.ingest.clean import Block, ends_sentence
from bot.ingest.clean.front_matter import roman_year
from bot.ingest.headings import LISTED_ENTRY, entry_key, is_matter, kind_of, subtitle_heading


def _key(text: str) -> str:
    return re.sub(r"[\W_]+", " ", text).strip().lower()


_CONTENTS_WORD = re.compile(r"(?:table\s+of\s+)?contents\s*[.:]?\s*$", re.I)


def drop_contents(blocks: list[Block], removed: list[str]) -> list[Block]:
    """A contents list that the text repeats as its headings is not a reading, in any format.

    A run of two or more headings (or short entries) with no prose between them, in the first half of the
    book, whose every heading appears again later as a heading, is dropped, with a "Contents" line or
    heading right before it.
    """
    heading_at = [i for i, b in enumerate(blocks) if b.kind == "heading"]
    if len(heading_at) < 2:
        return blocks
    later: dict[str, int] = {}
    for i in heading_at:
        later[_key(blocks[i].text)] = i  # the last occurrence of each heading
    half = len(blocks) // 2
    drop: set[int] = set()
    i = 0
    while i < half:
        if blocks[i].kind != "heading" or later.get(_key(blocks[i].text), i) <= i:
            i += 1
            continue
        run = [i]
        j = i + 1
        while j < len(blocks) and (
            (blocks[j].kind == "heading" and later.get(_key(blocks[j].text), j) > j)
            or (blocks[j].kind == "para" and len(blocks[j].text.split()) <= 3)  # a page number or "Page"
            or (blocks[j].kind == "para" and later.get(_key(blocks[j].text), j) > j)  # an entry left as text
        ):
            run.append(j)
            j += 1
        if sum(1 for k in run if blocks[k].kind == "heading" or later.get(_key(blocks[k].text), k) > k) >= 2:
            drop.update(run)
            before = i - 1
            if before >= 0 and _CONTENTS_WORD.search(blocks[before].text) and len(blocks[before].text) < 200:
                drop.add(before)
        i = j
    drop.update(_contents_paragraphs(blocks, heading_at))
    drop.update(_listed_entries(blocks, heading_at))
    drop.update(_contents_section(blocks, heading_at))
    drop.update(_illustrations_list(blocks))
    if not drop:
        return blocks
    removed.extend(blocks[k].text for k in sorted(drop))
    return [b for k, b in enumerate(blocks) if k not in drop]


def _listed_entries(blocks: list[Block], heading_at: list[int]) -> set[int]:
    """Numbered entries in the book's first half ("II. Of Monarchy and Hereditary Succession.") whose titles
    come back later as headings without their numbers: a contents list printed on the title page. The short
    lines before it, with no heading above them, are what is left of that title page ("addressed to the
    INHABITANTS of AMERICA, on the following interesting SUBJECTS.")."""
    later = {_key(blocks[h].text): h for h in heading_at}
    hits = [
        i
        for i, b in enumerate(blocks[: len(blocks) // 2])
        if b.kind == "para" and LISTED_ENTRY.match(b.text.strip()) and later.get(entry_key(b.text), -1) > i
    ]
    if len(hits) < 2:
        return set()
    found = set(range(hits[0], hits[-1] + 1)) - set(heading_at)
    page = blocks[: hits[0]]
    if len(page) <= 3 and all(b.kind == "para" and len(b.text.split()) <= 30 for b in page):
        found.update(range(hits[0]))
    return found


_CONTENTS_TITLE = re.compile(r"^\s*(?:table\s+of\s+)?contents\s*[.:]?\s*$", re.I)
_PAGE_REF = re.compile(r"[\s.·…_-]*(?:\d{1,4}|[ivxlc]{1,6})\s*$")


def _contents_section(blocks: list[Block], heading_at: list[int]) -> set[int]:
    """A "Contents" heading or line followed by short entries that name the book's later headings (a
    Markdown link list, a PDF's contents page with dot leaders and page numbers)."""
    found: set[int] = set()
    for i, b in enumerate(blocks[:200]):
        if not _CONTENTS_TITLE.match(b.text):
            continue
        later = {_key(blocks[h].text) for h in heading_at if h > i}
        j = i + 1
        hits = 0
        last_hit = i
        while j < min(len(blocks), i + 300) and blocks[j].kind == "para" and len(blocks[j].text.split()) <= 15:
            entry = _key(_PAGE_REF.sub("", blocks[j].text))
            if entry and any(
                entry == k or k.endswith(" " + entry) or entry.endswith(" " + k) or entry.startswith(k + " ")
                for k in later
            ):  # "BOOK II Assembly of the People of Ithaca": the label the text heads, and its title
                hits += 1
                last_hit = j
            j += 1
        if hits >= 2 and hits >= (j - i - 1) / 2:
            found.update(range(i, last_hit + 1))  # a short line after the last entry (a note) is not the list
    return found


_ILLUSTRATIONS_TITLE = re.compile(
    r"^\s*(?:list\s+of\s+)?(?:illustrations|plates|maps(?:\s+and\s+plans)?|figures)\s*[.:]?\s*$", re.I
)


def _illustrations_list(blocks: list[Block]) -> set[int]:
    """A "List of Illustrations" (plates, maps) in the front matter: its title and the short entries after it,
    when nothing but such entries stands between it and the next heading. The pictures are not in the text,
    so their list is not a reading."""
    for i, b in enumerate(blocks[:200]):
        if not _ILLUSTRATIONS_TITLE.match(b.text):
            continue
        j = i + 1
        while j < len(blocks) and blocks[j].kind == "para" and len(blocks[j].text.split()) <= 15:
            j += 1
        if j - i - 1 >= 2 and (j == len(blocks) or blocks[j].kind == "heading"):
            return set(range(i, j))
    return set()


def _contents_paragraphs(blocks: list[Block], heading_at: list[int]) -> set[int]:
    """Paragraphs near the start made mostly of the book's own headings: a contents list run into one line."""
    found: set[int] = set()
    keyed = [(h, _key(blocks[h].text)) for h in heading_at]
    for i, b in enumerate(blocks[:60]):
        if b.kind not in ("para", "heading") or len(b.text) > 3000 or len(b.text.split(None, 6)) < 6:
            continue
        text = _key(b.text)
        keys = {k for h, k in keyed if h > i and len(k) >= 4}
        hits = [k for k in keys if k in text]
        if len(hits) >= 3 and sum(len(k) for k in hits) >= 0.6 * len(text):
            found.add(i)
            if i and _CONTENTS_TITLE.match(blocks[i - 1].text):
                found.add(i - 1)
    return found


_CAPS_TITLE_SEAM = re.compile(r"(?<=[A-Z]{2})(?=[A-Z][a-z])")


def drop_title_page(
    blocks: list[Block], title: str | None, removed: list[str], people: tuple[str, ...] = ()
) -> tuple[list[Block], str | None]:
    """An opening block in capitals (title, author, imprint, year) before the first heading is the title page;
    returns the blocks without it and the year it prints, if any. `people`: the author, translator and
    editor the Gutenberg header names."""
    before = len(removed)
    blocks, year = _drop_title_page(blocks, title, removed, people)
    if len(removed) > before:  # the imprint under it: "PHILADELPHIA; Printed, and Sold, by R. BELL… MDCCLXXVI."
        for _ in range(_imprint_blocks(blocks)):
            removed.append(blocks.pop(0).text)
            year = year or roman_year(removed[-1]) or plain_year(removed[-1])
    if len(removed) > before and title:  # its subtitle and bylines, cut off it in a run-together text
        page = _squeezed(f"{title} by {people[0] if people else ''}")
        names = [_squeezed(p) for p in people if p]
        while (
            blocks
            and not _caps_over_prose(blocks)
            and len(_squeezed(blocks[0].text)) >= 8
            and (
                _squeezed(blocks[0].text) in page
                or (len(blocks[0].text.split()) <= 8 and any(_squeezed(blocks[0].text).endswith(n) for n in names))
                or _byline_imprint(blocks[0], names)
            )
        ):
            removed.append(blocks.pop(0).text)
            year = year or plain_year(removed[-1]) or roman_year(removed[-1])
    return blocks, year


def _byline_imprint(b: Block, names: list[str]) -> bool:
    """The byline with the imprint glued to it: "by Charlotte BrontëILLUSTRATED BY F. H. TOWNSENDLondon…
    5 HENRIETTA STREET1897" — it starts with "by" and a name the header gives, and holds no sentence."""
    own = _squeezed(b.text)
    return (
        b.kind == "para"
        and len(b.text.split()) <= 30
        and any(own.startswith("by" + n) for n in names)
        and not ends_sentence(b.text)
        and not re.search(r"[a-z]{2}[.!?]\s+[A-Z][a-z]", b.text)
    )


def _caps_over_prose(blocks: list[Block]) -> bool:
    """A line in capitals right over prose is the first heading ("THE RAVEN." over the poem), even when it
    repeats the book's title ("The Raven and Other Poems"): not a subtitle cut off the title page."""
    return (
        len(blocks) > 1
        and blocks[0].kind == "para"
        and kind_of(blocks[0].text) == "caps"
        and blocks[1].kind == "para"
        and len(blocks[1].text.split()) >= 8
    )


_YEAR_ALONE = re.compile(r"^\s*(?:1[5-9]\d\d|20\d\d|M[MDCLXVI]{3,})\.?\s*$")


def _imprint_blocks(blocks: list[Block]) -> int:
    """How many opening blocks are a title page's imprint: a short block with a printer's words ("Printed,
    and Sold, by R. BELL"), and its year, in that block or alone in the next one."""
    first = blocks[0] if blocks else None
    if first is None or first.kind != "para" or len(first.text.split()) > 40 or not _PRINTED.search(first.text):
        return 0
    if roman_year(first.text) or plain_year(first.text):
        return 1
    nxt = blocks[1] if len(blocks) > 1 else None
    return 2 if nxt is not None and nxt.kind == "para" and _YEAR_ALONE.match(nxt.text) else 0


def _drop_title_page(
    blocks: list[Block], title: str | None, removed: list[str], people: tuple[str, ...] = ()
) -> tuple[list[Block], str | None]:
    for i, b in enumerate(blocks[:3]):
        if b.kind == "heading":
            if (
                b.strong
                and title
                and (b.text.isupper() or _squeezed(b.text).startswith(_squeezed(title)))
                and (_squeezed(title) in _squeezed(b.text))
            ):
                # the title page: a heading naming the book (a glued capitals line, an HTML page's <h1>)
                # and the imprint lines in capitals under it (BY / THE AUTHOR / LONDON, 1874)
                end = title_page_end(blocks, i)
                page = [x.text for x in blocks[i:end]]
                removed.extend(page)
                text = " ".join(page)
                return blocks[:i] + blocks[end:], roman_year(text) or plain_year(text)
            return blocks, None
        if b.kind != "para":
            continue
        letters = [c for c in b.text if c.isalpha()]
        caps = bool(letters) and not any(c.islower() for c in letters)
        # run together, the title page loses its spaces too ("…BEING EARNESTA Trivial Comedy")
        own, named = _squeezed(b.text), _squeezed(title or "")
        names_title = bool(named) and (named in own or (len(own) >= 8 and named.startswith(own)))
        if kind_of(b.text) in ("label", "roman", "roman-titled", "numbered"):
            return blocks, None
        bylined = own.startswith(named[:12]) and any(p and _squeezed(p) in own for p in people)
        # run together, the title page's lines are glued at their seams: "COMMON SENSE;addressed to theINHABITANTS…"
        bylined = bylined or (bool(named) and own.startswith(named) and len(_LINE_SEAM.findall(b.text)) >= 2)
        short = len(b.text.split()) <= (80 if caps else 40)  # in capitals, with its dedication run into it
        if short and names_title and (caps or not ends_sentence(b.text) or bylined):
            rest = blocks[i + 1 :]
            seams = [m.start() for m in _CAPS_TITLE_SEAM.finditer(b.text)]
            tail = b.text[seams[-1] :] if seams else ""
            if tail and rest and kind_of(rest[0].text) in ("roman", "label") and kind_of(tail) == "weak":
                rest = [Block("para", tail), *rest]  # the first story's title, glued to the title page
            removed.append(b.text[: len(b.text) - len(tail)] if rest and rest[0].text == tail else b.text)
            while (
                rest and rest[0].kind == "para" and _BYLINE_LINE.match(rest[0].text) and len(rest[0].text.split()) <= 10
            ):
                removed.append(rest.pop(0).text)  # "WRITTEN BY HIMSELF.", "Translated by G. Long"
            return blocks[:i] + rest, roman_year(b.text) or plain_year(b.text)
        return blocks, None  # "NOTES", "PREFACE" and prose all end the search
    return blocks, None


def title_page_end(blocks: list[Block], i: int) -> int:
    """Where the title page under the title heading at i ends: its imprint lines, then a subtitle heading."""
    end = imprint_end(blocks, i + 1)
    while end + 1 < len(blocks) and subtitle_heading(blocks[end], blocks[i].level, blocks[end + 1]):
        end += 1
    return end


def _squeezed(text: str) -> str:
    """Words without the spaces between them: run together, a title page loses its spaces too
    ("…BEING EARNESTA Trivial Comedy", "TREASURE ISLANDby Robert Louis Stevenson")."""
    return _key(text).replace(" ", "")


_LINE_SEAM = re.compile(r"[a-z][A-Z]")
_PRINTED = re.compile(r"\b(?:printed|published|sold|publishers?)\b", re.I)
_BYLINE_LINE = re.compile(r"^(?:(?:written|translated|edited|illustrated|compiled)\s+)?by\s+[A-Z]", re.I)
_BYLINE = re.compile(r"^by\s+[A-Z][\w.’'-]*(?:\s+[(\w.’'-]+\)?)*\s*$", re.I)


def imprint_end(blocks: list[Block], start: int) -> int:
    """Where the imprint lines under a title heading end: short paragraphs in capitals ("BY", "J. R. GREEN,
    M.A.", "LONDON MACMILLAN AND CO. 1874"), up to anything that could begin the text (a label, a matter
    word such as PREFACE, mixed-case prose)."""
    end = start
    while end < len(blocks) and end < start + 8:
        b = blocks[end]
        if b.kind in ("para", "heading") and _BYLINE.match(b.text) and len(b.text.split()) <= 10:
            end += 1  # "by Mary Wollstonecraft (Godwin) Shelley", a paragraph or an <h3> under the title
            continue
        if b.kind != "para" or len(b.text.split()) > 20 or any(c.islower() for c in b.text):
            break
        if kind_of(b.text) in ("label", "roman", "roman-titled", "numbered") or is_matter(b.text):
            break
        end += 1
    return end


def plain_year(text: str) -> str | None:
    m = re.search(r"\b(1[5-9]\d\d|20\d\d)\b", text)
    return m.group(1) if m else None
