from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from syntok import segmenter
from syntok.tokenizer import Tokenizer

from bot.ingest import ingest_path, split_sentences
from bot.ingest.sentences import _citation_tail, _shorten, _syntok

TEXTS = Path(__file__).resolve().parents[2] / "data" / "texts"
_TOKENIZER = Tokenizer()


def _plain_syntok(text: str) -> list[tuple[int, int]]:
    """syntok itself on the whole text: the reference every shortcut must agree with."""
    spans = []
    for sentence in segmenter.split(_TOKENIZER.tokenize(text)):
        if sentence:
            start, end = sentence[0].offset, sentence[-1].offset + len(sentence[-1].value)
            if start < end:
                spans.append((start, end))
    return spans


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
            assert list(p.sentences) == _plain_syntok(p.text), p.text[:80]


# tokens that exercise what syntok judges: abbreviations, initials, numbers, brackets that open, close or
# stay open, runs without letters ("?)" is one token, no bracket), quotes, ellipses, semicolons
_TRICKY = (
    "Mr. Dr. J. R. U.S. e.g. etc. No. 5 1917. 12. Jan. IV. II. A. b. p. pp. vol. (see (The [i.e. x] ( ) [ ] { } "
    '... … ; : , " ” “ ’ ‘ \' ! ? ." .” ?” ?) …) (? !) (" word(s) x-y don\'t — – / * page 30). end.) Such;Glued'
)
TRICKY = _TRICKY.split(" ")
_PLAIN = "the a of and word house lorem ipsum dolor sit amet The This However It In He She Then Next Only"
PLAIN = _PLAIN.split(" ")
TEXT = st.lists(
    st.tuples(st.one_of(st.sampled_from(TRICKY), st.sampled_from(PLAIN)), st.sampled_from([" ", " ", "  ", "\n", ""])),
    min_size=1,
    max_size=70,
).map(lambda parts: "".join(a + b for a, b in parts).strip())


@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_shortened_syntok_is_syntok(text: str) -> None:
    """Dropping the plain words between doubtful ones never changes syntok's sentences."""
    assert _syntok(text) == _plain_syntok(text)


@settings(max_examples=400, deadline=None)
@given(
    TEXT,
    st.sampled_from(PLAIN + TRICKY),
    st.sampled_from([".", "!", "?", ".”", '."', ".’", "?”", ".’”", ".."]),
    st.sampled_from([" ", "  ", "\n"]),
    st.lists(st.sampled_from(PLAIN + TRICKY + ["page", "59", "Trials,"]), max_size=30).map(" ".join),
)
def test_citation_tail_is_syntok(head: str, word: str, mark: str, space: str, inside: str) -> None:
    """ "…other.” (Memoirs, page 59)": the shortcut's two sentences are syntok's."""
    text = f"{head} {word}{mark}{space}({inside})".strip()
    tail = _citation_tail(text)
    if tail is None:
        return
    _mark_start, head_end, bracket_start = tail
    expected = _plain_syntok(text)
    assert expected[-1] == (bracket_start, len(text))
    assert expected[:-1] == _plain_syntok(text[:head_end])


def test_shorten_keeps_the_words_syntok_needs() -> None:
    text = " ".join(["plain"] * 30) + " ends Mr. Smith went (to the " + " ".join(["shop"] * 20) + ") and left."
    short, _anchors = _shorten(text)
    assert len(short) < len(text) / 2
    assert "Mr. Smith" in short and "(to the shop" in short
    assert _syntok(text) == _plain_syntok(text)
