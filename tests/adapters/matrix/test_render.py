"""The pure half of the Matrix adapter: Replies as event content (notices, polls, files, relations)."""

from __future__ import annotations

from bot.adapters.base import poll_key
from bot.adapters.matrix.render import (
    POLL_END,
    POLL_START,
    file_content,
    is_poll,
    notice_content,
    poll_end_content,
    poll_start_content,
    render,
    reply_relation,
    thread_relation,
)
from bot.replies import Choice, Field, File, Reply


def test_markdown_ish_text_becomes_safe_html() -> None:
    body, html = render(Reply(text="**Bold** and *italic* and _late_ with `<code>` & <script>alert(1)</script>"))
    assert body.startswith("Bold and italic and late with `<code>`")  # the plain body keeps no Markdown
    assert html == (
        "<p><strong>Bold</strong> and <em>italic</em> and <em>late</em> with <code>&lt;code&gt;</code> "
        "&amp; &lt;script&gt;alert(1)&lt;/script&gt;</p>"
    )


def test_title_fields_and_choices() -> None:
    reply = Reply(
        title="Group <b>",
        text="Line one\nLine two",
        fields=(Field("Time zone", "Europe/Berlin"),),
        choices=(Choice("Yes", "rsvp 3 yes"), Choice("No", "rsvp 3 no")),
    )
    body, html = render(reply, "!rg ")
    assert body.splitlines() == [
        "Group <b>",
        "Line one",
        "Line two",
        "Time zone: Europe/Berlin",
        "1️⃣ Yes — !rg rsvp 3 yes",
        "2️⃣ No — !rg rsvp 3 no",
        "React with the number or type the command.",
    ]
    assert html.startswith("<h4>Group &lt;b&gt;</h4><p>Line one<br>Line two</p>")
    assert "<li><strong>Time zone:</strong> Europe/Berlin</li>" in html
    assert "<li>2️⃣ No — <code>!rg rsvp 3 no</code></li>" in html


def test_quote_cards_are_block_quotes_and_notices_carry_both_bodies() -> None:
    content = notice_content(Reply(text="Land and peace.", title="Quote", kind="quote"))
    assert content["msgtype"] == "m.notice" and content["format"] == "org.matrix.custom.html"
    assert content["formatted_body"] == "<h4>Quote</h4><blockquote><p>Land and peace.</p></blockquote>"
    assert content["body"] == "Quote\nLand and peace."


def test_a_quote_card_that_quotes_itself_is_not_quoted_twice() -> None:
    card = Reply(text="> Land and peace.\n— Lenin, *Works*", title="Quote", kind="quote")
    assert render(card)[1] == (
        "<h4>Quote</h4><blockquote><p>Land and peace.</p></blockquote><p>— Lenin, <em>Works</em></p>"
    )


def test_a_poll_reply_is_an_msc3381_poll_numbered_from_one() -> None:
    reply = Reply(title="Next book?", kind="poll", choices=(Choice("*Dune*", "vote 7 A"), Choice("Emma", "vote 7 B")))
    assert is_poll(reply)
    content = poll_start_content(reply)
    start = content[POLL_START]
    assert start["question"]["org.matrix.msc1767.text"] == "Next book?"
    assert start["kind"] == "org.matrix.msc3381.poll.disclosed" and start["max_selections"] == 1
    assert start["answers"] == [
        {"id": "1", "org.matrix.msc1767.text": "Dune"},
        {"id": "2", "org.matrix.msc1767.text": "Emma"},
    ]
    assert content["org.matrix.msc1767.text"] == content["body"] == "Next book?\n1. Dune\n2. Emma"
    assert not is_poll(Reply(kind="poll", choices=(Choice("Only", "vote 1 A"),)))


def test_relations_for_threads_and_replies() -> None:
    assert thread_relation("$root") == {
        "rel_type": "m.thread",
        "event_id": "$root",
        "is_falling_back": True,
        "m.in_reply_to": {"event_id": "$root"},
    }
    assert reply_relation("$cmd") == {"m.in_reply_to": {"event_id": "$cmd"}}
    assert reply_relation("$cmd", "$root")["is_falling_back"] is False


def test_files_become_images_or_files() -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + (640).to_bytes(4, "big") + (480).to_bytes(4, "big") + b"rest"
    image = file_content(File("chart.png", png, "image/png"), "mxc://x/1")
    assert image["msgtype"] == "m.image" and (image["info"]["w"], image["info"]["h"]) == (640, 480)
    ics = file_content(File("meetings.ics", b"BEGIN:VCALENDAR", "text/calendar"), "mxc://x/2")
    assert ics == {
        "msgtype": "m.file",
        "body": "meetings.ics",
        "filename": "meetings.ics",
        "url": "mxc://x/2",
        "info": {"mimetype": "text/calendar", "size": 15},
    }


def test_a_poll_is_known_by_the_command_its_choices_share_and_ended_with_its_results() -> None:
    votes = (Choice("A: Dune", "vote 7 A"), Choice("B: Emma", "vote 7 B"))
    assert poll_key(votes) == "vote 7"
    assert poll_key((Choice("Yes", "testpoll vote 1"), Choice("No", "testpoll vote 2"))) == "testpoll vote"
    assert poll_key(votes[:1]) is None and poll_key((Choice("x", "plan add 1"), Choice("y", "vote 1 A"))) is None
    results = Reply(title="Poll #7 results: Next?", text="Winner: **B** Emma.", kind="poll-results", closes="vote 7")
    content = poll_end_content(results, "$start")
    assert content["m.relates_to"] == {"rel_type": "m.reference", "event_id": "$start"}
    assert content[POLL_END] == {}
    assert content["body"] == content["org.matrix.msc1767.text"] == "Poll #7 results: Next?\nWinner: B Emma."


def test_a_choice_that_asks_for_text_shows_what_to_type() -> None:
    reply = Reply(text="Reading 3 opens", choices=(Choice("Suggest a prompt", "prompt suggest 3 {text}"),))
    body, html = render(reply)
    assert "Suggest a prompt — !rg prompt suggest 3 <your text>" in body
    assert "<code>!rg prompt suggest 3 &lt;your text&gt;</code>" in html
