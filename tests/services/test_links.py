"""The citation link context: a Markdown link only where there is an address, with the label kept as text."""

from __future__ import annotations

from bot.adapters.matrix.markdown import inline_html as render_inline
from bot.config import WebSettings
from bot.services.links import NO_LINKS, GroupLinks, linked


def test_linked_is_the_text_without_an_address() -> None:
    assert linked("paragraph 9", None) == "paragraph 9"
    assert NO_LINKS.paragraph(1, 3, 9) is None and NO_LINKS.reading(1) is None


def test_a_label_with_brackets_stays_one_link() -> None:
    url = "https://read.example.org/g/abc/r/2#p-3-9"
    text = linked("[see] paragraph 9", url)
    assert text == r"[\[see\] paragraph 9](<https://read.example.org/g/abc/r/2#p-3-9>)"
    assert render_inline(text) == f'<a href="{url}">[see] paragraph 9</a>'


def test_only_sections_of_opened_readings_get_an_address() -> None:
    links = GroupLinks(WebSettings(enabled=True, public_base_url="https://r.example/"), "tok", {11: 2})
    assert links.paragraph(11, 3, 9) == "https://r.example/g/tok/r/2#p-3-9"
    assert links.paragraph(12, 4, 1) is None
    assert links.reading(2) == "https://r.example/g/tok/r/2" and links.reading(3) is None
