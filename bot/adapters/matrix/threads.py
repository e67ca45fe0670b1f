"""Reading threads on Matrix: a command in a reading's thread is about that reading, and quotes and prompts posted
for the group go into the thread of the reading it is on (the README's promise: each reading's post opens a thread
where its prompts and quotes follow).

A reading's thread is remembered as our key `reading:<id>` → its root event (kind "thread", see `posting`).
"""

from __future__ import annotations

from bot.adapters.matrix.session import PLATFORM
from bot.app import App
from bot.commands import ReadingRef, parse_line
from bot.replies import UserError
from bot.storage import groups as group_store
from bot.storage import plans as plan_store
from bot.storage import refs

THREAD_KIND = "thread"
READING_KEY = "reading:"
THREADED_KINDS = ("quote", "prompt")  # posts that belong in the current reading's thread


async def with_thread_reading(app: App, room_id: str, thread_root: str | None, line: str) -> str:
    """The command line, naming the thread's reading when the command takes an optional reading left out.

    `!rg prompts` in the thread of reading 2 is `!rg prompts reading:2`, whatever reading the group is on now.
    """
    if thread_root is None:
        return line
    key = await refs.key_of(app.db, PLATFORM, room_id, THREAD_KIND, thread_root)
    if key is None or not key.startswith(READING_KEY) or not key.removeprefix(READING_KEY).isdigit():
        return line
    try:
        spec, positional, named = parse_line(app.registry, line)
    except UserError:
        return line  # the core answers the parse error itself
    param = next((p for p in spec.params if p.kind is ReadingRef and not p.required), None)
    if param is None or positional or param.option_name in named or param.name in named:
        return line
    group = await group_store.by_room(app.db, PLATFORM, room_id)
    if group is None:
        return line
    reading_id = int(key.removeprefix(READING_KEY))
    number = next((r.number for r in await plan_store.readings(app.db, group.id) if r.id == reading_id), None)
    return line if number is None else f"{line} {param.option_name}:{number}"


async def current_thread_key(app: App, room_id: str) -> str | None:
    """The thread key of the reading the room's group is on, if that reading has opened (and so has a thread)."""
    group = await group_store.by_room(app.db, PLATFORM, room_id)
    if group is None:
        return None
    position = await plan_store.group_position(app.db, group.id)
    if position < 0:
        return None
    readings = await plan_store.readings(app.db, group.id)
    return f"{READING_KEY}{readings[position].id}" if position < len(readings) else None
