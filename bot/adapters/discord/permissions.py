"""What the bot needs from a server: the permissions of its invite, each with the code that uses it.

The README's invite URL carries `INVITE.value`; a test recomputes it from here, so the set-up a server follows
always grants what the adapter does.
"""

from __future__ import annotations

import discord

# Why each one (docs: Topics › Permissions › Permissions flags; Resources › Guild Scheduled Event):
NEEDED: dict[str, str] = {
    "view_channel": "see the reading group's channel and its threads",
    "send_messages": "post readings, prompts, quotes, polls and answers (posting.send)",
    "send_messages_in_threads": "post a reading's prompts and quotes into its thread",
    "create_public_threads": "open a thread on each reading's post (posting._open_thread)",
    "embed_links": "readings, quotes, prompts and polls are embeds",
    "attach_files": "exports and calendars are files (plan ics, export)",
    "read_message_history": "fetch a poll's earlier messages to grey out its buttons (posting._disable_poll)",
    # Since 23 February 2026 creating a scheduled event needs CREATE_EVENTS; it also lets the bot edit and
    # delete the events it created itself, which are the only ones it touches (events.sync_meetings).
    "create_events": "mirror meetings as the server's scheduled events",
}

INVITE = discord.Permissions(**dict.fromkeys(NEEDED, True))


def invite_url(application_id: int | str) -> str:
    """The URL that adds the bot to a server with its slash commands and exactly these permissions."""
    return (
        f"https://discord.com/oauth2/authorize?client_id={application_id}"
        f"&scope=bot+applications.commands&permissions={INVITE.value}"
    )


def display_names() -> list[str]:
    """The names the Developer Portal and the invite screen show ("Send Messages in Threads")."""
    return [_display(name) for name in NEEDED]


_SPECIAL = {"view_channel": "View Channels"}


def _display(name: str) -> str:
    if name in _SPECIAL:
        return _SPECIAL[name]
    words = name.split("_")
    return " ".join(w if w in {"in"} else w.capitalize() for w in words)
