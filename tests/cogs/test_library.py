"""The library cog through a chat room: listing, showing, searching and adding uploaded books."""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from dataclasses import replace

import pytest

from bot.config import LibrarySettings
from bot.replies import Upload
from bot.services.books import load_default_library
from bot.storage import books as book_store
from bot.storage import quotes as quote_store
from tests.conftest import Room

ESSAY = (
    "# Reading Together\n\nBy Ada Example\n\n## Why groups\n\n"
    + "A reading group keeps a steady pace through long books. " * 30
    + "\n\n## How to meet\n\n"
    + "Meet weekly, read the section beforehand and bring one question. " * 30
).encode()


async def test_list_show_and_search_the_default_library(room: Room) -> None:
    added = await load_default_library(room.app.db, room.app.settings, room.app.clock.now)
    assert len(added) == 5
    assert await load_default_library(room.app.db, room.app.settings, room.app.clock.now) == []  # only once

    listing = await room.say("library list", who="bob")
    assert listing.text.count("\n") == 4
    assert "Russia: How the Bureaucracy Seized Power" in listing.text

    shown = await room.say("library show jacobins", who="bob")
    assert shown.title == "The Red Jacobins: Thermidor and the Russian Revolution in 1921 — Mark Hoskisson"
    assert "min" in shown.text

    found = await room.say("library search Kronstadt rebellion", who="bob")
    assert "paragraph" in found.text and "**Kronstadt**" in found.text
    nothing = await room.say("library search qqqzzz", who="bob")
    assert nothing.kind == "error" and "Nothing in the library matches" in nothing.text


async def test_moderators_add_uploaded_books(room: Room) -> None:
    upload = (Upload("reading-together.md", ESSAY),)
    refused = await room.say("library add", who="bob", uploads=upload)
    assert refused.text == "Only moderators can use `library add`."
    assert await book_store.count(room.app.db) == 0

    missing = await room.say("library add", who="alice")
    assert "Attach the book's file" in missing.text

    added = await room.say("library add", who="alice", uploads=upload)
    assert added.title == "Added to the library"
    assert "*Reading Together* — Ada Example" in added.text
    book = (await book_store.all_books(room.app.db))[0]
    headings = [s.heading for s in await book_store.sections(room.app.db, book.id)]
    assert "Why groups" in headings and "How to meet" in headings

    duplicate = await room.say("library add", who="alice", uploads=upload)
    assert "already in the library as #1" in duplicate.text
    assert await book_store.count(room.app.db) == 1


async def test_bad_uploads_store_nothing(room: Room) -> None:
    room.app.settings = replace(room.app.settings, library=LibrarySettings(max_upload_mb=1))
    too_big = await room.say("library add", uploads=(Upload("huge.txt", b"word " * 300_000),))
    assert too_big.text == "huge.txt is larger than the 1 MB limit."
    binary = await room.say("library add", uploads=(Upload("image.txt", bytes(range(256)) * 50),))
    assert binary.kind == "error" and binary.text.startswith("I couldn't add image.txt:")
    unknown = await room.say("library add", uploads=(Upload("notes.docx", b"PK\x03\x04data"),))
    assert unknown.kind == "error" and ".docx" in unknown.text
    assert await book_store.count(room.app.db) == 0


@pytest.mark.default_library
async def test_book_references_suggest_what_was_meant(room: Room) -> None:
    typo = await room.say("library show Jacobns")
    assert typo.text.startswith("I don't know a book called “Jacobns” — did you mean #4 *The Red Jacobins")
    several = await room.say("library show Rogovin")
    assert several.text.startswith("“Rogovin” matches several books: #1")
    by_id = await room.say("library show 5")
    assert by_id.title and by_id.title.startswith("Russia: How the Bureaucracy Seized Power")


async def test_search_without_words_and_help_for_unknown_subcommands(room: Room) -> None:
    empty = await room.say('library search "…"')
    assert empty.text == "Give me some words to look for, for example `library search Kronstadt`."
    unknown = await room.say("help plan xyz")
    assert unknown.kind == "error" and unknown.text.startswith("`plan` has no subcommand “xyz”; try one of")


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("hello.txt", b"hello", "1 word"),
        ("note.md", b"# Note\n\nRemember to bring the book on Tuesday.", "7 words"),
        ("note.html", b"<html><body><p>This is a short note, and not a book.</p></body></html>", "9 words"),
    ],
)
async def test_a_file_with_a_few_words_is_not_a_book(room: Room, name: str, data: bytes, words: str) -> None:
    reply = await room.say("library add", uploads=(Upload(name, data),))
    assert reply.kind == "error"
    assert reply.text == f"I couldn't add {name}: There is too little text in that file to make a reading ({words})."
    assert await book_store.all_books(room.app.db) == []


async def test_the_editors_notes_are_stored_and_shown_never_lost(room: Room) -> None:
    """#13: the publishers' standfirst and the translator's line leave the readings but are kept with the book."""
    body = [
        f"The harbour of {town} was built in a single summer by men who had never built anything before, and it "
        "has stood for two hundred years, which tells you something about men and something about summers."
        for town in ("Wexham", "Norhaven", "Saltby", "Merrow", "Keld", "Ashby", "Thorn", "Dunmore", "Pell", "Vane")
    ]
    standfirst = (
        "We are republishing this essay, which first appeared in a small harbour journal, because it explains "
        "better than any later account how the town came to be."
    )
    text = "\n\n".join([standfirst, *body, "Translated from the French by Jean Martin"]).encode()
    added = await room.say("library add", who="alice", uploads=(Upload("harbour.txt", text),))
    assert added.title == "Added to the library"
    book = (await book_store.all_books(room.app.db))[0]
    assert book.provenance == (standfirst, "Translated from the French by Jean Martin")
    sections = await book_store.sections(room.app.db, book.id)
    assert not any("republishing" in s.text or "Jean Martin" in s.text for s in sections)
    shown = await room.say(f"library show {book.id}", who="bob")
    assert f"From the editors/publishers: {standfirst}" in shown.text
    assert "From the editors/publishers: Translated from the French by Jean Martin" in shown.text


def _large_book(size: int) -> bytes:
    """~`size` bytes of varied prose in chapters (seeded, so every run reads the same book)."""
    rng = random.Random(13)
    words = [
        "harbour",
        "council",
        "winter",
        "grain",
        "letter",
        "river",
        "strike",
        "bread",
        "mill",
        "workers",
        "assembly",
        "printer",
        "factory",
        "market",
        "journey",
        "mother",
        "village",
        "debt",
        "famine",
        "railway",
        "soldier",
        "teacher",
        "promise",
        "bridge",
        "lantern",
        "ledger",
        "quarrel",
    ]
    parts: list[str] = []
    length, chapter = 0, 0
    while length < size:
        chapter += 1
        parts.append(f"Chapter {chapter}")
        for _ in range(40):
            sentences = [
                " ".join(rng.choice(words) for _ in range(rng.randint(8, 18))).capitalize() + "."
                for _ in range(rng.randint(3, 6))
            ]
            parts.append(" ".join(sentences))
        length = sum(len(p) + 2 for p in parts)
    return "\n\n".join(parts).encode()


async def test_other_commands_answer_while_a_large_book_is_added(room: Room) -> None:
    """#13's acceptance criterion: `library add` of a large book never blocks the bot. Reading the file, its
    quote candidates and argument models run in the worker process and the database write is one short
    transaction at the end, so `library list` keeps answering meanwhile.

    The bounds are real but generous for a shared CI machine: every answer within 1 s, most (the median) within
    the issue's 100 ms, and all of them long before the add itself is done."""
    data = _large_book(1_500_000)
    started = time.perf_counter()
    adding = asyncio.create_task(room.say("library add", who="alice", uploads=(Upload("large.txt", data),)))
    latencies: list[float] = []
    while not adding.done():
        begin = time.perf_counter()
        listing = await asyncio.wait_for(room.say("library list", who="bob"), 1.0)
        latencies.append(time.perf_counter() - begin)
        assert listing.text, listing
        await asyncio.sleep(0.05)
    added = await adding
    took = time.perf_counter() - started
    assert added.title == "Added to the library", added.text
    assert len(latencies) >= 10, (latencies, took)  # the add took long enough to answer many times meanwhile
    assert statistics.median(latencies) < 0.1, latencies
    assert max(latencies) < took / 4, (latencies, took)
    print(
        f"add {took:.2f} s; library list answered {len(latencies)} times, median "
        f"{statistics.median(latencies) * 1000:.0f} ms, slowest {max(latencies) * 1000:.0f} ms"
    )
    book = (await book_store.all_books(room.app.db))[0]
    assert book.words > 200_000 and await quote_store.count(room.app.db, book.id) > 0
