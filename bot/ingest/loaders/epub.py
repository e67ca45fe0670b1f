"""EPUB: a zip opened defensively, the OPF's spine and metadata, the nav or NCX as headings."""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, replace
from urllib.parse import unquote

from lxml import etree
from lxml import html as lxml_html

from bot.ingest.clean import Block, ends_sentence, finish_blocks
from bot.ingest.loaders.common import Loaded, norm_title
from bot.ingest.loaders.html_blocks import html_blocks, parse_html
from bot.ingest.metadata import surname_last
from bot.ingest.model import IngestError, IngestOptions

EPUB_MAX_ENTRIES = 5_000
EPUB_MAX_RATIO = 100  # uncompressed / compressed, per member, beyond a small allowance

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
            root = parse_html(epub.read(path))
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
            root = parse_html(epub.read(path))
        except KeyError:
            continue
        anchors: dict[str, int] = {}
        matter = _matter_document(root, nav_by_doc.get(path, []))
        doc_blocks = html_blocks(root, removed, anchors)
        entries = nav_by_doc.get(path, [])
        if matter or _is_imprint(doc_blocks) or _is_title_page(doc_blocks, title):  # not readings
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
    clean_authors = [surname_last(a) for a in authors if a]
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


_MATTER_LABEL = re.compile(
    r"^(?:copyright(?: page)?|uncopyright|imprint|colophon|contents|table of contents|licen[cs]e|"
    r"about this (?:e-?book|edition)|(?:the\s+)?(?:full\s+)?project gutenberg(?:-tm|™)?\s+licen[cs]e)$",
    re.I,
)
_MATTER_TYPES = frozenset(["copyright-page", "imprint", "colophon", "toc", "titlepage", "halftitlepage", "cover"])


def _matter_document(root: lxml_html.HtmlElement, entries: list[_NavEntry]) -> bool:
    """A document that is front or back matter by its own word (epub:type on body or its first section)
    or by every nav entry pointing at it (Standard Ebooks' Imprint, Colophon, Uncopyright)."""
    if entries and all(_MATTER_LABEL.match(e.title.strip()) for e in entries):
        return True
    body = root.find(".//body")
    if body is None:
        return False
    holders = [body, *[c for c in body if isinstance(c.tag, str)][:1]]
    for el in holders:
        etype = el.get("{http://www.idpf.org/2007/ops}type") or el.get("epub:type") or ""
        if _MATTER_TYPES & set(etype.split()):
            return True
    return False


def _is_imprint(blocks: list[Block]) -> bool:
    """A short document made of copyright, ISBN and publisher lines (two signals at least)."""
    paras = [b.text for b in blocks if b.kind in ("para", "heading")]
    words = sum(len(t.split()) for t in paras)
    return 0 < words <= 200 and len(_IMPRINT_SIGNAL.findall(" ".join(paras))) >= 2


def _is_title_page(blocks: list[Block], title: str | None) -> bool:
    """A document that names the book and holds no prose: title, "BY", author, imprint lines."""
    key = norm_title(title or "")
    paras = [b.text for b in blocks if b.kind == "para"]
    named = any(
        (k := norm_title(b.text)) and len(k) > 3 and (k in key or key in k) for b in blocks[:3] if b.kind == "heading"
    ) or any((k := norm_title(t)) and len(k) > 3 and key.startswith(k) for t in paras[:2])
    return bool(key and paras and named) and all(len(t.split()) <= 15 and not _sentence(t) for t in paras)


def _sentence(text: str) -> bool:
    """Prose, not a title page's line: a finished sentence of several words in mixed case (an imprint in
    capitals, "LONDON: CHAPMAN & HALL. MDCCCXLIII.", ends with a full stop too)."""
    return ends_sentence(text) and len(text.split()) > 6 and any(c.islower() for c in text)


def _first_text(root: etree._Element, path: str) -> str | None:
    el = root.find(path, _NS)
    if el is None:
        return None
    text = re.sub(r"\s+", " ", "".join(el.itertext())).strip()
    return text or None


def _apply_nav(blocks: list[Block], entries: list[_NavEntry], anchors: dict[str, int]) -> list[Block]:
    """Nav entries become the headings; in-document headings that repeat them are dropped, others
    become sub-headings one level below the nav entry they fall under.

    A heading is kept once: when the document's first heading right after a nav entry words it differently
    ("1" in the nav, "Chapter One: The Flood" in the text), the two are one heading, not a heading followed
    by an empty section."""
    inserts: dict[int, list[_NavEntry]] = {}
    for entry in entries:
        pos = anchors.get(entry.fragment, 0) if entry.fragment else 0
        inserts.setdefault(pos, []).append(entry)
    nav_titles = {norm_title(e.title) for e in entries}
    out: list[Block] = []
    current_level = 1
    fresh = False  # the last block is a nav heading with nothing of the document after it yet
    for i, b in enumerate([*blocks, None]):
        for entry in inserts.get(i, []):
            out.append(Block("heading", entry.title, entry.level, True))
            current_level = entry.level
            fresh = True
        if b is None:
            break
        if b.kind == "heading":
            key = norm_title(b.text)
            if key in nav_titles or (
                any(key in t or t in key for t in nav_titles if len(t) > 3) and out and out[-1].kind == "heading"
            ):
                fresh = False
                continue
            if fresh:
                out[-1] = replace(out[-1], text=_one_heading(out[-1].text, b.text.strip()))
                fresh = False
                continue
            out.append(Block("heading", b.text, current_level + 1, True))
            continue
        fresh = False
        out.append(b)
    return out


_BARE_NUMBER = re.compile(r"^(?:\d{1,4}|[IVXLCDM]{1,7}|[ivxlcdm]{1,7})\.?$")
_LABEL_ONLY = re.compile(r"^(?:chapter|part|book|section|letter|volume)\s+(?:\d{1,4}|[ivxlcdm]{1,7}|\w+)\.?$", re.I)


def _one_heading(nav: str, text: str) -> str:
    """The heading a nav entry and the document's own heading name together."""
    if _BARE_NUMBER.match(nav.strip()):
        return text
    if _LABEL_ONLY.match(nav.strip()):
        return f"{nav.strip().rstrip('.')}: {text}"
    return nav
