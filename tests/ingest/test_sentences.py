from __future__ import annotations

from pathlib import Path

import pytest

from bot.ingest import ingest_path, split_sentences
from bot.ingest.sentences import _syntok

TEXTS = Path(__file__).resolve().parents[2] / "data" / "texts"


def _sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


def test_initials_quotes_and_ellipses() -> None:
    text = (
        'As J.N. Westwood notes, the war ended. He said: "Stop... now." Then Mr. Smith left. “Is it?” she asked. Next.'
    )
    assert _sentences(text) == [
        "As J.N. Westwood notes, the war ended.",
        'He said: "Stop... now."',
        "Then Mr. Smith left.",
        "“Is it?” she asked.",
        "Next.",
    ]


def test_plain_prose_fast_path() -> None:
    text = "The first sentence is here. The second one follows! Does a third ask? “A quoted fourth.” Fifth"
    assert _sentences(text) == [
        "The first sentence is here.",
        "The second one follows!",
        "Does a third ask?",
        "“A quoted fourth.”",
        "Fifth",
    ]


def test_empty() -> None:
    assert split_sentences("") == []
    assert split_sentences("   ") == []


@pytest.mark.parametrize("path", sorted(TEXTS.glob("*.txt")), ids=lambda p: p.name[:3])
def test_fast_path_agrees_with_syntok_on_the_library(path: Path) -> None:
    for section in ingest_path(path).sections:
        for p in section.paragraphs:
            assert list(p.sentences) == _syntok(p.text), p.text[:80]
