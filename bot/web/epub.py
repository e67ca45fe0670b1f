"""A reading as an EPUB 3 file: pure, it builds bytes from a `ReadingText`.

The layout follows EPUB 3.3 (https://www.w3.org/TR/epub-33/): the ``mimetype`` entry first and stored
uncompressed (§4.2.2), ``META-INF/container.xml`` naming the package document (§4.2.6), a package document
with metadata (dc:identifier, dc:title, dc:language, dcterms:modified), manifest and spine (§5), a navigation
document with a ``toc`` nav (§7), and XHTML content documents. The XHTML is built with lxml's element tree, so
every title and paragraph is escaped and the files are well-formed by construction. Paragraph ids are the
citation anchors (``p-3-9``); the notes of each section are endnotes after the text.
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

from lxml import etree
from lxml.builder import ElementMaker

from bot.web.document import ReadingText

__all__ = ["MEDIA_TYPE", "reading_epub"]

MEDIA_TYPE = "application/epub+zip"
XHTML_NS = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"
OPF_NS = "http://www.idpf.org/2007/opf"
DC_NS = "http://purl.org/dc/elements/1.1/"
CONTAINER_NS = "urn:oasis:names:tc:opendocument:xmlns:container"

_H = ElementMaker(namespace=XHTML_NS, nsmap={None: XHTML_NS, "epub": EPUB_NS})
_EPUB_TYPE = f"{{{EPUB_NS}}}type"

STYLE = b"""body { font-family: serif; line-height: 1.5; margin: 0 5%; }
h1 { font-size: 1.5em; margin: 1em 0 .2em; }
h2 { font-size: 1.2em; margin: 1.6em 0 .6em; }
h3 { font-size: 1.05em; }
p { margin: 0 0 .8em; text-indent: 0; }
p.byline { font-style: italic; }
.num { font-size: .7em; color: #777; margin-right: .3em; }
section.notes { margin-top: 2em; border-top: 1px solid #999; font-size: .9em; }
"""

CONTAINER = f"""<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="{CONTAINER_NS}">
  <rootfiles>
    <rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>
  </rootfiles>
</container>
""".encode()


def reading_epub(reading: ReadingText, *, modified: datetime) -> bytes:
    """The EPUB file; ``modified`` (aware) becomes dcterms:modified and the zip entries' times."""
    if modified.tzinfo is None:
        raise ValueError("modified must be an aware datetime")
    stamp = modified.astimezone(UTC).replace(microsecond=0)
    entries = [
        ("META-INF/container.xml", CONTAINER),
        ("OEBPS/content.opf", _package(reading, stamp)),
        ("OEBPS/nav.xhtml", _xml(_nav(reading))),
        ("OEBPS/text.xhtml", _xml(_text(reading))),
        ("OEBPS/style.css", STYLE),
    ]
    buffer = io.BytesIO()
    date_time = (max(stamp.year, 1980), stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)
    with zipfile.ZipFile(buffer, "w") as archive:
        first = zipfile.ZipInfo("mimetype", date_time)
        first.compress_type = zipfile.ZIP_STORED
        archive.writestr(first, MEDIA_TYPE.encode("ascii"))
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


def _xml(root: etree._Element) -> bytes:
    body: bytes = etree.tostring(root, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html>\n' + body


def _head(title: str) -> etree._Element:
    return _H.head(
        _H.meta(charset="utf-8"),
        _H.title(title),
        _H.link(rel="stylesheet", type="text/css", href="style.css"),
    )


def _html(reading: ReadingText, title: str, *body: etree._Element) -> etree._Element:
    root = _H.html(_head(title), _H.body(*body))
    root.set("lang", reading.language)
    root.set("{http://www.w3.org/XML/1998/namespace}lang", reading.language)
    return root


def _text(reading: ReadingText) -> etree._Element:
    parts: list[etree._Element] = [
        _H.h1(reading.title),
        _H.p(f"{reading.book_title} — {reading.byline}", {"class": "byline"}),
    ]
    for section in reading.sections:
        heading = _H.h2 if section.level <= 1 else _H.h3
        block = _H.section(heading(f"§{section.number} · {section.label}"), id=section.anchor)
        for paragraph in section.paragraphs:
            block.append(
                _H.p(
                    _H.span(str(paragraph.number), {"class": "num"}),
                    " " + paragraph.text,  # a space, so copied or spoken text does not run "9Paragraph"
                    id=section.paragraph_id(paragraph),
                )
            )
        parts.append(block)
    if reading.has_notes:
        notes = _H.section(_H.h2("Notes"), {"class": "notes", _EPUB_TYPE: "endnotes"}, id="notes")
        for section in reading.sections:
            if not section.notes:
                continue
            notes.append(_H.h3(f"Notes to §{section.number} · {section.label}"))
            listing = _H.ol()
            for index, note in enumerate(section.notes, start=1):
                listing.append(_H.li(note, {_EPUB_TYPE: "endnote"}, id=section.note_id(index)))
            notes.append(listing)
        parts.append(notes)
    return _html(reading, reading.title, *parts)


def _nav(reading: ReadingText) -> etree._Element:
    items = _H.ol()
    for section in reading.sections:
        items.append(_H.li(_H.a(f"§{section.number} · {section.label}", href=f"text.xhtml#{section.anchor}")))
    if reading.has_notes:
        items.append(_H.li(_H.a("Notes", href="text.xhtml#notes")))
    toc = _H.nav(_H.h1("Contents"), items, {_EPUB_TYPE: "toc"}, id="toc")
    return _html(reading, "Contents", toc)


def _package(reading: ReadingText, stamp: datetime) -> bytes:
    opf = ElementMaker(namespace=OPF_NS, nsmap={None: OPF_NS, "dc": DC_NS})
    dc = ElementMaker(namespace=DC_NS)
    metadata = opf.metadata(
        dc.identifier(f"urn:readalong:{reading.identifier}", id="uid"),
        dc.title(reading.title),
        dc.language(reading.language),
        *[dc.creator(author) for author in reading.authors],
        dc.source(reading.book_title),
        opf.meta(stamp.strftime("%Y-%m-%dT%H:%M:%SZ"), property="dcterms:modified"),
    )
    manifest = opf.manifest(
        opf.item(id="nav", href="nav.xhtml", properties="nav", **{"media-type": "application/xhtml+xml"}),
        opf.item(id="text", href="text.xhtml", **{"media-type": "application/xhtml+xml"}),
        opf.item(id="css", href="style.css", **{"media-type": "text/css"}),
    )
    spine = opf.spine(opf.itemref(idref="text"))
    package = opf.package(metadata, manifest, spine, version="3.0", **{"unique-identifier": "uid"})
    package.set("{http://www.w3.org/XML/1998/namespace}lang", reading.language)
    data: bytes = etree.tostring(package, encoding="utf-8", xml_declaration=True, pretty_print=True)
    return data
