"""The whole `library add`, per stage and per format, with peak memory (run: python bench/ingest.py [--quick]).

Each format gets a ~1 MB document assembled from data/texts (HTML/EPUB/PDF carry ~1 MB of text), plus a
10 MB plain text. Every case runs in a fresh process (so its peak RSS is its own) on a database that already
holds the default library (stored untimed, as a bot that loaded it has), and goes through what `library add`
(bot/services/books.add_book) does, each stage timed: read the file; `prepare_book` (load and clean; metadata,
notes, headings; sections and sentences); read the library; `analyse_book` (the library's phrase index with the
book in it, quote candidates and argument models); then the one transaction (books, sections, paragraphs and
their FTS index, quotes, argument models). Beside each case, in the same run, the baseline: reading the file
and copying it (shutil.copyfile), the floor any ingestion is measured against. MB/s is input megabytes over
the whole add (every stage but read and copy); "CPU s" is the processor time the add took, which a busy shared
machine disturbs less than the wall-clock times beside it.

The input repeats the library's 254 longer paragraphs (~139 KB of distinct text) to make up each megabyte, so
work cached by text (standalone.problems, the cues) is cheaper here than on a book of 1 MB of distinct text.

Goals (#13): >= 5 MB/s text and Markdown, >= 2 MB/s HTML and EPUB, >= 1 MB/s PDF, 10 MB text < 10 s,
RSS < 500 MB. Not part of the test run.
"""

from __future__ import annotations

import asyncio
import html
import io
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.ingest import IngestOptions, prepare_book  # noqa: E402

TARGET = 1_000_000
OPTIONS = IngestOptions(max_bytes=50_000_000)


def library_paragraphs() -> list[str]:
    paras: list[str] = []
    for path in sorted((ROOT / "data" / "texts").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        # ordinary paragraphs; the pamphlet run together into one 137 KB line is not a typical book
        paras.extend(p.strip() for p in text.split("\n") if 200 < len(p.strip()) < 5000)
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


def run_case(fmt: str, path: Path) -> dict[str, object]:
    """One `library add` of `path`, stage by stage, as add_book runs it; runs inside the case's own process."""
    from bot.ingest.analysis import analyse_book
    from bot.services.books import to_new_book
    from bot.services.prompts import store_book_claims
    from bot.services.quotes import store_book_quotes
    from bot.storage import books as book_store
    from bot.storage import quotes as quote_store
    from bot.storage.db import Database

    out: dict[str, object] = {"format": fmt, "mb": path.stat().st_size / 1e6}
    start = time.perf_counter()
    data = path.read_bytes()
    out["read"] = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        shutil.copyfile(path, Path(tmp) / "copy")
        out["copy"] = time.perf_counter() - start

        async def add() -> None:
            db = await Database.open(Path(tmp) / "bench.sqlite3")
            try:
                for text in sorted((ROOT / "data" / "texts").glob("*.txt")):  # the default library, untimed
                    raw = text.read_bytes()
                    parsed = prepare_book(raw, text.name, OPTIONS).book
                    stored = to_new_book(parsed, source_name=text.name, data=raw, words_per_minute=150)
                    async with db.transaction() as tx:
                        await book_store.insert(tx, stored, datetime.now(UTC))

                cpu = time.process_time()  # every thread of the process: SQLite's too
                prepared = prepare_book(data, f"bench.{fmt}", OPTIONS)
                out["stages"] = list(prepared.timings)
                book = prepared.book
                out["sections"], out["words"] = len(book.sections), book.words
                begin = time.perf_counter()
                new = to_new_book(book, source_name=path.name, data=data, words_per_minute=150)
                books = await book_store.all_books(db)
                library = [(b.id, s.text) for b in books for s in await book_store.sections(db, b.id)]
                taken = await quote_store.texts_of_books(db)
                book_id = max(b.id for b in books) + 1
                out["library"] = time.perf_counter() - begin
                begin = time.perf_counter()
                analysis = analyse_book([s.paragraphs for s in new.sections], new.authors, book_id, library, taken)
                out["analyse"] = time.perf_counter() - begin
                begin = time.perf_counter()
                async with db.transaction() as tx:
                    assert await book_store.insert(tx, new, datetime.now(UTC)) == book_id
                    ids = await book_store.paragraph_ids(tx, book_id)
                    await store_book_quotes(tx, book_id, analysis.quotes, ids)
                    await store_book_claims(tx, book_id, analysis.models, [i for i, _ in ids])
                out["store"] = time.perf_counter() - begin
                out["cpu"] = time.process_time() - cpu
            finally:
                await db.close()

        asyncio.run(add())
    out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def main() -> None:
    quick = "--quick" in sys.argv
    if len(sys.argv) > 2 and sys.argv[1] == "--case":
        print(json.dumps(run_case(sys.argv[2], Path(sys.argv[3]))))
        return
    size = TARGET // 4 if quick else TARGET
    cases = [
        ("txt", make_txt(size)),
        ("md", make_md(size)),
        ("html", make_html(size)),
        ("epub", make_epub(size)),
        ("pdf", make_pdf(size)),
    ]
    if not quick:
        cases.append(("txt", make_txt(10 * TARGET)))
    names = ["load and clean", "metadata, notes, headings", "sections and sentences"]
    print(f"cores {os.cpu_count()}, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(
        f"{'format':<7}{'MB':>6}{'read':>7}{'copy':>7}{'load':>7}{'struct':>7}{'sent':>7}{'lib':>7}{'analyse':>8}"
        f"{'store':>7}{'total':>7}{'MB/s':>7}{'CPU s':>7}{'RSS MB':>8}{'sections':>9}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for fmt, data in cases:
            path = Path(tmp) / f"bench.{fmt}"
            path.write_bytes(data)
            result = subprocess.run(
                [sys.executable, __file__, "--case", fmt, str(path)], capture_output=True, text=True, check=True
            )
            r = json.loads(result.stdout.strip().splitlines()[-1])
            stages = dict(r["stages"])
            total = sum(stages.values()) + r["library"] + r["analyse"] + r["store"]
            cells = [stages.get(n, 0.0) for n in names]
            print(
                f"{fmt:<7}{r['mb']:>6.2f}{r['read']:>7.3f}{r['copy']:>7.3f}"
                + "".join(f"{c:>7.2f}" for c in cells)
                + f"{r['library']:>7.2f}{r['analyse']:>8.2f}{r['store']:>7.2f}{total:>7.2f}{r['mb'] / total:>7.2f}"
                f"{r['cpu']:>7.2f}{r['rss_mb']:>8.0f}{r['sections']:>9}"
            )
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
