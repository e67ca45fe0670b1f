"""Hostile or unlucky inputs: the work grows in proportion to the input, never with its square.

Each case is generated here (no fixture file holds a megabyte of "*a "). The check compares the CPU time of
a ten times larger input with the original: linear work gives about 10, a quadratic regex 100. The bound
(35) is generous so a busy machine cannot fail it, and a floor on the small run's time keeps a
too-quick measurement from inflating the ratio. This measures work done, not speed: the speed goals live
in bench/ingest.py.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from bot.ingest import IngestError, IngestOptions, ingest_bytes
from tests.ingest.helpers import identical_pages_pdf

OPTIONS = IngestOptions(max_bytes=50_000_000)
RATIO = 35
FLOOR = 0.05  # seconds: below this a small run's time is mostly noise


def _html(body: bytes) -> bytes:
    return b"<html><head><title>t</title></head><body>" + body


CASES: dict[str, tuple[Callable[[int], bytes], str, int]] = {
    # name: (input of size n, file name, n for the small run)
    "emphasis pairs *a": (lambda n: b"*a " * n, "a.txt", 20_000),
    "emphasis pairs _a": (lambda n: b"_a " * n, "a.txt", 20_000),
    "strong pairs **a in Markdown": (lambda n: b"**a " * n, "a.md", 20_000),
    "open brackets in Markdown": (lambda n: b"[" * n, "a.md", 50_000),
    "image openers in Markdown": (lambda n: b"![" * n, "a.md", 50_000),
    "link openers in Markdown": (lambda n: b"[a](" * n, "a.md", 5_000),
    "reference links in Markdown": (lambda n: b"[a][" * n, "a.md", 20_000),
    "angle brackets in Markdown": (lambda n: b"<" * n, "a.md", 50_000),
    "heading of spaces in Markdown": (lambda n: b"# a" + b" " * n + b"b\n\nSome text here.", "a.md", 100_000),
    "open brackets in text": (lambda n: b"[" * n, "a.txt", 50_000),
    "line breaks in HTML": (lambda n: _html(b"<p>" + b"<br>" * n), "a.html", 20_000),
    "paragraph tags in HTML": (lambda n: _html(b"<p>a " * n), "a.html", 3_000),
    "one huge line": (lambda n: b"word " * n, "a.txt", 50_000),
    "one huge line of sentences glued": (lambda n: b"Some words here.The next one " * (n // 6), "a.txt", 30_000),
    "lines that all run on": (lambda n: b"and then the words ran on\n" * n, "a.txt", 5_000),
    "paragraphs that all run on": (lambda n: b"and then the words ran on\n\n" * n, "a.txt", 5_000),
    "identical PDF pages": (lambda n: identical_pages_pdf(n), "a.pdf", 30),
    "note numbers after words in one paragraph": (lambda n: b"The harvest failed1 in the north. " * n, "a.txt", 2_000),
    "note numbers after stops in one paragraph": (lambda n: b"The harvest failed.1 In the north " * n, "a.txt", 2_000),
}


def _cpu_seconds(data: bytes, name: str) -> float:
    start = time.process_time()
    try:
        ingest_bytes(data, name, OPTIONS)
    except IngestError:
        pass  # refusing the file with a sentence is a fine answer; it must still come quickly
    return time.process_time() - start


@pytest.mark.parametrize("case", list(CASES))
def test_work_grows_linearly(case: str) -> None:
    make, name, n = CASES[case]
    small = min(_cpu_seconds(make(n), name) for _ in range(2))
    large = _cpu_seconds(make(10 * n), name)
    assert large / max(small, FLOOR) < RATIO, f"{case}: {small:.3f}s for n={n}, {large:.3f}s for 10n"


MEMORY_CASES: dict[str, tuple[bytes, str]] = {
    "prose": (("The assembly met at noon and argued about the harbour debts. " * 8 + "\n\n").encode() * 2000, "a.txt"),
    "Markdown prose": (
        ("## Part\n\nThe assembly met at noon and argued about the debts. " * 8 + "\n\n").encode() * 500,
        "a.md",
    ),
    "HTML prose": (_html(b"<p>The assembly met at noon and argued about the harbour debts.</p>" * 10_000), "a.html"),
    "emphasis pairs": (b"*a " * 300_000, "a.txt"),
}


@pytest.mark.parametrize("case", list(MEMORY_CASES))
def test_memory_is_a_small_multiple_of_the_input(case: str) -> None:
    import tracemalloc

    data, name = MEMORY_CASES[case]
    tracemalloc.start()
    try:
        ingest_bytes(data, name, OPTIONS)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 60 * len(data), f"{case}: peak {peak / 1e6:.1f} MB for {len(data) / 1e6:.1f} MB"


def test_a_small_pdf_that_unpacks_to_too_much_text_is_refused() -> None:
    data = identical_pages_pdf(400)  # ~60 KB of PDF, ~1 MB of text
    with pytest.raises(IngestError, match="more text than I accept"):
        ingest_bytes(data, "a.pdf", IngestOptions(max_bytes=200_000))
    assert ingest_bytes(data, "a.pdf", IngestOptions(max_bytes=2_000_000)).words > 100_000
