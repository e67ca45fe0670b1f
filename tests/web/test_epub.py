"""The reading files: an EPUB 3 checked structurally, read back by a second reader, and the self-contained HTML.

Readers used: lxml (every XML file parses, namespaces and ids as the spec wants), the project's own EPUB
loader (bot.ingest, which follows container → OPF → spine → nav like a reading system) and, when Debian's
`epubcheck` is installed (.ci/install-epubcheck), the W3C's EPUBCheck validator. EbookLib was not used: AGPL.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree, html

from bot.ingest import ingest_bytes
from bot.web.document import ReadingText, TextParagraph, TextSection
from bot.web.epub import reading_epub
from bot.web.render import reading_file

MODIFIED = datetime(2026, 11, 3, 18, 0, tzinfo=UTC)
NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "c": "urn:oasis:names:tc:opendocument:xmlns:container",
}
HOSTILE = '<script>alert("x")</script> & <b>'


def sample(hostile: bool = False) -> ReadingText:
    extra = f" {HOSTILE}" if hostile else ""
    sections = tuple(
        TextSection(
            number=n,
            heading=f"Chapter {n}{extra}",
            level=1,
            paragraphs=tuple(
                TextParagraph(p, f"Section {n} paragraph {p} says something worth discussing{extra}.")
                for p in range(1, 12)
            ),
            notes=(f"A note on §{n}{extra}.",) if n == 3 else (),
        )
        for n in (3, 4)
    )
    return ReadingText(
        identifier="book-7-sections-3-4",
        title=f"The Crisis{extra}",
        book_title=f"A History{extra}",
        authors=("Ann Author", f"Bo Writer{extra}"),
        sections=sections,
        number=2,
    )


def test_zip_layout_mimetype_first_and_stored() -> None:
    data = reading_epub(sample(), modified=MODIFIED)
    assert data[30:38] == b"mimetype" and data[38:58] == b"application/epub+zip"  # first local header, no extra
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
        assert infos[0].filename == "mimetype" and infos[0].compress_type == zipfile.ZIP_STORED
        assert infos[0].extra == b""
        assert archive.read("mimetype") == b"application/epub+zip"
        assert [i.filename for i in infos[1:]] == [
            "META-INF/container.xml",
            "OEBPS/content.opf",
            "OEBPS/nav.xhtml",
            "OEBPS/text.xhtml",
            "OEBPS/style.css",
        ]
        assert all(i.compress_type == zipfile.ZIP_DEFLATED for i in infos[1:])
        assert archive.testzip() is None
    assert reading_epub(sample(), modified=MODIFIED) == data  # reproducible


def test_container_opf_and_nav() -> None:
    with zipfile.ZipFile(io.BytesIO(reading_epub(sample(), modified=MODIFIED))) as archive:
        container = etree.fromstring(archive.read("META-INF/container.xml"))
        rootfile = container.find(".//c:rootfile", NS)
        assert rootfile is not None and rootfile.get("full-path") == "OEBPS/content.opf"
        assert rootfile.get("media-type") == "application/oebps-package+xml"
        opf = etree.fromstring(archive.read("OEBPS/content.opf"))
        assert opf.get("version") == "3.0" and opf.get("unique-identifier") == "uid"
        assert opf.findtext(".//dc:identifier[@id='uid']", namespaces=NS) == "urn:readalong:book-7-sections-3-4"
        assert opf.findtext(".//dc:title", namespaces=NS) == "The Crisis"
        assert opf.findtext(".//dc:language", namespaces=NS) == "en"
        assert [c.text for c in opf.iterfind(".//dc:creator", NS)] == ["Ann Author", "Bo Writer"]
        assert opf.findtext(".//opf:meta[@property='dcterms:modified']", namespaces=NS) == "2026-11-03T18:00:00Z"
        items = {i.get("id"): i for i in opf.iterfind(".//opf:manifest/opf:item", NS)}
        assert items["nav"].get("properties") == "nav" and items["nav"].get("href") == "nav.xhtml"
        for item in items.values():  # every manifest entry is in the zip
            archive.getinfo("OEBPS/" + item.get("href", ""))
        assert [r.get("idref") for r in opf.iterfind(".//opf:spine/opf:itemref", NS)] == ["text"]
        nav = etree.fromstring(archive.read("OEBPS/nav.xhtml"))
        toc = nav.find(".//x:nav", NS)
        assert toc is not None and toc.get(f"{{{NS['epub']}}}type") == "toc"
        links = [(a.get("href"), a.text) for a in toc.iterfind(".//x:a", NS)]
        assert links == [
            ("text.xhtml#s-3", "§3 · Chapter 3"),
            ("text.xhtml#s-4", "§4 · Chapter 4"),
            ("text.xhtml#notes", "Notes"),
        ]
        text = etree.fromstring(archive.read("OEBPS/text.xhtml"))
        ids = set(text.xpath("//@id"))
        assert {href.split("#")[1] for href, _ in links} <= ids  # every nav target exists


def test_content_headings_paragraph_ids_and_endnotes() -> None:
    with zipfile.ZipFile(io.BytesIO(reading_epub(sample(), modified=MODIFIED))) as archive:
        raw = archive.read("OEBPS/text.xhtml")
    assert raw.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html>')
    root = etree.fromstring(raw)  # well-formed XML or this raises
    assert root.tag == f"{{{NS['x']}}}html" and root.get("lang") == "en"
    assert [h.xpath("string()") for h in root.iterfind(".//x:h2", NS)] == ["§3 · Chapter 3", "§4 · Chapter 4", "Notes"]
    ninth = root.find(".//x:p[@id='p-3-9']", NS)
    assert ninth is not None and "Section 3 paragraph 9 says" in ninth.xpath("string()")
    assert len(root.findall(".//x:p[@id]", NS)) == 22
    notes = root.find(".//x:section[@id='notes']", NS)
    assert notes is not None and notes.get(f"{{{NS['epub']}}}type") == "endnotes"
    note = notes.find(".//x:li[@id='n-3-1']", NS)
    assert note is not None and note.get(f"{{{NS['epub']}}}type") == "endnote" and note.text == "A note on §3."


def test_hostile_text_stays_text_in_every_file() -> None:
    with zipfile.ZipFile(io.BytesIO(reading_epub(sample(hostile=True), modified=MODIFIED))) as archive:
        for name in ("OEBPS/content.opf", "OEBPS/nav.xhtml", "OEBPS/text.xhtml"):
            raw = archive.read(name)
            root = etree.fromstring(raw)
            assert not root.xpath("//*[local-name()='script' or local-name()='b']"), name
            assert b"&lt;script&gt;" in raw
        title = etree.fromstring(archive.read("OEBPS/content.opf")).findtext(".//dc:title", namespaces=NS)
        assert title == f"The Crisis {HOSTILE}"


def test_a_second_reader_reads_it_back() -> None:
    """The project's EPUB loader (container → OPF → spine → nav) recovers title, authors, headings and text."""
    book = ingest_bytes(reading_epub(sample(), modified=MODIFIED), "reading.epub")
    assert book.title == "The Crisis"
    assert list(book.authors) == ["Ann Author", "Bo Writer"]
    headings = [s.heading or "" for s in book.sections]
    assert any("Chapter 3" in h for h in headings) and any("Chapter 4" in h for h in headings)
    text = "\n".join(p.text for s in book.sections for p in s.paragraphs)
    for n in (3, 4):
        for p in range(1, 12):
            assert f"Section {n} paragraph {p} says something worth discussing." in text


EPUBCHECK = Path("/usr/share/java/epubcheck.jar")  # Debian's package; /usr/bin/epubcheck needs binfmt for jars


@pytest.mark.skipif(
    not EPUBCHECK.exists() or shutil.which("java") is None, reason="EPUBCheck not installed (.ci/install-epubcheck)"
)
def test_epubcheck_finds_no_error(tmp_path: Path) -> None:
    path = tmp_path / "reading.epub"
    path.write_bytes(reading_epub(sample(hostile=True), modified=MODIFIED))
    command = ["java", "-jar", str(EPUBCHECK), str(path)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No errors or warnings detected" in result.stdout


def test_standalone_html_file() -> None:
    data = reading_file(sample(hostile=True)).decode("utf-8")
    assert "<script" not in data.lower() and "&lt;script&gt;" in data
    doc = html.document_fromstring(data)
    assert doc.find(".//style") is not None and "prefers-color-scheme" in doc.findtext(".//style")
    assert not doc.xpath("//link | //img | //iframe | //@src")  # nothing loaded from elsewhere
    ninth = doc.get_element_by_id("p-3-9")
    assert "Section 3 paragraph 9" in ninth.text_content()
    assert doc.get_element_by_id("n-3-1").text_content().startswith("A note on §3")
