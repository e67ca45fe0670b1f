"""PDF: page text from PDFium (pypdf when it cannot), the outline as headings, running heads and page
numbers removed."""

from __future__ import annotations

import io
import logging
import re

from bot.ingest.clean import Block, finish_blocks, lines_to_paragraphs
from bot.ingest.encoding import normalise_text
from bot.ingest.loaders.common import Loaded, norm_title
from bot.ingest.metadata import is_name, plausible_pdf_field, surname_last
from bot.ingest.model import IngestError, IngestOptions

log = logging.getLogger(__name__)


def load_pdf(data: bytes, options: IngestOptions) -> Loaded:
    read = _read_pdfium(data, options.max_bytes) or _read_pypdf(data, options.max_bytes)
    pages, outline, info = read
    if not any(p.strip() for p in pages):
        raise IngestError("That PDF has no text I can read (it may be scanned images).")
    pages = [normalise_text(p) for p in pages]
    removed: list[str] = []
    pages = _strip_running_lines(pages, removed)
    pages = _dehyphenate(pages)
    blocks: list[Block] = []
    by_page: dict[int, list[tuple[str, int]]] = {}
    for title, level, page in outline:
        by_page.setdefault(page, []).append((title, level))
    for number, text in enumerate(pages):
        lines = text.split("\n")
        for title, level in by_page.get(number, []):
            key = norm_title(title)
            for k, line in enumerate(lines):
                if norm_title(line) == key:
                    blocks.extend(_pdf_paragraphs("\n".join(lines[:k])))
                    lines = lines[k + 1 :]
                    break
            blocks.append(Block("heading", title, level, True))
        blocks.extend(_pdf_paragraphs("\n".join(lines)))
    producer = (info.get("producer"), info.get("creator"))
    doc_title = plausible_pdf_field(info.get("title"), *producer)
    author = plausible_pdf_field(info.get("author"), *producer)
    authors = [surname_last(author)] if author and is_name(surname_last(author)) else []
    cleaned = finish_blocks(blocks, removed)
    return Loaded("pdf", cleaned, bool(outline), doc_title, authors, None)


_Read = tuple[list[str], list[tuple[str, int, int]], dict[str, str | None]]


def _read_pdfium(data: bytes, budget: int) -> _Read | None:
    """Pages, outline and info through PDFium (C, ~50x faster than pypdf); None when it is not installed
    or cannot read the file, so that pypdf tries and explains what is wrong (encrypted, damaged)."""
    try:
        import pypdfium2 as pdfium
    except ImportError:
        return None
    try:
        doc = pdfium.PdfDocument(data)
    except Exception:  # password-protected or damaged: pypdf gives the sentence
        return None
    try:
        pages: list[str] = []
        total = 0
        for index in range(len(doc)):
            page = doc[index]
            textpage = page.get_textpage()
            # PDFium ends lines with CRLF and marks a hyphen it joined across a line end with U+0002
            text = textpage.get_text_bounded().replace("\r\n", "\n").replace("\x02", "-\n")
            textpage.close()
            page.close()
            total += len(text)
            if total > budget:
                raise IngestError("That PDF holds more text than I accept in one book, so I won't read it.")
            pages.append(text)
        outline: list[tuple[str, int, int]] = []
        for item in doc.get_toc(max_depth=8):
            dest = item.get_dest()
            target = dest.get_index() if dest is not None else None
            title = (item.get_title() or "").strip()
            if title and target is not None and 0 <= target < len(pages):
                outline.append((title, item.level + 1, int(target)))
        meta = doc.get_metadata_dict()
        info = {
            k.lower(): (str(v).strip() or None)
            for k, v in meta.items()
            if k in ("Title", "Author", "Producer", "Creator")
        }
        return pages, outline, info
    except IngestError:
        raise
    except Exception:
        log.info("pdfium failed; trying pypdf", exc_info=True)
        return None
    finally:
        doc.close()


def _read_pypdf(data: bytes, budget: int) -> _Read:
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError as exc:  # pragma: no cover - declared dependency
        raise IngestError("Reading PDF files isn't available on this server.") from exc
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):
                    raise IngestError("That PDF is password-protected, so I can't read it.")
            except IngestError:
                raise
            except Exception as exc:
                raise IngestError("That PDF is password-protected, so I can't read it.") from exc
        pages = _page_texts(reader, budget)
        outline = _pdf_outline(reader)
        meta = reader.metadata
    except IngestError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError, RecursionError) as exc:
        raise IngestError("That PDF looks damaged or incomplete, so I can't read it.") from exc
    except Exception as exc:  # pypdf raises many internal types on broken files
        log.info("pypdf failed", exc_info=True)
        raise IngestError("That PDF looks damaged or incomplete, so I can't read it.") from exc
    info: dict[str, str | None] = {}
    if meta:
        info = {"title": meta.title, "author": meta.author, "producer": meta.producer, "creator": meta.creator}
    return pages, outline, info


def _page_texts(reader: object, budget: int) -> list[str]:
    """Each page's text, refusing a PDF whose text outgrows the upload limit: a small PDF can repeat one
    compressed page thousands of times, and memory must stay a small multiple of what we accept."""
    pages: list[str] = []
    total = 0
    for page in reader.pages:  # type: ignore[attr-defined]
        text = page.extract_text() or ""
        total += len(text)
        if total > budget:
            raise IngestError("That PDF holds more text than I accept in one book, so I won't read it.")
        pages.append(text)
    return pages


def _pdf_outline(reader: object) -> list[tuple[str, int, int]]:
    out: list[tuple[str, int, int]] = []

    def walk(items: list[object], level: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
                continue
            try:
                title = str(item.title).strip()  # type: ignore[attr-defined]
                page = reader.get_destination_page_number(item)  # type: ignore[attr-defined]
            except Exception:
                continue
            if title and page is not None and page >= 0:
                out.append((title, level, page))

    try:
        walk(list(reader.outline), 1)  # type: ignore[attr-defined]
    except Exception:
        return []
    return out


def _strip_running_lines(pages: list[str], removed: list[str]) -> list[str]:
    """Running heads/footers and page numbers repeat on most pages; they are not text."""
    if len(pages) < 3:
        return [_drop_page_number(p, removed) for p in pages]
    counts: dict[str, int] = {}
    for p in pages:
        lines = [x.strip() for x in p.split("\n") if x.strip()]
        for line in set(lines[:2] + lines[-2:]):
            key = re.sub(r"\d+", "#", line)
            counts[key] = counts.get(key, 0) + 1
    running = {k for k, v in counts.items() if v >= max(3, len(pages) // 2)}
    out = []
    for p in pages:
        kept = []
        for line in p.split("\n"):
            if line.strip() and re.sub(r"\d+", "#", line.strip()) in running:
                removed.append(line.strip())
                continue
            kept.append(line)
        out.append(_drop_page_number("\n".join(kept), removed))
    return out


def _drop_page_number(text: str, removed: list[str]) -> str:
    lines = text.split("\n")
    while lines and re.fullmatch(r"\s*(?:page\s+)?\d{1,4}\s*", lines[-1], re.I):
        removed.append(lines.pop().strip())
    while lines and re.fullmatch(r"\s*(?:page\s+)?\d{1,4}\s*", lines[0], re.I):
        removed.append(lines.pop(0).strip())
    return "\n".join(lines)


_LINE_END_HYPHEN = re.compile(r"([^\W\d_]+)-\n[ \t]*([^\W\d_A-Z][^\W\d_]*)(\S*)[ \t]*")
_INNER_HYPHEN = re.compile(r"(?<![^\W\d_])[^\W\d_]+-[^\W\d_]+")  # from a word's start: no retry inside it


def _dehyphenate(pages: list[str]) -> list[str]:
    """ "revo-" / "lution" → "revolution": a typesetter's break, unless the document prints the same
    compound with its hyphen inside a line ("grand-" / "daughter" stays "grand-daughter")."""
    if not any("-\n" in p for p in pages):
        return pages
    compounds = {w.lower() for p in pages for w in _INNER_HYPHEN.findall(p)}

    def join(m: re.Match[str]) -> str:
        left, right = m.group(1), m.group(2)
        word = f"{left}-{right}" if f"{left}-{right}".lower() in compounds else left + right
        return f"{word}{m.group(3)}\n"  # the whole word, with its punctuation, ends the first line

    return [_LINE_END_HYPHEN.sub(join, p) if "-\n" in p else p for p in pages]


def _pdf_heading_line(line: str, width: int) -> bool:
    """A short line of its own that reads like a title: no closing punctuation, capitalised, few words."""
    words = line.split()
    return (
        0 < len(words) <= 8
        and len(line) < 0.6 * width
        and line[:1].isupper()
        and not line.endswith((".", ",", ";", ":", "!", "?", "-", "”", '"', "’"))
    )


def _pdf_paragraphs(text: str) -> list[Block]:
    """PDF text has no blank lines between paragraphs: a short line ending a sentence ends one, and a short
    title-like line after a finished paragraph (or opening the page) stands alone, so the heading rules
    can judge it."""
    lines = [line.rstrip() for line in text.split("\n")]
    nonempty = [len(x) for x in lines if x.strip()]
    if not nonempty:
        return []
    width = sorted(nonempty)[int(len(nonempty) * 0.8)] if len(nonempty) > 1 else nonempty[0]
    out_lines: list[str] = []
    paragraph_open = False
    for line in lines:
        stripped = line.strip()
        if stripped and not paragraph_open and _pdf_heading_line(stripped, width):
            out_lines.extend(["", line, ""])
            continue
        out_lines.append(line)
        paragraph_open = bool(stripped)
        if stripped and stripped.endswith((".", "!", "?", "”", '"', ":")) and len(stripped) < 0.8 * width:
            out_lines.append("")
            paragraph_open = False
    return [Block("para", p) for p in lines_to_paragraphs("\n".join(out_lines), wrapped=True)]
