"""Editors', publishers' and translators' matter leaves the readings and becomes the book's provenance."""

from __future__ import annotations

from bot.ingest import ingest_bytes
from tests.ingest.helpers import reading_text

BODY = [
    f"The harbour of {town} was built in a single summer by men who had never built anything before, and "
    "it has stood for two hundred years, which tells you something about men and something about summers."
    for town in ("Wexham", "Norhaven", "Saltby", "Merrow", "Keld", "Ashby", "Thorn", "Dunmore", "Pell", "Vane")
]


def test_standfirst_note_first_publication_translator_and_sales_line() -> None:
    paras = [
        "We are republishing this essay, which first appeared in a small harbour journal, because it explains "
        "better than any later account how the town came to be.",
        *BODY,
        "Originally published in The Harbour Review, 1921.",
        "Translated from the French by Jean Martin",
        "The full collection is available from Saltmarsh Books.",
    ]
    book = ingest_bytes("\n\n".join(paras).encode(), "harbour.txt")
    assert book.provenance == (
        paras[0],
        "Originally published in The Harbour Review, 1921.",
        "Translated from the French by Jean Martin",
        "The full collection is available from Saltmarsh Books.",
    )
    text = reading_text(book)
    assert "republishing" not in text and "Jean Martin" not in text and "Saltmarsh" not in text
    assert all(p in text for p in BODY)


def test_the_authors_own_first_person_plural_in_the_middle_is_left_alone() -> None:
    middle = "We reproduce here the letter the mayor wrote, because it shows the town's mood better than we can."
    paras = [*BODY[:5], middle, *BODY[5:]]
    book = ingest_bytes("\n\n".join(paras).encode(), "harbour.txt")
    assert book.provenance == ()
    assert middle in reading_text(book)


def test_a_transcribers_note_under_the_title_page_and_contents_is_provenance() -> None:
    from bot.ingest import ingest_bytes
    from tests.ingest.helpers import reading_text

    letter = (
        "Though I employ so much of my time in writing to you, I confess I have often my doubts whether it is "
        "to any purpose, for advice is seldom welcome."
    )
    letters = "".join(f"## LETTER {n}\n\nDEAR BOY:\n\n{letter}\n\n{letter}\n\n" for n in ["I", "II", "III"])
    md = (
        "# LETTERS TO A SON\n\nBY A FATHER\n\n## CONTENTS\n\n- [LETTER I](#letter-i)\n- [LETTER II](#letter-ii)\n"
        "- [LETTER III](#letter-iii)\n\n*[Transcriber's note: printed from the edition of 1774; obvious errors "
        "corrected.]*\n\n" + letters
    )
    book = ingest_bytes(md.encode(), "letters.md")
    assert book.provenance == ("[Transcriber's note: printed from the edition of 1774; obvious errors corrected.]",)
    assert "Transcriber" not in reading_text(book)
    assert [s.heading for s in book.sections] == ["LETTER I", "LETTER II", "LETTER III"]
