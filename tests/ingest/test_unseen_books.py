"""Layouts real members upload, on fixtures written for this purpose (none is one of the library's texts).

Each test pins the exact headings a careful editor would give, spot-checks that body sentences survive
whole, that the debris of the layout is gone, and the metadata the file states.
"""

from __future__ import annotations

from pathlib import Path

from bot.ingest import Book, ingest_bytes, ingest_path
from tests.ingest.helpers import (
    build_epub2_book,
    build_epub3_nested,
    build_pdf_book,
    headings,
    reading_text,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ingest"


def _paragraphs(book: Book) -> list[str]:
    return [p.text for s in book.sections for p in s.paragraphs]


def test_gutenberg_novel_front_matter_contents_chapters_and_notes() -> None:
    book = ingest_path(FIXTURES / "pg_novel.txt")
    assert (book.title, book.authors, book.date) == ("The Lamplighter's Daughter", ("Hester Vane",), "1898")
    # the contents list is neither sections nor headings, and no chapter is found twice
    assert headings(book) == ["PREFACE", "CHAPTER I", "CHAPTER II. THE STORM", "Chapter 3", "IV"]
    text = reading_text(book)
    for debris in ("Gutenberg", "CONTENTS", "THE HARBOUR", "GREYFRIARS", "Author of", "LICENSE", "eBook"):
        assert debris not in text, debris
    assert "by" not in _paragraphs(book)
    # hard-wrapped at 70 columns: unwrapped into whole paragraphs; _italics_ lose their marks
    assert "she carried nothing but a candle stub and a great deal of fear, which she hid as well as she could." in text
    assert "_" not in text and "[1]" not in text
    # "[1] …" notes at the end of each chapter go to that chapter, even though numbering restarts
    by_heading = {s.heading: s for s in book.sections}
    assert by_heading["CHAPTER I"].notes == (
        "The ladder is still kept in the harbour museum, though the rungs have been replaced.",
    )
    assert by_heading["CHAPTER II. THE STORM"].notes == (
        "The wind that night was recorded at the signal station as a full gale from the north-east.",
    )
    # a short sentence is not a heading; a numbered list stays a list of paragraphs
    assert "It was over by six." in _paragraphs(book)
    assert [p for p in _paragraphs(book) if p[:1].isdigit()] == ["1. Bread", "2. Salt", "3. Lamp oil"]
    assert "CONTENTS" in book.removed and "THE LAMPLIGHTER'S DAUGHTER" in book.removed


def test_markdown_book_lists_quotes_code_links_and_images() -> None:
    book = ingest_path(FIXTURES / "garden_book.md")
    assert (book.title, book.authors, book.date) == ("The Patient Garden", ("Ruth Okafor",), "2021-04-18")
    assert [(s.heading, s.level) for s in book.sections] == [
        ("Part One: Soil", 1),
        ("Reading the Ground", 2),
        ("Feeding It", 2),
        ("Part Two: Plants", 1),
        ("Choosing What to Grow", 2),
    ]
    paragraphs = _paragraphs(book)
    text = reading_text(book)
    # a block quote is one paragraph, without its ">" marks
    assert "The soil is the slowest thing in the garden, and the most honest. It tells you what it has been given." in (
        paragraphs
    )
    # list items are paragraphs of their own, without bullets; a numbered list keeps its numbers
    assert "worms, which mean the soil is alive" in paragraphs
    assert "2. Beans, which feed the soil they grow in" in paragraphs
    # links keep their words, lose their targets; reference definitions and image alt text are gone
    assert "For more detail see the county soil survey and the notes on testing kits." in paragraphs
    for debris in ("http", "[survey]", "Cover illustration", "A bed of leeks", "images/", "](", "> "):
        assert debris not in text, debris
    # a code block is kept whole, on its own lines, and not glued to the next paragraph
    assert "# a simple compost log\nweek 1: turned, damp\nweek 4: warm in the middle" in paragraphs
    assert "The log above is all the record keeping a heap needs." in paragraphs


def test_blog_page_chrome_is_dropped_and_bold_lines_are_headings() -> None:
    book = ingest_path(FIXTURES / "blog_post.html")
    assert (book.title, book.authors, book.date) == ("Why We Still Mend Nets", ("Tomas Reyes",), "2022-09-30")
    assert book.subtitle is None  # "Posted on … by …" is a byline and a date, not a subtitle
    assert [(s.heading, s.level) for s in book.sections] == [
        ("The Knot That Holds", 1),
        ("Why not buy new ones?", 2),
        ("What Comes Next", 1),
    ]
    text = reading_text(book)
    assert "Every morning at the north quay there are four or five people sitting on upturned crates" in text
    assert "Whatever the council decides, the crates will still be there in the morning." in text
    for debris in (
        "cookies",
        "Share this",
        "Facebook",
        "Related posts",
        "last rope maker",
        "About the author",
        "can tie eleven knots",
        "newsletter",
        "Leave a Reply",
        "thoughts on",
        "Great article",
        "Recent Posts",
        "powered by",
        "©",
        "Home",
    ):
        assert debris not in text, debris


def test_article_split_by_rules_with_numbered_headings() -> None:
    book = ingest_path(FIXTURES / "hr_sections.html")
    assert (book.title, book.authors) == ("Five Winters on the Ice Road", ("Anneli Sarv",))
    assert headings(book) == ["1", "2", "3"]
    text = reading_text(book)
    assert "For five winters I drove the ice road between the mainland and the islands" in text
    assert "the islands are islands again until next year." in book.sections[-1].text
    assert "By Anneli Sarv" not in text


def test_epub2_ncx_only_with_cover_copyright_and_chapters_across_files() -> None:
    book = ingest_bytes(build_epub2_book(), "mill.epub")
    assert (book.title, book.authors, book.date) == ("The Mill at the Bend", ("Ilse Marr",), "2016")
    assert headings(book) == ["Chapter One: The Wheel", "Chapter Two: The Flood", "Chapter Three: The Wire"]
    first = book.sections[0].text
    assert "The mill stood where the river bent twice before the weir." in first
    assert "the village ate rye bread from the town" in first  # the chapter's second file
    assert "a salmon in the millpond" in book.sections[1].text  # two chapters in one file, each its own
    assert "counting the years." in book.sections[2].text
    text = reading_text(book)
    for debris in ("Copyright", "All rights reserved", "ISBN", "Weir Press", "Cover", "a novel"):
        assert debris not in text, debris
    assert "ISBN 978-0-00-000000-0" in book.removed


def test_epub3_nav_with_three_levels() -> None:
    book = ingest_bytes(build_epub3_nested(), "mill3.epub")
    assert [(s.heading, s.level) for s in book.sections] == [
        ("Part I: The Valley", 1),
        ("The Wheel", 2),
        ("Dry Summers", 3),
        ("The Flood", 2),
        ("Part II: The Wire", 1),
    ]
    assert "Contents" not in reading_text(book) and "Start" not in reading_text(book)


def test_pdf_without_outline_running_lines_and_hyphenation() -> None:
    book = ingest_bytes(build_pdf_book(), "salt.pdf")
    assert (book.title, book.authors) == ("The Salt Road", ("Mirko Hale",))
    assert headings(book) == ["Chapter One", "Chapter Two"]
    text = reading_text(book)
    assert "The Salt Road" not in text  # the running title of every page
    assert not any(p.strip().isdigit() for p in _paragraphs(book))  # page numbers
    assert "which was a quiet revolution: within ten years" in text
    assert "cheaper and cleaner than the carts" in text
    assert "mostly nobody. Her accounts survive" in text
    assert "in the whole of one winter: a surveyor" in text
    assert "Her grand-daughter runs the inn today." in text  # a real compound keeps its hyphen
    assert "-" not in text.replace("grand-daughter", "")


def test_windows_text_with_bom_tabs_and_no_break_spaces() -> None:
    book = ingest_path(FIXTURES / "windows.txt")
    assert book.title == "The Orchard Year"
    assert headings(book) == ["Winter Work"]
    text = reading_text(book)
    for debris in ("\r", "\ufeff", "\u00a0", "\t", "  "):
        assert debris not in text, repr(debris)
    assert "Everybody helped: the schoolchildren, the postman and the two old sisters from the mill." in text
    assert "the whole village smelled of it for a month." in text


def test_news_page_saved_as_text() -> None:
    book = ingest_path(FIXTURES / "news_page.txt")
    assert (book.title, book.authors, book.date) == (
        "City Opens Its First Night Library",
        ("Petra Lund",),
        "2023-06-14",
    )
    assert headings(book) == []
    paragraphs = _paragraphs(book)
    assert len(paragraphs) == 5
    assert paragraphs[-1].startswith("The council plans to review the opening hours after six months.")
    text = reading_text(book)
    for debris in (
        "Advertisement",
        "Subscribe",
        "Read more",
        "tram depots found new lives",
        "Sign up",
        "Photograph",
        "AP Photo",
        "Volunteers shelve books",
        "©",
        "All rights reserved",
    ):
        assert debris not in text, debris


def test_short_sentences_and_numbered_points_are_not_headings() -> None:
    book = ingest_path(FIXTURES / "short_lines.txt")
    assert book.title == "The Bakery on Mill Street"
    assert headings(book) == ["Starting Again"]
    paragraphs = _paragraphs(book)
    for line in ("It was over.", "Nobody came.", "1. Bread", "2. Salt", "3. A second oven"):
        assert line in paragraphs, line


def test_picture_placeholders_of_scanned_books_are_dropped() -> None:
    body = " ".join(["The lamp burned low while the sailors waited for the tide to turn at last."] * 30)
    text = (
        f"CHAPTER I.\n\n{body}\n\n[Illustration: The harbour at dawn]\n\n{body}\n\n[Illustration]\n\n"
        f"CHAPTER II.\n\n{body}\n\n[Illustration: A ship\nleaving the quay]\n\n{body}\n"
    )
    book = ingest_bytes(text.encode(), "scan.txt")
    assert [s.heading for s in book.sections] == ["CHAPTER I", "CHAPTER II"]
    assert not any("llustration" in p.text for s in book.sections for p in s.paragraphs)
    assert "[Illustration]" in book.removed
