"""The cleaner's output: blocks on their way to becoming sections, and what was removed."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Block:
    """A paragraph, heading or note on its way to becoming a section."""

    kind: str  # "para" | "heading" | "note"
    text: str
    level: int = 1
    strong: bool = False  # heading from structure, numbering or glue — not a guess from a short line
    label: str | None = None  # a note's number, when it has one
    notes: tuple[str, ...] = ()  # note texts cited by this paragraph


@dataclass
class Cleaned:
    blocks: list[Block]
    removed: list[str] = field(default_factory=list)
    hints: dict[str, str] = field(default_factory=dict)  # metadata found on the way (Gutenberg header)
