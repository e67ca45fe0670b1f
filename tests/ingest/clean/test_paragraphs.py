"""Paragraphs from lines: the linear emphasis scanner does exactly what the old regex did."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.ingest.clean.model import Block
from bot.ingest.clean.paragraphs import lines_to_paragraphs, rejoin, strip_emphasis

# the regex the scanner replaced: right, but quadratic on "*a *a *a …" (kept here as the reference)
OLD_EMPHASIS = re.compile(r"(?<![\w*_])(\*{1,2}|_{1,2})(?=[^\s*_])(.+?)(?<=[^\s*_])\1(?![\w*_])")

PIECES = st.lists(st.sampled_from(["*", "**", "***", "_", "__", "a", "b c", " ", ".", "é", "\n", "x_y", "(", "1"]))


@settings(max_examples=600, deadline=None)
@given(PIECES.map("".join))
def test_scanner_matches_the_old_regex(text: str) -> None:
    assert strip_emphasis(text) == OLD_EMPHASIS.sub(r"\2", text)


def test_emphasis_examples() -> None:
    assert strip_emphasis("a *very* _good_ **bold** __strong__ day") == "a very good bold strong day"
    assert strip_emphasis("snake_case and 2 * 3 * 4 stay") == "snake_case and 2 * 3 * 4 stay"
    assert strip_emphasis("*not closed\non this line*") == "*not closed\non this line*"


def test_run_on_lines_join_and_soft_hyphens_keep_their_hyphen() -> None:
    text = "the words ran\non and on with well-\nknown friends\n\nA new paragraph."
    assert lines_to_paragraphs(text, wrapped=False) == [
        "the words ran on and on with well-known friends",
        "A new paragraph.",
    ]


def test_rejoin_glues_a_long_run_of_broken_paragraphs_into_one() -> None:
    blocks = [Block("para", "It began on a cold morning when the whole town")]
    blocks += [Block("para", "and its people walked to the square") for _ in range(2000)]
    blocks.append(Block("para", "and stopped."))
    out = rejoin(blocks)
    assert len(out) == 1
    assert out[0].text.startswith("It began on a cold morning when the whole town and its people walked")
    assert out[0].text.endswith("to the square and stopped.")
