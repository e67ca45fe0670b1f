"""A run-together line's own heading pattern (bot/ingest/clean/line_pattern.py), through the glued-line splitter."""

from __future__ import annotations


def test_chapter_numbers_glued_in_cut_only_when_they_count_up() -> None:
    """ "…a bit.\\"2Black Dog Appears…" and "…Sea-cook4I Go to Bristol…": numbers counting up through a line
    are chapter numbers; a lone "novel1Victor" is a footnote marker and stays for the notes pass."""
    from bot.ingest.clean import split_glued_line

    line = (
        'PART ONE--The Harbour1The PilotThe pilot came aboard at the mouth of the river and said "nothing."'
        "2The FogThe fog came in on the third morning and stayed for a week, so the lamps were lit at noon."
        "PART TWO--The Town3I Go to MarketOn market days the square filled with carts before dawn came."
    )
    heads = [b.text for b in split_glued_line(line, [], False) if b.kind == "heading"]
    assert heads == ["PART ONE--The Harbour", "1: The Pilot", "2: The Fog", "PART TWO--The Town", "3: I Go to Market"]
    lone = "He read the novel1Victor had left him on the shelf. Then he read it again, slowly, to the very end."
    assert [b.text for b in split_glued_line(lone + " " + lone, [], False) if b.kind == "heading"] == []


def test_the_books_own_label_and_capitals_pattern_split_a_title_page_off() -> None:
    """ "…AMOS PELLSERMON I.On Patience." (SERMON is a label after sentence ends twice elsewhere) and
    "…TENTH IMPRESSIONON BUTTONSNobody…" (ON starts the book's other lines in capitals)."""
    from bot.ingest.clean import split_glued_line

    sermons = (
        "SERMONS AT HARROWBYBY THE REV. AMOS PELLSERMON I.On Patience.The bridge had four arches and a toll. "
        "Amen.SERMON II.On Bridges.The river was slow and brown in summer.Amen.SERMON III.On the River.The man "
        "in the box sat for whole days.Amen."
    )
    blocks = split_glued_line(sermons, [], True)
    assert [b.text for b in blocks if b.kind == "heading"] == ["SERMON I"]
    assert blocks[0].text == "SERMONS AT HARROWBYBY THE REV. AMOS PELL"
    essays = (
        "ESSAYS ON SMALL THINGSTENTH IMPRESSIONON BUTTONSNobody has ever written a history of buttons here. "
        "They go.ON KEYSA key is a promise that somewhere a door is waiting.ON STRINGString is the most patient "
        "of things in any drawer."
    )
    paras = [b.text for b in split_glued_line(essays, [], True)]
    assert paras[:2] == ["ESSAYS ON SMALL THINGSTENTH IMPRESSION", "ON BUTTONS"]
    assert paras[2].startswith("Nobody has ever written")
    assert "ON KEYS" in paras and "ON STRING" in paras


def test_numbers_counting_up_over_verse_run_together_are_its_headings() -> None:
    """ "…with thee.2When forty winters…": a number alone with no title line, counting up, heads a poem."""
    from bot.ingest import ingest_bytes

    verse = "From fairest creatures we desire increase, That thereby beauty's rose might never die, " * 3
    line = "THE SONNETS" + "".join(f"{n}{verse.strip()[:-1]}, and thee." for n in range(1, 5))
    book = ingest_bytes(line.encode(), "sonnets.txt")
    assert [s.heading for s in book.sections] == ["1", "2", "3", "4"]


def test_dialogues_run_together_split_by_the_books_own_words_in_capitals() -> None:
    """ "CRITOPERSONS OF THE DIALOGUE" is cut after CRITO, a word the line uses alone ("CRITO: Yes."); a
    speaker with a colon starts a paragraph; a title glued after lower case ("…JowettEUTHYPHRO") stands alone."""
    from bot.ingest import ingest_bytes
    from bot.ingest.clean import lines_to_paragraphs

    talk = "SOCRATES: Why have you come at this hour? It must be quite early.\n\n{0}: Yes, the dawn is breaking.\n\n"
    text = (
        "The Project Gutenberg eBook of Two Dialogues, by Plato\n\nTitle: Two Dialogues\n\nAuthor: Plato\n\n"
        "*** START OF THE PROJECT GUTENBERG EBOOK TWO DIALOGUES ***\n\nTWO DIALOGUES\n\nBy Plato\n\n"
        "Translated by Benjamin Jowett\n\nEUTHYPHRO\n\nPERSONS OF THE DIALOGUE: Socrates, Euthyphro.\n\n"
        + talk.format("EUTHYPHRO") * 3
        + "CRITO\n\nPERSONS OF THE DIALOGUE: Socrates, Crito.\n\n"
        + talk.format("CRITO") * 3
        + "*** END OF THE PROJECT GUTENBERG EBOOK TWO DIALOGUES ***\n"
    )
    flat = "".join(lines_to_paragraphs(text))
    assert "JowettEUTHYPHROPERSONS" in flat and "breaking.CRITOPERSONS" in flat
    book = ingest_bytes(flat.encode(), "plato.txt")
    assert [s.heading for s in book.sections] == ["EUTHYPHRO", "CRITO"]
    assert book.sections[1].paragraphs[0].text == "PERSONS OF THE DIALOGUE: Socrates, Crito."
    assert "CRITO: Yes, the dawn is breaking." in [p.text for p in book.sections[1].paragraphs]


def test_parts_numbered_alone_and_a_title_page_year_run_together() -> None:
    """ "…BOHEMIAI.To Sherlock" and "…answered.II.At three": parts "I", "II" counting up; a lone "L.The"
    inside "CIVIL.The" is no part; "…FIELDS MDCCCLTHE CUSTOM-HOUSE" ends the title page at its year."""
    from bot.ingest.clean import split_glued_line

    line = (
        "I. A SCANDAL IN BOHEMIAI.To Sherlock Holmes she is always the woman, and he never spoke of her. "
        '"Seven!" I answered.II.At three o\'clock precisely I was at Baker Street, and Holmes was out.'
        "It was CIVIL.The landlady said so twice, and then she went down to the kitchen again."
    )
    heads = [b.text for b in split_glued_line(line, [], False) if b.kind == "heading"]
    assert [h.rstrip(".") for h in heads] == ["I", "II"]  # the titled one is weighed later, as text
    page = "THE SCARLET LETTERBY N. HAWTHORNEBOSTON TICKNOR, REED, AND FIELDS MDCCCLTHE CUSTOM-HOUSEIt is a tale."
    from bot.ingest.clean.line_pattern import year_cuts

    assert [page[:k][-6:] for k in sorted(year_cuts(page))] == ["MDCCCL"]
