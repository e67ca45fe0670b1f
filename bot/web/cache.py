"""A micro-cache of rendered pages: a page is built at most once every few seconds per group and path.

Each request still checks its token first (bot/web/tokens.py: a token rotated or disabled in this process stops
at once); only what a valid token would be shown is reused. Two seconds of staleness is invisible to a reader (a reading
that opens this instant appears a moment later), and it keeps a burst of members on the same page from turning
into a burst of identical storage reads and template renders.
"""

from __future__ import annotations

import gzip
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Cached:
    body: bytes
    content_type: str
    headers: tuple[tuple[str, str], ...] = ()
    gzipped: bytes | None = None  # compressed once when cached, for clients that accept gzip

    @classmethod
    def of(cls, body: bytes, content_type: str, headers: tuple[tuple[str, str], ...] = ()) -> Cached:
        """Text is gzipped once here (a reading page shrinks about threefold); binary files are kept as they are."""
        text = content_type.startswith("text/")
        return cls(body, content_type, headers, gzip.compress(body, compresslevel=6, mtime=0) if text else None)


class PageCache:
    def __init__(self, seconds: float, *, max_entries: int = 512, now: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self.max_entries = max_entries
        self._now = now
        self._entries: OrderedDict[tuple[int, str], tuple[float, Cached]] = OrderedDict()

    def get(self, group_id: int, path: str) -> Cached | None:
        if self.seconds <= 0:
            return None
        entry = self._entries.get((group_id, path))
        if entry is None:
            return None
        expires, page = entry
        if expires <= self._now():
            del self._entries[(group_id, path)]
            return None
        return page

    def put(self, group_id: int, path: str, page: Cached) -> None:
        if self.seconds <= 0:
            return
        self._entries[(group_id, path)] = (self._now() + self.seconds, page)
        self._entries.move_to_end((group_id, path))
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)
