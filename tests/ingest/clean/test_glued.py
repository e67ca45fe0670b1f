"""Pages flattened into one line: glued headings, captions and a masthead split off."""

from __future__ import annotations

from pathlib import Path

from bot.ingest import ingest_path
from tests.ingest.helpers import headings, reading_text

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "ingest"


def test_glued_headings_captions_and_masthead() -> None:
    book = ingest_path(FIXTURES / "glued_headings.txt")
    assert book.title == "The Lighthouse Keepers: A Short History"
    assert book.authors == ("Marta Ellison",)
    assert book.date == "1994"
    assert headings(book) == ["Early Lights", "The Age of Oil", "3. Automation and the End of an Era"]
    text = reading_text(book)
    assert "Image:" not in text and "Featured" not in text
    assert "One keeper, J.R. Hollis, wrote" in text
    assert "Coastlines Featured Coastlines" in book.removed
    assert "Oil lamp in the museum / Image: fair use" in book.removed


def test_a_play_run_together_splits_at_speakers_and_ordinal_acts() -> None:
    """ "…Lane?LANE.  I didn't" is a new speech; "…said so.CURTAINSECOND ACTSCENEThe quay" starts an act,
    and the setting glued after it is text, not the act's title. A shout in capitals is no heading."""
    from bot.ingest.clean import split_glued_line

    line = (
        "FIRST ACTSCENEA room above the bank. ALGERNON.  Did you hear what I was playing, Lane?LANE.  I didn't "
        "think it polite to listen, sir.MARY.  The lamps were lit at dusk.FIRE IN THE MILLThe miller ran. "
        "Nobody in the town could remember it, though several people said so.CURTAINSECOND ACTSCENEThe quay "
        "at dusk.TOM.  The lamps along the quay were lit at dusk by a man with a ladder."
    )
    blocks = split_glued_line(line, [], False)
    assert [b.text for b in blocks if b.kind == "heading"] == ["FIRST ACT", "SECOND ACT"]
    paras = [b.text for b in blocks if b.kind == "para"]
    assert "LANE.  I didn't think it polite to listen, sir." in paras
    assert "FIRE IN THE MILL" in paras  # a line in capitals: text here, the book's pattern decides later


def test_a_title_in_capitals_glued_to_its_byline() -> None:
    from bot.ingest.clean import split_glued_line

    line = (
        "TREASURE ISLANDby Robert Louis StevensonThe squire asked me to write it all down. "
        "I take up my pen.The inn stood by the cove.It was a lonely place."
    )
    blocks = split_glued_line(line, [], True)
    assert blocks[0].text == "TREASURE ISLAND"
    assert blocks[1].text.startswith("by Robert Louis Stevenson")


def test_run_together_notes_pictures_and_titles_numbered_in_capitals() -> None:
    """ "…it.[Footnote 1: …]" and "[Illustration: …]" start their own paragraphs (the notes pass and the
    boilerplate pass then take them); "CONTENTSI. OF TRUTH" and "ADVERSITYI. OF" cut before the "I."."""
    from bot.ingest.clean import split_glued_line

    line = (
        "CONTENTSI. OF TRUTH II. OF DEATHI. OF TRUTHWhat is truth? said jesting Pilate, and would not stay."
        "[Illustration: PILATE WASHING HIS HANDS.]To pass from theological truth to the truth of civil business "
        "is a long road.[1] It is the honor of man's nature.[Footnote 1: Lucian, in his dialogue.]II. OF DEATHMen "
        "fear death, as children fear to go in the dark, and that fear is increased with tales."
    )
    blocks = split_glued_line(line, [], False)
    texts = [(b.kind, b.text) for b in blocks]
    assert ("heading", "I. OF TRUTH") in texts
    assert ("heading", "II. OF DEATH") in texts
    assert ("para", "[Illustration: PILATE WASHING HIS HANDS.]") in texts
    assert ("para", "[Footnote 1: Lucian, in his dialogue.]") in texts
    assert blocks[0].text == "CONTENTS"


def test_a_title_page_chain_and_titles_glued_to_capitals_in_a_run_together_book() -> None:
    """ "AESOP'S FABLESTranslated by G. F. TownsendThe Wolf and the LambWOLF, meeting…": the title, the
    translator's line and the first fable's title each split off; "…WeaselsA BAT who…" too."""
    from bot.ingest.clean import split_glued_line

    line = (
        "AESOP'S FABLESTranslated by George Fyler TownsendThe Wolf and the LambWOLF, meeting with a Lamb astray "
        "from the fold, resolved to find some plea.The tyrant will always find a pretext.The Bat and the "
        "WeaselsA BAT who fell upon the ground was caught by a Weasel and pleaded for his life."
    )
    heads = [b.text for b in split_glued_line(line, [], True) if b.kind == "heading"]
    assert heads == [
        "AESOP'S FABLES",
        "Translated by George Fyler Townsend",
        "The Wolf and the Lamb",
        "The Bat and the Weasels",
    ]


def test_a_matter_word_before_a_and_a_numeral_ending_in_the_pronoun_i() -> None:
    """ "…1897PREFACEA preface to…" cuts PREFACE off; "CHAPTER II" + "I resisted" glued reads "CHAPTER III
    resisted", and no sentence begins in lower case, so the last I is the pronoun."""
    from bot.ingest.clean import split_glued_line

    line = (
        "London, 1897PREFACEA preface to the first edition being unnecessary, I gave none at all to anyone. "
        "It rained.CHAPTER III resisted all the way: a new thing for me, and the maid said so twice over."
    )
    heads = [b.text for b in split_glued_line(line, [], False) if b.kind == "heading"]
    assert heads == ["PREFACE", "CHAPTER II"]
