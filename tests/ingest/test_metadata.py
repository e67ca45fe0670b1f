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


def test_a_title_page_by_line_alone_names_the_author_on_the_next_line() -> None:
    from bot.ingest.clean import Block
    from bot.ingest.metadata import read_header

    blocks = [
        Block("heading", "THE VALLEY MILL", 1, True),
        Block("para", "BY"),
        Block("para", "ROSA KELL, M.A."),
        Block("para", "The valley was quiet that winter, and the mill ground nothing until the thaw came."),
    ]
    meta, rest = read_header(blocks)
    assert (meta.title, meta.authors) == ("The Valley Mill", ["Rosa Kell"])
    assert rest == blocks[3:]
