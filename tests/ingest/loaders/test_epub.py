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
