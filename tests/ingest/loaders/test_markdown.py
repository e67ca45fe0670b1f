"""Markdown: structure, front matter and notes."""

from __future__ import annotations

from pathlib import Path

from bot.ingest import ingest_path
from tests.ingest.helpers import headings, reading_text

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "ingest"


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
