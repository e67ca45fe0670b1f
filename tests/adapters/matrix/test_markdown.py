"""The bot's Markdown as Matrix HTML (markdown-it-py on a restricted preset, raw HTML off)."""

from __future__ import annotations

from bot.adapters.matrix.markdown import inline_html, plain_text, text_html


def test_words_with_underscores_and_lone_stars_stay_as_typed() -> None:
    assert text_html("snake_case_name and 2 * 3 * 4") == "<p>snake_case_name and 2 * 3 * 4</p>"


def test_lines_bullets_and_quotes() -> None:
    text = "Readings:\n• Chapter 1\n- Chapter 2\n\n> A quoted line\nAfter"
    assert text_html(text) == (
        "<p>Readings:</p><ul><li>Chapter 1</li><li>Chapter 2</li></ul>"
        "<blockquote><p>A quoted line</p></blockquote><p>After</p>"
    )


def test_member_text_never_becomes_markup() -> None:
    text = '<img src=x onerror="alert(1)"> [click](javascript:alert(1)) **<b>bold</b>**'
    assert text_html(text) == (
        "<p>&lt;img src=x onerror=&quot;alert(1)&quot;&gt; [click](javascript:alert(1)) "
        "<strong>&lt;b&gt;bold&lt;/b&gt;</strong></p>"
    )
    assert inline_html("<script>x</script> `<i>`") == "&lt;script&gt;x&lt;/script&gt; <code>&lt;i&gt;</code>"


def test_links_and_every_line_break_are_kept() -> None:
    assert text_html("See [the notes](https://example.org/n?a=1&b=2)\nnext line") == (
        '<p>See <a href="https://example.org/n?a=1&amp;b=2">the notes</a><br>next line</p>'
    )


def test_a_quote_or_a_list_ends_at_the_first_line_outside_it() -> None:
    assert text_html("> Land and peace.\n— Lenin") == "<blockquote><p>Land and peace.</p></blockquote><p>— Lenin</p>"
    assert text_html("- one\n- two\nAfter the list") == "<ul><li>one</li><li>two</li></ul><p>After the list</p>"
    assert text_html("1. Dune\n2. Emma") == "<ol><li>Dune</li><li>Emma</li></ol>"


def test_headings_stay_text_and_an_image_is_never_loaded() -> None:
    assert text_html("# Not a heading\n![image](https://example.org/x.png)") == (
        '<p># Not a heading<br>!<a href="https://example.org/x.png">image</a></p>'
    )


def test_plain_text_drops_markup_but_keeps_link_addresses() -> None:
    assert plain_text("**Next** *book* `?`") == "Next book ?"
    assert plain_text("See [the notes](https://example.org/n) or <https://x.org>") == (
        "See the notes (https://example.org/n) or <https://x.org>"
    )
