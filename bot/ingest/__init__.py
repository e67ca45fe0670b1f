"""Text ingestion: a file in, a `Book` of clean, divided readings out.

load (loaders: format, encoding, structure) → clean (boilerplate, unwrap, glued headings) → metadata →
footnotes → headings → sections (readings split/merged) → sentences. Pure except `ingest_path`, which
lets the loader read the file. Any failure is an `IngestError` whose message a member can read.
"""

from __future__ import annotations

import logging
import pathlib
import re
import time
from dataclasses import dataclass

from bot.ingest.clean import Block
from bot.ingest.contents import drop_contents, drop_title_page, plain_year, title_page_end
from bot.ingest.footnotes import attach_notes
from bot.ingest.headings import assign_levels, detect_headings
from bot.ingest.loaders import Loaded, load, read_path
from bot.ingest.metadata import (
    Metadata,
    clean_title,
    normalise_date,
    plausible_date,
    read_header,
    read_introduction,
)
from bot.ingest.model import (
    Book,
    IngestError,
    IngestOptions,
    Paragraph,
    Section,
    count_words,
    estimate_minutes,
)
from bot.ingest.provenance import take_provenance
from bot.ingest.sections import build_sections
from bot.ingest.sentences import split_sentences
from bot.text import plural

__all__ = [
    "Book",
    "IngestError",
    "IngestOptions",
    "Paragraph",
    "Prepared",
    "Section",
    "count_words",
    "estimate_minutes",
    "ingest_bytes",
    "ingest_path",
    "prepare_book",
    "read_path",
    "split_sentences",
]

log = logging.getLogger(__name__)
_DEFAULT = IngestOptions()
MIN_WORDS = 20  # less is a note or a stray file, not something a group reads together


@dataclass(frozen=True)
class Prepared:
    """A book ready to store, and how long each stage of preparing it took (seconds, in order)."""

    book: Book
    timings: tuple[tuple[str, float], ...]


def prepare_book(data: bytes, filename: str, options: IngestOptions = _DEFAULT) -> Prepared:
    """All the CPU work of adding a book, returning plain data that pickles.

    Meant to run in a worker process (see `bot.ingest.worker`), so a big or hostile file never holds the
    bot's interpreter lock; the caller then writes the database in one short transaction. `filename`
    chooses the format (magic bytes double-check it). Any failure is an IngestError with a sentence.
    """
    timings: list[tuple[str, float]] = []
    try:
        start = time.perf_counter()
        loaded = load(data, filename, options)
        timings.append(("load and clean", time.perf_counter() - start))
        book = _build(loaded, filename, options, timings)
    except IngestError:
        raise
    except RecursionError as exc:
        raise IngestError("That file is nested too deeply for me to read.") from exc
    except MemoryError as exc:
        raise IngestError("That file is too big for me to read.") from exc
    except Exception as exc:
        log.exception("unexpected failure ingesting %r", filename)
        raise IngestError("Something in that file confused me, so I couldn't read it.") from exc
    return Prepared(book, tuple(timings))


def ingest_bytes(data: bytes, filename: str, options: IngestOptions = _DEFAULT) -> Book:
    """Ingest an uploaded file's bytes; `filename` chooses the format (magic bytes double-check it)."""
    return prepare_book(data, filename, options).book


def ingest_path(path: pathlib.Path, options: IngestOptions = _DEFAULT) -> Book:
    """Ingest a file on disk (the default library, the CLI's `library add`)."""
    path = pathlib.Path(path)
    return ingest_bytes(read_path(path, options), path.name, options)


def _build(loaded: Loaded, filename: str, options: IngestOptions, timings: list[tuple[str, float]]) -> Book:
    start = time.perf_counter()
    cleaned = loaded.cleaned
    removed = list(cleaned.removed)
    blocks = list(cleaned.blocks)

    if cleaned.hints.get("title"):  # a Gutenberg header named the book; its title page is gone or goes now
        meta = Metadata()
        people = tuple(cleaned.hints.get(k, "") for k in ("author", "translator", "editor"))
        blocks, year = drop_title_page(blocks, cleaned.hints["title"], removed, people)
        if year:
            cleaned.hints.setdefault("date", year)
    else:
        meta, blocks = read_header(blocks)
        removed.extend(meta.consumed)
    read_introduction(meta, blocks)
    _merge_format_metadata(meta, loaded, cleaned.hints)

    blocks, uncited, notes_removed = attach_notes(blocks)
    removed.extend(notes_removed)
    if meta.title:
        blocks, year = _drop_title_heading(blocks, meta.title, removed)
        meta.date = meta.date or year
    if not loaded.structured or not any(b.kind == "heading" for b in blocks):
        blocks = detect_headings(blocks)  # a page whose only heading was its title has no structure of its own
    elif len({b.level for b in blocks if b.kind == "heading"}) == 1:
        blocks = assign_levels(blocks)  # a file whose headings are all one level: its labels rank them
    blocks = drop_contents(blocks, removed)
    # after the title page and contents are gone, so an editor's note under them is at the text's edge
    blocks, provenance = take_provenance(blocks, removed)
    removed.extend(t for t in provenance if t not in removed)
    if not any(b.kind == "para" and count_words(b.text) for b in blocks):
        raise IngestError("I couldn't find any readable text in that file.")

    body = [b.text for b in blocks if b.kind == "para"]
    words = sum(count_words(text) for text in body)
    if words < MIN_WORDS:
        raise IngestError(f"There is too little text in that file to make a reading ({plural(words, 'word')}).")
    date = options.date or plausible_date(meta.date, body)
    title = options.title or meta.title or _title_from_filename(filename)
    authors = (
        (options.author,) if options.author else tuple(dict.fromkeys(a.strip() for a in meta.authors if a.strip()))
    )
    timings.append(("metadata, notes, headings", time.perf_counter() - start))
    start = time.perf_counter()
    sections = build_sections(blocks, uncited, options.words_per_minute, options.target_minutes)
    timings.append(("sections and sentences", time.perf_counter() - start))
    return Book(
        title=title,
        authors=authors,
        date=date,
        sections=tuple(sections),
        source_format=loaded.format,
        removed=tuple(removed),
        subtitle=meta.subtitle,
        provenance=tuple(provenance),
    )


def _merge_format_metadata(meta: Metadata, loaded: Loaded, hints: dict[str, str]) -> None:
    """What the file format states (HTML meta, EPUB OPF, PDF info, Gutenberg header) fills the gaps."""
    if loaded.title and (meta.title is None or loaded.format in ("epub", "pdf", "md")):
        meta.title = clean_title(loaded.title)
    if hints.get("title"):  # a Project Gutenberg header states the title authoritatively
        meta.title = hints["title"]
    if not meta.authors:
        meta.authors.extend(loaded.authors)
    if not meta.authors and hints.get("author"):
        meta.authors.extend(re.split(r"\s+and\s+|\s*,\s*", hints["author"]))
    if meta.date is None and loaded.date:
        meta.date = normalise_date(loaded.date) or loaded.date
    if meta.date is None and hints.get("date"):  # the year on a Gutenberg book's own title page
        meta.date = hints["date"]


def _drop_title_heading(blocks: list[Block], title: str, removed: list[str]) -> tuple[list[Block], str | None]:
    """A structural heading that only repeats the book title is not a section, nor are the imprint lines in
    capitals under it (its title page); returns the blocks and the year the imprint prints."""
    key = re.sub(r"[\W_]+", " ", title).strip().lower()
    for i, b in enumerate(blocks[:3]):
        if b.kind == "heading" and re.sub(r"[\W_]+", " ", b.text).strip().lower() == key:
            end = title_page_end(blocks, i)
            removed.extend(x.text for x in blocks[i:end])
            return blocks[:i] + blocks[end:], plain_year(" ".join(x.text for x in blocks[i + 1 : end]))
    return blocks, None


def _title_from_filename(filename: str) -> str:
    stem = pathlib.PurePath(filename).stem
    return re.sub(r"[_-]+", " ", stem).strip() or "Untitled"
