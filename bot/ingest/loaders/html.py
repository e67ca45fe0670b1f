"""Web pages: metadata from <meta>, the main container, trafilatura where it keeps the headings."""

from __future__ import annotations

import itertools
import logging
import re

from lxml import etree
from lxml import html as lxml_html

from bot.ingest.clean import Block, finish_blocks
from bot.ingest.encoding import looks_binary, normalise_text
from bot.ingest.headings import kind_of
from bot.ingest.loaders.common import Loaded
from bot.ingest.loaders.html_blocks import PAGE_NUMBER_MARK, html_blocks, outside_notes, parse_html
from bot.ingest.metadata import gutenberg_title, is_name, surname_last
from bot.ingest.model import IngestError, IngestOptions

log = logging.getLogger(__name__)
TRAFILATURA_MAX_CHARS = 200_000  # about 35,000 words: longer than any article
TRAFILATURA_MAX_ELEMENTS = 20_000  # a news page with all its chrome has a few thousand


def _count_elements(root: lxml_html.HtmlElement, cap: int) -> int:
    """Elements in the tree, counting no further than `cap`."""
    n = 0
    for _el in root.iter():
        n += 1
        if n >= cap:
            break
    return n


def _html_meta(root: lxml_html.HtmlElement) -> tuple[str | None, list[str], str | None]:
    def meta(*names: str) -> str | None:
        for name in names:
            for attr in ("name", "property", "itemprop"):
                found = root.xpath(f"//meta[@{attr}=$n]/@content", n=name)
                if found and str(found[0]).strip():
                    return str(found[0]).strip()
        return None

    title = meta("og:title", "dc.title", "DC.title", "citation_title")
    if not title:
        t = root.find(".//title")
        if t is not None and t.text_content().strip():
            title = re.split(r"\s+[|–—]\s+|\s+-\s+(?=[^-]+$)", t.text_content().strip())[0]
    author = meta("author", "article:author", "dc.creator", "DC.creator", "citation_author", "book:author")
    if not author or author.startswith("http"):
        author = _byline(root)
    date = meta("article:published_time", "date", "dc.date", "DC.date", "citation_publication_date", "pubdate")
    if title:
        title, by = gutenberg_title(title)
        author = author or by
    authors = [surname_last(author)] if author and not author.startswith("http") else []
    return title, authors, date


_BY = re.compile(r"^\s*(?:by|written by|words by|author:)\s+(.{3,80}?)\s*$", re.I)


def _byline(root: lxml_html.HtmlElement) -> str | None:
    """The author a page names in its byline: rel="author", an element whose class or itemprop says author
    or byline, or a short "By Name" line. Surname-first ("Merrow, Agnes") is turned round."""
    candidates = root.xpath(
        "//*[@rel='author'] | //*[@itemprop='author'] | //*[contains(concat(' ', normalize-space(@class), ' '), "
        "' author ')] | //*[contains(@class, 'byline')] | //*[contains(@class, 'author-name')]"
    )
    for el in candidates[:10]:
        text = re.sub(r"\s+", " ", el.text_content()).strip()
        by = _BY.match(text)
        name = by.group(1) if by else text
        if is_name(name):
            return name
    for el in itertools.islice(root.iter("p", "div", "span", "address"), 400):
        text = (el.text or "").strip()
        by = _BY.match(text) if text and len(text) < 90 and len(el) == 0 else None
        if by and is_name(by.group(1)):
            return by.group(1)
    return None


def _main_container(root: lxml_html.HtmlElement) -> lxml_html.HtmlElement:
    """The element holding most of the paragraph text (article/main if there is exactly one)."""
    for xpath in ("//article", "//main", "//*[@role='main']"):
        found = root.xpath(xpath)
        if len(found) == 1 and len(_text_of_copy(found[0])) > 200:
            return found[0]
    scores: dict[lxml_html.HtmlElement, int] = {}
    for p in root.iter("p"):
        parent = p.getparent()
        n = len(p.text_content())
        depth = 0
        while parent is not None and depth < 3:
            scores[parent] = scores.get(parent, 0) + n // (depth + 1)
            parent = parent.getparent()
            depth += 1
    if not scores:
        body = root.find(".//body")
        return body if body is not None else root
    return _with_sibling_chapters(max(scores, key=lambda e: scores[e]), scores)


def _with_sibling_chapters(
    best: lxml_html.HtmlElement, scores: dict[lxml_html.HtmlElement, int]
) -> lxml_html.HtmlElement:
    """A book page keeps each chapter in its own container (`<div class="chapter">` after another): the
    longest one alone would lose every other chapter, so their common parent is the main content."""
    parent = best.getparent()
    while parent is not None and any(
        sibling is not best
        and sibling.tag == best.tag
        and sibling.get("class") == best.get("class")
        and scores.get(sibling)
        for sibling in parent
    ):
        best, parent = parent, parent.getparent()
    return best


def _marked_as_book(root: lxml_html.HtmlElement) -> bool:
    """A page that marks itself up as a book (epub:type chapters, <hgroup> numerals and titles, as Standard
    Ebooks and EPUB exports do) is its own main content: the article extractor would drop its structure."""
    for el in itertools.islice(root.iter(), 5000):
        if isinstance(el.tag, str) and (el.tag == "hgroup" or el.get("epub:type")):
            return True
    return False


def _text_of_copy(el: lxml_html.HtmlElement) -> str:
    return el.text_content().strip()


def _trafilatura_blocks(raw: bytes) -> list[Block] | None:
    """Main-content extraction by trafilatura; None when it is unavailable or finds nothing."""
    try:
        import trafilatura
    except ImportError:  # trafilatura needs lxml_html_clean on lxml ≥ 5.2; fall back to our walker
        return None
    try:
        xml = trafilatura.extract(
            raw,
            output_format="xml",
            include_comments=False,
            include_tables=False,
            include_formatting=False,
            include_images=False,
            include_links=False,
            favor_recall=True,
        )
    except Exception:
        log.warning("trafilatura failed; using the lxml block walker", exc_info=True)
        return None
    if not xml:
        return None
    doc = etree.fromstring(xml.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))
    blocks: list[Block] = []
    for el in doc.iter("head", "p", "item", "quote", "list"):
        if el.tag == "list" or (el.tag == "quote" and el.find("p") is not None):
            continue
        text = re.sub(r"\s+", " ", "".join(el.itertext())).strip()
        if not text:
            continue
        if el.tag == "head":
            level = int(re.sub(r"\D", "", el.get("rend", "h2")) or 2)
            blocks.append(Block("heading", text, level, True))
        else:
            blocks.append(Block("para", normalise_text(text)))
    return blocks


def load_html(data: bytes, options: IngestOptions) -> Loaded:
    if looks_binary(data):
        raise IngestError("That file looks like binary data, not a web page I can read.")
    root = parse_html(data)
    title, authors, date = _html_meta(root)
    removed: list[str] = []
    main = _main_container(root)
    walked = html_blocks(main, removed)
    walked.extend(outside_notes(root, main))  # a footnote list after the main container is still its notes
    # headings outside the main container but inside the body (CMS wrappers) still belong to the text
    walked_headings = sum(1 for b in walked if b.kind == "heading" and b.level > 1)
    walked_len = sum(len(b.text) for b in walked if b.kind == "para")
    # trafilatura is for a web page's chrome around an article; a book-length page is its own main content,
    # and trafilatura costs ten times the walker (and more on degenerate markup), so it reads articles only
    article_sized = walked_len <= TRAFILATURA_MAX_CHARS and _count_elements(root, TRAFILATURA_MAX_ELEMENTS) < (
        TRAFILATURA_MAX_ELEMENTS
    )
    # a book's page (marked up as one, or with chapter labels in its text) is not an article: the extractor
    # would drop its structure and, deduplicating, its second "CHAPTER I"
    book_page = _marked_as_book(root) or sum(1 for b in walked if b.kind == "para" and kind_of(b.text) == "label") >= 2
    extracted = _trafilatura_blocks(data) if article_sized and not book_page else None
    blocks = walked
    # trafilatura drops footnote lists and their markers; where the page has notes, the walker keeps them
    # nor print page numbers, which it keeps glued inside sentences
    has_notes = any(b.kind == "note" for b in walked) or any(t.startswith(PAGE_NUMBER_MARK) for t in removed)
    if extracted and not has_notes:
        kept_headings = sum(1 for b in extracted if b.kind == "heading")
        extracted_len = sum(len(b.text) for b in extracted if b.kind == "para")
        # trafilatura is better at boilerplate, but some CMS containers make it drop every <h2>:
        # trust it only when it kept the headings and most of the text
        if kept_headings >= walked_headings * 0.8 and extracted_len >= 0.6 * walked_len:
            blocks = extracted
    if not any(b.kind == "para" for b in blocks):
        raise IngestError("That HTML file has no readable text in it.")
    cleaned = finish_blocks(blocks, removed)
    return Loaded("html", cleaned, any(b.kind == "heading" for b in blocks), title, authors, date)
