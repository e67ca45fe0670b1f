"""Markdown: structure, front matter and notes."""

from __future__ import annotations

from pathlib import Path

from bot.ingest import ingest_path
from bot.ingest.clean import lines_to_paragraphs
from tests.ingest.helpers import headings, reading_text

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "ingest"


def test_markdown_structure_front_matter_and_notes() -> None:
    book = ingest_path(FIXTURES / "bread.md")
    assert book.source_format == "md"
    assert (book.title, book.authors, book.date) == ("Notes on Bread", ("Lena Fuchs",), "2022-10-05")
    assert headings(book) == ["Flour", "Water and Time"]
    assert book.sections[0].level == 1
    text = reading_text(book)
    assert "[^1]" not in text and "https://" not in text
    assert "See the bakers' guild for courses." in text
    assert book.sections[0].notes == ("The grades differ from country to country.",)


def test_a_markdown_book_with_its_paragraphs_run_together() -> None:
    """Front matter, headings, a contents link list and a note all glued into one line: the headings come
    back, each label with the numeral that continues the count ("LETTER IILONDON" is LETTER II + LONDON)."""
    from bot.ingest import ingest_bytes
    from tests.ingest.helpers import reading_text

    body = "Whatever is worth doing at all is worth doing well, and nothing can be done well without attention."
    places = ["BATH", "LONDON", "LONDON", "INVERNESS"]
    numerals = ["I", "II", "III", "IV"]
    letters = zip(numerals, places, strict=True)
    line = (
        "--- title: Letters to a Son author: A Father date: 1774 ---# LETTERS TO A SONBY A FATHER## CONTENTS"
        + "".join(f"- [LETTER {n}](#letter-{n.lower()})" for n in numerals)
        + "*[Transcriber's note: printed from the edition of 1774.]*"
        + "".join(f"## LETTER {n}{p}, March 10, 1746.DEAR BOY:{body}{body}{body}Adieu!" for n, p in letters)
    )
    book = ingest_bytes(line.encode(), "letters.md")
    assert [s.heading for s in book.sections] == [f"LETTER {n}" for n in numerals]
    assert (book.title, book.authors) == ("Letters to a Son", ("A Father",))
    text = reading_text(book)
    assert "INVERNESS, March 10, 1746." in text
    for junk in ("CONTENTS", "(#letter", "Transcriber"):
        assert junk not in text


def test_headings_all_of_one_level_are_ranked_by_their_labels() -> None:
    """Setext "VOLUME I" and "Chapter 1" are both level 2 in the file; the labels rank volume over chapter."""
    from bot.ingest import ingest_bytes

    para = "It is a truth universally acknowledged, that a single man in possession of a good fortune is wanted."
    md = "".join(
        f"{h}\n{'-' * len(h)}\n\n{para}\n\n" if h.startswith("Chapter") else f"{h}\n{'-' * len(h)}\n\n"
        for h in ["VOLUME I", "Chapter 1", "Chapter 2", "VOLUME II", "Chapter 1"]
    )
    book = ingest_bytes(md.encode(), "novel.md")
    assert [(s.heading, s.level) for s in book.sections] == [
        ("VOLUME I", 1),
        ("Chapter 1", 2),
        ("Chapter 2", 2),
        ("VOLUME II", 1),
        ("Chapter 1", 2),
    ]


def test_setext_headings_in_a_markdown_book_run_together() -> None:
    """ "…no answer.Chapter 2 ---------Mr. Bennet was…": the underline glued between its line and the text."""
    from bot.ingest import ingest_bytes

    para = "It is a truth universally acknowledged, that a single man in possession of a good fortune is wanted."
    md = "Pride and Prejudice\n===================\n\n*by Jane Austen*\n\n" + "".join(
        f"{h}\n{'-' * 9}\n\n{para}\n\n{para}\n\nMr. Bennet made no answer.\n\n"
        for h in ["VOLUME I", "Chapter 1", "Chapter 2", "VOLUME II", "Chapter 1"]
    )
    flat = "".join(lines_to_paragraphs(md))
    assert "answer.Chapter 2---------It is" in flat
    book = ingest_bytes(flat.encode(), "novel.md")
    assert [(s.heading, s.level) for s in book.sections if s.part == 1] == [
        ("VOLUME I", 1),
        ("Chapter 1", 2),
        ("Chapter 2", 2),
        ("VOLUME II", 1),
        ("Chapter 1", 2),
    ]


def test_a_markdown_book_run_together_whose_heading_lines_carry_their_text_is_read() -> None:
    """ "## LECTURE I. THE HERO AS DIVINITY.[May 5, 1840.]We have undertaken…": every line was a heading, so
    the book was refused as having no text; the heading ends at the first glued seam."""
    from bot.ingest import ingest_bytes

    para = "We have undertaken to discourse here for a little on Great Men and what work they did in the world. "
    md = "# ON HEROES AND HISTORY\n\n*Six Lectures*\n\n" + "".join(
        f"## LECTURE {n}. THE HERO AS {t}.\n\n[May {d}, 1840.]\n\n{para * 2}\n\n{para}\n\n"
        for n, t, d in (("I", "DIVINITY", 5), ("II", "PROPHET", 8), ("III", "POET", 12))
    )
    book = ingest_bytes("".join(lines_to_paragraphs(md)).encode(), "heroes.md")
    assert [s.heading for s in book.sections] == [
        "LECTURE I. THE HERO AS DIVINITY.",
        "LECTURE II. THE HERO AS PROPHET.",
        "LECTURE III. THE HERO AS POET.",
    ]
    assert book.title == "ON HEROES AND HISTORY"


def test_a_run_together_heading_ends_before_a_glued_parenthesis() -> None:
    from bot.ingest import ingest_bytes

    para = "The pale Usher, threadbare in coat, heart, body, and brain; I see him now, dusting his old lexicons."
    md = "# MOBY-DICK\n\n" + "".join(
        f"## {h}\n\n(Supplied by a Late Consumptive Usher.)\n\n{para}\n\n{para}\n\n"
        for h in ["ETYMOLOGY.", "CHAPTER 1. Loomings.", "CHAPTER 2. The Carpet-Bag."]
    )
    book = ingest_bytes("".join(lines_to_paragraphs(md)).encode(), "moby.md")
    assert [s.heading for s in book.sections] == ["ETYMOLOGY.", "CHAPTER 1. Loomings.", "CHAPTER 2. The Carpet-Bag."]
