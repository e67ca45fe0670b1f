"""A test-only bot process: the real App, dispatcher, outbox and wake-up timer, with a file as its platform.

    python -m tests.scheduling.sink_bot DB SINK ATTEMPTS [--delay SECONDS]

The "sink" platform behaves like Matrix with transaction ids: a send whose key it has already accepted is
acknowledged without posting again. Every accepted post appends its key to SINK and every send attempt to
ATTEMPTS, each with fsync, so a test can kill this process with SIGKILL at any moment and count afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from dataclasses import replace
from pathlib import Path

from bot.app import App
from bot.clock import SystemClock
from bot.config import Settings
from bot.replies import Reply
from bot.runner import serve
from cogs import all_features


class SinkAdapter:
    platform = "sink"

    def __init__(self, sink: Path, attempts: Path, delay: float) -> None:
        self.sink = sink
        self.attempts = attempts
        self.delay = delay
        self.accepted = set(sink.read_text().split()) if sink.exists() else set()

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def send(
        self, room_id: str, reply: Reply, *, key: str, thread_key: str | None = None, starts_thread: bool = False
    ) -> str:
        await asyncio.sleep(self.delay)
        _append(self.attempts, key)
        if key not in self.accepted:  # the platform's own deduplication by transaction id
            _append(self.sink, key)
            self.accepted.add(key)
        return f"sink-{key}"


def _append(path: Path, line: str) -> None:
    with path.open("a") as handle:
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())


async def run(args: argparse.Namespace) -> None:
    settings = replace(Settings().with_database(args.db))
    app = await App.open(settings, clock=SystemClock(), features=all_features())
    app.adapters["sink"] = SinkAdapter(args.sink, args.attempts, args.delay)
    print("ready", flush=True)
    try:
        await serve(app)
    finally:
        await app.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("db", type=Path)
    parser.add_argument("sink", type=Path)
    parser.add_argument("attempts", type=Path)
    parser.add_argument("--delay", type=float, default=0.01)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
