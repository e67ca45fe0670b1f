"""Each format and each debris pattern on small fixtures authored for the purpose."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.ingest import IngestOptions, ingest_bytes, ingest_path
from bot.ingest.loaders import _trafilatura_blocks
from tests.ingest.helpers import build_epub, build_pdf, headings, reading_text

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ingest"


def test_glued_headings_captions_and_masthead() -> None:
    book = ingest_path(FIXTURES / "glued_headings.txt")
    assert book.title == "The Lighthouse Keepers: A Short History"
    assert book.authors == ("Marta Ellison",)
    assert book.date == "1994"
    assert headings(book) == ["Early Lights", "The Age of Oil", "3. Automation and the End of an Era"]
    text = reading_text(book)
    assert "Image:" not in text and "Featured" not in text
    assert "One keeper, J.R. Hollis, wrote" in text
    assert "Coastlines Featured Coastlines" in book.removed
    assert "Oil lamp in the museum / Image: fair use" in book.removed


def test_footnotes_markers_removed_and_notes_attached() -> None:
    book = ingest_path(FIXTURES / "footnotes.txt")
    assert (book.title, book.authors, book.date) == ("Rivers and Mills", ("Tomas Berg",), "2021-03-03")
    text = reading_text(book)
    assert "twelfth century. They used" in text
    assert "to families." in text
    assert "one another's trade. Records show" in text  # pasted note cut out exactly
    assert "Lindau" not in text
    (section,) = book.sections
    assert section.notes == (
        "Annals of the abbey, folio 12.",
        "Council minutes for the year 1388.",
        "Parish records of Lindau, volume 2.",
    )


def test_gutenberg_header_licence_and_hard_wrap() -> None:
    book = ingest_path(FIXTURES / "gutenberg.txt")
    assert book.title == "The Winter Pass"
    assert book.authors == ("Ada Quill",)
    assert headings(book) == ["CHAPTER I: THE VILLAGE", "CHAPTER II: THE PASS"]
    text = reading_text(book)
    assert "Gutenberg" not in text and "Produced by" not in text
    first = book.sections[0].paragraphs
    assert len(first) == 2  # hard-wrapped lines unwrapped into two paragraphs
    assert "\n" not in first[0].text
    assert "The innkeeper, a broad man" in first[0].text


def test_markdown_structure_front_matter_and_notes() -> None:
    book = ingest_path(FIXTURES / "bread.md")
    assert book.source_format == "md"
    assert (book.title, book.authors, book.date) == ("Notes on Bread", ("Lena Fuchs",), "2022-10-05")
    assert headings(book) == ["Flour", "Water and Time"]
    assert book.sections[0].level == 1
    text = reading_text(book)
    assert "[^1]" not in text and "https://" not in text
    assert "See the bakers' guild for courses." in text
    assert book.sections[0].notes == ("The grades differ from country to country.",)


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
    from bot.ingest import loaders
    from bot.ingest.clean import Block

    def no_headings(raw: bytes) -> list[Block]:
        return [Block("para", "Only the text survived, every heading dropped by the container.")] * 5

    monkeypatch.setattr(loaders, "_trafilatura_blocks", no_headings)
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


def test_pdf_outline_headings_and_running_lines() -> None:
    book = ingest_bytes(build_pdf(), "harbour.pdf")
    assert book.source_format == "pdf"
    assert (book.title, book.authors) == ("Harbour Notes", ("Ole Brandt",))
    assert headings(book) == ["Arrivals", "Departures"]
    text = reading_text(book)
    assert "Harbour Notes" not in text  # running header
    assert "harbour master counted them from his window and wrote each name" in text
    assert "bound and sent to the archive" in text


def test_pdf_without_outline_still_reads_text() -> None:
    book = ingest_bytes(build_pdf(outline=False), "harbour.pdf")
    assert "The harbour master" in reading_text(book)


@pytest.mark.parametrize("name", ["cp1252.txt", "mojibake.txt"])
def test_encodings_repaired_without_straightening_quotes(name: str) -> None:
    book = ingest_path(FIXTURES / name)
    assert book.title == "The Café on the Corner"
    text = reading_text(book)
    assert "The owner’s daughter said: “We open at six — every day, even on Sundays.”" in text
    assert "crème brûlée" in text
    assert "â€" not in text and "Ã" not in text


def test_utf16_with_bom() -> None:
    text = (
        "A Title\n\nA paragraph of text that is long enough to be a paragraph, not a heading at all, "
        "and long enough to be a reading.\n"
    )
    book = ingest_bytes(text.encode("utf-16"), "u.txt")
    assert "long enough" in reading_text(book)


def test_options_override_metadata() -> None:
    book = ingest_path(
        FIXTURES / "footnotes.txt", IngestOptions(title="Mills", author="Someone Else", date="2000-01-01")
    )
    assert (book.title, book.authors, book.date) == ("Mills", ("Someone Else",), "2000-01-01")


def test_untitled_opening_text_becomes_untitled_section() -> None:
    opening = " ".join(["The opening pages tell the story of the village before the war began."] * 40)
    chapter = " ".join(["The war came to the valley in the spring and nothing stayed the same."] * 40)
    text = f"{opening}\n\nCHAPTER ONE\n\n{chapter}\n"
    book = ingest_bytes(text.encode(), "v.txt")
    assert [s.heading for s in book.sections] == [None, "CHAPTER ONE"]
    deeper = ingest_bytes(f"{opening}\n\n## Chapter One\n\n{chapter}\n".encode(), "v.md")
    assert [(s.heading, s.level) for s in deeper.sections] == [(None, 1), ("Chapter One", 1)]


def test_sentence_that_is_short_is_not_made_a_heading() -> None:
    body = "The assembly met at noon and argued until dark about the harbour and its debts. " * 3
    lines = ["Nobody agreed.", "What then was to be done?", "For instance, the mayor wrote:"]
    text = "\n\n".join([body, *(x for line in lines for x in (line, body))]) + "\n"
    book = ingest_bytes(text.encode(), "h.txt")
    assert headings(book) == []


def test_tiny_untitled_section_merged_but_headings_never_lost() -> None:
    long_para = " ".join(["Words of a real chapter that runs on for a while and says something."] * 60)
    parts = ["A short note.", "The First Part", long_para, "The Second Part", "Only a sentence here."]
    text = "\n\n".join([*parts, "The Third Part", long_para]) + "\n"
    book = ingest_bytes(text.encode(), "m.txt", IngestOptions())
    hs = headings(book)
    assert "The First Part" in hs and "The Third Part" in hs
    assert book.sections[0].heading is not None  # the tiny untitled opening was merged
