"""Web pages: headings in CMS containers, the extractor and its fallback, broken markup."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.ingest import ingest_bytes, ingest_path
from bot.ingest.loaders.html import _trafilatura_blocks
from tests.ingest.helpers import headings, reading_text

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "ingest"


def test_html_headings_in_cms_containers_survive() -> None:
    book = ingest_path(FIXTURES / "cms_headings.html")
    assert book.source_format == "html"
    assert (book.title, book.authors, book.date) == ("The Salt Roads", ("Ines Varga",), "2020-06-14")
    assert headings(book) == ["Mines and Pans", "The Caravans"]
    text = reading_text(book)
    for junk in ("Facebook", "Related articles", "pepper", "contact us", "Photo: archive", "Home"):
        assert junk.lower() not in text.lower()
    assert "shallow pans. The pans" in text  # the <sup> marker left
    assert any("Sea salt was usually cheaper" in n for s in book.sections for n in s.notes)


def test_html_falls_back_when_extractor_drops_headings(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.ingest.clean import Block
    from bot.ingest.loaders import html as html_loader

    def no_headings(raw: bytes) -> list[Block]:
        return [Block("para", "Only the text survived, every heading dropped by the container.")] * 5

    monkeypatch.setattr(html_loader, "_trafilatura_blocks", no_headings)
    book = ingest_path(FIXTURES / "cms_headings.html")
    assert headings(book) == ["Mines and Pans", "The Caravans"]


def test_trafilatura_result_is_used_when_available() -> None:
    blocks = _trafilatura_blocks((FIXTURES / "cms_headings.html").read_bytes())
    if blocks is None:
        pytest.skip("trafilatura cannot be imported here (it needs lxml_html_clean)")
    assert any(b.kind == "para" for b in blocks)


def test_malformed_html_is_still_read() -> None:
    html = (
        b"<html><body><div><h2>Broken<p>Unclosed paragraph with enough words to count as text here."
        b"<p>Another one, also unclosed, to make a reading long enough for a group to read together"
        b"</div></span></body>"
    )
    book = ingest_bytes(html, "broken.html")
    assert "Unclosed paragraph" in reading_text(book)


def test_an_unknown_or_unfit_meta_charset_is_not_trusted() -> None:
    from bot.ingest.loaders.html_blocks import _html_encoding

    page = "<html><head><meta charset='{}'></head><body><p>Caf\xe9 on the corner</p></body></html>"
    assert _html_encoding(page.format("bogus-42").encode("cp1252")) == "cp1252"
    assert _html_encoding(page.format("utf-7").encode("cp1252")) == "cp1252"
    assert _html_encoding(page.format("rot13").encode("cp1252")) == "cp1252"
    assert _html_encoding(page.format("iso-8859-2").encode("cp1252")) == "iso-8859-2"
    assert _html_encoding(page.format("shift_jis").encode("cp1252")) == "cp1252"  # declared, but does not decode


def test_notes_of_a_word_processor_export_go_to_the_section_that_cites_them() -> None:
    prose = "The harbour was built in a single summer by men who had never built anything before at all. " * 4
    page = (
        "<html><body><div class=WordSection1>"
        f"<h2>The Quay</h2><p>{prose}The quay<a href='#_ftn1' name='_ftnref1'>[1]</a> was stone.</p>"
        f"<h2>The Lamps</h2><p>{prose}The lamps<a href='#_ftn2' name='_ftnref2'>[2]</a> were gas.</p>"
        "</div><div style='mso-element:footnote-list'>"
        "<div style='mso-element:footnote' id=ftn1><p><a href='#_ftnref1' name='_ftn1'>[1]</a> Granite from the "
        "quarry above the town.</p></div>"
        "<div style='mso-element:footnote' id=ftn2><p><a href='#_ftnref2' name='_ftn2'>[2]</a> Coal gas, from "
        "1851 until the war.</p></div></div></body></html>"
    )
    book = ingest_bytes(page.encode(), "harbour.html")
    notes = {s.heading: s.notes for s in book.sections}
    assert notes == {
        "The Quay": ("Granite from the quarry above the town.",),
        "The Lamps": ("Coal gas, from 1851 until the war.",),
    }
    assert "[1]" not in reading_text(book) and "[2]" not in reading_text(book)


def _book_page(chapters: int = 3) -> bytes:
    """A print edition made into one page: title page, contents table, plates, chapters in sibling divs."""
    para = "The {0} chapter walks the river from the weir to the sea, and every village on it has a word to say. "
    rows = "".join(
        f'<tr><td><a href="#ch{n}">CHAPTER {n}.</a></td><td>The Reach {n}</td><td>{n * 10}</td></tr>'
        for n in range(1, chapters + 1)
    )
    body = "".join(
        f'<div class="chapter"><h2 id="ch{n}">CHAPTER {n}. The Reach {n}</h2>'
        f"<p>{para.format(n) * 3}</p>"
        f'<div class="figcenter"><img src="p{n}.jpg" alt=""/><p>THE WEIR AT MORNING {n}.</p></div>'
        f'<p>{para.format(n) * 2}<a href="#fn{n}" class="fnanchor">[{n}]</a></p>'
        f'<div class="footnotes"><h3>FOOTNOTES:</h3><div class="footnote"><p>'
        f'<a id="Footnote_{n}" href="#a{n}" class="label">[{n}]</a> Note number {n} on the weir.</p></div></div>'
        "</div>"
        for n in range(1, chapters + 1)
    )
    return (
        "<html><head><title>The River Book</title></head><body>"
        "<h1>THE RIVER BOOK</h1><p>BY</p><p>ANNA WEIR</p><p>LONDON, 1881</p>"
        f"<h2>CONTENTS</h2><table>{rows}</table>"
        "<h2>LIST OF ILLUSTRATIONS</h2><ul><li>THE WEIR AT MORNING 1</li><li>THE WEIR AT MORNING 2</li></ul>"
        f"{body}</body></html>"
    ).encode()


def test_a_book_page_keeps_every_chapter_container() -> None:
    """The longest <div class="chapter"> is not the whole book: its sibling chapters are read too."""
    book = ingest_bytes(_book_page(), "river.html")
    assert headings(book) == ["CHAPTER 1. The Reach 1", "CHAPTER 2. The Reach 2", "CHAPTER 3. The Reach 3"]
    assert "The 3 chapter walks" in reading_text(book)


def test_a_book_page_front_matter_and_captions_leave_the_readings() -> None:
    book = ingest_bytes(_book_page(), "river.html")
    text = reading_text(book)
    for junk in ("ANNA WEIR", "LONDON", "CONTENTS", "ILLUSTRATIONS", "THE WEIR AT MORNING", "FOOTNOTES"):
        assert junk not in text
    assert book.date == "1881"
    assert "THE WEIR AT MORNING 2." in book.removed  # a caption is removed, and listed
    assert [s.notes for s in book.sections] == [(f"Note number {n} on the weir.",) for n in (1, 2, 3)]


def test_a_page_marked_as_a_book_keeps_hgroup_headings_and_drops_its_publisher_pages() -> None:
    """Standard Ebooks' shape: <hgroup> with the numeral in <h2> and the title beside it is one heading; the
    colophon and uncopyright (epub:type) are not readings; the article extractor is not used on it."""
    para = "The {0} essay walks the river from the weir to the sea, and every village on it has a word to say."
    sections = "".join(
        f'<section epub:type="chapter"><hgroup><h2 epub:type="ordinal">{n}</h2>'
        f'<p epub:type="title">The {t} Reach</p></hgroup><p>{para.format(t)}</p><p>{para.format(t)}</p></section>'
        for n, t in (("I", "Upper"), ("II", "Middle"), ("III", "Lower"))
    )
    page = (
        '<html xmlns:epub="http://www.idpf.org/2007/ops"><head><title>River Essays</title></head><body>'
        f"{sections}"
        '<section epub:type="colophon"><h2>Colophon</h2><p>This ebook was produced by a volunteer press.</p></section>'
        '<section epub:type="copyright-page"><h2>Uncopyright</h2><p>May you share freely, always.</p></section>'
        "</body></html>"
    ).encode()
    book = ingest_bytes(page, "river.html")
    assert headings(book) == ["I. The Upper Reach", "II. The Middle Reach", "III. The Lower Reach"]
    text = reading_text(book)
    assert "volunteer press" not in text and "share freely" not in text
    assert "May you share freely, always." in " ".join(book.removed)


def test_a_page_number_named_by_its_id_leaves_the_sentence() -> None:
    """<span id="page176">176</span> with no page-number class: "except as 176 a means" loses the 176."""
    para = "The mill was worth nothing to him except as {0} a means of keeping the valley fed through the winter. "
    spans = ['<span id="page176">176</span>', '<a id="pg_177">[177]</a>', '<span id="note1">1</span>']
    paras = "".join("<p>" + para.format(span) * 3 + "</p>" for span in spans)
    page = f"<html><body><h1>The Mill</h1>{paras}</body></html>".encode()
    text = reading_text(ingest_bytes(page, "mill.html"))
    assert "176" not in text and "177" not in text
    assert "except as a means" in text
    assert "except as 1 a means" in text  # an id that names no page: the number stays


def test_a_page_whose_only_heading_is_its_title_gets_headings_from_its_text() -> None:
    """<h1> is the title; the books and chapters are <p class="chapter"> lines, and each book restarts at
    CHAPTER I: the article extractor (which drops a repeated line) is not used, and the text rules find all."""
    para = "In October a Russian army was occupying the villages and towns of the Archduchy of Austria, {0}. "
    body = "".join(
        f'<p class="book">BOOK {b}: 1805</p>'
        + "".join(f'<p class="chapter">CHAPTER {c}</p><p>{para.format(b + c) * 2}</p>' for c in ("I", "II"))
        for b in ("ONE", "TWO")
    )
    page = f"<html><head><title>War and Peace</title></head><body><h1>WAR AND PEACE</h1>{body}</body></html>"
    book = ingest_bytes(page.encode(), "war.html")
    assert [(s.heading, s.level) for s in book.sections if s.part == 1] == [
        ("BOOK ONE: 1805", 1),
        ("CHAPTER I", 2),
        ("CHAPTER II", 2),
        ("BOOK TWO: 1805", 1),
        ("CHAPTER I", 2),
        ("CHAPTER II", 2),
    ]
