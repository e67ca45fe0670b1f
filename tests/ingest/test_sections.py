"""Sections: an untitled opening, short sentences that are not headings, tiny sections merged."""

from __future__ import annotations

from bot.ingest import IngestOptions, ingest_bytes
from tests.ingest.helpers import headings


def test_untitled_opening_text_becomes_untitled_section() -> None:
    opening = " ".join(["The opening pages tell the story of the village before the war began."] * 40)
    chapter = " ".join(["The war came to the valley in the spring and nothing stayed the same."] * 40)
    text = f"{opening}\n\nCHAPTER ONE\n\n{chapter}\n"
    book = ingest_bytes(text.encode(), "v.txt")
    assert [s.heading for s in book.sections] == [None, "CHAPTER ONE"]
    deeper = ingest_bytes(f"{opening}\n\n## Chapter One\n\n{chapter}\n".encode(), "v.md")
    assert [(s.heading, s.level) for s in deeper.sections] == [(None, 1), ("Chapter One", 1)]


def test_sentence_that_is_short_is_not_made_a_heading() -> None:
    body = "The assembly met at noon and argued until dark about the harbour and its debts. " * 3
    lines = ["Nobody agreed.", "What then was to be done?", "For instance, the mayor wrote:"]
    text = "\n\n".join([body, *(x for line in lines for x in (line, body))]) + "\n"
    book = ingest_bytes(text.encode(), "h.txt")
    assert headings(book) == []


def test_tiny_untitled_section_merged_but_headings_never_lost() -> None:
    long_para = " ".join(["Words of a real chapter that runs on for a while and says something."] * 60)
    parts = ["A short note.", "The First Part", long_para, "The Second Part", "Only a sentence here."]
    text = "\n\n".join([*parts, "The Third Part", long_para]) + "\n"
    book = ingest_bytes(text.encode(), "m.txt", IngestOptions())
    hs = headings(book)
    assert "The First Part" in hs and "The Third Part" in hs
    assert book.sections[0].heading is not None  # the tiny untitled opening was merged
