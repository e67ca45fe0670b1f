"""A chat room in the terminal: the whole bot without a token, and the way scripts and tests drive it.

Lines starting with "/" are commands (`/help`, `/library list`); the console's own commands are `/as NAME`
(speak as another member), `/clock advance 2d` or `/clock set ISO` (move the controllable clock and run what
falls due) and `/quit`. The first member is the group's founder and moderator.

Attached files (a chart, the calendar, an export, a reading) are saved in `attachments/` beside the database,
named `<time>-<filename>`, and the reply names the saved file so it can be opened.
"""

from __future__ import annotations

import asyncio
import re
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from bot.adapters.base import DIRECT_PREFIX, typed_command
from bot.app import App
from bot.clock import ManualClock
from bot.replies import Context, Reply
from bot.storage import groups as group_store
from bot.timeutil import DurationTooLong, TimeInputError, format_local, parse_duration, parse_instant

PLATFORM = "console"
ROOM = "terminal"
MAX_CLOCK_STEP = timedelta(days=366)
"""The furthest one `/clock advance` or `/clock set` moves: a year holds every plan's season; beyond it a console
would post for minutes on end (thousands of posts) or run past the calendar's last year."""


class ConsoleAdapter:
    platform = PLATFORM

    def __init__(
        self, app: App, clock: ManualClock, out: TextIO, member: str = "alice", attachments: Path | None = None
    ) -> None:
        self.app = app
        self.clock = clock
        self.out = out
        self.member = member
        self.sent = 0
        self.attachments = attachments or app.settings.bot.database.parent / "attachments"

    async def start(self) -> None:
        founder = self._context()
        group, created = await self.app.setup_group(
            founder, name="Console reading group", timezone=self.app.settings.bot.timezone
        )
        if created:
            self._print(f"(this terminal is the reading group “{group.name}”; {self.member} is its moderator)")

    async def stop(self) -> None:
        return None

    async def send(
        self, room_id: str, reply: Reply, *, key: str, thread_key: str | None = None, starts_thread: bool = False
    ) -> str:
        self.sent += 1
        if room_id.startswith(DIRECT_PREFIX):
            when = format_local(self.clock.now(), await self.zone())
            who = room_id.removeprefix(DIRECT_PREFIX)
            self._print(f"📩 Readalong, privately to {who} at {when}:\n{_indent(self._shown(reply))}")
            return f"console-{self.sent}"
        where = f" [thread {thread_key}]" if thread_key else ""
        when = format_local(self.clock.now(), await self.zone())
        self._print(f"📣 Readalong{where} at {when}:\n{_indent(self._shown(reply))}")
        return f"console-{self.sent}"

    def _context(self) -> Context:
        return Context(platform=PLATFORM, room_id=ROOM, user_id=self.member.lower(), display_name=self.member)

    def _print(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    async def handle_line(self, line: str) -> bool:
        """Run one line; False when the member asked to quit."""
        line = line.strip()
        if not line or line.startswith("#"):
            return True
        command = line[1:] if line.startswith("/") else line
        word, _, rest = command.partition(" ")
        if word in ("quit", "exit"):
            return False
        if word == "as":
            return self._switch_member(rest.strip())
        if word == "clock":
            await self._clock(rest.strip())
            return True
        reply = await self.app.handle(self._context(), command)
        text = self._shown(reply)
        self._print(f"(only you) {text}" if reply.ephemeral and reply.kind != "error" else text)
        await self.app.tick()
        return True

    def _shown(self, reply: Reply) -> str:
        """The reply as text, its files saved in the attachments folder and named by where they are."""
        text = _typed(replace(reply, files=())).plain()
        saved = [f"(attached: {f.filename}, saved as {self._save(f.filename, f.data)})" for f in reply.files]
        return "\n".join([text, *saved]) if text else "\n".join(saved)

    def _save(self, filename: str, data: bytes) -> Path:
        """Write one attachment as `<console time>-<filename>` (a safe name; never over an earlier file)."""
        self.attachments.mkdir(parents=True, exist_ok=True)
        stem = _SAFE_NAME.sub("_", Path(filename).name).strip("._") or "attachment"
        when = self.clock.now().astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        path = self.attachments / f"{when}-{stem}"
        count = 1
        while path.exists():
            count += 1
            path = self.attachments / f"{when}-{count}-{stem}"
        path.write_bytes(data)
        return path

    def _switch_member(self, name: str) -> bool:
        if not name or " " in name:
            self._print("Usage: /as NAME (one word), for example /as bob")
        else:
            self.member = name
            self._print(f"(you are now {name})")
        return True

    async def _clock(self, args: str) -> None:
        verb, _, value = args.partition(" ")
        zone = await self.zone()
        try:
            if verb == "advance" and value:
                delta = parse_duration(value)
                if delta < timedelta(0):
                    raise TimeInputError("The clock only moves forward.")
                if delta > MAX_CLOCK_STEP:
                    raise DurationTooLong(value)
                await self.advance_to(self.clock.now() + delta)
            elif verb == "set" and value:
                target = parse_instant(value, zone)
                if target < self.clock.now():
                    raise TimeInputError("The clock only moves forward.")
                if target - self.clock.now() > MAX_CLOCK_STEP:
                    raise DurationTooLong(value)
                await self.advance_to(target)
            elif verb not in ("", "now"):
                self._print("Usage: /clock [now] | /clock advance 2d | /clock set 2026-12-01T19:00")
                return
        except DurationTooLong:
            self._print(
                f"That is too far: the clock moves at most {MAX_CLOCK_STEP.days} days at a time; "
                "move it by less, for example /clock advance 30d."
            )
            return
        except TimeInputError as exc:
            self._print(str(exc))
            return
        self._print(f"(clock: {format_local(self.clock.now(), await self.zone())})")

    async def zone(self) -> ZoneInfo:
        """The console group's time zone (members read times in it), or the configured default."""
        group = await group_store.by_room(self.app.db, PLATFORM, ROOM)
        return ZoneInfo(group.timezone if group else self.app.settings.bot.timezone)

    async def advance_to(self, target: datetime) -> None:
        """Move time forward stopping at every due moment, so each post goes out at its own time, not late."""
        while (wake := await self.app.next_wakeup()) is not None and wake <= target:
            if wake > self.clock.now():
                self.clock.advance(wake - self.clock.now())
            await self.app.tick()
        if target > self.clock.now():
            self.clock.advance(target - self.clock.now())
        await self.app.tick()


_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def _typed(reply: Reply) -> Reply:
    """Choices as members type them here: a command that asks for text shows `<your text>`."""
    return replace(reply, choices=tuple(replace(c, command=typed_command(c.command)) for c in reply.choices))


def _indent(text: str) -> str:
    return "\n".join("   " + line for line in text.splitlines())


async def _lines(stream: TextIO, prompt: Callable[[], str] | None) -> AsyncIterator[str]:
    while True:
        if prompt is not None:
            try:
                line = await asyncio.to_thread(input, prompt())
            except EOFError:
                return
        else:
            line = await asyncio.to_thread(stream.readline)
            if not line:
                return
        yield line


async def run_console(adapter: ConsoleAdapter, stream: TextIO = sys.stdin, log_file: Path | None = None) -> None:
    """Catch up on what fell due, then read commands until end of input; interactive with a prompt at a
    terminal, line by line otherwise. `log_file` is where log lines go (named at an interactive start)."""
    interactive = stream.isatty()
    adapter.app.adapters[PLATFORM] = adapter
    await adapter.start()
    if interactive:
        adapter._print("Readalong console — /help for commands, /as NAME to switch member, /quit to leave.")
        if log_file is not None:
            adapter._print(f"(log lines go to {log_file})")
    await adapter.app.tick()  # catch up at once: what fell due while the console was closed goes out now
    if interactive and adapter.clock.follows_real_time:
        await adapter.app.start_scheduler()  # reminders appear while you type, as they would in a chat room
    prompt = (lambda: f"{adapter.member}> ") if interactive else None
    async for line in _lines(stream, prompt):
        if not await adapter.handle_line(line):
            break
