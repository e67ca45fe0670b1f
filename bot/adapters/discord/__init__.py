"""Discord: slash commands generated from the command registry, buttons, threads and scheduled events.

`create_adapter` is the factory `readalong run` looks up in every adapter package.
"""

from bot.adapters.discord.client import DiscordAdapter, create_adapter

__all__ = ["DiscordAdapter", "create_adapter"]
