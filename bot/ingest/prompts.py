"""Discussion prompts for a reading, built from its argument model (claims.py) and citing verbatim passages.
Over 400 lines: one generator for argument and narrative books shares the templates and the library pairing;
which claims may lead lives in picks.py.

For an argument (essays, history, theory): the central claim first; an evaluation that puts the claim next to
what evidence the reading gives and what would count against it; the dispute the reading takes up; a
connection to another text that takes a position on the same person, event or concept (matched on the claims'
topics, never on a word two passages happen to share); comprehension only for a term the reading defines or
disputes; application only for a general claim; provenance when the publishers' note states a standpoint.
For a narrative (fiction, memoir): a character's choice, a scene, the narrator's aside, a theme that returns from
an earlier chapter — never "is this claim well founded" on narration.

Editor and publisher matter is "the publishers", never the author; a quoted figure is named. Templates live in
data/prompts.toml. Pure and deterministic for a given library.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from bot.ingest import booktype, claims, cues, standalone
from bot.ingest.claims import ArgumentModel, Claim, Passage, topic_key
from bot.ingest.keyphrases import LibraryIndex, term_pattern
from bot.ingest.picks import applies_beyond_case, consecutive, contestable, follows_from, own_point, takes_position
from bot.ingest.prompt_kinds import (  # re-exported: the prompt types live with the kinds
    ARGUMENT_KINDS as ARGUMENT_KINDS,
)
from bot.ingest.prompt_kinds import KINDS as KINDS
from bot.ingest.prompt_kinds import NARRATIVE_KINDS as NARRATIVE_KINDS
from bot.ingest.prompt_kinds import PLACEHOLDERS as PLACEHOLDERS
from bot.ingest.prompt_kinds import Citation as Citation
from bot.ingest.prompt_kinds import PromptDraft as PromptDraft
from bot.ingest.prompt_kinds import SectionDoc as SectionDoc
from bot.ingest.prompt_kinds import TemplateError as TemplateError
from bot.ingest.prompt_kinds import Templates as Templates
from bot.ingest.prompt_kinds import load_templates as load_templates

MAX_FIRST_CHOICES = 5
CONNECTION_ALTERNATIVES = 4
_SHORT_TEXT = 3000  # characters: a text this short dwells on what it names twice
_ARGUED = ("thesis", "dispute", "judgement", "general")
_STEPS = ("thesis", "dispute", "general")  # a step of an argument argues; words of judgement alone narrate
# words that name no position of their own: two texts "on" these are not on the same subject
_GENERIC_TOPICS = frozenset(
    [
        "party",
        "state",
        "people",
        "time",
        "world",
        "history",
        "government",
        "revolution",
        "power",
        "system",
        "machine",
        "course",
        "control",
        "country",
        "class",
        "question",
        "struggle",
        "war",
        "workers",
        "left",
        "right",
    ]
)

_MONTHS = frozenset(
    [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ]
)
_ADJECTIVES = frozenset(
    [
        "Soviet",
        "Russian",
        "German",
        "British",
        "French",
        "Communist",
        "Bolshevik",
        "Red",
        "White",
        "Left",
        "Right",
        "Central",
        "Western",
        "European",
        "American",
        "Chinese",
        "Polish",
        "Social",
        "Socialist",
    ]
)


def surname(name: str) -> str:
    words = name.split()
    return words[-1] if words else name


def short_title(title: str) -> str:
    short = re.split(r":\s", title, maxsplit=1)[0].strip()
    return f"*{short}*"


def speaker_name(doc: SectionDoc, claim: Claim) -> str:
    """Who speaks in a claim: the author's surname, "Trotsky (quoted by Rogovin)", or "the publishers"."""
    author = surname(doc.authors[0]) if doc.authors else "the author"
    if claim.voice == "editor":
        return "the publishers"
    if claim.kind in claims.NARRATIVE_KINDS:
        return claim.speaker or claim.term or "the narrator"  # a character speaks, not a quoted authority
    if claim.speaker and surname(claim.speaker) != author:
        return f"{claim.speaker} (quoted by {author})" if doc.authors else claim.speaker
    return author


def cite(doc: SectionDoc, passage: Passage) -> Citation:
    return Citation(doc.book_id, doc.book_title, doc.section_id, doc.position, passage.paragraph, passage.text)


@dataclass
class Generator:
    """Prompts for readings of one library; each section's argument model is built once and reused.

    `models` may be preloaded with the models stored when the books were added; missing ones are built here
    with the same function, so the result is the same either way.
    """

    library: Sequence[SectionDoc]
    index: LibraryIndex
    templates: Templates
    models: dict[int, ArgumentModel] = field(default_factory=dict)
    _kinds: dict[int, str] = field(default_factory=dict)
    _owners: dict[str, frozenset[int]] | None = None
    _memoirs: dict[int, bool] = field(default_factory=dict)

    def book_kind(self, book_id: int) -> str:
        if book_id not in self._kinds:
            texts = [p.text for d in self.library if d.book_id == book_id for p in d.paragraphs]
            self._kinds[book_id] = booktype.classify(texts)
        return self._kinds[book_id]

    def _memoir(self, book_id: int) -> bool:
        if book_id not in self._memoirs:
            self._memoirs[book_id] = _told_as_i(" ".join(d.text for d in self.library if d.book_id == book_id))
        return self._memoirs[book_id]

    def model(self, doc: SectionDoc) -> ArgumentModel:
        if doc.section_id not in self.models:
            self.models[doc.section_id] = claims.build(
                doc.section_id,
                doc.paragraphs,
                self.index,
                authors=doc.authors,
                book_kind=self.book_kind(doc.book_id),
                opening=doc.position == 1,
            )
        return self.models[doc.section_id]

    def _template(self, doc: SectionDoc, kind: str, salt: str, provided: set[str]) -> str:
        """A template of the kind whose placeholders all have values (the evidence one only with evidence)."""
        fitting = [t for t in self.templates[kind] if set(re.findall(r"{(\w+)}", t)) <= provided]
        most = max((len(set(re.findall(r"{(\w+)}", t))) for t in fitting), default=0)
        options = [t for t in fitting if len(set(re.findall(r"{(\w+)}", t))) == most] or list(self.templates[kind])
        return options[zlib.crc32(f"{doc.book_title}|{doc.position}|{kind}|{salt}".encode()) % len(options)]

    def _fill(self, doc: SectionDoc, kind: str, claim: Claim, salt: str = "", **extra: str) -> str:
        values = {
            "who": speaker_name(doc, claim),
            "excerpt": claim.text,
            "book": short_title(doc.book_title),
            "heading": doc.heading or f"section {doc.position}",
            **extra,
        }
        return self._template(doc, kind, salt, set(values)).format_map(_Blank(values))

    def generate(self, doc: SectionDoc) -> list[PromptDraft]:
        """Prompts for one reading: at most five first choices, then alternatives (connections to other sections,
        fillers for a reading of narration)."""
        model = self.model(doc)
        narrative = model.book_kind == booktype.NARRATIVE
        drafts = self._narrative(doc, model) if narrative else self._argument(doc, model)
        first = [d for d in drafts if d.alternative == 0][:MAX_FIRST_CHOICES]
        kept_kinds = {d.kind for d in first}
        alternatives = [d for d in drafts if d.alternative > 0 and d.kind in kept_kinds]
        if not narrative and len(kept_kinds) < 3:
            # a reading told as narration (Collins's opening night in the Smolny) has too few argued claims to
            # discuss: its best sentences as they come fill the kinds the strict pass did not find, as alternatives,
            # so a reading of several sections asks another section's argued claim first (`choose_generated`)
            fillers = [d for d in self._argument(doc, model, strict=False) if d.kind not in kept_kinds]
            alternatives += [replace(d, alternative=max(d.alternative, 1)) for d in fillers]
        return first + alternatives

    # ------------------------------------------------------------ argument
    def _argument(self, doc: SectionDoc, model: ArgumentModel, *, strict: bool = True) -> list[PromptDraft]:
        """`strict`: argued claims lead, structure joins neighbouring steps; the lenient pass, which fills a reading
        of narration, lets claims with only words of judgement lead and steps far apart be joined (never a claim
        that is not the author's own point)."""

        def point(claim: Claim) -> bool:
            return own_point(doc, claim) and contestable(claim)

        def near(one: Claim, other: Claim) -> bool:
            return consecutive(one, other) if strict else one.text != other.text

        judged = 3 if strict else 0
        used: set[str] = set()
        drafts: list[PromptDraft] = []

        def take(kind: str, claim: Claim, extra_cites: Sequence[Passage] = (), salt: str = "", **extra: str) -> None:
            used.add(claim.text)
            citations = (cite(doc, claim.passage), *(cite(doc, p) for p in extra_cites))
            text = self._fill(doc, kind, claim, salt, **extra)
            drafts.append(PromptDraft(kind, text, citations, extra.get("term")))

        def fresh(accept: Callable[[Claim], bool]) -> Claim | None:
            return next((c for c in model.claims if c.text not in used and accept(c)), None)

        own = [c for c in model.claims if c.voice == "author"]
        # a claim the author argues (a cue of thesis, dispute or generality) leads; a sentence with only words of
        # judgement is often narration with adjectives ("The bureaucracy reacted with panic-stricken fury")
        central = sorted((c for c in own if c.kind in _ARGUED and point(c)), key=lambda c: c.kind == "judgement")
        if central and central[0].kind == "judgement" and (strict or cues.evaluative(central[0].text) < judged):
            # words of judgement alone do not make a point to argue about: a reading of narration ("Amidst
            # tumultuous applause, the Bolsheviks announce…") has no central claim of its own; a reading of several
            # sections asks another section's argued claim first (`choose_generated`)
            central = []
        # a view the reading sets out ("On the anarchist left the view is…") and the author's answer to it
        positions = [c for c in model.claims if c.kind == "position"]
        answer = next(
            (
                c
                for c in own
                if c.kind in ("dispute", "thesis") and any(p.passage.paragraph < c.passage.paragraph for p in positions)
            ),
            None,
        )
        if answer is not None:
            nearest = max(p.passage.paragraph for p in positions if p.passage.paragraph < answer.passage.paragraph)
            position = max(
                (p for p in positions if p.passage.paragraph == nearest),
                key=lambda p: (cues.thesis_cues(p.text) + cues.evaluative(p.text), p.score),
            )
            used.add(answer.text)
            # when the answer is the reading's best claim, the disagreement is what the reading is about
            kind = "central" if central and central[0] is answer else "dispute"
            extra = {"opponent": position.opponent or "others", "later": answer.text}
            used.add(position.text)
            text = self._fill(doc, "dispute", position, **extra)
            drafts.append(PromptDraft(kind, text, (cite(doc, position.passage), cite(doc, answer.passage))))
        if central and not any(d.kind == "central" for d in drafts):
            take("central", next((c for c in central if c.text not in used), central[0]))
        # before evaluation takes the best claims; never on the central claim's passage (a blind review met the
        # same quotation twice in one reading's questions)
        drafts.extend(self._connections(doc, model, used))
        # the best claim left, asked for its evidence (the group finds it: a passage put beside the claim as "the
        # evidence" misfired in a blind review — a 1989 letter offered for a claim about falsifiers of history)
        # a claim that reports an opponent's view ("Some opponents … claimed that…") is for the dispute question
        evaluated = fresh(
            lambda c: c.voice == "author" and c.kind in ("thesis", "dispute") and c.opponent is None and point(c)
        )
        evaluated = evaluated or fresh(
            lambda c: (
                c.voice == "author" and c.kind == "judgement" and point(c) and cues.evaluative(c.text) >= judged - 1
            )
        )
        if evaluated is not None:
            take("evaluation", evaluated)
        disputed = fresh(lambda c: c.kind == "dispute" and c.voice == "author" and c.opponent is not None)
        other_view = fresh(
            lambda c: (
                c.kind == "position" and all(c.passage.paragraph != x.paragraph for d in drafts for x in d.citations)
            )
        )
        if disputed is not None and not any(d.kind == "dispute" for d in drafts):
            opponent = disputed.opponent or ""
            extra = {"opponent": opponent if opponent[:1].isupper() else f"{opponent} who hold otherwise"}
            reporter = _REPORTED_SUBJECT.match(disputed.text)
            if reporter and reporter.group(1) != speaker_name(doc, disputed):
                extra["who"] = f"{reporter.group(1)} (as {speaker_name(doc, disputed)} reports)"
            take("dispute", disputed, (), **extra)
        elif other_view is not None and not any(d.kind == "dispute" for d in drafts):
            take("dispute", other_view, view_of=other_view.opponent or "others")
        # the publication's standpoint: first from the notes kept as the book's provenance (#13), else from an
        # editor's paragraph still inside the reading
        stated = claims.provenance_claims(doc.provenance) if doc.position == 1 else []
        standpoint = next((c for c in [*stated, *model.claims] if c.kind == "standpoint"), None)
        if standpoint is not None and doc.position == 1:
            # the publishers who take issue with the author ("Though we disagree with the author's caricaturing…")
            # are asked about their charge, not whether they summarise the argument fairly
            against = {"opponent": "the author"} if cues.dispute_cues(standpoint.text) else {}
            take("provenance", standpoint, (), "", **against)
        defined = fresh(
            lambda c: (
                c.kind == "definition"
                and c.term is not None
                and c.voice != "editor"
                and not standalone.points_back(c.text)
                and not _SOMEONE_ELSES_TERM.search(c.text)
            )
        )
        if defined is not None:
            take("comprehension", defined, term=defined.term or "")
        general = fresh(
            lambda c: (
                c.kind == "general"
                and c.voice != "editor"
                and c.passage.first == c.passage.last
                and applies_beyond_case(c)
                and not standalone.points_back(c.text)
            )
        )
        if general is not None:
            take("application", general)
        if len(drafts) < 3 and central:
            # how the argument hangs together: the central claim and the argued step next to it (the same or the
            # next paragraphs); two claims pages apart are two claims, not a step of one argument
            step = fresh(lambda c: c.voice == "author" and c.kind in _STEPS and point(c) and near(central[0], c))
            if step is None:  # a short reading: how its two claims hang together, when they are neighbours
                step = next((c for c in central[1:] if c.text != central[0].text and near(central[0], c)), None)
            ordered = sorted((central[0], step), key=lambda c: (c.passage.paragraph, c.passage.first)) if step else []
            if ordered and follows_from(ordered[0], ordered[1]):
                first, second = ordered
                used.add(second.text if first is central[0] else first.text)
                text = self._fill(doc, "structure", first, later=second.text)
                drafts.append(PromptDraft("structure", text, (cite(doc, first.passage), cite(doc, second.passage))))
        while strict and central and len(drafts) < 3:
            # a reading with few kinds of question but more than one argued claim: the next claim is worth a
            # question of its own rather than a weaker kind ("NEP may well have been necessary … but it was an
            # almighty concession to capitalism…" beside the reading's central claim)
            further = fresh(
                lambda c: c.voice == "author" and c.kind in ("thesis", "dispute") and c.opponent is None and point(c)
            )
            if further is None:
                break
            take("evaluation", further, salt=str(len(drafts)))
        order = {kind: i for i, kind in enumerate(ARGUMENT_KINDS)}
        drafts.sort(key=lambda d: (order[d.kind], d.alternative))
        return [d for d in drafts if d.text.rstrip().endswith("?")]

    def _connections(self, doc: SectionDoc, model: ArgumentModel, used: set[str]) -> list[PromptDraft]:
        """Pairs of claims, here and in another book, that take positions on the same person, event or concept.

        A subject qualifies when it is a key term of this reading, named (not a lone common word or a bare date),
        named in under a third of the library's readings, and dwelt on by both texts; each side contributes its
        best argued claim about it (`takes_position`), so both texts take positions on it rather than mention it.
        """
        owners = self._owners_of_passages()
        # a passage of another book is the other side of at most two connections in the library, those it fits best,
        # in two different books (a blind review met Peters's "only the Left Opposition…" five times)
        pairs = [p for p in self._candidates(doc, model, used) if doc.section_id in owners.get(p[4].text, ())]
        found: list[PromptDraft] = []
        linked: list[int] = []
        for _, topic, a, other, b in pairs:
            if linked.count(other.book_id) >= 2 or any(b.text in d.citations[1].excerpt for d in found):
                continue  # two sections of a book at most: a second one is there for when the first is gated
            linked.append(other.book_id)
            text = self._fill(
                doc,
                "connection",
                a,
                salt=str(len(found)),
                topic=topic,
                other_who=speaker_name(other, b),
                other_excerpt=b.text,
                other_book=short_title(other.book_title),
                other_heading=other.heading or f"section {other.position}",
            )
            citations = (cite(doc, a.passage), cite(other, b.passage))
            found.append(PromptDraft("connection", text, citations, topic, len(found)))
            if len(found) >= CONNECTION_ALTERNATIVES:
                break
        if found:
            used.add(found[0].citations[0].excerpt)
        return found

    def _candidates(
        self, doc: SectionDoc, model: ArgumentModel, used: set[str]
    ) -> list[tuple[float, str, Claim, SectionDoc, Claim]]:
        """Every pair of claims, this reading's and another book's, on a subject both take positions on; best first."""
        here_text = doc.text
        dwelt_here = {topic_key(t): t for t in model.terms if self._rare(topic_key(t))}
        best_here = _best_claims(doc, model, dwelt_here, used)
        pairs: list[tuple[float, str, Claim, SectionDoc, Claim]] = []
        for other in self.library:
            if other.book_id == doc.book_id or self.book_kind(other.book_id) != booktype.ARGUMENT:
                continue
            best_there = _best_claims(other, self.model(other), dwelt_here, set())
            for key, a in best_here.items():
                b = best_there.get(key)
                if b is None or not self._shared_subject(dwelt_here[key], here_text, other.text):
                    continue
                if not (takes_position(a, dwelt_here[key]) and takes_position(b, dwelt_here[key])):
                    continue  # one side names the subject in passing: a shared word, not a disagreement
                pairs.append((a.score + b.score + self.index.idf(key), dwelt_here[key], a, other, b))
        pairs.sort(key=lambda item: (-item[0], item[3].book_id, item[3].position, item[2].text))
        return pairs

    def _owners_of_passages(self) -> dict[str, frozenset[int]]:
        """For each passage a connection could quote from another book, the readings (two at most, of different
        books) whose pairs with it score best; computed once for the library, so the answer does not depend on
        which reading is asked first."""
        if self._owners is None:
            uses: dict[str, list[tuple[float, int, int]]] = {}
            for doc in self.library:
                if self.book_kind(doc.book_id) != booktype.ARGUMENT:
                    continue
                for score, _, _, _, b in self._candidates(doc, self.model(doc), set()):
                    uses.setdefault(b.text, []).append((-score, doc.section_id, doc.book_id))
            owners: dict[str, frozenset[int]] = {}
            for text, found in uses.items():
                kept: list[tuple[int, int]] = []
                for _, section, book in sorted(found):
                    if len(kept) < 2 and all(book != b for _, b in kept):
                        kept.append((section, book))
                owners[text] = frozenset(section for section, _ in kept)
            self._owners = owners
        return self._owners

    def _rare(self, key: str) -> bool:
        """Not a name every reading mentions ("Stalin" in a library about Stalinism joins nothing to anything)."""
        return self.index.documents < 4 or self.index.df.get(key, 0) <= 0.4 * self.index.documents

    def _shared_subject(self, topic: str, here: str, there: str) -> bool:
        """A person, event or named concept both texts dwell on (three times or more each), that few readings of the
        library name, not a common word or a date."""
        key = topic_key(topic)
        if key in _GENERIC_TOPICS or len(topic) < 4 or topic[:1].isdigit() or topic in _MONTHS:
            return False  # a date alone joins texts on a coincidence ("1923": the Ruhr and Trotsky's opposition)
        if " " not in topic and (not topic[:1].isupper() or topic in _ADJECTIVES or topic.endswith(("ian", "ist"))):
            return False  # a lone word ("roads", "wide", "Soviet") is a word, not a subject
        if self.index.documents >= 4 and self.index.df.get(key, 0) > 0.3 * self.index.documents:
            return (
                False  # a subject nearly a third of the library names ("civil war", "Bolshevik Party") joins anything
            )
        pattern = term_pattern_for(topic)
        # both texts dwell on it: a name mentioned twice in passing in a long chapter ("Bukharin", "Kamenev") is not
        # a shared position; a short text that names it twice does dwell on it
        return all(len(pattern.findall(text)) >= (2 if len(text) < _SHORT_TEXT else 3) for text in (here, there))

    # ------------------------------------------------------------ narrative
    def _narrative(self, doc: SectionDoc, model: ArgumentModel) -> list[PromptDraft]:
        drafts: list[PromptDraft] = []
        choice = next((c for c in model.of_kind("choice") if c.term), None)
        if choice is not None:
            text = self._fill(doc, "choice", choice, character=choice.term or "")
            drafts.append(PromptDraft("choice", text, (cite(doc, choice.passage),)))
        scene = next((c for c in model.of_kind("scene") if c.speaker), None)
        if scene is not None:
            text = self._fill(doc, "scene", scene)
            drafts.append(PromptDraft("scene", text, (cite(doc, scene.passage),)))
        # a character's view of life ("Happiness in marriage is entirely a matter of chance"): a question of its own,
        # whether the story bears it out
        maxim = next((c for c in model.of_kind("scene") if c.speaker and c is not scene and _maxim(c.text)), None)
        if maxim is not None:
            text = self._fill(doc, "scene", maxim, character=maxim.speaker or "")
            drafts.append(PromptDraft("scene", text, (cite(doc, maxim.passage),), alternative=0))
        aside = next(iter(model.of_kind("aside")), None)
        if aside is not None:
            # a memoir's narrator is its author ("Douglass looks back"), not "the narrator … the story so far"
            memoir = {"narrator": surname(doc.authors[0])} if doc.authors and self._memoir(doc.book_id) else {}
            text = self._fill(doc, "narration", aside, **memoir)
            drafts.append(PromptDraft("narration", text, (cite(doc, aside.passage),)))
        theme = self._theme(doc, model, {c.excerpt for d in drafts for c in d.citations})
        if theme is not None:
            drafts.append(theme)
        return drafts

    def _theme(self, doc: SectionDoc, model: ArgumentModel, used: set[str]) -> PromptDraft | None:
        """A concept word of this chapter that an earlier chapter also dwells on, a passage from each."""
        earlier = [d for d in self.library if d.book_id == doc.book_id and d.position < doc.position]
        book = [d for d in self.library if d.book_id == doc.book_id]
        for term in model.terms:
            if term[:1].isupper() or len(term) < 4:
                continue  # names are characters, not themes
            pattern = term_pattern_for(term)
            if sum(1 for d in book if pattern.search(d.text)) > len(book) / 2:
                continue  # a word of every chapter ("slave" in Douglass's Narrative) returns without being a theme
            here = next((c for c in model.claims if c.text not in used and pattern.search(c.text)), None)
            if here is None:
                continue
            for other in reversed(earlier):
                there = next((c for c in self.model(other).claims if pattern.search(c.text)), None)
                if there is not None:
                    text = self._fill(
                        doc,
                        "theme",
                        here,
                        term=term,
                        other_excerpt=there.text,
                        other_heading=other.heading or f"section {other.position}",
                    )
                    return PromptDraft("theme", text, (cite(doc, here.passage), cite(other, there.passage)), term)
        return None


# a sentence whose subject is someone else taking a position: "Rogovin takes on the claims of those who argue…"
_REPORTED_SUBJECT = re.compile(
    r"([A-Z][a-z]+)\s+(?:takes on|takes issue|rejects|refutes|argues|insists|shows|demonstrates|disputes|answers)\b"
)


def _best_claims(doc: SectionDoc, model: ArgumentModel, topics: dict[str, str], used: set[str]) -> dict[str, Claim]:
    """For each topic, the best argued claim of the reading that takes a position on it (claims are best first):
    the author's own contestable point, never a view the reading reports or a sentence that leans on another."""
    best: dict[str, Claim] = {}
    ordered = sorted(model.claims, key=lambda c: c.kind == "judgement")  # argued claims before mere judgements
    for claim in ordered:
        if claim.kind not in _ARGUED or claim.voice == "editor" or claim.text in used:
            continue
        if not (own_point(doc, claim) and contestable(claim)):
            continue  # "The Soviet Thermidor's specific character was to create such a party": which party?
        for key in {topic_key(t) for t in claim.topics} & topics.keys():
            if key not in best and takes_position(claim, topics[key]):
                best[key] = claim
    return best


# "By “educated forces”, Lenin meant…": the term is Lenin's, glossed by the author — nothing left to ask
_SOMEONE_ELSES_TERM = re.compile(r"\b[A-Z][a-z]+\s+(?:meant|called|termed|described as|referred to)\b")


def _told_as_i(text: str) -> bool:
    """Whether the narration outside quotation marks speaks as "I" throughout: a memoir or a first-person story."""
    told = re.sub(r"[“\"][^”\"]*[”\"]", " ", text)
    return len(re.findall(r"\b(?:I|my|me)\b", told)) >= max(10, len(told) // 400)


def _maxim(text: str) -> bool:
    """A line of dialogue whose spoken words hold as a general remark, not an answer to the moment."""
    spoken = " ".join(re.findall(r"[“\"]([^”\"]{20,})[”\"]", text)) or text  # mid-speech: no marks of its own
    return bool(spoken) and cues.is_general(spoken) and not re.search(r"\b(?:you|I|me|my|we)\b", spoken)


class _Blank(dict[str, str]):
    """Template values; a placeholder without one is left empty rather than failing."""

    def __missing__(self, key: str) -> str:
        return ""


def term_pattern_for(label: str) -> re.Pattern[str]:
    from bot.ingest.keyphrases import Term

    return term_pattern(Term(label.lower(), label, 0.0, 0))


def select(drafts: Sequence[PromptDraft], allowed: Callable[[Citation], bool], limit: int = 5) -> list[PromptDraft]:
    """One prompt of each kind whose citations may all be shown (the first allowed alternative), in kind order."""
    chosen: list[PromptDraft] = []
    for kind in KINDS:
        for draft in drafts:
            if draft.kind == kind and all(allowed(c) for c in draft.citations):
                chosen.append(draft)
                break
    return chosen[:limit]
