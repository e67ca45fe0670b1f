"""What every loader shares: the formats, the result type, reading a file within the size limit."""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from bot.ingest.clean import Cleaned
from bot.ingest.model import IngestError, IngestOptions

FORMATS = {
    ".txt": "txt",
    ".text": "txt",
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".epub": "epub",
    ".pdf": "pdf",
}
SUPPORTED = "I can read .txt, .md, .html, .epub and .pdf files"


@dataclass
class Loaded:
    """What a loader found: blocks already cleaned, plus metadata the file format states."""

    format: str
    cleaned: Cleaned
    structured: bool  # headings came from the file's structure
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    date: str | None = None


def read_path(path: Path, options: IngestOptions) -> bytes:
    """Read a regular file within the size limit, turning OS errors into sentences.

    The file is opened without blocking and checked with fstat before a byte is read: a FIFO, a device or
    a socket is refused (a FIFO would block for ever, /dev/zero never ends), and reading stops one byte past
    the limit whatever size the file claimed.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError as exc:
        raise IngestError("I can't find that file.") from exc
    except IsADirectoryError as exc:
        raise IngestError("That is a folder, not a file.") from exc
    except OSError as exc:
        raise IngestError("I couldn't open that file.") from exc
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IngestError("That is a folder, not a file.")
        if not stat.S_ISREG(mode):
            raise IngestError("That is not an ordinary file (a device, pipe or socket), so I won't read it.")
        if os.fstat(fd).st_size > options.max_bytes:
            raise IngestError(too_big(options))
        chunks: list[bytes] = []
        total = 0
        while total <= options.max_bytes:
            chunk = os.read(fd, min(1 << 20, options.max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as exc:
        raise IngestError("I couldn't read that file.") from exc
    finally:
        os.close(fd)
    if total > options.max_bytes:
        raise IngestError(too_big(options))
    return b"".join(chunks)


def too_big(options: IngestOptions) -> str:
    mb = options.max_bytes / 1_000_000
    return f"That file is too big: the limit is {mb:g} MB."


def detect_format(data: bytes, filename: str) -> str:
    """Extension first (it is what the member chose), magic bytes to catch lies and missing names."""
    ext = Path(filename).suffix.lower()
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        if ext in (".epub", "") or b"application/epub+zip" in data[:200]:
            return "epub"
        if ext in FORMATS:
            raise IngestError(f"That file is called {ext} but is really a zip archive.")
        raise IngestError(f"{SUPPORTED}, not {ext}.")
    if ext in FORMATS:
        fmt = FORMATS[ext]
        if fmt == "pdf":
            raise IngestError("That PDF looks damaged or incomplete, so I can't read it.")
        if fmt == "epub":
            raise IngestError("That EPUB looks damaged or incomplete, so I can't read it.")
        return fmt
    if ext:
        raise IngestError(f"{SUPPORTED}, not {ext}.")
    head = data[:1024].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<body" in head:
        return "html"
    return "txt"


def norm_title(text: str) -> str:
    """A heading reduced to its words, to match a navigation or outline entry with the text's own line."""
    return re.sub(r"[\W_]+", " ", text).strip().lower()
