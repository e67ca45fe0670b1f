"""Project Gutenberg's header and licence leave the readings."""

from __future__ import annotations

from pathlib import Path

from bot.ingest import ingest_path
from tests.ingest.helpers import headings, reading_text

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "ingest"


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
