"""Contents lists, lists of illustrations and title pages among the blocks (bot/ingest/contents.py)."""

from __future__ import annotations

from bot.ingest.clean import Block
from bot.ingest.contents import drop_contents, drop_title_page

PROSE = Block("para", "The valley was quiet that winter, and the mill ground nothing until the thaw came in March.")


def test_a_list_of_illustrations_before_the_next_heading_is_dropped() -> None:
    blocks = [
        Block("heading", "LIST OF ILLUSTRATIONS", 2, True),
        Block("para", "THE MILL IN WINTER"),
        Block("para", "Map of the valley . . . 12"),
        Block("heading", "CHAPTER I.", 2, True),
        PROSE,
    ]
    removed: list[str] = []
    assert drop_contents(blocks, removed) == blocks[3:]
    assert removed[0] == "LIST OF ILLUSTRATIONS"


def test_a_chapter_called_illustrations_with_prose_in_it_stays() -> None:
    blocks = [
        Block("heading", "Illustrations", 2, True),
        Block("para", "Woodcuts"),
        Block("para", "Engravings"),
        PROSE,
        Block("heading", "Bindings", 2, True),
        PROSE,
    ]
    assert drop_contents(blocks, []) == blocks


def test_the_imprint_under_a_title_heading_goes_with_it_but_not_the_preface() -> None:
    blocks = [
        Block("heading", "THE VALLEY MILL", 1, True),
        Block("para", "BY"),
        Block("para", "ROSA KELL"),
        Block("para", "LONDON: SMITH, ELDER AND CO. 1871"),
        Block("para", "PREFACE"),
        PROSE,
    ]
    removed: list[str] = []
    kept, year = drop_title_page(blocks, "The Valley Mill", removed)
    assert kept == blocks[4:]
    assert year == "1871"
    assert removed == [b.text for b in blocks[:4]]


def test_contents_entries_left_as_text_between_its_headings_go_with_it() -> None:
    """A numbered list of entries stays text, but entries the book repeats as headings are its contents."""
    blocks = [
        Block("para", "CONTENTS"),
        Block("heading", "PART ONE--The Harbour", 1, True),
        Block("para", "1. THE PILOT AT THE HARBOUR MOUTH"),
        Block("para", "2. THE FOG"),
        Block("heading", "PART ONE--The Harbour", 1, True),
        Block("heading", "1: The Pilot at the Harbour Mouth", 2, True),
        PROSE,
        Block("heading", "2: The Fog", 2, True),
        PROSE,
    ]
    removed: list[str] = []
    assert drop_contents(blocks, removed) == blocks[4:]
    assert removed[0] == "CONTENTS"


def test_a_title_page_cut_in_pieces_goes_whole_with_its_subtitle_and_byline() -> None:
    blocks = [
        Block("para", "THE VALLEY MILL"),
        Block("heading", "A Tale of the River Folkby Rosa Kell", 1, True),
        Block("heading", "CHAPTER I.", 1, True),
        PROSE,
    ]
    removed: list[str] = []
    kept, _ = drop_title_page(blocks, "The Valley Mill A Tale of the River Folk", removed, ("Rosa Kell",))
    assert kept == blocks[2:]
    assert removed == ["THE VALLEY MILL", "A Tale of the River Folkby Rosa Kell"]


def test_a_byline_under_the_title_heading_is_part_of_the_title_page() -> None:
    from bot.ingest.contents import imprint_end

    blocks = [
        Block("heading", "Frankenstein; or, the Modern Prometheus", 1, True),
        Block("heading", "by Mary Wollstonecraft (Godwin) Shelley", 3, True),
        Block("heading", "Letter 1", 2, True),
        PROSE,
    ]
    assert imprint_end(blocks, 1) == 2
    assert imprint_end([blocks[0], Block("para", "by the way, the mill was quiet."), PROSE], 1) == 1


def test_a_contents_line_taken_for_a_heading_is_still_the_contents() -> None:
    blocks = [
        Block("para", "Contents"),
        Block("heading", "I. A Scandal in Bohemia II. The Red-Headed League III. A Case of Identity", 1, True),
        Block("heading", "I. A SCANDAL IN BOHEMIA", 1, True),
        PROSE,
        Block("heading", "II. THE RED-HEADED LEAGUE", 1, True),
        PROSE,
        Block("heading", "III. A CASE OF IDENTITY", 1, True),
        PROSE,
    ]
    assert drop_contents(blocks, []) == blocks[2:]
