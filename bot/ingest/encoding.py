"""Bytes → clean Unicode text.

Strict UTF-8 first because it is what nearly every modern file is, and a wrong guess by a detector
silently corrupts every accented letter. Only when strict decoding fails do we ask charset-normalizer.
Mojibake (UTF-8 read as cp1252 and saved again) is repaired with ftfy, but only on lines that show its
signature: ftfy is slow on big books and must never straighten our curly quotes.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from bot.ingest.model import IngestError

# Typical debris of UTF-8 decoded as cp1252/latin-1: Ã©, â€™, Â , ï»¿ …
_MOJIBAKE = re.compile(
    "[\u00c2\u00c3\u00c5\u00e2\u00ef\u00d0\u00d1][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013-\u203a\u20ac\u2122]"
)
_MOJIBAKE_LEADS = "\u00c2\u00c3\u00c5\u00e2\u00ef\u00d0\u00d1"
_FTFY_OPTIONS = {"uncurl_quotes": False, "fix_character_width": False, "normalization": None}
# ftfy and charset_normalizer are imported where a file needs them: every CLI call imports this module
_INVISIBLE_MAP = {"\u00a0": " ", "\u2028": "\n", "\u2029": "\n\n", "\u000b": "\n", "\u000c": "\n", "\u0085": "\n"}
_CONTROL = re.compile("[\u0000-\u0008\u000e-\u001f\u007f]")
_INVISIBLE_CHARS = "\u00ad\u200b\u200c\u200d\u2060\ufeff\u00a0\u2028\u2029\u000b\u000c\u0085"
_CONTROL_CHARS = [chr(c) for c in (*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F)]


def looks_binary(data: bytes) -> bool:
    """NUL bytes or many control bytes in the first 8 KB: not a text file, whatever its name says."""
    head = data[:8192]
    if not head:
        return False
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or utf16_without_bom(head):
        return False
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return controls / len(head) > 0.05


def utf16_without_bom(head: bytes) -> str | None:
    """ "utf-16-le" or "utf-16-be" for text saved as UTF-16 without a byte-order mark: the NULs of its ASCII
    letters all fall on one side (even or odd bytes) and it decodes to mostly printable text; else None."""
    if len(head) < 8 or b"\x00" not in head:
        return None
    sample = head[: len(head) // 2 * 2]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    half = len(sample) // 2
    for codec, zeros, others in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if zeros > 0.3 * half and others < 0.01 * half:
            try:
                text = sample.decode(codec)
            except UnicodeDecodeError:
                continue
            printable = sum(1 for c in text if c.isprintable() or c in "\n\r\t")
            if printable > 0.95 * len(text):
                return codec
    return None


def decode_bytes(data: bytes) -> str:
    """Decode a text file; raises IngestError when it is not text in any encoding we can trust."""
    if looks_binary(data):
        raise IngestError("That file looks like binary data, not text I can read.")
    for bom, codec in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return normalise_text(data.decode(codec if codec != "utf-8" else "utf-8-sig"))
            except UnicodeDecodeError:
                break
    utf16 = utf16_without_bom(data[:8192])
    if utf16:
        try:
            return normalise_text(data.decode(utf16))
        except UnicodeDecodeError:
            pass
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = _detect(data)
    return normalise_text(text)


def _detect(data: bytes) -> str:
    import charset_normalizer

    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise IngestError("I couldn't work out the text encoding of that file.")
    text = str(best)
    if best.encoding not in ("cp1252", "windows_1252", "latin_1", "iso8859_15"):
        # Short Western texts often come out as some exotic single-byte code page; cp1252 is the
        # overwhelmingly likely truth when it decodes cleanly and yields typographic punctuation.
        try:
            western = data.decode("cp1252")
        except UnicodeDecodeError:
            return text
        if re.search("[\u2018\u2019\u201c\u201d\u2013\u2014\u00e9\u00e8\u00e0]", western) and not re.search(
            "[\u0400-\u04ff\u0370-\u03ff]", text
        ):
            return western
    return text


def normalise_text(text: str) -> str:
    """Newlines to \\n, invisible characters out, mojibake repaired, NFC — before any cleaning sees it."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # `c in text` runs at memory speed, a character-class scan at a tenth of it: test before scanning
    if any(c in text for c in _MOJIBAKE_LEADS) and _MOJIBAKE.search(text):
        import ftfy

        config = ftfy.TextFixerConfig(**_FTFY_OPTIONS)  # type: ignore[arg-type]
        text = "\n".join(ftfy.fix_text(line, config) if _MOJIBAKE.search(line) else line for line in text.split("\n"))
    for c in _INVISIBLE_CHARS:
        if c in text:
            text = text.replace(c, _INVISIBLE_MAP.get(c, ""))
    if any(c in text for c in _CONTROL_CHARS):
        text = _CONTROL.sub("", text)
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return text
