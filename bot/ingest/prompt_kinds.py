"""What a discussion prompt is: its kinds, the templates file (data/prompts.toml) and the draft with its
citations; the generator in prompts.py fills them from a reading's argument model."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.ingest.quotes import ParagraphLike

ARGUMENT_KINDS = (
    "central",
    "evaluation",
    "dispute",
    "connection",
    "provenance",
    "comprehension",
    "application",
    "structure",
)
NARRATIVE_KINDS = ("choice", "scene", "narration", "theme")
KINDS = ARGUMENT_KINDS + NARRATIVE_KINDS
PLACEHOLDERS = frozenset(
    {
        "who",
        "excerpt",
        "evidence",
        "opponent",
        "term",
        "topic",
        "character",
        "book",
        "heading",
        "later",
        "view_of",
        "other_who",
        "other_excerpt",
        "other_book",
        "other_heading",
        "narrator",
    }
)

Templates = dict[str, tuple[str, ...]]


class TemplateError(ValueError):
    """A template file that cannot be used; str() names the problem."""


def load_templates(path: Path) -> Templates:
    """Read and check data/prompts.toml: every kind present, known placeholders, a question mark at the end."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise TemplateError(f"I couldn't read the prompt templates in {path}: {exc}") from None
    templates: Templates = {}
    for kind in KINDS:
        items = raw.get(kind)
        if not isinstance(items, list) or not items or not all(isinstance(t, str) for t in items):
            raise TemplateError(f"{path}: “{kind}” must be a non-empty list of templates.")
        for template in items:
            names = set(re.findall(r"{(\w+)}", template))
            if names - PLACEHOLDERS:
                raise TemplateError(f"{path}: unknown placeholder {sorted(names - PLACEHOLDERS)} in “{template}”.")
            if not template.rstrip().endswith("?"):
                raise TemplateError(f"{path}: the {kind} template “{template}” must end with a question mark.")
        templates[kind] = tuple(items)
    return templates


@dataclass(frozen=True)
class Citation:
    book_id: int
    book: str  # title
    section_id: int
    section: int  # 1-based position in the book
    paragraph: int  # 1-based position in the section; 0 (claims.PROVENANCE): the book's publishers' note
    excerpt: str  # verbatim from the section's text (or from the book's provenance when paragraph is 0)

    @property
    def from_provenance(self) -> bool:
        """Cites the editors'/publishers' notes kept with the book (#13), not a paragraph of a reading."""
        return self.paragraph == 0


@dataclass(frozen=True)
class PromptDraft:
    kind: str
    text: str
    citations: tuple[Citation, ...]
    term: str | None = None
    alternative: int = 0  # 0: the first choice of its kind; 1, 2…: used when an earlier one may not be shown


@dataclass(frozen=True)
class SectionDoc:
    """A reading as the generator sees it."""

    book_id: int
    book_title: str
    authors: tuple[str, ...]
    section_id: int
    position: int
    heading: str | None
    paragraphs: Sequence[ParagraphLike]
    provenance: tuple[str, ...] = ()  # the book's editors'/publishers' notes, out of the readings (#13)

    @property
    def text(self) -> str:
        return "\n\n".join(p.text for p in self.paragraphs)
