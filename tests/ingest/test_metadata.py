"""Metadata: what the options state wins over what the file states."""

from __future__ import annotations

from pathlib import Path

from bot.ingest import IngestOptions, ingest_path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ingest"


def test_options_override_metadata() -> None:
    book = ingest_path(
        FIXTURES / "footnotes.txt", IngestOptions(title="Mills", author="Someone Else", date="2000-01-01")
    )
    assert (book.title, book.authors, book.date) == ("Mills", ("Someone Else",), "2000-01-01")
