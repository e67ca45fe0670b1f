"""Which group a token opens, remembered for a moment so a cached page costs no database read at all.

Only tokens that opened a group are remembered (a guessed token always asks the database, and cannot fill this
map). Two things end an entry: any change of a group's access made in this process (`web rotate`, `web off`,
`web link` turning pages on — bot/storage/web.py counts them), which empties the map before the next request,
and a short time to live, which is what bounds a separate `readalong web` process: there a rotated or disabled
token keeps opening the pages for at most `seconds` (the same staleness as the page micro-cache).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

from bot.storage.groups import Group


class TokenCache:
    def __init__(
        self,
        seconds: float,
        changes: Callable[[], int],
        *,
        max_entries: int = 1024,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self.seconds = seconds
        self.max_entries = max_entries
        self._changes = changes
        self._seen = changes()
        self._now = now
        self._entries: OrderedDict[str, tuple[float, Group]] = OrderedDict()

    def get(self, token: str) -> Group | None:
        """The group the token opened a moment ago; None: ask the database."""
        if self.seconds <= 0:
            return None
        if (changes := self._changes()) != self._seen:
            self._entries.clear()
            self._seen = changes
            return None
        entry = self._entries.get(token)
        if entry is None:
            return None
        expires, group = entry
        if expires <= self._now():
            del self._entries[token]
            return None
        return group

    def put(self, token: str, group: Group, changes: int) -> None:
        """Remember a lookup made when the change count was `changes` (read before the lookup): a change made
        while the lookup ran leaves nothing stale behind."""
        if self.seconds <= 0 or changes != self._changes():
            return
        self._entries[token] = (self._now() + self.seconds, group)
        self._entries.move_to_end(token)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)
