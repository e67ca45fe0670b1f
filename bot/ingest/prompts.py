"""Discussion prompts for a reading, each grounded in a passage of it that the prompt quotes and cites.

Four kinds: comprehension (what the author means by a key term in a passage), evaluation (whether a passage's
claim convinces), connection (another text of the library takes up the same key term: the two passages side by
side, both cited) and application (what a passage suggests for a present question). Key terms come from
keyphrases.py, re-ranked against the whole library; passages are quote candidates (quotes.py), so a prompt
never quotes boilerplate, a dangling fragment or a footnote marker. Templates live in data/prompts.toml.
Pure and deterministic for a given library: the same library gives the same prompts.
"""

from __future__ import annotations

import math
import re
import tomllib
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.ingest.keyphrases import LibraryIndex, Term, key_terms, term_pattern
from bot.ingest.quotes import ParagraphLike, QuoteCandidate, find_quotes

KINDS = ("comprehension", "evaluation", "connection", "application")
PLACEHOLDERS = frozenset(
    {"who", "excerpt", "term", "book", "heading", "other_who", "other_excerpt", "other_book", "other_heading"}
)
MAX_EXCERPT = 320
CONNECTION_ALTERNATIVES = 4
_CLAIM = re.compile(
    r"\b(?:not|never|only|must|cannot|could not|because|therefore|thus|hence|meant|led to|proved?|shows?|showed|"
    r"demonstrat\w+|determined|caused|wrong|correct|true|false|inevitabl\w+|necessar\w+|decisive|essential|"
    r"in fact|real|really|impossible|no longer|betray\w*|negation|logical|argues?|claims?)\b",
    re.IGNORECASE,
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
    paragraph: int  # 1-based position in the section
    excerpt: str  # verbatim from the section's text


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

    @property
    def text(self) -> str:
        return "\n\n".join(p.text for p in self.paragraphs)


@dataclass(frozen=True)
class _Passage:
    doc: SectionDoc
    quote: QuoteCandidate

    @property
    def text(self) -> str:
        return self.quote.text

    def citation(self) -> Citation:
        d = self.doc
        return Citation(d.book_id, d.book_title, d.section_id, d.position, self.quote.paragraph, self.quote.text)


def surname(name: str) -> str:
    words = name.split()
    return words[-1] if words else name


def short_title(title: str) -> str:
    short = re.split(r":\s", title, maxsplit=1)[0].strip()
    return f"*{short}*"


def who(passage: _Passage) -> str:
    author = surname(passage.doc.authors[0]) if passage.doc.authors else "the author"
    speaker = passage.quote.speaker
    if speaker and surname(speaker) != author:
        return f"{speaker} (quoted by {author})"
    return author


@dataclass
class Generator:
    """Prompts for readings of one library; passages per section are computed once and reused."""

    library: Sequence[SectionDoc]
    index: LibraryIndex
    templates: Templates
    _passages: dict[int, list[_Passage]] = field(default_factory=dict)

    def passages(self, doc: SectionDoc) -> list[_Passage]:
        if doc.section_id not in self._passages:
            found = find_quotes(doc.paragraphs, self.index, limit=200)
            self._passages[doc.section_id] = [_Passage(doc, q) for q in found if len(q.text) <= MAX_EXCERPT]
        return self._passages[doc.section_id]

    def _template(self, doc: SectionDoc, kind: str, salt: str = "") -> str:
        options = self.templates[kind]
        return options[zlib.crc32(f"{doc.book_title}|{doc.position}|{kind}|{salt}".encode()) % len(options)]

    def generate(self, doc: SectionDoc) -> list[PromptDraft]:
        """Prompts for one reading: one of each kind when the text allows, connection alternatives after."""
        terms = key_terms(doc.text, self.index, limit=12) or key_terms(doc.text, self.index, limit=12, min_count=1)
        passages = self.passages(doc)
        used: set[str] = set()
        drafts: list[PromptDraft] = []

        def with_term(term: Term, accept: Callable[[_Passage], bool] = lambda p: True) -> _Passage | None:
            pattern = term_pattern(term)
            return next((p for p in passages if p.text not in used and pattern.search(p.text) and accept(p)), None)

        def fill(kind: str, passage: _Passage, term: Term | None, salt: str = "", **extra: str) -> str:
            values = {
                "who": who(passage),
                "excerpt": passage.text,
                "term": _as_written(term, passage.text) if term else "",
                "book": short_title(doc.book_title),
                "heading": doc.heading or f"section {doc.position}",
                **extra,
            }
            return self._template(doc, kind, salt).format(**values)

        # comprehension: the best key concept (not a lone name) that a good passage uses
        comprehension_term = None
        for term in sorted(terms, key=lambda t: (_is_name(t), -t.weight)):
            passage = with_term(term)
            if passage:
                used.add(passage.text)
                comprehension_term = term
                drafts.append(
                    PromptDraft(
                        "comprehension", fill("comprehension", passage, term), (passage.citation(),), term.label
                    )
                )
                break
        # evaluation: the strongest claim in the author's own voice (a quoted one when there is none)
        claims = [p for p in passages if p.text not in used and _CLAIM.search(p.text)]
        claims.sort(key=lambda p: (p.quote.speaker is not None, -p.quote.score - 0.08 * len(_CLAIM.findall(p.text))))
        if claims:
            used.add(claims[0].text)
            drafts.append(PromptDraft("evaluation", fill("evaluation", claims[0], None), (claims[0].citation(),)))
        # connection: the same key term discussed in another text of the library
        drafts.extend(self._connections(doc, terms, passages, used, fill))
        # application: another key term's passage, or the best passage left
        application = None
        for term in terms:
            if term is comprehension_term:
                continue
            passage = with_term(term)
            if passage:
                application = (passage, term)
                break
        if application is None:
            rest = [p for p in passages if p.text not in used]
            if rest and comprehension_term is not None:
                application = (rest[0], comprehension_term)
        if application:
            passage, term = application
            used.add(passage.text)
            text = fill("application", passage, term)
            drafts.append(PromptDraft("application", text, (passage.citation(),), term.label))
        return [d for d in drafts if d.text.rstrip().endswith("?")]

    def _connections(
        self,
        doc: SectionDoc,
        terms: Sequence[Term],
        passages: Sequence[_Passage],
        used: set[str],
        fill: Callable[..., str],
    ) -> list[PromptDraft]:
        pairs: list[tuple[float, Term, _Passage, SectionDoc]] = []
        for term in terms:
            if len(self.index.books_of.get(term.key, ())) < 2:
                continue
            pattern = term_pattern(term)
            here = next((p for p in passages if p.text not in used and pattern.search(p.text)), None)
            if here is None:
                continue
            for other in self.library:
                if other.book_id == doc.book_id:
                    continue
                mentions = len(pattern.findall(other.text))
                if mentions:
                    pairs.append((term.weight * (1 + 0.3 * math.log(mentions)), term, here, other))
        pairs.sort(key=lambda item: (-item[0], item[3].book_id, item[3].position))
        found: list[PromptDraft] = []
        linked: set[tuple[int, str]] = set()
        for _, term, here, other in pairs:
            if (other.book_id, term.key) in linked or len({k for _, k in linked if _ == other.book_id}) >= 2:
                continue
            pattern = term_pattern(term)
            there = next((p for p in self.passages(other) if pattern.search(p.text)), None)
            if there is None:
                continue
            linked.add((other.book_id, term.key))
            text = fill(
                "connection",
                here,
                term,
                salt=str(len(found)),
                other_who=who(there),
                other_excerpt=there.text,
                other_book=short_title(other.book_title),
                other_heading=other.heading or f"section {other.position}",
            )
            found.append(PromptDraft("connection", text, (here.citation(), there.citation()), term.label, len(found)))
            if len(found) >= CONNECTION_ALTERNATIVES:
                break
        if found:
            used.add(found[0].citations[0].excerpt)
        return found


def _as_written(term: Term, text: str) -> str:
    """The term the way the passage writes it ("peasant" rather than the reading's usual "peasants")."""
    match = term_pattern(term).search(text)
    return re.sub(r"['’]s?$", "", match.group(0)) if match else term.label


def _is_name(term: Term) -> bool:
    """A lone capitalised word is usually a person or place, not a concept to explain ("Koestler")."""
    return " " not in term.label and term.label[:1].isupper()


def select(drafts: Sequence[PromptDraft], allowed: Callable[[Citation], bool], limit: int = 5) -> list[PromptDraft]:
    """One prompt of each kind whose citations may all be shown (the first allowed alternative), in kind order."""
    chosen: list[PromptDraft] = []
    for kind in KINDS:
        for draft in drafts:
            if draft.kind == kind and all(allowed(c) for c in draft.citations):
                chosen.append(draft)
                break
    return chosen[:limit]
