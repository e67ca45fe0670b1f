"""A new book's quote candidates and argument models, computed before it is stored.

`library add` must not hold the bot (#13): this is the CPU work of adding a book after its text is prepared —
the library's phrase index with the book in it, the quote candidates of each section (#5) and the argument model
of each reading (#14). It is pure and takes and returns plain data that pickles, so it runs in the worker process
(bot/ingest/worker.py); the caller then stores the book, its quotes and its models in one short transaction.
Sections are numbered by position here (a model's `section_id` is its 1-based position until the caller maps it
to the stored section's id).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.ingest import booktype, claims
from bot.ingest.claims import ArgumentModel
from bot.ingest.keyphrases import LibraryIndex
from bot.ingest.quotes import ParagraphLike, QuoteCandidate, SeenQuotes, find_quotes
from bot.ingest.scoring import read_section, section_scoring


@dataclass(frozen=True)
class Analysis:
    quotes: tuple[tuple[QuoteCandidate, ...], ...]  # per section in book order, best first
    models: tuple[ArgumentModel, ...]  # per section in book order; section_id = the section's position


def analyse_book(
    sections: Sequence[Sequence[ParagraphLike]],
    authors: tuple[str, ...],
    book_id: int,
    library: Sequence[tuple[int, str]],
    taken_quotes: Sequence[str],
) -> Analysis:
    """What adding the book stores besides its text. `library`: (book id, section text) of every stored section in
    book and section order, as bot/services/quotes.library_index reads them; `book_id`: the id the book will get
    (so the index is the one the library will have); `taken_quotes`: the library's stored quote texts."""
    reads = [read_section(paragraphs) for paragraphs in sections]  # each section's words and phrases, read once
    index = LibraryIndex.build(library)
    for read in reads:
        index.add(book_id, read.text, read.phrases)
    kind = booktype.classify([p.text for paragraphs in sections for p in paragraphs])
    taken = SeenQuotes(taken_quotes)  # one trigram index for the whole book
    quotes: list[tuple[QuoteCandidate, ...]] = []
    models: list[ArgumentModel] = []
    for position, (paragraphs, read) in enumerate(zip(sections, reads, strict=True), start=1):
        scoring = section_scoring(paragraphs, index, read)  # shared by the quotes and the model
        quotes.append(
            tuple(find_quotes(paragraphs, index, exclude=taken, narrative=kind == booktype.NARRATIVE, scoring=scoring))
        )
        models.append(
            claims.build(
                position, paragraphs, index, authors=authors, book_kind=kind, opening=position == 1, scoring=scoring
            )
        )
    return Analysis(tuple(quotes), tuple(models))
