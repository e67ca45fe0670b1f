"""An HTML tree → blocks: the walker shared by web pages and EPUB documents."""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator

from lxml import etree
from lxml import html as lxml_html

from bot.ingest.clean import Block
from bot.ingest.clean.page_numbers import PAGE_NUMBER_MARK
from bot.ingest.encoding import normalise_text
from bot.ingest.model import IngestError

_DROP_TAGS = ("script", "style", "noscript", "template", "svg", "iframe", "form", "button", "nav", "select", "input")
_BOILER_ATTR = re.compile(
    r"(?:^|[\s_-])(?:share|sharing|social|comments?|related|sidebar|newsletter|subscribe|promo|advert|ads?|"
    r"cookie|breadcrumbs?|menu|navbar|nav|footer|site-header|masthead|widget|tags?|byline-share|popup|modal|"
    r"read-?more|recommended|most-?recent|author-bio)(?:$|[\s_-])",
    re.I,
)
# word processors' exports name their notes ftn1/edn1 and style them mso-element:footnote
_NOTE_ATTR = re.compile(r"(?:foot|end)notes?|\bnotes\b|rearnote|(?:^|\s)_?(?:ftn|edn)\d+\b", re.I)
_BLOCK_TAGS = {
    "p",
    "li",
    "blockquote",
    "pre",
    "dd",
    "dt",
    "figcaption",
    "td",
    "th",
    "address",
    "div",
    "section",
    "article",
    "main",
    "aside",
}
_HEADING_TAGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}


def parse_html(data: bytes | str) -> lxml_html.HtmlElement:
    try:
        if isinstance(data, bytes):
            parser = lxml_html.HTMLParser(encoding=_html_encoding(data), remove_comments=True)
            root = lxml_html.document_fromstring(data, parser=parser)
        else:
            root = lxml_html.document_fromstring(data)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise IngestError("That HTML file has no readable text in it.") from exc
    return root


def _html_encoding(data: bytes) -> str:
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    m = re.search(rb"charset=[\"']?([\w-]+)", data[:4096], re.I)
    if m:
        name = m.group(1).decode("ascii", "ignore")
        try:
            # a declared charset counts only if it is a real codec for text (not utf-7, not a binary or
            # rot13 transform) and the page actually decodes with it
            if codecs.lookup(name)._is_text_encoding and not name.lower().replace("_", "-").startswith("utf-7"):
                data.decode(name)
                return name
        except (LookupError, UnicodeDecodeError):
            pass
    return "cp1252"


def _text_of(el: lxml_html.HtmlElement) -> str:
    for br in el.iter("br"):
        br.tail = "\n" + (br.tail or "")
    return normalise_text(re.sub(r"[ \t\r\f\v]+", " ", el.text_content())).strip()


def _is_boiler_el(el: lxml_html.HtmlElement) -> bool:
    attrs = " ".join(filter(None, (el.get("class"), el.get("id"), el.get("role"))))
    if el.tag in ("header", "footer", "aside") and not _NOTE_ATTR.search(attrs + " " + (el.get("epub:type") or "")):
        return True
    return bool(attrs and _BOILER_ATTR.search(attrs) and not _NOTE_ATTR.search(attrs))


def _is_note_container(el: lxml_html.HtmlElement) -> bool:
    attrs = " ".join(filter(None, (el.get("class"), el.get("id"), el.get("role"))))
    etype = el.get("{http://www.idpf.org/2007/ops}type") or el.get("epub:type") or ""
    style = el.get("style") or ""
    return bool(
        _NOTE_ATTR.search(attrs)
        or re.search(r"footnote|endnote|rearnote", etype)
        or re.search(r"mso-element:\s*(?:footnote|endnote)(?![\w-])", style)
    )


def _in_note(el: lxml_html.HtmlElement) -> bool:
    """Inside a note container: a note's own back-link is not a marker in the reading text."""
    parent = el.getparent()
    depth = 0
    while parent is not None and depth < 30:
        if _is_note_container(parent):
            return True
        parent = parent.getparent()
        depth += 1
    return False


def _strip_markers(root: lxml_html.HtmlElement) -> None:
    """Footnote references (<sup>1</sup>, <a href="#fn1">[1]</a>) leave the reading text."""
    for el in list(root.iter("sup", "a")):
        text = (el.text_content() or "").strip()
        etype = el.get("{http://www.idpf.org/2007/ops}type") or el.get("epub:type") or ""
        href = el.get("href") or ""
        if (
            (el.tag == "sup" and re.fullmatch(r"\[?\(?[\w*†‡§]{1,4}\)?\]?", text))
            or "noteref" in etype
            or (el.tag == "a" and re.search(r"#_?(?:fn|ftn|edn|note|endnote|footnote)", href, re.I) and len(text) <= 5)
        ) and not _in_note(el):
            parent = el.getparent()
            if parent is not None:
                # leave a "[^n]" marker so footnotes.py can attach the note to this paragraph
                number = re.search(r"(\d{1,3})\D*$", href) or re.search(r"(\d{1,3})", text)
                tail = (f"[^{number.group(1)}]" if number else "") + (el.tail or "")
                prev = el.getprevious()
                if prev is not None:
                    prev.tail = (prev.tail or "") + tail
                else:
                    parent.text = (parent.text or "") + tail
                parent.remove(el)


_PAGE_NUMBER_ATTR = re.compile(r"(?:^|[\s_-])(?:page-?num(?:ber)?s?|pageno|page-?break|pb)(?:$|[\s_-])", re.I)


_PAGE_ID = re.compile(r"(?:p|pg|page)[_.-]?0*(\d{1,4})", re.I)


def _strip_page_numbers(root: lxml_html.HtmlElement, removed: list[str]) -> None:
    """A print edition's page numbers (<span class="pagenum">[176]</span>, epub:type="pagebreak") leave the
    sentence they interrupt ("except as 176 a means"); the text after them stays."""
    for el in list(root.iter("span", "a", "div", "p", "ins")):
        etype = el.get("{http://www.idpf.org/2007/ops}type") or el.get("epub:type") or ""
        attrs = " ".join(filter(None, (el.get("class"), el.get("role"))))
        text = (el.text_content() or "").strip()
        anchor = _PAGE_ID.fullmatch(el.get("id") or "")
        if anchor and anchor.group(1) == text.strip("[]{}() ").lstrip("Pgp. ").lstrip("0"):
            pass  # <span id="page176">176</span>: named for the page it prints, whatever its class
        elif not ("pagebreak" in etype or "doc-pagebreak" in attrs or _PAGE_NUMBER_ATTR.search(attrs)):
            continue
        if len(text) > 12:
            continue  # not a page number: a paragraph that happens to carry such a class
        removed.append(PAGE_NUMBER_MARK + text)
        el.drop_tree()  # keeps the tail


def html_blocks(root: lxml_html.HtmlElement, removed: list[str], anchors: dict[str, int] | None = None) -> list[Block]:
    """Walk the document's blocks in order; headings from h1–h6, notes from note containers.

    `anchors`, when given, collects the index of the first block emitted at or after each element id, so
    an EPUB nav entry pointing at "chapter.xhtml#sec2" can be placed exactly.
    """
    for bad in list(root.iter(*_DROP_TAGS)):
        if bad.getparent() is not None:
            if bad.tag == "nav":
                removed.extend(t for t in (_text_of(bad),) if t)
            bad.drop_tree()
    for caption in [el for el in root.iter() if _is_caption(el)]:
        if caption.getparent() is None or any(_is_caption(a) for a in caption.iterancestors()):
            continue  # inside a caption already gone
        text = _text_of(caption)
        if text:
            removed.append(text)
        caption.drop_tree()
    _strip_markers(root)
    _strip_page_numbers(root, removed)
    blocks: list[Block] = []

    def emit(el: lxml_html.HtmlElement) -> None:
        if not isinstance(el.tag, str):
            return
        if anchors is not None and el.get("id"):
            anchors.setdefault(el.get("id"), len(blocks))
        if _is_note_container(el):
            for item in _note_items(el):
                blocks.append(item)
            return
        if _is_boiler_el(el):
            text = _text_of(el)
            if text:
                removed.append(text)
            return
        if _matter_section(el):
            text = _text_of(el)
            if text:
                removed.append(text)
            return
        if el.tag == "hgroup" and any(c.tag in _HEADING_TAGS for c in el):
            _inner_anchors(el, anchors, len(blocks))
            blocks.append(_hgroup_heading(el))
            return
        if el.tag in _HEADING_TAGS:
            _inner_anchors(el, anchors, len(blocks))
            text = _text_of(el)
            if text:
                blocks.append(Block("heading", re.sub(r"\s+", " ", text), _HEADING_TAGS[el.tag], True))
            return
        children = [c for c in el if isinstance(c.tag, str)]
        has_block_child = any(
            c.tag in _BLOCK_TAGS
            or c.tag in _HEADING_TAGS
            or c.tag in ("ul", "ol", "table", "figure", "hr", "header", "footer", "tr", "thead", "tbody", "tfoot")
            for c in children
        )
        if el.tag == "tr":  # a table row is one line, its cells apart ("CHAPTER I." "THE KINGDOMS" "1")
            cells = [re.sub(r"\s+", " ", _text_of(c)) for c in children if c.tag in ("td", "th")]
            if any(cells):
                blocks.append(Block("para", " ".join(c for c in cells if c)))
            return
        if el.tag == "p" and not has_block_child and _bold_only(el):
            # a paragraph that is nothing but a short bold line is the blogger's sub-heading
            level = next((b.level for b in reversed(blocks) if b.kind == "heading"), 1) + 1
            blocks.append(Block("heading", re.sub(r"\s+", " ", _text_of(el)), min(level, 6), True))
            return
        if el.tag in ("p", "li", "blockquote", "pre", "dd", "dt", "address", "td", "th") and not has_block_child:
            _inner_anchors(el, anchors, len(blocks))
            text = _text_of(el)
            for para in re.split(r"\n\s*\n", text):
                para = re.sub(r"\s*\n\s*", " ", para).strip()
                if para:
                    blocks.append(Block("para", para))
            return
        if not has_block_child:
            text = _text_of(el)
            if text and el.tag not in ("html", "head", "title"):
                blocks.append(Block("para", re.sub(r"\s+", " ", text)))
            return
        # mixed content: loose text between blocks counts as its own paragraph
        if el.text and el.text.strip():
            blocks.append(Block("para", re.sub(r"\s+", " ", normalise_text(el.text.strip()))))
        for child in children:
            emit(child)
            if child.tail and child.tail.strip():
                blocks.append(Block("para", re.sub(r"\s+", " ", normalise_text(child.tail.strip()))))

    body = root.find(".//body")
    emit(body if body is not None else root)
    return blocks


_CAPTION_ATTR = re.compile(r"(?:^|[\s_-])(?:caption|figcaption|illustration-caption)(?:$|[\s_-])", re.I)
_FIGURE_ATTR = re.compile(r"(?:^|[\s_-])(?:fig\w*|illustration|image|img\w*|plate)(?:$|[\s_-])", re.I)


def _is_caption(el: lxml_html.HtmlElement) -> bool:
    """A picture's caption: <figcaption>, an element classed "caption", or the text beside the <img> of a
    figure container (<div class="figcenter"><img/><p>THE SHIP.</p></div>, as print-edition e-texts mark
    their plates). Captions are not reading text."""
    if not isinstance(el.tag, str):
        return False
    if el.tag == "figcaption" or _CAPTION_ATTR.search(el.get("class") or ""):
        return True
    parent = el.getparent()
    return (
        el.tag in ("p", "div", "span")
        and parent is not None
        and (parent.tag == "figure" or bool(_FIGURE_ATTR.search(parent.get("class") or "")))
        and parent.find("img") is not None
        and len(el.text_content()) <= 300
    )


# a publisher's own pages inside a book (Standard Ebooks' colophon and uncopyright, a title page, a list of
# contents or illustrations), named by their epub:type
_MATTER_TYPES = frozenset(["colophon", "copyright-page", "imprint", "titlepage", "halftitlepage", "toc", "loi"])


def _matter_section(el: lxml_html.HtmlElement) -> bool:
    etype = el.get("{http://www.idpf.org/2007/ops}type") or el.get("epub:type") or ""
    return el.tag in ("section", "div", "aside", "nav") and bool(_MATTER_TYPES & set(etype.split()))


def _hgroup_heading(el: lxml_html.HtmlElement) -> Block:
    """<hgroup><h2>I</h2><p>Virginibus Puerisque</p></hgroup>: one heading, "I. Virginibus Puerisque", at the
    level of its highest heading tag (a numeral alone takes a full stop, a label a colon)."""
    parts = [re.sub(r"\s+", " ", _text_of(c)) for c in el if isinstance(c.tag, str)]
    parts = [p for p in parts if p]
    level = min(_HEADING_TAGS[c.tag] for c in el if c.tag in _HEADING_TAGS)
    text = parts[0] if parts else ""
    for part in parts[1:]:
        bare = re.fullmatch(r"[IVXLCDM]+|\d{1,3}", text.rstrip(".").strip())
        text = f"{text.rstrip('.')}. {part}" if bare else f"{text.rstrip('.:')}: {part}"
    return Block("heading", text, level, True)


def _inner_anchors(el: lxml_html.HtmlElement, anchors: dict[str, int] | None, at: int) -> None:
    """Ids inside a block emitted whole: <h2><a id="stave3"></a>STAVE III.</h2> is where "#stave3" points
    (without it the nav entry fell to the top of its file and the chapter before it vanished)."""
    if anchors is None:
        return
    for inner in el.iterdescendants():
        if isinstance(inner.tag, str) and inner.get("id"):
            anchors.setdefault(inner.get("id"), at)


def _bold_only(el: lxml_html.HtmlElement) -> bool:
    """<p><strong>Why not buy new ones?</strong></p>: one bold child holding all of a short, title-like text."""
    children = [c for c in el if isinstance(c.tag, str)]
    if len(children) != 1 or children[0].tag not in ("strong", "b") or (el.text or "").strip():
        return False
    if (children[0].tail or "").strip():
        return False
    text = re.sub(r"\s+", " ", children[0].text_content()).strip()
    return 0 < len(text.split()) <= 12 and len(text) <= 100 and not text.endswith((".", ",", ";", ":"))


def outside_notes(root: lxml_html.HtmlElement, main: lxml_html.HtmlElement) -> list[Block]:
    """Note blocks from note containers outside `main` (outermost ones only, in document order)."""
    if main is root:
        return []
    inside = set(main.iter())
    found: list[Block] = []
    for el in root.iter():
        if not isinstance(el.tag, str) or el in inside or not _is_note_container(el):
            continue
        if any(_is_note_container(a) for a in el.iterancestors()):
            continue  # an item of a list already taken
        found.extend(_note_items(el))
    return found


_NOTE_BLOCK_TAGS = ("div", "p", "aside", "section", "dd")


def _is_note_block(el: lxml_html.HtmlElement) -> bool:
    """One note inside a notes block: a block-level note container holding no other (its label link,
    id="Footnote_1", is a note container too, but only a part of the note)."""
    return (
        el.tag in _NOTE_BLOCK_TAGS
        and _is_note_container(el)
        and not any(
            d.tag in ("div", "p", "aside", "section", "dd") and _is_note_container(d) for d in el.iterdescendants()
        )
    )


def _note_items(el: lxml_html.HtmlElement) -> Iterator[Block]:
    # a list's items, or the note containers a "Footnotes" block holds (its own heading is not a note)
    items = el.findall(".//li") or [d for d in el.iterdescendants() if _is_note_block(d)] or [el]
    for n, item in enumerate(items, start=1):
        text = _text_of(item)
        printed = re.match(r"^\[?\(?(\d{1,3})[\].):]?\s*", text)
        text = text[printed.end() :] if printed else text
        text = re.sub(r"\s*[↩↑⤴︎]+\s*$", "", text)
        if text:
            # its number: the item's id, else the number it prints ("[3] …"), else its place in the list
            label = item.get("id") or (printed.group(1) if printed else str(n))
            m = re.search(r"(\d+)$", label)
            yield Block("note", re.sub(r"\s+", " ", text), label=m.group(1) if m else str(n))
