"""Footnote markers leave the text; the notes are attached to the paragraph that cites them."""

from __future__ import annotations

from pathlib import Path

from bot.ingest import ingest_path
from tests.ingest.helpers import reading_text

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ingest"


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
