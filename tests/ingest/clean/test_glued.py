"""Pages flattened into one line: glued headings, captions and a masthead split off."""

from __future__ import annotations

from pathlib import Path

from bot.ingest import ingest_path
from tests.ingest.helpers import headings, reading_text

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "ingest"


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
