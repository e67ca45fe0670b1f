"""Encodings repaired without straightening quotes; UTF-16 with a BOM."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.ingest import ingest_bytes, ingest_path
from tests.ingest.helpers import reading_text

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ingest"


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


def test_utf16_without_a_bom_is_text_not_binary() -> None:
    text = (
        "A Title\n\nA paragraph of text that is long enough to be a paragraph, not a heading at all, "
        "and long enough to be a reading — with a dash and an é.\n"
    )
    for codec in ("utf-16-le", "utf-16-be"):
        book = ingest_bytes(text.encode(codec), "u.txt")
        assert "with a dash and an é" in reading_text(book)
