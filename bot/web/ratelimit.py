"""A bounded request rate per client address: a token bucket each, the least recently seen forgotten first."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable


class RateLimiter:
    """`per_minute` requests in a burst, refilled evenly over a minute; at most `max_clients` buckets kept, so a
    flood of addresses cannot grow memory without bound."""

    def __init__(
        self, per_minute: int, *, max_clients: int = 10_000, now: Callable[[], float] = time.monotonic
    ) -> None:
        if per_minute < 1:
            raise ValueError("per_minute must be positive")
        self.capacity = float(per_minute)
        self.refill = per_minute / 60.0
        self.max_clients = max_clients
        self._now = now
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # client -> (tokens, last time)

    def allow(self, client: str) -> bool:
        now = self._now()
        tokens, last = self._buckets.pop(client, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - last) * self.refill)
        allowed = tokens >= 1.0
        self._buckets[client] = (tokens - 1.0 if allowed else tokens, now)
        while len(self._buckets) > self.max_clients:
            self._buckets.popitem(last=False)
        return allowed

    def retry_after(self) -> int:
        """Seconds until one request is allowed again, for the Retry-After header."""
        return max(1, round(1 / self.refill))
