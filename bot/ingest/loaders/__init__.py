"""File formats → blocks. The only package that touches the file system.

Every loader answers the same question — which paragraphs, in which order, under which headings — so
the cleaning, metadata and sectioning that follow are format-blind. Structure the file itself carries
(HTML h1–h6, an EPUB's nav or NCX, a PDF outline, Markdown #) is kept as "strong" headings; plain text
gets headings later from text rules. Whatever goes wrong inside a parser surfaces as one IngestError
sentence, because a member uploading a file cannot act on a traceback. One module per format.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.ingest.loaders.common import FORMATS, SUPPORTED, Loaded, detect_format, read_path, too_big
from bot.ingest.loaders.epub import load_epub
from bot.ingest.loaders.html import load_html
from bot.ingest.loaders.markdown import load_markdown
from bot.ingest.loaders.pdf import load_pdf
from bot.ingest.loaders.txt import load_txt
from bot.ingest.model import IngestError, IngestOptions

__all__ = [
    "FORMATS",
    "SUPPORTED",
    "Loaded",
    "detect_format",
    "load",
    "load_epub",
    "load_html",
    "load_markdown",
    "load_pdf",
    "load_txt",
    "read_path",
]


def load(data: bytes, filename: str, options: IngestOptions) -> Loaded:
    if len(data) > options.max_bytes:
        raise IngestError(too_big(options))
    if not data.strip():
        raise IngestError("That file is empty.")
    fmt = detect_format(data, filename)
    loader: Callable[[bytes, IngestOptions], Loaded] = {
        "txt": load_txt,
        "md": load_markdown,
        "html": load_html,
        "epub": load_epub,
        "pdf": load_pdf,
    }[fmt]
    return loader(data, options)
