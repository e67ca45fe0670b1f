"""Ingestion throughput per format, built from the default library (run: python bench/ingest.py).

Each format gets a ~1 MB document assembled from data/texts (the PDF is smaller: generating it with
reportlab is slow and PDFs of that size are rare uploads). Prints MB/s of input per format; the goal
for plain text is at least 5 MB/s. Not part of the test run.
"""

from __future__ import annotations

import html
import io
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.ingest import IngestOptions, ingest_bytes  # noqa: E402

TARGET = 1_000_000
OPTIONS = IngestOptions(max_bytes=50_000_000)


def library_paragraphs() -> list[str]:
    paras: list[str] = []
    for path in sorted((ROOT / "data" / "texts").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        paras.extend(p.strip() for p in text.split("\n") if len(p.strip()) > 200)
    return paras


def chapters(size: int) -> list[tuple[str, list[str]]]:
    paras = library_paragraphs()
    out: list[tuple[str, list[str]]] = []
    total = 0
    n = 0
    while total < size:
        chunk = [paras[(n * 7 + k) % len(paras)] for k in range(7)]
        out.append((f"Chapter {n + 1}", chunk))
        total += sum(len(p) for p in chunk)
        n += 1
    return out


def make_txt(size: int) -> bytes:
    parts = []
    for title, paras in chapters(size):
        parts.append(title.upper())
        parts.extend(paras)
    return "\n\n".join(parts).encode("utf-8")


def make_md(size: int) -> bytes:
    parts = ["# The Benchmark Book"]
    for title, paras in chapters(size):
        parts.append(f"## {title}")
        parts.extend(paras)
    return "\n\n".join(parts).encode("utf-8")


def make_html(size: int) -> bytes:
    body = []
    for title, paras in chapters(size):
        body.append(f"<div class='wp-block-group'><h2>{html.escape(title)}</h2></div>")
        body.extend(f"<p>{html.escape(p)}</p>" for p in paras)
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Benchmark</title></head><body><article>"
        + "".join(body)
        + "</article></body></html>"
    ).encode("utf-8")


def make_epub(size: int) -> bytes:
    buf = io.BytesIO()
    items, spine, nav = [], [], []
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        zf.writestr(
            "META-INF/container.xml",
            '<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">'
            '<rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>'
            "</rootfiles></container>",
        )
        for n, (title, paras) in enumerate(chapters(size), start=1):
            body = f"<h1>{html.escape(title)}</h1>" + "".join(f"<p>{html.escape(p)}</p>" for p in paras)
            zf.writestr(
                f"OEBPS/c{n}.xhtml",
                f'<html xmlns="http://www.w3.org/1999/xhtml"><head><title>{n}</title></head><body>{body}</body></html>',
            )
            items.append(f'<item id="c{n}" href="c{n}.xhtml" media-type="application/xhtml+xml"/>')
            spine.append(f'<itemref idref="c{n}"/>')
            nav.append(f'<li><a href="c{n}.xhtml">{html.escape(title)}</a></li>')
        zf.writestr(
            "OEBPS/nav.xhtml",
            '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops"><body>'
            f'<nav epub:type="toc"><ol>{"".join(nav)}</ol></nav></body></html>',
        )
        zf.writestr(
            "OEBPS/content.opf",
            '<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0">'
            '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Benchmark</dc:title></metadata>'
            '<manifest><item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>'
            + "".join(items)
            + "</manifest><spine>"
            + "".join(spine)
            + "</spine></package>",
        )
    return buf.getvalue()


def make_pdf(size: int) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    styles = getSampleStyleSheet()
    story = []
    for title, paras in chapters(size):
        story.append(Paragraph(html.escape(title), styles["Heading1"]))
        story.extend(Paragraph(html.escape(p), styles["BodyText"]) for p in paras)
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=A4).build(story)
    return buf.getvalue()


def measure(fmt: str, data: bytes, repeat: int) -> tuple[float, int, int]:
    best = float("inf")
    book = None
    for _ in range(repeat):
        start = time.perf_counter()
        book = ingest_bytes(data, f"bench.{fmt}", OPTIONS)
        best = min(best, time.perf_counter() - start)
    assert book is not None
    return best, len(book.sections), book.words


def main() -> None:
    cases = [
        ("txt", make_txt(TARGET), 3),
        ("md", make_md(TARGET), 3),
        ("html", make_html(TARGET), 2),
        ("epub", make_epub(TARGET), 2),
        ("pdf", make_pdf(TARGET // 5), 1),
    ]
    print(f"{'format':<8}{'input MB':>10}{'seconds':>10}{'MB/s':>8}{'sections':>10}{'words':>10}")
    for fmt, data, repeat in cases:
        seconds, sections, words = measure(fmt, data, repeat)
        mb = len(data) / 1_000_000
        print(f"{fmt:<8}{mb:>10.2f}{seconds:>10.2f}{mb / seconds:>8.1f}{sections:>10}{words:>10}")


if __name__ == "__main__":
    main()
