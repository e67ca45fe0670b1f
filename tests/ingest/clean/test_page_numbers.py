"""A print edition's page numbers left in an e-text (bot/ingest/clean/page_numbers.py)."""

from __future__ import annotations

from bot.ingest import ingest_bytes
from bot.ingest.clean import Block, lines_to_paragraphs
from bot.ingest.clean.page_numbers import strip_page_numbers
from tests.ingest.helpers import reading_text


def test_bracketed_page_numbers_leave_the_sentence_and_are_listed() -> None:
    removed: list[str] = []
    blocks = [
        Block("para", "He that dies in an earnest pursuit scarce feels [Pg 3] the hurt {4} of it."),
        Block("para", "[Page 12]"),
        Block("para", "A note marker stays for the notes pass.[2]"),
        Block("para", "Code keeps its braces: print('{0}'.format(x)) and a{2} match twice."),
    ]
    out = strip_page_numbers(blocks, removed)
    assert [b.text for b in out] == [
        "He that dies in an earnest pursuit scarce feels the hurt of it.",
        "A note marker stays for the notes pass.[2]",
        "Code keeps its braces: print('{0}'.format(x)) and a{2} match twice.",
    ]
    assert removed == ["page number: [Pg 3]", "page number: {4}", "page number: [Page 12]"]


def test_a_bare_number_is_a_page_number_only_where_it_splits_a_sentence() -> None:
    removed: list[str] = []
    blocks = [
        Block("para", "The mill was worth nothing to him except as"),
        Block("para", "176"),
        Block("para", "a means of keeping the valley fed."),
        Block("para", "PART ONE--The Harbour"),
        Block("para", "1"),
        Block("para", "The Pilot"),
    ]
    out = strip_page_numbers(blocks, removed)
    assert [b.text for b in out] == [b.text for b in blocks if b.text != "176"]
    assert removed == ["page number: 176"]


def test_page_numbers_go_in_a_book_as_written_and_run_together() -> None:
    text = (
        "CHAPTER I.\n\nThe mill stood where the river bent twice before the weir, and the wheel\n"
        "turned for two hundred years. The miller kept one ledger.\n\n[Pg 2]\n\n"
        "In dry summers [Pg 3] the wheel stopped and the village ate rye bread from the town.\n\n"
        "CHAPTER II.\n\nThe flood of the wet year took the footbridge and half the orchard with it.\n\n"
        "When the water went down there was a salmon in the millpond, which never happened again.\n"
    )
    for data in (text.encode(), "".join(lines_to_paragraphs(text)).encode()):
        book = ingest_bytes(data, "mill.txt")
        assert "Pg" not in reading_text(book)
        assert "In dry summers the wheel stopped" in reading_text(book)


def test_unmarked_page_numbers_inside_sentences_count_up_through_the_book() -> None:
    # "except as 176 a means": no bracket, no line of its own; what tells it is 175, 176, 177… through the book
    removed: list[str] = []
    pages = [175, 176, 178, 179, 180]  # 177 fell between two paragraphs and left no number in the text
    page_of_text = " ".join(["The citizen owes the state obedience only so far as it serves the common good."] * 12)
    blocks = [
        Block("para", f"The duty of a citizen is served except as {n} a means to the common good. {page_of_text}")
        for n in pages
    ]
    blocks.append(Block("para", "There were 300 delegates, of whom 12 voted against, and in 1917 the party grew."))
    blocks += [
        Block("para", f"In 1918 the war went on, and in {year} the party changed.") for year in range(1918, 1923)
    ]
    out = strip_page_numbers(blocks, removed)
    assert out[0].text.startswith("The duty of a citizen is served except as a means to the common good.")
    assert removed == [f"page number: {n}" for n in pages]
    assert out[5].text == blocks[5].text  # figures and years are no pages
    assert all(b.text == o.text for b, o in zip(blocks[6:], out[6:], strict=True))
    # an enumeration counts up too, but a line apart, not a page apart: "Section 3 paragraph 4 says…"
    listed = [Block("para", f"In section 3 the {n} points say something worth discussing.") for n in range(1, 12)]
    assert [b.text for b in strip_page_numbers(listed, [])] == [b.text for b in listed]
