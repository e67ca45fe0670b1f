"""EPUB: spine order, nav or NCX headings, and the zip limits."""

from __future__ import annotations

import pytest

from bot.ingest import IngestOptions, ingest_bytes
from tests.ingest.helpers import build_epub, reading_text


@pytest.mark.parametrize("with_nav", [True, False], ids=["nav.xhtml", "toc.ncx"])
def test_epub_spine_order_and_nav_headings(with_nav: bool) -> None:
    book = ingest_bytes(build_epub(with_nav=with_nav), "valley.epub")
    assert book.source_format == "epub"
    assert (book.title, book.authors, book.date) == ("A Valley Chronicle", ("Rosa Kell",), "1911-04-02")
    assert [(s.heading, s.level) for s in book.sections] == [
        ("The Flood", 1),
        ("After the Water", 2),
        ("The Bridge", 1),
    ]
    text = reading_text(book)
    assert "The water rose for three days. Then it stopped." in text
    assert book.sections[0].notes == ("Recorded by the parish clerk.",)


def test_epub_zip_bomb_is_refused() -> None:
    bomb = build_epub(extra={"OEBPS/huge.bin": b"\0" * 5_000_000})
    with pytest.raises(Exception) as info:
        ingest_bytes(bomb, "bomb.epub")
    assert type(info.value).__name__ == "IngestError"
    assert "unpacks to far more data" in str(info.value)


def test_epub_total_size_limit_follows_options() -> None:
    data = build_epub(extra={"OEBPS/big.txt": b"abc" * 400_000})
    with pytest.raises(Exception, match="unpacks to far more data"):
        ingest_bytes(data, "big.epub", IngestOptions(max_bytes=100_000))


def _gutenberg_style_epub() -> bytes:
    """Two chapters in one file, the second's nav anchor on an empty <a> inside its heading; a title page
    and the licence as documents of their own, named in the nav."""
    from tests.ingest.helpers import MILL_TEXT, _zip_epub, xhtml

    t = MILL_TEXT
    docs = {
        "title.xhtml": xhtml(
            "<h1>THE MILL</h1><p>A Tale of the Valley</p><p>BY</p><p>ROSA KELL</p><p>LONDON: SMITH. MDCCCLX.</p>"
        ),
        "one.xhtml": xhtml(
            f'<h2 id="c1">CHAPTER I.</h2><p>{t["one"]}</p><p>{t["one_more"]}</p>'
            f'<h2><a id="c2"></a>CHAPTER II.</h2><p>{t["two"]}</p><p>{t["two_more"]}</p>'
        ),
        "lic.xhtml": xhtml(
            "<p>*** END OF THE PROJECT GUTENBERG EBOOK THE MILL ***</p><h2>THE FULL PROJECT GUTENBERG LICENSE</h2>"
            "<p>To protect the Project Gutenberg mission of promoting free distribution, you agree to these terms.</p>"
        ),
    }
    entries = [("title.xhtml", "THE MILL"), ("one.xhtml#c1", "CHAPTER I."), ("one.xhtml#c2", "CHAPTER II.")]
    entries.append(("lic.xhtml", "THE FULL PROJECT GUTENBERG LICENSE"))
    nav = xhtml(
        '<nav epub:type="toc"><ol>' + "".join(f'<li><a href="{h}">{x}</a></li>' for h, x in entries) + "</ol></nav>"
    )
    items = "".join(f'<item id="d{k}" href="{n}" media-type="application/xhtml+xml"/>' for k, n in enumerate(docs))
    refs = "".join(f'<itemref idref="d{k}"/>' for k in range(len(docs)))
    opf = (
        '<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0">'
        '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>The Mill</dc:title></metadata>'
        f'<manifest><item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>{items}'
        f"</manifest><spine>{refs}</spine></package>"
    )
    return _zip_epub({"content.opf": opf, "nav.xhtml": nav, **docs})


def test_a_nav_anchor_inside_a_heading_keeps_the_chapter_before_it() -> None:
    """'#c2' on <h2><a id="c2"/>…</h2> is that heading, not the top of the file: chapter I stays a reading."""
    from tests.ingest.helpers import MILL_TEXT

    book = ingest_bytes(_gutenberg_style_epub(), "mill.epub")
    assert [(s.heading, s.level) for s in book.sections] == [("CHAPTER I.", 1), ("CHAPTER II.", 1)]
    assert book.sections[0].text.startswith(MILL_TEXT["one"])
    assert book.sections[1].text.startswith(MILL_TEXT["two"])


def test_a_title_page_and_the_licence_documents_are_not_readings() -> None:
    book = ingest_bytes(_gutenberg_style_epub(), "mill.epub")
    text = reading_text(book)
    assert [s.heading for s in book.sections] == ["CHAPTER I.", "CHAPTER II."]
    for junk in ("Tale of the Valley", "ROSA KELL", "MDCCCLX", "LICENSE", "Project Gutenberg"):
        assert junk not in text
    assert "LONDON: SMITH. MDCCCLX." in book.removed
