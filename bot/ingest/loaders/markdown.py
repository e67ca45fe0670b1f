"""Markdown: # and setext headings are the structure, the rest is text for the cleaner."""

from __future__ import annotations

import re

from bot.ingest.clean import Block, clean_text, finish_blocks
from bot.ingest.encoding import decode_bytes
from bot.ingest.headings import kind_of
from bot.ingest.loaders.common import Loaded
from bot.ingest.model import IngestError, IngestOptions

_ATX = re.compile(r"^(#{1,6})\s+(\S.*)$")  # the closing #s are stripped in Python: a lazy regex is quadratic
_SETEXT = re.compile(r"^(=+|-+)\s*$")
_FRONT = re.compile(r"\A---\n(.*?)\n(?:---|\.\.\.)\n", re.S)


_MD_IMAGE = re.compile(r"!\[[^\[\]]*\](?:\([^()]*\)|\[[^\[\]]*\])")  # inline and reference images: alt text is no text
_MD_LINK = re.compile(r"\[([^\[\]]+)\]\((?:[^()\s]|\([^()]*\))+(?:\s+\"[^\"()]{0,300}\")?\)")
_MD_REF_LINK = re.compile(r"\[([^\[\]^][^\[\]]*)\]\[[^\[\]]*\]")  # [text][ref]
_MD_REF_DEFINITION = re.compile(r"^ {0,3}\[(?!\^)[^\]]+\]:\s*\S+(?:\s+[\"'(].*[\"')])?\s*$")
_MD_CODE_SPAN = re.compile(r"`([^`\n]+)`")
_MD_QUOTE = re.compile(r"^ {0,3}(?:> ?)+")
_MD_BULLET = re.compile(r"^[-*+•]\s+")
_MD_TAG = re.compile(r"<[^<>\n]{1,200}>")
# Bracket classes exclude both brackets and a link target's inner parentheses exclude both parentheses, so a
# scan from one "[" or "(" stops at the next one: linear on "[[[[…" and "![![…", where "[^\]]*" was quadratic.


def _strip_markdown_inline(text: str) -> str:
    text = _MD_IMAGE.sub("", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_REF_LINK.sub(r"\1", text)
    text = _MD_CODE_SPAN.sub(r"\1", text)
    text = _MD_TAG.sub("", text)
    return text


def load_markdown(data: bytes, options: IngestOptions) -> Loaded:
    """Markdown: # and setext headings are the structure; a paragraph is its lines joined (Markdown's own
    rule), list items and block quotes are paragraphs of their own, a fenced code block is one paragraph
    that keeps its lines, and images, link targets and reference definitions are not text."""
    text = decode_bytes(data)
    if not text.strip():
        raise IngestError("That file is empty.")
    meta: dict[str, str] = {}
    flat = _is_flat(text)
    text = _unflatten(text) if flat else text
    front = _FRONT.match(text)
    if front:
        for line in front.group(1).split("\n"):
            key, _, value = line.partition(":")
            if value.strip():
                meta[key.strip().lower()] = value.strip().strip("\"'")
        text = text[front.end() :]
    blocks: list[Block] = []
    chunk: list[str] = []
    code: list[str] | None = None
    removed: list[str] = []

    def flush() -> None:
        if chunk:
            sub = clean_text("\n".join(chunk), wrapped=True)
            blocks.extend(sub.blocks)
            removed.extend(sub.removed)
            chunk.clear()

    numbering: dict[str, int] = {}
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if line.lstrip().startswith(("```", "~~~")):
            flush()
            if code is None:
                code = []
            else:
                if any(x.strip() for x in code):
                    blocks.append(Block("para", "\n".join(x.rstrip() for x in code).strip("\n")))
                code = None
            continue
        if code is not None:
            code.append(line)
            continue
        m = _ATX.match(line)
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if m:
            flush()
            title = m.group(2).rstrip().rstrip("#").rstrip() or m.group(2)[:1]
            title, rest = _heading_and_text(_strip_markdown_inline(title).strip("*_ "), numbering, flat)
            blocks.append(Block("heading", title, len(m.group(1)), True))
            if rest and flat and len(m.group(1)) == 1:  # the book's title page run together: line by line
                rest = _TITLE_PAGE_SEAM.sub("\n\n", rest)
            if rest:
                chunk.append(rest)  # a run-together file: the text glued to its heading
        elif line.strip() and _SETEXT.match(nxt) and not _SETEXT.match(line) and len(line) < 120:
            flush()
            blocks.append(Block("heading", _strip_markdown_inline(line).strip("*_ "), 1 if nxt[0] == "=" else 2, True))
        elif _SETEXT.match(line) and i > 0 and lines[i - 1].strip() and blocks and chunk == []:
            continue  # underline of a setext heading
        elif _MD_REF_DEFINITION.match(line):
            removed.append(line.strip())
        else:
            quoted = _MD_QUOTE.match(line)
            if chunk and bool(quoted) != bool(i > 0 and _MD_QUOTE.match(lines[i - 1])):
                chunk.append("")  # a block quote is a paragraph of its own
            chunk.append(_strip_markdown_inline(line[quoted.end() :] if quoted else line))
    if code:
        blocks.append(Block("para", "\n".join(x.rstrip() for x in code).strip("\n")))
    flush()
    structured = any(b.kind == "heading" for b in blocks)
    cleaned = finish_blocks(blocks, removed)
    cleaned.blocks = [
        Block("para", _MD_BULLET.sub("", b.text), notes=b.notes) if b.kind == "para" and _MD_BULLET.match(b.text) else b
        for b in cleaned.blocks
    ]
    authors = [meta["author"]] if meta.get("author") else []
    title = meta.get("title") or _title_heading(cleaned.blocks)
    return Loaded("md", cleaned, structured, title, authors, meta.get("date"))


# a file whose paragraphs were run together: heading marks, list items and front matter inside one line
_GLUED_ATX = re.compile(r"(?<=[^\s#])(?=#{1,6} \S)")
_GLUED_ITEM = re.compile(r"(?<=\S)(?=[-*+] \[[^\[\]\n]{1,200}\]\()|(?<=\))(?=[*_]?\[[A-Z])")
_INLINE_FRONT = re.compile(r"\A---[ \t]+(\w+:.*?)[ \t]+---(?=\S|[ \t])")


def _is_flat(text: str) -> bool:
    """A file whose paragraphs were run together: its first line is a whole page, no blank line near it."""
    first = text[:2000].split("\n", 1)[0]
    return len(first) >= 400 or "\n\n" not in text[:20000]


def _unflatten(text: str) -> str:
    """Line breaks back where a run-together Markdown file lost them: before a "## " glued to the text
    ("…Adieu!## LETTER II"), between list items ("…(#letter-i)- [LETTER II]"), around inline front matter."""
    front = _INLINE_FRONT.match(text)
    if front:
        fields = re.split(r"[ \t]+(?=\w+:[ \t])", front.group(1))
        text = "---\n" + "\n".join(fields) + "\n---\n" + text[front.end() :].lstrip()
    text = _GLUED_ATX.sub("\n\n", text)
    text = _GLUED_ITEM.sub("\n\n", text)
    return _unflatten_setext(text)


# the underline after a space, or glued (then five marks at least: "word---word" is a dash)
_GLUED_SETEXT = re.compile(r"(?:[ \t](={3,}|-{3,})|(?<=\S)(={5,}|-{5,}))(?=[^\s=-]|\s*$)")
# where a setext heading's line begins inside a flattened line: after a sentence end glued to a capital
# ("…no answer.Chapter 2 ---"), or where lower case meets capitals ("…Jane AustenVOLUME I ---")
_LINE_START = re.compile(r"[.!?…\"”’)\]*_](?=[A-Z\"“‘])|(?<=[a-z])(?=[A-Z]{2})")


def _unflatten_setext(text: str) -> str:
    """ "…no answer.Chapter 2 ---------Mr. Bennet was…": the underline of a setext heading glued between its
    line and the text; the heading's line starts at the last seam in the 100 characters before it."""
    out: list[str] = []
    last = 0
    for m in _GLUED_SETEXT.finditer(text):
        window_start = max(last, m.start() - 100)
        seams = [k.end() if k.group() else k.start() for k in _LINE_START.finditer(text, window_start, m.start())]
        start = seams[-1] if seams else window_start
        out.append(text[last:start])
        out.append(f"\n\n{text[start : m.start()].strip()}\n{m.group(1) or m.group(2)}\n\n")
        last = m.end()
    out.append(text[last:])
    return "".join(out)


# where a heading run together with its text ends: a full stop or bracket glued to what follows
# ("…MYTHOLOGY.[May 5, 1840.]We have", "ETYMOLOGY.(Supplied by…)"), or capitals glued to a capitalised word
# ("…HISTORYSix Lectures")
_HEADING_SEAM = re.compile(r"[.!?\])”\"](?=[\[(A-Z“\"])|[A-Z]{2}(?=[A-Z][a-z])")
_TITLE_PAGE_SEAM = re.compile(r"(?<=[a-z])(?=[A-Z][a-z])")  # "…by Thomas CarlyleReported, with emendations"
_LABEL_GLUED = re.compile(r"^(?P<label>[A-Z][A-Za-z]{2,15})\s+(?P<num>[IVXLC]{1,8})(?![IVXLC])(?=[A-Z])")
_ROMAN_VALUE = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


def _roman(numeral: str) -> int | None:
    """The value of a well-formed Roman numeral (up to 399), else None."""
    m = re.fullmatch(r"(C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})", numeral)
    if not m or not numeral:
        return None
    total = 0
    for i, c in enumerate(numeral):
        v = _ROMAN_VALUE[c]
        total += -v if i + 1 < len(numeral) and _ROMAN_VALUE[numeral[i + 1]] > v else v
    return total


def _heading_and_text(title: str, numbering: dict[str, int], flat: bool = False) -> tuple[str, str]:
    """A heading line that carries its text (a run-together file: "LETTER IBATH, October 4…DEAR BOY:…"):
    the label with the numeral that continues the book's count, and the text after it. A heading of an
    ordinary length is returned whole."""
    m = _LABEL_GLUED.match(title) if len(title) > 60 else None  # only a heading that carries a text
    if m is None:
        if len(title) > 150 or flat:  # a heading line that carries its text: cut at the first seam
            seam = _HEADING_SEAM.search(title, 0, 200)
            if seam and len(title[seam.end() :].split()) >= (2 if flat else 3):
                return title[: seam.end()].strip(), title[seam.end() :].strip()
            return title, ""
        label = re.match(r"^([A-Z][A-Za-z]{2,15})\s+([IVXLC]{1,8})\.?$", title)
        if label and (v := _roman(label.group(2))):
            numbering[label.group(1).lower()] = v
        return title, ""
    word, glued = m.group("label"), m.group("num")
    expected = numbering.get(word.lower(), 0) + 1
    cuts = [k for k in range(1, len(glued) + 1) if _roman(glued[:k])]
    if not cuts:
        return title, ""
    k = next((k for k in cuts if _roman(glued[:k]) == expected), cuts[-1])
    numbering[word.lower()] = _roman(glued[:k]) or expected
    head = f"{word} {glued[:k]}"
    return head, title[m.start("num") + k :].strip()


def _title_heading(blocks: list[Block]) -> str | None:
    """A Markdown book without front matter is titled by the # heading it opens with, unless that heading is
    its first chapter ("# Chapter 1") or shares its level with the chapters that follow."""
    if not blocks or blocks[0].kind != "heading" or blocks[0].level != 1:
        return None
    first = blocks[0].text.strip()
    if kind_of(first) in ("label", "roman", "roman-titled", "numbered"):
        return None
    if sum(1 for b in blocks if b.kind == "heading" and b.level == 1) > 1:
        return None
    return first or None
