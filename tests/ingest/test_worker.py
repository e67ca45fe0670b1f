"""prepare_book returns plain data that crosses a process boundary, and the worker keeps the loop free."""

from __future__ import annotations

import asyncio
import pickle
import statistics
import time
from pathlib import Path

import pytest

from bot.ingest import IngestError, IngestOptions, prepare_book
from bot.ingest.worker import prepare_in_worker

BOOKS = Path(__file__).resolve().parents[1] / "fixtures" / "ingest" / "books"
OPTIONS = IngestOptions(max_bytes=50_000_000)
TEXTS = Path(__file__).resolve().parents[2] / "data" / "texts"
LIBRARY = "\n\n".join(p.read_text() for p in sorted(TEXTS.glob("*.txt")))


def test_prepared_book_pickles_and_names_its_stages() -> None:
    prepared = prepare_book((BOOKS / "two_level.txt").read_bytes(), "two_level.txt")
    assert pickle.loads(pickle.dumps(prepared)) == prepared
    assert [name for name, _ in prepared.timings] == [
        "load and clean",
        "metadata, notes, headings",
        "sections and sentences",
    ]


async def test_worker_gives_the_same_book_and_errors_as_sentences() -> None:
    data = (BOOKS / "letters_novel.txt").read_bytes()
    assert (await prepare_in_worker(data, "letters.txt", OPTIONS)).book == prepare_book(data, "letters.txt").book
    with pytest.raises(IngestError, match="empty"):
        await prepare_in_worker(b"   ", "empty.txt", OPTIONS)


async def test_the_event_loop_keeps_answering_while_a_big_book_is_prepared() -> None:
    body = LIBRARY * 3  # ~0.9 MB of real prose: about a second of work
    lags: list[float] = []
    job = asyncio.create_task(prepare_in_worker(body.encode(), "big.txt", OPTIONS))
    while not job.done():
        start = time.perf_counter()
        await asyncio.sleep(0.01)  # another command's turn
        lags.append(time.perf_counter() - start - 0.01)
    assert (await job).book.words > 100_000
    assert len(lags) >= 5
    assert statistics.median(lags) < 0.1  # the loop answered within 100 ms throughout, typically within 1 ms
