"""Reply → Discord pages, without Discord: every page stays inside Discord's limits and nothing is lost."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from bot.adapters.discord.render import (
    BUTTON_TEMPLATE,
    CONTENT_LIMIT,
    DESCRIPTION_LIMIT,
    EMBED_TOTAL_LIMIT,
    EMPTY_REPLY,
    Page,
    encode_command,
    nonce_for,
    render,
    split_text,
    thread_name,
)
from bot.replies import Choice, Field, File, Reply


def embed_size(page: Page) -> int:
    embed = page.embed or {}
    size = len(embed.get("title", "")) + len(embed.get("description", ""))
    size += sum(len(f["name"]) + len(f["value"]) for f in embed.get("fields", []))
    return size + len(embed.get("footer", {}).get("text", ""))


def test_short_plain_text_is_one_message() -> None:
    [page] = render(Reply(text="The library is empty.")).pages
    assert page == Page(content="The library is empty.")


def test_errors_stay_plain_even_with_a_title() -> None:
    [page] = render(Reply(text="No such book.", title="Oops", kind="error")).pages
    assert page.embed is None and page.content == "**Oops**\nNo such book."


def test_readings_titles_and_fields_become_an_embed() -> None:
    reply = Reply(title="Tuesday readers", text="Local time", fields=(Field("Time zone", "Europe/Berlin", True),))
    [page] = render(reply).pages
    assert page.content is None and page.embed is not None
    assert page.embed["title"] == "Tuesday readers" and page.embed["description"] == "Local time"
    assert page.embed["fields"] == [{"name": "Time zone", "value": "Europe/Berlin", "inline": True}]
    [reading] = render(Reply(text="Chapter 1 opens.", kind="reading")).pages
    assert reading.embed is not None and "title" not in reading.embed and reading.embed["color"] != 0


def test_long_text_is_split_at_line_ends_into_messages() -> None:
    text = "\n".join(f"{i}. " + "word " * 20 for i in range(100))
    pages = render(Reply(text=text)).pages
    assert len(pages) > 1
    assert all(p.content is not None and len(p.content) <= CONTENT_LIMIT for p in pages)
    assert all(p.content and p.content[0].isdigit() for p in pages)  # every page starts at a line
    assert " ".join(p.content or "" for p in pages).split() == text.split()


def test_long_embeds_are_paged_within_every_limit() -> None:
    text = "\n\n".join("paragraph " * 60 for _ in range(40))
    fields = tuple(Field(f"Reading {i}", "x" * 300) for i in range(40))
    pages = render(Reply(title="T" * 300, text=text, fields=fields, kind="reading")).pages
    assert len(pages) > 2
    for number, page in enumerate(pages, start=1):
        assert page.embed is not None
        assert len(page.embed.get("description", "")) <= DESCRIPTION_LIMIT
        assert len(page.embed.get("fields", [])) <= 25
        assert embed_size(page) <= EMBED_TOTAL_LIMIT
        assert page.embed["footer"] == {"text": f"{number}/{len(pages)}"}
    assert len(pages[0].embed["title"]) == 256 and "title" not in pages[1].embed  # type: ignore[index]
    assert sum(len(p.embed.get("fields", [])) for p in pages if p.embed) == 40


def test_a_field_too_long_for_discord_joins_the_text() -> None:
    [page] = render(Reply(title="Quote", fields=(Field("Passage", "y" * 2000),))).pages
    assert page.embed is not None and "fields" not in page.embed
    assert page.embed["description"] == "**Passage**\n" + "y" * 2000


def test_choices_become_buttons_with_the_command_in_the_custom_id() -> None:
    reply = Reply(text="Vote", choices=(Choice("A: Lenin", "vote 3 A", "primary"), Choice("B", "vote 3 B")))
    rendered = render(reply)
    [page] = rendered.pages
    assert [(b.label, b.custom_id, b.style) for b in page.buttons] == [
        ("A: Lenin", "rg:vote 3 A", "primary"),
        ("B", "rg:vote 3 B", "secondary"),
    ]
    assert rendered.hashed == {}


def test_a_command_too_long_for_a_custom_id_travels_as_a_remembered_hash() -> None:
    command = "vote 3 " + "a very long option name " * 5
    rendered = render(Reply(text="Vote", choices=(Choice("Long", command),)))
    [button] = rendered.pages[0].buttons
    assert button.custom_id.startswith("rgk:") and len(button.custom_id) <= 100
    assert rendered.hashed == {button.custom_id[4:]: command}
    assert encode_command(command) == (button.custom_id, button.custom_id[4:])  # stable across restarts
    for custom_id in (button.custom_id, "rg:vote 3 A"):
        assert re.fullmatch(BUTTON_TEMPLATE, custom_id)


def test_many_choices_become_a_select_menu() -> None:
    choices = tuple(Choice(f"Option {i}", f"vote 9 {i}") for i in range(30))
    [page] = render(Reply(text="Pick", kind="poll", choices=choices)).pages
    assert page.buttons == () and len(page.select) == 25
    assert page.select[0].value == "rg:vote 9 0"


def test_duplicate_buttons_are_dropped() -> None:
    [page] = render(Reply(text="x", choices=(Choice("A", "vote 1 A"), Choice("A again", "vote 1 A")))).pages
    assert len(page.buttons) == 1


def test_files_and_buttons_go_on_the_last_page() -> None:
    files = tuple(File(f"f{i}.ics", b"x") for i in range(12))
    pages = render(Reply(text="word " * 1000, files=files, choices=(Choice("OK", "help"),))).pages
    assert len(pages) == 4  # three pages of text, then the files that did not fit one message
    assert pages[0].files == () and pages[0].buttons == ()
    assert len(pages[2].files) == 10 and pages[2].buttons and len(pages[3].files) == 2


def test_an_empty_reply_still_says_something() -> None:
    assert render(Reply()).pages == [Page(content=EMPTY_REPLY)]
    [only_file] = render(Reply(files=(File("a.png", b"x"),))).pages
    assert only_file.content is None and only_file.files


def test_nonces_are_short_and_differ_per_page() -> None:
    key = "job:12@2026-11-02T09:00:00+00:00#0"
    assert len(nonce_for(key)) == 25 and nonce_for(key, 0) != nonce_for(key, 1)
    assert nonce_for(key) == nonce_for(key, 0)


def test_thread_names_are_plain_and_short() -> None:
    assert thread_name(Reply(title="Reading 3: *Stalin's Terror*", text="x")) == "Reading 3: Stalin's Terror"
    assert thread_name(Reply(text="\n\nFirst line\nsecond")) == "First line"
    assert len(thread_name(Reply(title="t" * 300))) == 100
    assert thread_name(Reply()) == "Discussion"


def test_unbreakable_text_is_cut_hard() -> None:
    assert split_text("x" * 4500, 2000) == ["x" * 2000, "x" * 2000, "x" * 500]


@given(st.text(alphabet=st.sampled_from("ab \n"), max_size=3000), st.integers(min_value=20, max_value=500))
def test_split_text_respects_the_limit_and_keeps_every_word(text: str, limit: int) -> None:
    chunks = split_text(text, limit)
    assert all(len(chunk) <= limit for chunk in chunks)
    assert "".join(chunks).replace(" ", "").replace("\n", "") == text.replace(" ", "").replace("\n", "")
