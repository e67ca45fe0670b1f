"""The port every chat adapter implements: start, stop and send. Everything else is the core's."""

from __future__ import annotations

from typing import Protocol

from bot.commands import Reply


class Adapter(Protocol):
    platform: str

    async def start(self) -> None:
        """Connect and begin handing incoming commands to the app; returns once connected."""
        ...

    async def stop(self) -> None: ...

    async def send(self, room_id: str, reply: Reply, *, key: str, thread_key: str | None = None) -> str:
        """Post a scheduled message; `key` is the idempotency key (pass it on where the platform dedupes).

        Returns the platform's message id.
        """
        ...
