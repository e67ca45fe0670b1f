"""Readalong: a study and reading group bot for Discord, Matrix and the terminal."""

__version__ = "0.1.0"
