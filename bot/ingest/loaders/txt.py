"""Plain text: decoding, then every rule of the cleaner; headings come later from text rules."""

from __future__ import annotations

from bot.ingest.clean import clean_text
from bot.ingest.encoding import decode_bytes
from bot.ingest.loaders.common import Loaded
from bot.ingest.model import IngestError, IngestOptions


def load_txt(data: bytes, options: IngestOptions) -> Loaded:
    text = decode_bytes(data)
    if not text.strip():
        raise IngestError("That file is empty.")
    return Loaded("txt", clean_text(text), structured=False)
