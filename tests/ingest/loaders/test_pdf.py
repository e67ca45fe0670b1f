"""PDF: outline headings, running lines, text without an outline."""

from __future__ import annotations

from bot.ingest import ingest_bytes
from tests.ingest.helpers import build_pdf, headings, reading_text


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
