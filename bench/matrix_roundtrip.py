"""Command → reply latency on Matrix, Readalong vs a bare matrix-nio echo bot.

    python bench/matrix_roundtrip.py [N] [N_LIMITED]

Runs three times, each on its own Synapse on loopback (tests/support/synapse.py, data in a temp dir): once with every
rate limit raised (N rounds, default 100), twice with Synapse's default limits (N_LIMITED rounds, default 20), where
neither bot is exempted — only the members who send the commands are, so that what is measured is the bots. On each
server a Readalong bot (a real App with the default library + MatrixAdapter) and a minimal matrix-nio echo bot
(`sync_forever` + a callback that answers `!echo …` with a notice) each get their own room, and each bot gets the
same command once per round after the same warm-up. Each command is timed from `room_send` until the member's own
sync returns the bot's reply. Prints p50/p95 per bot and command, the ratio to the echo bot (goals: ≤ 1.2× with
raised limits, ≤ 1.5× with default limits) and how many messages each bot sent.

Fairness at default limits (0.2 messages a second per account after a burst of 10): a bot at that wall answers only
when its account may send again, so what it waits is set by how many messages it has sent and when, not by its
speed. Two things would decide the result instead of the bots, and are ruled out:
- Readalong greets a room on joining (one message, once per room, which the issue asks for). Measuring starts
  only after the greeting and one more 1/rate (5 s), once the homeserver has given that message's slot back.
- In shared rounds (ask one bot, then the other, or both at once and wait for both), the bot whose slot falls
  later defines when the next round starts, so it waits a whole slot (5 s) every round while the other's slot is
  already near: the result depends on the two accounts' phase, set by a few milliseconds early on (measured: 36×
  asking in turn, 7× asking both at once, both times with Readalong's phase the later). Back to back, each room's
  member therefore asks its own bot again as soon as it has answered, both rooms side by side, so each bot is held
  at its own limit. With raised limits and at one round every 6 s (under the wall) they alternate in shared rounds.
Not part of the test run.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import nio  # noqa: E402

from bot.adapters.matrix import MatrixAdapter  # noqa: E402
from bot.app import App  # noqa: E402
from bot.config import LibrarySettings, MatrixSettings, Settings  # noqa: E402
from bot.services.books import load_default_library  # noqa: E402
from cogs import all_features  # noqa: E402
from tests.support.matrix_nio import create_room, nio_client, send_text, wait_for_event  # noqa: E402
from tests.support.synapse import SynapseServer  # noqa: E402

ROUNDS = 100
LIMITED_ROUNDS = 20
# Synapse's default rc_message allows 0.2 messages a second per account: a round every 6 s is a busy room that a
# bot sending one message per command can keep up with; back to back, every bot is held at exactly the limit.
LIMITED_PACE = 6.0
DEFAULT_MESSAGES_PER_SECOND = 0.2  # Synapse's rc_message default
WARMUP = 5
ECHO = "echo bot  `!echo library list`"
SYNC_FILTER = {"room": {"timeline": {"limit": 100}}, "presence": {"not_types": ["*"]}}


async def start_echo_bot(server: SynapseServer) -> tuple[nio.AsyncClient, asyncio.Task[None]]:
    """The baseline: the smallest correct matrix-nio bot, answering `!echo X` with a notice replying to it."""
    user = server.register_user(displayname="Echo")
    client = nio.AsyncClient(server.base_url, user.user_id, device_id=user.device_id)
    client.restore_login(user.user_id, user.device_id, user.access_token)
    await client.sync(timeout=0, sync_filter=SYNC_FILTER)

    async def on_message(room: nio.MatrixRoom, event: nio.RoomMessageText) -> None:
        if event.sender != client.user_id and event.body.startswith("!echo "):
            content = {
                "msgtype": "m.notice",
                "body": event.body[len("!echo ") :],
                "m.relates_to": {"m.in_reply_to": {"event_id": event.event_id}},
            }
            await client.room_send(room.room_id, "m.room.message", content)

    client.add_event_callback(on_message, nio.RoomMessageText)  # type: ignore[arg-type]
    task = asyncio.create_task(client.sync_forever(timeout=30_000, sync_filter=SYNC_FILTER))
    return client, task


async def start_readalong(server: SynapseServer, folder: Path) -> tuple[App, MatrixAdapter, str]:
    user = server.register_user(displayname="Readalong")
    settings = replace(
        Settings().with_database(folder / "readalong.sqlite3"),
        library=LibrarySettings(texts=ROOT / "data" / "texts"),
        matrix=MatrixSettings(
            homeserver=server.base_url,
            user_id=user.user_id,
            allowed_inviters=(":" + server.server_name,),
            state_dir=folder / "matrix",
        ),
    )
    app = await App.open(settings, features=all_features())
    await load_default_library(app.db, settings, app.clock.now)
    adapter = MatrixAdapter(app, access_token=user.access_token)
    await adapter.start()
    return app, adapter, user.user_id


def replying_to(sender: str, event_id: str) -> Callable[[nio.Event], bool]:
    def match(event: nio.Event) -> bool:
        relation = event.source.get("content", {}).get("m.relates_to") or {}
        return event.sender == sender and (relation.get("m.in_reply_to") or {}).get("event_id") == event_id

    return match


async def round_trip(member: nio.AsyncClient, room_id: str, bot_id: str, text: str) -> float:
    started = time.perf_counter()
    event_id = await send_text(member, room_id, text)
    await wait_for_event(member, replying_to(bot_id, event_id), room_id=room_id, timeout=30)
    return (time.perf_counter() - started) * 1000


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def measure(
    rounds: int, *, default_limits: bool, pace: float = 0.0, independent: bool = False
) -> dict[str, list[float]]:
    """Round-trip times per case on a fresh Synapse (with raised or default rate limits). Rounds ask each bot in
    turn, a round starting at most every `pace` seconds; with `independent`, each room's member instead asks its
    bot again as soon as it answers, side by side with the other room."""
    with tempfile.TemporaryDirectory(prefix="readalong-bench-") as tmp:
        server = SynapseServer(Path(tmp) / "synapse", default_rate_limits=default_limits)
        server.start()
        try:
            member_users = [server.register_user(displayname=f"Member {n}") for n in (1, 2)]
            if default_limits:
                for user in member_users:  # the bots are measured, not the members
                    server.exempt_from_rate_limits(user.user_id)
            members = [await nio_client(server, user) for user in member_users]
            echo, echo_task = await start_echo_bot(server)
            app, adapter, readalong_id = await start_readalong(server, Path(tmp))
            try:
                echo_room = await create_room(members[0], join=[echo])
                readalong_room = await create_room(members[1], invite=[readalong_id])
                await wait_for_event(  # the greeting: once per room, on joining
                    members[1], lambda e: e.sender == readalong_id and "!rg" in getattr(e, "body", ""), timeout=30
                )
                if default_limits:  # wait until the homeserver has given the greeting's slot back
                    await asyncio.sleep(1 / DEFAULT_MESSAGES_PER_SECOND + 0.5)
                readalong = (members[1], readalong_room, readalong_id)
                cases = {ECHO: (members[0], echo_room, echo.user_id, "!echo library list")}
                if not default_limits:  # at default limits one command per bot: both send at the same rate
                    cases["Readalong `!rg help`"] = (*readalong, "!rg help")
                cases["Readalong `!rg library list`"] = (*readalong, "!rg library list")
                timings: dict[str, list[float]] = {name: [] for name in cases}
                loop = asyncio.get_running_loop()

                async def converse(name: str) -> None:
                    """One member asking one bot again as soon as it answers, on its own (back to back)."""
                    for index in range(WARMUP + rounds):
                        elapsed = await round_trip(*cases[name])
                        if index >= WARMUP:
                            timings[name].append(elapsed)

                if independent:
                    await asyncio.gather(*(converse(name) for name in cases))
                for index in range(0 if independent else WARMUP + rounds):
                    started = loop.time()
                    for name, case in cases.items():
                        elapsed = await round_trip(*case)
                        if index >= WARMUP:
                            timings[name].append(elapsed)
                    await asyncio.sleep(max(0.0, started + pace - loop.time()))
                sent = {
                    "echo bot": await events_sent(members[0], echo_room, echo.user_id),
                    "Readalong (greeting included)": await events_sent(members[1], readalong_room, readalong_id),
                    "commands to each": WARMUP + rounds,
                }
            finally:
                await adapter.stop()
                await app.close()
                echo_task.cancel()
                await echo.close()
                for member in members:
                    await member.close()
        finally:
            server.stop()
    print(f"Messages sent in their room ({'default' if default_limits else 'raised'} limits, pace {pace} s): {sent}")
    return timings


async def events_sent(member: nio.AsyncClient, room_id: str, sender: str) -> int:
    """How many messages `sender` sent in the room: what the homeserver's message rate limit counts."""
    count, token = 0, member.next_batch or ""
    for _ in range(50):
        response = await member.room_messages(room_id, start=token, limit=100)
        assert isinstance(response, nio.RoomMessagesResponse), response
        count += sum(1 for e in response.chunk if e.sender == sender and not isinstance(e, nio.RoomMemberEvent))
        if not response.chunk or not response.end:
            break
        token = response.end
    return count


def report(title: str, rounds: int, timings: dict[str, list[float]], goal: float) -> None:
    baseline = statistics.median(timings[ECHO])
    baseline95 = percentile(timings[ECHO], 0.95)
    print(f"{title}: command → reply, {rounds} rounds each (after {WARMUP} warm-up)\n")
    print(f"| {'bot and command':<30} | p50 ms | p95 ms | p50 ratio | p95 ratio |")
    print(f"|{'-' * 32}|-------:|-------:|----------:|----------:|")
    for name, values in timings.items():
        p50, p95 = statistics.median(values), percentile(values, 0.95)
        print(f"| {name:<30} | {p50:6.1f} | {p95:6.1f} | {p50 / baseline:8.2f}× | {p95 / baseline95:8.2f}× |")
    print(f"\nGoal: Readalong ≤ {goal}× the echo bot.\n")


def machine() -> str:
    """The machine is shared: a table means little without its load beside it."""
    one, five, fifteen = os.getloadavg()
    return f"{os.cpu_count()} cores, load average {one:.2f} {five:.2f} {fifteen:.2f}"


async def main(rounds: int, limited_rounds: int) -> None:
    print(f"Machine at the start: {machine()}")
    raised = await measure(rounds, default_limits=False)
    limited = await measure(limited_rounds, default_limits=True, independent=True)
    paced = await measure(limited_rounds, default_limits=True, pace=LIMITED_PACE)
    report("Rate limits raised", rounds, raised, 1.2)
    report(
        "Synapse's default rate limits (bots not exempted), back to back, each bot asked again once it answers",
        limited_rounds,
        limited,
        1.5,
    )
    print(
        "Back to back, both bots are held at the homeserver's limit (0.2 messages a second after a burst of 10):\n"
        "each answer waits for its account's next slot, about 5 s. The slots are fixed by the homeserver's\n"
        "bucket, so how soon after its slot a bot retries (Readalong: retry_after_ms after sending; nio: after\n"
        "the answer, which Synapse holds 0.5 s) moves its next command as much and leaves the latency alone.\n"
        "What decides it is the messages per command (one for each bot); the paced run below stays under the\n"
        "wall, and `override_ratelimit` (README, Running on Matrix) removes it.\n"
    )
    report(
        f"Synapse's default rate limits (bots not exempted), a round every {LIMITED_PACE:.0f} s",
        limited_rounds,
        paced,
        1.5,
    )
    print(f"Machine at the end: {machine()}")


if __name__ == "__main__":
    arguments = [int(a) for a in sys.argv[1:3]]
    asyncio.run(main(*(arguments + [ROUNDS, LIMITED_ROUNDS][len(arguments) :])))
