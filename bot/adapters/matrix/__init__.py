"""Matrix: commands in messages, answers as notices, Element polls and reactions, threads and private rooms.

`create_adapter` is the factory `readalong run` looks up in every adapter package.
"""

from bot.adapters.matrix.adapter import MatrixAdapter, create_adapter

__all__ = ["MatrixAdapter", "create_adapter"]
