"""Quotes and prompts on the default library (the five texts in data/texts), through storage, chat and CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.app import App
from bot.ingest.prompts import KINDS
from bot.ingest.quotes import near_duplicate, problems
from bot.storage import books as book_store
from bot.storage import quotes as quote_store
from cogs import discussion
from cogs.discussion import prompts_for_section
from cogs.library import load_default_library
from cogs.quotes import quote_reply
from tests.conftest import TEXTS, Room


async def test_every_stored_quote_stands_alone_and_is_cited(app: App) -> None:
    await load_default_library(app.db, app.settings, app.clock.now)
    total = 0
    for book in await book_store.all_books(app.db):
        quotes = await quote_store.of_book(app.db, book.id, limit=10_000)
        assert quotes, book.title
        total += len(quotes)
        for section in await book_store.sections(app.db, book.id):
            paragraphs = {p.position: p for p in await book_store.paragraphs(app.db, section.id)}
            for q in (q for q in quotes if q.section_id == section.id):
                assert problems(q.text) == [], q.text
                assert q.text in paragraphs[q.paragraph_position].text  # verbatim, at the cited paragraph
                assert q.speaker is None or q.speaker[0].isupper()
        for i, a in enumerate(quotes):
            assert not any(near_duplicate(a.text, b.text) for b in quotes[i + 1 :]), a.text
    assert total > 150


async def test_quote_cards_name_the_person_quoted_and_the_citation(room: Room) -> None:
    await load_default_library(room.app.db, room.app.settings, room.app.clock.now)
    rogovin = await quote_store.of_book(room.app.db, 1, limit=1000)
    quoted = next(q for q in rogovin if "Marxism is inherently flawed" in q.text)
    assert quoted.speaker == "Trotsky"
    card = quote_reply(quoted)
    assert card.kind == "quote"
    assert "— Trotsky, quoted by Vadim Rogovin in *Stalin's Terror of 1937–1938" in card.text
    fields = {f.name: f.value for f in card.fields}
    assert fields == {"Section": "Opening (§1)", "Paragraph": str(quoted.paragraph_position)}

    own = next(q for q in rogovin if q.speaker is None)
    assert f"— Vadim Rogovin, *{own.book_title}*" in quote_reply(own).text

    found = await room.say("quote search swim against the stream", who="bob")
    # paragraph 6: the editors' standfirst that opened the text is the book's provenance now (#13)
    assert found.kind == "quote" and "paragraph 6" in found.text and "*Stalin's Terror" in found.text
    drawn = await room.say("quote", who="bob")  # no plan: the whole library
    assert drawn.kind == "quote" and drawn.text.startswith("> ") and len(drawn.fields) == 2


async def test_every_reading_gets_grounded_questions_and_texts_are_connected(app: App) -> None:
    await load_default_library(app.db, app.settings, app.clock.now)
    books = {b.id: b for b in await book_store.all_books(app.db)}
    connections = 0
    for book in books.values():
        for section in await book_store.sections(app.db, book.id):
            drafts = await prompts_for_section(app, app.db, book.id, section.position)
            assert 3 <= len(drafts) <= 5, (book.title, section.position)
            assert len({d.kind for d in drafts}) == len(drafts) and {d.kind for d in drafts} <= set(KINDS)
            for draft in drafts:
                assert draft.text.endswith("?") and "{" not in draft.text
                assert draft.citations
                for cite in draft.citations:
                    cited = await book_store.section(app.db, cite.book_id, cite.section)
                    assert cited is not None and cite.excerpt in cited.text  # verbatim in the cleaned text
                    assert problems(cite.excerpt) == []  # never boilerplate, fragments or footnote markers
                    assert cite.excerpt in draft.text  # the prompt quotes what it cites
                if draft.kind == "connection":
                    here, there = draft.citations
                    assert (here.book_id, here.section) == (book.id, section.position)
                    assert there.book_id != book.id
                    connections += 1
                else:
                    assert [(c.book_id, c.section) for c in draft.citations] == [(book.id, section.position)]
    assert connections >= 10


async def test_prompts_are_deterministic_for_a_library(app: App) -> None:
    await load_default_library(app.db, app.settings, app.clock.now)
    first = await prompts_for_section(app, app.db, 4, 6)
    discussion._LIBRARY.clear()
    await app.db.execute("DELETE FROM prompts")
    again = await prompts_for_section(app, app.db, 4, 6)
    assert first == again
    kronstadt = await prompts_for_section(app, app.db, 5, 9)
    linked = [d for d in kronstadt if d.kind == "connection"]
    assert linked and "Kronstadt" in linked[0].text and "Red Jacobins" in linked[0].text


def test_cli_quotes_and_prompts(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch) -> None:
    monkeypatch.chdir(TEXTS.parent.parent)  # the default library and templates as `readalong` finds them
    db = str(tmp_path / "cli.sqlite3")
    assert main(["quotes", "jacobins", "--section", "7", "--limit", "4", "--json", "--db", db]) == 0
    quotes = json.loads(capsys.readouterr().out)
    assert len(quotes) == 4
    assert all(set(q) == {"text", "book", "section", "paragraph", "speaker", "score"} for q in quotes)
    assert all(q["section"] == 7 and q["book"].startswith("The Red Jacobins") for q in quotes)
    assert [q["score"] for q in quotes] == sorted((q["score"] for q in quotes), reverse=True)
    assert {q["speaker"] for q in quotes} <= {"Mark Hoskisson", "Stalin", "Lenin", "Trotsky"}

    assert main(["prompts", "collins", "--section", "9", "--json", "--db", db]) == 0
    prompts = json.loads(capsys.readouterr().out)
    assert main(["library", "show", "collins", "--json", "--text", "--db", db]) == 0
    shown = json.loads(capsys.readouterr().out)
    texts = {(shown["title"], s["index"]): s["text"] for s in shown["sections"]}
    assert 3 <= len(prompts) <= 5
    for prompt in prompts:
        assert set(prompt) == {"kind", "text", "citations"} and prompt["text"].endswith("?")
        for cite in prompt["citations"]:
            assert set(cite) == {"book", "section", "paragraph", "excerpt"}
            if cite["book"] == shown["title"]:
                assert cite["excerpt"] in texts[(cite["book"], cite["section"])]

    assert main(["quotes", "collins", "--section", "99", "--db", db]) == 2
    assert re.search(r"sections 1 to 22, not 99", capsys.readouterr().err)
