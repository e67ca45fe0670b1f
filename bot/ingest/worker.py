"""Preparing a book in a worker process, so the bot keeps answering while a big file is read.

A thread would not do: cleaning, sectioning and sentence splitting are pure Python and hold the interpreter
lock, so every other command would wait. One spawned process (not forked: the bot runs threads and an
event loop, which a fork copies half-way) is started on first use and kept; `prepare_book` returns plain
data that pickles, and the caller writes it to the database in one short transaction. The book's quote
candidates and argument models (`analyse_book`) are computed there too, before that transaction.
"""

from __future__ import annotations

import asyncio
import atexit
import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from bot.ingest import IngestError, IngestOptions, Prepared, prepare_book
from bot.ingest.analysis import Analysis, analyse_book
from bot.ingest.quotes import ParagraphLike

_pool: ProcessPoolExecutor | None = None
T = TypeVar("T")


def _executor() -> ProcessPoolExecutor:
    global _pool
    if _pool is None:
        _pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
        atexit.register(_pool.shutdown, wait=False, cancel_futures=True)
    return _pool


async def _in_worker(work: Callable[..., T], *args: Any) -> T:
    """`work(*args)` in the worker process; a worker that died (killed, out of memory) is replaced and the member
    gets a sentence, not a traceback."""
    global _pool
    loop = asyncio.get_running_loop()
    try:
        return await loop.run_in_executor(_executor(), work, *args)
    except BrokenProcessPool as exc:
        _pool = None
        raise IngestError("Reading that file took more memory or time than I can give it.") from exc


async def prepare_in_worker(data: bytes, filename: str, options: IngestOptions) -> Prepared:
    """`prepare_book` in the worker process."""
    return await _in_worker(prepare_book, data, filename, options)


async def analyse_in_worker(
    sections: Sequence[Sequence[ParagraphLike]],
    authors: tuple[str, ...],
    book_id: int,
    library: Sequence[tuple[int, str]],
    taken_quotes: Sequence[str],
) -> Analysis:
    """`analyse_book` (quote candidates and argument models) in the worker process, like `prepare_in_worker`."""
    return await _in_worker(analyse_book, sections, authors, book_id, library, taken_quotes)
