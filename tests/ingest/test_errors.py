"""Bad input always ends in one IngestError sentence, never another exception type."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from bot.ingest import IngestError, IngestOptions, ingest_bytes, ingest_path
from tests.ingest.helpers import build_epub, build_pdf


def _error(data: bytes, name: str, options: IngestOptions | None = None) -> str:
    with pytest.raises(IngestError) as info:
        ingest_bytes(data, name, options or IngestOptions())
    message = str(info.value)
    assert message.endswith(".") and message.count(". ") == 0, message  # one sentence
    return message


def test_empty_file() -> None:
    assert _error(b"", "a.txt") == "That file is empty."
    assert _error(b"   \n\n  ", "a.md") == "That file is empty."


def test_unknown_extension() -> None:
    assert _error(b"hello", "notes.docx") == "I can read .txt, .md, .html, .epub and .pdf files, not .docx."


def test_binary_content_named_txt() -> None:
    assert "binary" in _error(bytes(range(256)) * 10, "a.txt")


def test_oversized_uses_the_limit_from_options() -> None:
    assert (
        _error(b"word " * 1000, "a.txt", IngestOptions(max_bytes=100))
        == "That file is too big: the limit is 0.0001 MB."
    )


def test_oversized_path_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(b"x" * 2000)
    with pytest.raises(IngestError, match="too big"):
        ingest_path(path, IngestOptions(max_bytes=1000))


def test_missing_path(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="can't find"):
        ingest_path(tmp_path / "nope.txt")


def test_truncated_pdf() -> None:
    data = build_pdf()
    assert "PDF" in _error(data[: len(data) // 3], "a.pdf")


def test_pdf_extension_without_pdf_content() -> None:
    assert "PDF" in _error(b"just some text", "a.pdf")


def test_truncated_epub() -> None:
    data = build_epub()
    assert "EPUB" in _error(data[: len(data) // 2], "a.epub")


def test_epub_without_container_or_opf() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("mimetype", "application/epub+zip")
        zf.writestr("hello.txt", "hi")
    assert "EPUB" in _error(buf.getvalue(), "a.epub")


def test_zip_named_txt() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("a.txt", "hi")
    assert "zip" in _error(buf.getvalue(), "a.txt")


def test_html_without_text() -> None:
    assert "no readable text" in _error(b"<html><body><script>var x=1;</script></body></html>", "a.html")


def test_too_few_words_to_read_together() -> None:
    assert _error(b"hello", "a.txt") == "There is too little text in that file to make a reading (1 word)."
    nineteen = " ".join(["word"] * 18) + " end."
    assert _error(nineteen.encode(), "a.txt") == "There is too little text in that file to make a reading (19 words)."
    twenty = ingest_bytes((" ".join(["word"] * 19) + " end.").encode(), "a.txt")
    assert sum(s.words for s in twenty.sections) == 20


def test_text_that_is_only_boilerplate() -> None:
    assert "readable text" in _error(b"Facebook Twitter Share\n\nFacebook Instagram Twitter YouTube\n", "a.txt")


@pytest.mark.parametrize(
    "data,name",
    [
        (b"%PDF-1.7\n%garbage", "x.pdf"),
        (b"PK\x03\x04garbage", "x.epub"),
        (b"<html><body><p>\xff\xfe\x00</p>", "x.html"),
        (b"\xef\xbb\xbf", "x.txt"),
        (b"<" * 5000, "x.html"),
        (b"# \n\n#\n", "x.md"),
    ],
)
def test_garbage_in_any_format_is_an_ingest_error(data: bytes, name: str) -> None:
    with pytest.raises(IngestError):
        ingest_bytes(data, name)


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    import os

    fifo = tmp_path / "book.txt"
    os.mkfifo(fifo)  # nobody writes to it: opening it for reading the ordinary way would block for ever
    with pytest.raises(IngestError, match="not an ordinary file"):
        ingest_path(fifo)


def test_a_device_is_refused() -> None:
    with pytest.raises(IngestError, match="not an ordinary file"):
        ingest_path(Path("/dev/zero"))


def test_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="folder"):
        ingest_path(tmp_path)


def test_reading_stops_at_the_limit_even_when_the_file_grows(tmp_path: Path) -> None:
    from bot.ingest import read_path

    path = tmp_path / "growing.txt"
    path.write_bytes(b"word " * 100)
    assert read_path(path, IngestOptions(max_bytes=500)) == b"word " * 100
    with pytest.raises(IngestError, match="too big"):
        read_path(path, IngestOptions(max_bytes=499))
