"""File formats → blocks. The only module that touches the file system.

Every loader answers the same question — which paragraphs, in which order, under which headings — so
the cleaning, metadata and sectioning that follow are format-blind. Structure the file itself carries
(HTML h1–h6, an EPUB's nav or NCX, a PDF outline, Markdown #) is kept as "strong" headings; plain text
gets headings later from text rules. Whatever goes wrong inside a parser surfaces as one IngestError
sentence, because a member uploading a file cannot act on a traceback.
"""

from __future__ import annotations

import io
import logging
import posixpath
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from lxml import etree
from lxml import html as lxml_html

from bot.ingest.clean import Block, Cleaned, clean_text, finish_blocks, lines_to_paragraphs
from bot.ingest.encoding import decode_bytes, looks_binary, normalise_text
from bot.ingest.model import IngestError, IngestOptions

log = logging.getLogger(__name__)

FORMATS = {
    ".txt": "txt",
    ".text": "txt",
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".epub": "epub",
    ".pdf": "pdf",
}
SUPPORTED = "I can read .txt, .md, .html, .epub and .pdf files"
EPUB_MAX_ENTRIES = 5_000
EPUB_MAX_RATIO = 100  # uncompressed / compressed, per member, beyond a small allowance


@dataclass
class Loaded:
    """What a loader found: blocks already cleaned, plus metadata the file format states."""

    format: str
    cleaned: Cleaned
    structured: bool  # headings came from the file's structure
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    date: str | None = None


# ---------------------------------------------------------------- entry points


def read_path(path: Path, options: IngestOptions) -> bytes:
    """Read a file within the size limit, turning OS errors into sentences."""
    try:
        size = path.stat().st_size
        if size > options.max_bytes:
            raise IngestError(_too_big(options))
        with path.open("rb") as fh:
            data = fh.read(options.max_bytes + 1)
    except IngestError:
        raise
    except FileNotFoundError as exc:
        raise IngestError("I can't find that file.") from exc
    except IsADirectoryError as exc:
        raise IngestError("That is a folder, not a file.") from exc
    except OSError as exc:
        raise IngestError("I couldn't open that file.") from exc
    return data


def _too_big(options: IngestOptions) -> str:
    mb = options.max_bytes / 1_000_000
    return f"That file is too big: the limit is {mb:g} MB."


def detect_format(data: bytes, filename: str) -> str:
    """Extension first (it is what the member chose), magic bytes to catch lies and missing names."""
    ext = Path(filename).suffix.lower()
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        if ext in (".epub", "") or b"application/epub+zip" in data[:200]:
            return "epub"
        if ext in FORMATS:
            raise IngestError(f"That file is called {ext} but is really a zip archive.")
        raise IngestError(f"{SUPPORTED}, not {ext}.")
    if ext in FORMATS:
        fmt = FORMATS[ext]
        if fmt == "pdf":
            raise IngestError("That PDF looks damaged or incomplete, so I can't read it.")
        if fmt == "epub":
            raise IngestError("That EPUB looks damaged or incomplete, so I can't read it.")
        return fmt
    if ext:
        raise IngestError(f"{SUPPORTED}, not {ext}.")
    head = data[:1024].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<body" in head:
        return "html"
    return "txt"


def load(data: bytes, filename: str, options: IngestOptions) -> Loaded:
    if len(data) > options.max_bytes:
        raise IngestError(_too_big(options))
    if not data.strip():
        raise IngestError("That file is empty.")
    fmt = detect_format(data, filename)
    loader: Callable[[bytes, IngestOptions], Loaded] = {
        "txt": load_txt,
        "md": load_markdown,
        "html": load_html,
        "epub": load_epub,
        "pdf": load_pdf,
    }[fmt]
    return loader(data, options)


# ---------------------------------------------------------------- plain text and Markdown


def load_txt(data: bytes, options: IngestOptions) -> Loaded:
    text = decode_bytes(data)
    if not text.strip():
        raise IngestError("That file is empty.")
    return Loaded("txt", clean_text(text), structured=False)


_ATX = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_SETEXT = re.compile(r"^(=+|-+)\s*$")
_FRONT = re.compile(r"\A---\n(.*?)\n(?:---|\.\.\.)\n", re.S)


_MD_IMAGE = re.compile(r"!\[[^\]]*\](?:\([^)]*\)|\[[^\]]*\])")  # inline and reference images: alt text is no text
_MD_LINK = re.compile(r"\[([^\]]+)\]\((?:[^()\s]|\([^)]*\))+(?:\s+\"[^\"]*\")?\)")
_MD_REF_LINK = re.compile(r"\[([^\]^][^\]]*)\]\[[^\]]*\]")  # [text][ref]
_MD_REF_DEFINITION = re.compile(r"^ {0,3}\[(?!\^)[^\]]+\]:\s*\S+(?:\s+[\"'(].*[\"')])?\s*$")
_MD_CODE_SPAN = re.compile(r"`([^`\n]+)`")
_MD_QUOTE = re.compile(r"^ {0,3}(?:> ?)+")
_MD_BULLET = re.compile(r"^[-*+•]\s+")


def _strip_markdown_inline(text: str) -> str:
    text = _MD_IMAGE.sub("", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_REF_LINK.sub(r"\1", text)
    text = _MD_CODE_SPAN.sub(r"\1", text)
    text = re.sub(r"<[^>\n]{1,200}>", "", text)
    return text


def load_markdown(data: bytes, options: IngestOptions) -> Loaded:
    """Markdown: # and setext headings are the structure; a paragraph is its lines joined (Markdown's own
    rule), list items and block quotes are paragraphs of their own, a fenced code block is one paragraph
    that keeps its lines, and images, link targets and reference definitions are not text."""
    text = decode_bytes(data)
    if not text.strip():
        raise IngestError("That file is empty.")
    meta: dict[str, str] = {}
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
            blocks.append(Block("heading", _strip_markdown_inline(m.group(2)).strip("*_ "), len(m.group(1)), True))
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
    return Loaded("md", cleaned, structured, meta.get("title"), authors, meta.get("date"))


# ---------------------------------------------------------------- HTML

_DROP_TAGS = ("script", "style", "noscript", "template", "svg", "iframe", "form", "button", "nav", "select", "input")
_BOILER_ATTR = re.compile(
    r"(?:^|[\s_-])(?:share|sharing|social|comments?|related|sidebar|newsletter|subscribe|promo|advert|ads?|"
    r"cookie|breadcrumbs?|menu|navbar|nav|footer|site-header|masthead|widget|tags?|byline-share|popup|modal|"
    r"read-?more|recommended|most-?recent|author-bio)(?:$|[\s_-])",
    re.I,
)
_NOTE_ATTR = re.compile(r"(?:foot|end)notes?|\bnotes\b|rearnote", re.I)
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


def _parse_html(data: bytes | str) -> lxml_html.HtmlElement:
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
            b"".decode(name)
            return name
        except LookupError:
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
    return bool(_NOTE_ATTR.search(attrs) or re.search(r"footnote|endnote|rearnote", etype))


def _strip_markers(root: lxml_html.HtmlElement) -> None:
    """Footnote references (<sup>1</sup>, <a href="#fn1">[1]</a>) leave the reading text."""
    for el in list(root.iter("sup", "a")):
        text = (el.text_content() or "").strip()
        etype = el.get("{http://www.idpf.org/2007/ops}type") or el.get("epub:type") or ""
        href = el.get("href") or ""
        if (
            (el.tag == "sup" and re.fullmatch(r"\[?\(?[\w*†‡§]{1,4}\)?\]?", text))
            or "noteref" in etype
            or (el.tag == "a" and re.search(r"#(?:fn|ftn|note|endnote|footnote)", href, re.I) and len(text) <= 5)
        ):
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
    for caption in list(root.iter("figcaption")):
        text = _text_of(caption)
        if text:
            removed.append(text)
        caption.drop_tree()
    _strip_markers(root)
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
        if el.tag in _HEADING_TAGS:
            text = _text_of(el)
            if text:
                blocks.append(Block("heading", re.sub(r"\s+", " ", text), _HEADING_TAGS[el.tag], True))
            return
        children = [c for c in el if isinstance(c.tag, str)]
        has_block_child = any(
            c.tag in _BLOCK_TAGS
            or c.tag in _HEADING_TAGS
            or c.tag in ("ul", "ol", "table", "figure", "hr", "header", "footer")
            for c in children
        )
        if el.tag == "p" and not has_block_child and _bold_only(el):
            # a paragraph that is nothing but a short bold line is the blogger's sub-heading
            level = next((b.level for b in reversed(blocks) if b.kind == "heading"), 1) + 1
            blocks.append(Block("heading", re.sub(r"\s+", " ", _text_of(el)), min(level, 6), True))
            return
        if el.tag in ("p", "li", "blockquote", "pre", "dd", "dt", "address", "td", "th") and not has_block_child:
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


def _bold_only(el: lxml_html.HtmlElement) -> bool:
    """<p><strong>Why not buy new ones?</strong></p>: one bold child holding all of a short, title-like text."""
    children = [c for c in el if isinstance(c.tag, str)]
    if len(children) != 1 or children[0].tag not in ("strong", "b") or (el.text or "").strip():
        return False
    if (children[0].tail or "").strip():
        return False
    text = re.sub(r"\s+", " ", children[0].text_content()).strip()
    return 0 < len(text.split()) <= 12 and len(text) <= 100 and not text.endswith((".", ",", ";", ":"))


def _note_items(el: lxml_html.HtmlElement) -> Iterator[Block]:
    items = el.findall(".//li") or [el]
    for n, item in enumerate(items, start=1):
        text = _text_of(item)
        text = re.sub(r"^\[?\(?(\d{1,3})[\].):]?\s*", "", text)
        text = re.sub(r"\s*[↩↑⤴︎]+\s*$", "", text)
        if text:
            label = item.get("id") or str(n)
            m = re.search(r"(\d+)$", label)
            yield Block("note", re.sub(r"\s+", " ", text), label=m.group(1) if m else str(n))


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
    author = meta("author", "article:author", "dc.creator", "DC.creator", "citation_author")
    date = meta("article:published_time", "date", "dc.date", "DC.date", "citation_publication_date", "pubdate")
    authors = [author] if author and not author.startswith("http") else []
    return title, authors, date


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
    return max(scores, key=lambda e: scores[e])


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
    root = _parse_html(data)
    title, authors, date = _html_meta(root)
    removed: list[str] = []
    main = _main_container(root)
    walked = html_blocks(main, removed)
    # headings outside the main container but inside the body (CMS wrappers) still belong to the text
    walked_headings = sum(1 for b in walked if b.kind == "heading" and b.level > 1)
    extracted = _trafilatura_blocks(data)
    blocks = walked
    # trafilatura drops footnote lists and their markers; where the page has notes, the walker keeps them
    has_notes = any(b.kind == "note" for b in walked)
    if extracted and not has_notes:
        kept_headings = sum(1 for b in extracted if b.kind == "heading")
        walked_len = sum(len(b.text) for b in walked if b.kind == "para")
        extracted_len = sum(len(b.text) for b in extracted if b.kind == "para")
        # trafilatura is better at boilerplate, but some CMS containers make it drop every <h2>:
        # trust it only when it kept the headings and most of the text
        if kept_headings >= walked_headings * 0.8 and extracted_len >= 0.6 * walked_len:
            blocks = extracted
    if not any(b.kind == "para" for b in blocks):
        raise IngestError("That HTML file has no readable text in it.")
    cleaned = finish_blocks(blocks, removed)
    return Loaded("html", cleaned, any(b.kind == "heading" for b in blocks), title, authors, date)


# ---------------------------------------------------------------- EPUB


_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)
_NS = {
    "c": "urn:oasis:names:tc:opendocument:xmlns:container",
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
    "xhtml": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
}


class _Epub:
    """A zip read defensively: bounded member count, total size and compression ratio."""

    def __init__(self, data: bytes, options: IngestOptions) -> None:
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
            raise IngestError("That EPUB looks damaged or incomplete, so I can't read it.") from exc
        if len(infos) > EPUB_MAX_ENTRIES:
            raise IngestError("That EPUB has far too many files inside it, so I won't open it.")
        self.budget = max(options.max_bytes * 5, 1_000_000)
        total = sum(i.file_size for i in infos)
        bomb = any(i.file_size > 1_000_000 and i.file_size > EPUB_MAX_RATIO * max(1, i.compress_size) for i in infos)
        if total > self.budget or bomb:
            raise IngestError("That EPUB unpacks to far more data than a book should, so I won't open it.")
        self.names = {i.filename for i in infos}

    def read(self, name: str) -> bytes:
        if name not in self.names:
            raise KeyError(name)
        try:
            with self.zip.open(name) as fh:
                data = fh.read(self.budget + 1)  # sizes in the zip directory can lie
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError) as exc:
            raise IngestError("That EPUB looks damaged or incomplete, so I can't read it.") from exc
        self.budget -= len(data)
        if self.budget < 0:
            raise IngestError("That EPUB unpacks to far more data than a book should, so I won't open it.")
        return data


def _xml(data: bytes) -> etree._Element:
    try:
        root = etree.fromstring(data, _XML_PARSER)
    except etree.XMLSyntaxError as exc:
        raise IngestError("That EPUB looks damaged or incomplete, so I can't read it.") from exc
    if root is None:
        raise IngestError("That EPUB looks damaged or incomplete, so I can't read it.")
    return root


@dataclass
class _NavEntry:
    href: str  # zip path of the document
    fragment: str
    title: str
    level: int


def _nav_entries(
    epub: _Epub, opf_dir: str, manifest: dict[str, tuple[str, str, str]], spine_toc: str | None
) -> list[_NavEntry]:
    entries: list[_NavEntry] = []
    nav_item = next((href for href, _mt, props in manifest.values() if "nav" in props.split()), None)
    if nav_item:
        path = posixpath.normpath(posixpath.join(opf_dir, nav_item))
        try:
            root = _parse_html(epub.read(path))
        except KeyError:
            root = None
        if root is not None:
            navs = [
                n
                for n in root.iter("nav")
                if "toc" in (n.get("{http://www.idpf.org/2007/ops}type") or n.get("epub:type") or "")
            ]
            nav = navs[0] if navs else next(iter(root.iter("nav")), None)
            if nav is not None:
                base = posixpath.dirname(path)

                def walk(ol: lxml_html.HtmlElement, level: int) -> None:
                    for li in ol.findall("li"):
                        a = li.find(".//a")
                        if a is not None and a.get("href"):
                            target, _, frag = unquote(a.get("href")).partition("#")
                            title = re.sub(r"\s+", " ", a.text_content()).strip()
                            if title:
                                entries.append(
                                    _NavEntry(posixpath.normpath(posixpath.join(base, target)), frag, title, level)
                                )
                        for sub in li.findall("ol"):
                            walk(sub, level + 1)

                for ol in nav.findall(".//ol")[:1]:
                    walk(ol, 1)
    if entries:
        return entries
    ncx_href = manifest.get(spine_toc or "", ("", "", ""))[0] or next(
        (href for href, mt, _p in manifest.values() if mt == "application/x-dtbncx+xml"), ""
    )
    if ncx_href:
        path = posixpath.normpath(posixpath.join(opf_dir, ncx_href))
        try:
            root = _xml(epub.read(path))
        except KeyError:
            return entries
        base = posixpath.dirname(path)

        def walk_ncx(parent: etree._Element, level: int) -> None:
            for point in parent.findall("ncx:navPoint", _NS):
                label = point.find("ncx:navLabel/ncx:text", _NS)
                content = point.find("ncx:content", _NS)
                if label is not None and content is not None and content.get("src"):
                    target, _, frag = unquote(content.get("src")).partition("#")
                    title = re.sub(r"\s+", " ", "".join(label.itertext())).strip()
                    if title:
                        entries.append(_NavEntry(posixpath.normpath(posixpath.join(base, target)), frag, title, level))
                walk_ncx(point, level + 1)

        nav_map = root.find("ncx:navMap", _NS)
        if nav_map is not None:
            walk_ncx(nav_map, 1)
    return entries


def _norm_title(text: str) -> str:
    return re.sub(r"[\W_]+", " ", text).strip().lower()


def load_epub(data: bytes, options: IngestOptions) -> Loaded:
    epub = _Epub(data, options)
    try:
        container = _xml(epub.read("META-INF/container.xml"))
        rootfile = container.find(".//c:rootfile", _NS)
        opf_path = rootfile.get("full-path") if rootfile is not None else None
    except KeyError:
        opf_path = None
    if not opf_path:
        opf_path = next((n for n in sorted(epub.names) if n.endswith(".opf")), None)
    if not opf_path:
        raise IngestError("That EPUB has no table of contents file, so I can't tell what order to read it in.")
    try:
        opf = _xml(epub.read(opf_path))
    except KeyError as exc:
        raise IngestError("That EPUB looks damaged or incomplete, so I can't read it.") from exc
    opf_dir = posixpath.dirname(opf_path)
    manifest: dict[str, tuple[str, str, str]] = {}
    for item in opf.iterfind(".//opf:manifest/opf:item", _NS):
        manifest[item.get("id", "")] = (
            unquote(item.get("href", "")),
            item.get("media-type", ""),
            item.get("properties", ""),
        )
    spine = opf.find(".//opf:spine", _NS)
    if spine is None:
        raise IngestError("That EPUB has no reading order (spine), so I can't read it.")
    order = [ref.get("idref", "") for ref in spine.iterfind("opf:itemref", _NS) if ref.get("linear", "yes") != "no"]

    title = _first_text(opf, ".//dc:title")
    authors = [re.sub(r"\s+", " ", "".join(c.itertext())).strip() for c in opf.iterfind(".//dc:creator", _NS)]
    date = _first_text(opf, ".//dc:date")

    nav = _nav_entries(epub, opf_dir, manifest, spine.get("toc"))
    nav_by_doc: dict[str, list[_NavEntry]] = {}
    for entry in nav:
        nav_by_doc.setdefault(entry.href, []).append(entry)
    nav_docs = {posixpath.normpath(posixpath.join(opf_dir, h)) for h, _m, p in manifest.values() if "nav" in p.split()}

    blocks: list[Block] = []
    removed: list[str] = []
    for idref in order:
        if idref not in manifest:
            continue
        href, media, _props = manifest[idref]
        path = posixpath.normpath(posixpath.join(opf_dir, href))
        if path in nav_docs or ("html" not in media and not path.endswith((".html", ".xhtml", ".htm"))):
            continue
        try:
            root = _parse_html(epub.read(path))
        except KeyError:
            continue
        anchors: dict[str, int] = {}
        doc_blocks = html_blocks(root, removed, anchors)
        entries = nav_by_doc.get(path, [])
        if _is_imprint(doc_blocks):  # the copyright page is front matter, not a reading
            removed.extend(b.text for b in doc_blocks)
            continue
        if not any(b.kind == "para" for b in doc_blocks):  # a cover or title page: only its real headings
            entries = [e for e in entries if not _FRONT_LABEL.match(e.title.strip())]
            doc_blocks = [b for b in doc_blocks if not _FRONT_LABEL.match(b.text.strip())]
        if entries:
            doc_blocks = _apply_nav(doc_blocks, entries, anchors)
        blocks.extend(doc_blocks)
    if not any(b.kind == "para" for b in blocks):
        raise IngestError("That EPUB has no readable text in it.")
    cleaned = finish_blocks(blocks, removed)
    clean_authors = [a for a in authors if a]
    return Loaded("epub", cleaned, any(b.kind == "heading" for b in blocks), title, clean_authors, date)


_FRONT_LABEL = re.compile(
    r"^(?:cover|front cover|title|title page|half[- ]title|copyright(?: page)?|imprint|colophon|contents|"
    r"table of contents)$",
    re.I,
)
_IMPRINT_SIGNAL = re.compile(
    r"©|\bcopyright\b|\ball rights reserved\b|\bISBN\b|\bfirst published\b|\bpublished by\b|"
    r"\bprinted (?:and bound )?in\b|\blibrary of congress\b|\bcataloguing\b",
    re.I,
)


def _is_imprint(blocks: list[Block]) -> bool:
    """A short document made of copyright, ISBN and publisher lines (two signals at least)."""
    paras = [b.text for b in blocks if b.kind in ("para", "heading")]
    words = sum(len(t.split()) for t in paras)
    return 0 < words <= 200 and len(_IMPRINT_SIGNAL.findall(" ".join(paras))) >= 2


def _first_text(root: etree._Element, path: str) -> str | None:
    el = root.find(path, _NS)
    if el is None:
        return None
    text = re.sub(r"\s+", " ", "".join(el.itertext())).strip()
    return text or None


def _apply_nav(blocks: list[Block], entries: list[_NavEntry], anchors: dict[str, int]) -> list[Block]:
    """Nav entries become the headings; in-document headings that repeat them are dropped, others
    become sub-headings one level below the nav entry they fall under."""
    inserts: dict[int, list[_NavEntry]] = {}
    for entry in entries:
        pos = anchors.get(entry.fragment, 0) if entry.fragment else 0
        inserts.setdefault(pos, []).append(entry)
    nav_titles = {_norm_title(e.title) for e in entries}
    out: list[Block] = []
    current_level = 1
    for i, b in enumerate([*blocks, None]):
        for entry in inserts.get(i, []):
            out.append(Block("heading", entry.title, entry.level, True))
            current_level = entry.level
        if b is None:
            break
        if b.kind == "heading":
            if _norm_title(b.text) in nav_titles or (
                any(_norm_title(b.text) in t or t in _norm_title(b.text) for t in nav_titles if len(t) > 3)
                and out
                and out[-1].kind == "heading"
            ):
                continue
            out.append(Block("heading", b.text, current_level + 1, True))
            continue
        out.append(b)
    return out


# ---------------------------------------------------------------- PDF


def load_pdf(data: bytes, options: IngestOptions) -> Loaded:
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError as exc:  # pragma: no cover - declared dependency
        raise IngestError("Reading PDF files isn't available on this server.") from exc
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):
                    raise IngestError("That PDF is password-protected, so I can't read it.")
            except IngestError:
                raise
            except Exception as exc:
                raise IngestError("That PDF is password-protected, so I can't read it.") from exc
        pages = [page.extract_text() or "" for page in reader.pages]
        outline = _pdf_outline(reader)
        info = reader.metadata
    except IngestError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError, RecursionError) as exc:
        raise IngestError("That PDF looks damaged or incomplete, so I can't read it.") from exc
    except Exception as exc:  # pypdf raises many internal types on broken files
        log.info("pypdf failed", exc_info=True)
        raise IngestError("That PDF looks damaged or incomplete, so I can't read it.") from exc
    if not any(p.strip() for p in pages):
        raise IngestError("That PDF has no text I can read (it may be scanned images).")
    pages = [normalise_text(p) for p in pages]
    removed: list[str] = []
    pages = _strip_running_lines(pages, removed)
    pages = _dehyphenate(pages)
    blocks: list[Block] = []
    by_page: dict[int, list[tuple[str, int]]] = {}
    for title, level, page in outline:
        by_page.setdefault(page, []).append((title, level))
    for number, text in enumerate(pages):
        lines = text.split("\n")
        for title, level in by_page.get(number, []):
            key = _norm_title(title)
            for k, line in enumerate(lines):
                if _norm_title(line) == key:
                    blocks.extend(_pdf_paragraphs("\n".join(lines[:k])))
                    lines = lines[k + 1 :]
                    break
            blocks.append(Block("heading", title, level, True))
        blocks.extend(_pdf_paragraphs("\n".join(lines)))
    doc_title = str(info.title) if info and info.title else None
    authors = [str(info.author)] if info and info.author else []
    cleaned = finish_blocks(blocks, removed)
    return Loaded("pdf", cleaned, bool(outline), doc_title, authors, None)


def _pdf_outline(reader: object) -> list[tuple[str, int, int]]:
    out: list[tuple[str, int, int]] = []

    def walk(items: list[object], level: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
                continue
            try:
                title = str(item.title).strip()  # type: ignore[attr-defined]
                page = reader.get_destination_page_number(item)  # type: ignore[attr-defined]
            except Exception:
                continue
            if title and page is not None and page >= 0:
                out.append((title, level, page))

    try:
        walk(list(reader.outline), 1)  # type: ignore[attr-defined]
    except Exception:
        return []
    return out


def _strip_running_lines(pages: list[str], removed: list[str]) -> list[str]:
    """Running heads/footers and page numbers repeat on most pages; they are not text."""
    if len(pages) < 3:
        return [_drop_page_number(p, removed) for p in pages]
    counts: dict[str, int] = {}
    for p in pages:
        lines = [x.strip() for x in p.split("\n") if x.strip()]
        for line in set(lines[:2] + lines[-2:]):
            key = re.sub(r"\d+", "#", line)
            counts[key] = counts.get(key, 0) + 1
    running = {k for k, v in counts.items() if v >= max(3, len(pages) // 2)}
    out = []
    for p in pages:
        kept = []
        for line in p.split("\n"):
            if line.strip() and re.sub(r"\d+", "#", line.strip()) in running:
                removed.append(line.strip())
                continue
            kept.append(line)
        out.append(_drop_page_number("\n".join(kept), removed))
    return out


def _drop_page_number(text: str, removed: list[str]) -> str:
    lines = text.split("\n")
    while lines and re.fullmatch(r"\s*(?:page\s+)?\d{1,4}\s*", lines[-1], re.I):
        removed.append(lines.pop().strip())
    while lines and re.fullmatch(r"\s*(?:page\s+)?\d{1,4}\s*", lines[0], re.I):
        removed.append(lines.pop(0).strip())
    return "\n".join(lines)


_LINE_END_HYPHEN = re.compile(r"([^\W\d_]+)-\n[ \t]*([^\W\d_A-Z][^\W\d_]*)(\S*)[ \t]*")
_INNER_HYPHEN = re.compile(r"[^\W\d_]+-[^\W\d_]+")


def _dehyphenate(pages: list[str]) -> list[str]:
    """ "revo-" / "lution" → "revolution": a typesetter's break, unless the document prints the same
    compound with its hyphen inside a line ("grand-" / "daughter" stays "grand-daughter")."""
    compounds = {w.lower() for p in pages for w in _INNER_HYPHEN.findall(p)}

    def join(m: re.Match[str]) -> str:
        left, right = m.group(1), m.group(2)
        word = f"{left}-{right}" if f"{left}-{right}".lower() in compounds else left + right
        return f"{word}{m.group(3)}\n"  # the whole word, with its punctuation, ends the first line

    return [_LINE_END_HYPHEN.sub(join, p) if "-\n" in p else p for p in pages]


def _pdf_heading_line(line: str, width: int) -> bool:
    """A short line of its own that reads like a title: no closing punctuation, capitalised, few words."""
    words = line.split()
    return (
        0 < len(words) <= 8
        and len(line) < 0.6 * width
        and line[:1].isupper()
        and not line.endswith((".", ",", ";", ":", "!", "?", "-", "”", '"', "’"))
    )


def _pdf_paragraphs(text: str) -> list[Block]:
    """PDF text has no blank lines between paragraphs: a short line ending a sentence ends one, and a short
    title-like line after a finished paragraph (or opening the page) stands alone, so the heading rules
    can judge it."""
    lines = [line.rstrip() for line in text.split("\n")]
    nonempty = [len(x) for x in lines if x.strip()]
    if not nonempty:
        return []
    width = sorted(nonempty)[int(len(nonempty) * 0.8)] if len(nonempty) > 1 else nonempty[0]
    out_lines: list[str] = []
    paragraph_open = False
    for line in lines:
        stripped = line.strip()
        if stripped and not paragraph_open and _pdf_heading_line(stripped, width):
            out_lines.extend(["", line, ""])
            continue
        out_lines.append(line)
        paragraph_open = bool(stripped)
        if stripped and stripped.endswith((".", "!", "?", "”", '"', ":")) and len(stripped) < 0.8 * width:
            out_lines.append("")
            paragraph_open = False
    return [Block("para", p) for p in lines_to_paragraphs("\n".join(out_lines), wrapped=True)]


def is_probably_binary(data: bytes) -> bool:
    return looks_binary(data)
