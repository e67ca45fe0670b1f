# Over 400 lines: claims, evidence, opponents, terms and voices are read in one pass over the same sentences.
"""The argument model of a reading: what it claims, on what evidence, against whom, about what, and who speaks.

Built when a book is added (stored by bot/storage/claims.py) and read by the prompt generator and the language
model. Offline and deterministic: every sentence is read for cue phrases (cues.py: claim and dispute indicators,
evidence markers, definitions, an evaluative lexicon), its voice is settled (the author, a quoted figure named by
attribution.py, or the editor/publisher), and it is placed by centrality (TF-IDF closeness to the whole reading)
and key terms (keyphrases.py). Claims are verbatim passages of one or two sentences that stand alone.

For a narrative book (booktype.py) the same model holds the reading's narrative points instead: characters'
choices, scenes told in dialogue and the narrator's own general remarks ("asides"); never claims to weigh.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.ingest import cues
from bot.ingest.attribution import (
    block_quote_speaker,
    editorial_paragraphs,
    signed_by,
    speaker_from_lead_in,
    speaker_inline,
)
from bot.ingest.keyphrases import LibraryIndex, Term, content_counts, cosine, key_terms, normalise_word, tfidf
from bot.ingest.scoring import Features, ParagraphLike, SectionScoring, named_before, section_scoring
from bot.ingest.sentences import split_sentences
from bot.ingest.standalone import is_weak_opening, parallel, problems, realises, stands_alone

ARGUMENT_KINDS = ("thesis", "dispute", "judgement", "general", "definition", "standpoint", "position")
NARRATIVE_KINDS = ("choice", "scene", "aside")
MAX_PASSAGE = 420
_CHOICE = re.compile(
    r"\b(?:decided|decides|resolved|resolves|determined to|refused|refuses|chose|chooses|made up (?:his|her|their) "
    r"mind|would not|could not bring|agreed|promised|swore|declined|consented|hesitated|resolved|vowed|"
    r"accepted|rejected|confessed|lied|forgave|betrayed|offered|gave away|did not burn|stayed|went to see)\b"
)
# "He argued that if one slave refused to be corrected…": a choice supposed or reported, not made in the story
_SUPPOSED_CHOICE = re.compile(
    r"\b(?:if|unless|whether|suppose|supposing|as though|as if)\b[^.;:]{0,60}?\b(?:decided|resolved|refused|chose|"
    r"agreed|promised|declined|consented|accepted|rejected|offered)\b|\b(?:argued|said|thought|believed|feared) that\b"
)
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z’'-]+(?:\s+(?:of\s+)?[A-Z][a-z’'-]+)*")
_PRONOUN_START = re.compile(r"^(?:He|She|They|I|We)\b")


PROVENANCE = 0  # a passage's `paragraph` when it is from the book's provenance, not a paragraph of the reading


@dataclass(frozen=True)
class Passage:
    paragraph: int  # 1-based position in the section; PROVENANCE for the book's editors'/publishers' notes
    first: int  # 0-based sentence indices in the paragraph
    last: int
    text: str  # verbatim


@dataclass(frozen=True)
class Claim:
    kind: str  # one of ARGUMENT_KINDS or NARRATIVE_KINDS
    passage: Passage
    voice: str  # "author", "quoted" or "editor"
    speaker: str | None  # the person quoted (voice "quoted"); None otherwise
    score: float
    evidence: tuple[Passage, ...] = ()  # what the reading offers for it, verbatim
    opponent: str | None = None  # whose position it takes up ("those who argue…", "Trotsky")
    term: str | None = None  # the term a definition defines or disputes; the character of a choice or scene
    topics: tuple[str, ...] = ()  # people, events, dates and concepts at stake, as the reading writes them

    @property
    def text(self) -> str:
        return self.passage.text


@dataclass(frozen=True)
class ArgumentModel:
    section_id: int
    book_kind: str  # "argument" or "narrative"
    claims: tuple[Claim, ...]  # best first: the central claims lead
    terms: tuple[str, ...] = ()  # the reading's key terms (labels), for themes and connections
    editorial: tuple[int, ...] = field(default=())  # 1-based paragraphs in the editor's voice

    def central(self, limit: int = 3) -> list[Claim]:
        kinds = ("thesis", "dispute", "judgement", "general") if self.book_kind == "argument" else NARRATIVE_KINDS
        return [c for c in self.claims if c.voice == "author" and c.kind in kinds][:limit]

    def of_kind(self, *kinds: str) -> list[Claim]:
        return [c for c in self.claims if c.kind in kinds]


def _quoted_share(inside: Sequence[int], start: int, end: int) -> float:
    """The share of text[start:end] inside quotation marks (curly or straight); `inside` from `inside_counts`."""
    return (inside[end] - inside[start]) / max(1, end - start)


def _passage(paragraph: ParagraphLike, number: int, index: int, *, editorial: bool = False) -> Passage | None:
    """The sentence as a passage that stands alone: with the sentence before when it leans on it.

    The editor's words are cited as what they are, publishing words included (the provenance prompt's point).
    """
    spans = paragraph.sentences
    for first in (index, index - 1):
        if first < 0:
            break
        text = paragraph.text[spans[first][0] : spans[index][1]].strip()
        if len(text) > MAX_PASSAGE:
            return None
        if named_before(paragraph, first, index):
            continue
        alone = stands_alone(text) or (editorial and problems(text) == ["boilerplate"])  # the editor's own words
        if alone and not is_weak_opening(text):
            return Passage(number, first, index, text)
    return None


def _whole_turn(paragraph: ParagraphLike, number: int) -> Passage | None:
    """A novel's turn of dialogue as one passage, when its sentences cut a speech in the middle ('"Which do you
    mean?" and turning round, he … coldly said, "She is tolerable; … You had better return to your partner…"')."""
    text = paragraph.text.strip()
    # a question opening the turn ("Which do you mean?") is the speaker's own, and the narration after it goes on
    # in lower case: neither leans on anything before the turn
    allowed = {"dangling opening", "a sentence inside starts in lower case"}
    if len(text) > MAX_PASSAGE or set(problems(text)) - allowed or not paragraph.sentences:
        return None
    return Passage(number, 0, len(paragraph.sentences) - 1, text)


def _passage_words(paragraph: ParagraphLike, passage: Passage, sentences: Sequence[Features]) -> Counter[str] | None:
    """The passage's content words summed from its sentences' (computed once for the quotes too), when only spaces
    lie between them: then no word runs across the join and the sum is `content_counts(passage.text)`."""
    spans = paragraph.sentences
    if passage.paragraph == PROVENANCE or not all(
        paragraph.text[spans[k][1] : spans[k + 1][0]].isspace() for k in range(passage.first, passage.last)
    ):
        return None
    if passage.first == passage.last:
        return sentences[passage.first].words
    words: Counter[str] = Counter()
    for k in range(passage.first, passage.last + 1):
        words.update(sentences[k].words)
    return words


def _voice(
    paragraph: ParagraphLike,
    depths: Sequence[int],
    inside: Sequence[int],
    index: int,
    previous: str,
    editorial: bool,
    *,
    turns: bool = False,
    alternate: str | None = None,
) -> tuple[str, str | None] | None:
    """("author" | "editor" | "quoted", speaker) for a sentence; None when it quotes someone we cannot name.
    `turns`: a novel's paragraph is one speaker's turn, so a later sentence of a speech is by whoever the
    paragraph named first ('"Well," said Charlotte, "… Happiness in marriage is entirely a matter of chance."').
    `alternate`: in a two-way exchange, the speaker two turns back, for a speech tagged only "he said"."""
    block = block_quote_speaker(previous, paragraph.text)
    if block is not None:
        return ("quoted", block)  # the paragraph after "Trotsky describes the origin of this mentality:"
    signed = signed_by(paragraph.text)
    if signed is not None:  # an epigraph signed by its poet: "…choice and common good ordain. --THOMSON."
        return ("quoted", signed)
    start, end = paragraph.sentences[index]
    if depths[start] > 0 or _quoted_share(inside, start, end) > 0.5:
        before = paragraph.text[:start] or previous
        speaker = speaker_inline(paragraph.text[start : min(len(paragraph.text), end + 60)])
        speaker = speaker or speaker_from_lead_in(before)
        if speaker is None and turns and start > 0:
            speaker = speaker_inline(paragraph.text[:start])
        if speaker is None and alternate is not None and _pronoun_tag(paragraph.text, alternate):
            speaker = alternate  # '"Which do you mean?" … he … coldly said, "She is tolerable…"' after Bingley
        return ("quoted", speaker) if speaker else None
    return ("editor", None) if editorial else ("author", None)


_SPEECH_VERBS = r"(?:said|replied|cried|answered|returned|asked|rejoined|observed|exclaimed|continued)"
# "said he", "he said", "he withdrew his own and coldly said": a speech tagged by a pronoun in its own clause
_PRONOUN_TAG = re.compile(rf"\b{_SPEECH_VERBS}\s+(he|she)\b|\b(he|she)\b[^.!?;“”\"]{{0,60}}?\b{_SPEECH_VERBS}\b")


def _pronoun_tag(text: str, speaker: str) -> bool:
    """Whether the paragraph's speech is untagged, or tagged only by a pronoun that can mean `speaker` ("he" is
    not "Mrs. …")."""
    tag = _PRONOUN_TAG.search(text)
    if tag is None:
        return text.lstrip()[:1] in '“"' and not re.search(rf"\b{_SPEECH_VERBS}\b", text)
    pronoun = tag.group(1) or tag.group(2)
    excluded = ("Mrs", "Mrs.", "Miss") if pronoun == "he" else ("Mr", "Mr.")
    return speaker.split()[0] not in excluded


def topics_of(text: str, terms: Sequence[Term]) -> tuple[str, ...]:
    """People, events, dates and key concepts a passage is about, as it writes them (names and years first)."""
    found: list[str] = []
    for match in _NAME.finditer(text):
        name = match.group(0)
        if name.split()[0] in ("The", "A", "An", "In", "On", "At", "But", "And", "This", "That", "It", "He", "She"):
            name = " ".join(name.split()[1:])
        if len(name) > 2 and name not in found:
            found.append(name)
    found += [y for y in cues.years(text) if y not in found]
    lowered = text.lower()
    for term in terms:
        if term.label.lower() in lowered and term.label not in found:
            found.append(term.label)
    return tuple(found[:8])


def topic_key(topic: str) -> str:
    return " ".join(normalise_word(w) for w in topic.split())


def _evidence(
    paragraphs: Sequence[ParagraphLike], number: int, index: int, backing: dict[int, list[tuple[int, int, str]]]
) -> tuple[Passage, ...]:
    """Up to two nearby sentences that back the claim: dates, figures, documents, quotations, examples.
    `backing`: each paragraph's sentences that could back a claim, filled as they are first asked for (the claims
    of one paragraph share their neighbours)."""
    options: list[tuple[int, Passage]] = []
    for p in (number, number + 1, number - 1):
        if not 1 <= p <= len(paragraphs):
            continue
        if p not in backing:
            backing[p] = _backing(paragraphs[p - 1])
        for k, strength, text in backing[p]:
            if p == number and k == index:
                continue
            distance = abs(p - number) * 10 + abs(k - index)
            options.append((distance - 2 * min(strength, 3), Passage(p, k, k, text)))
    options.sort(key=lambda item: (item[0], item[1].paragraph, item[1].first))
    return tuple(p for _, p in options[:2])


def _backing(paragraph: ParagraphLike) -> list[tuple[int, int, str]]:
    """(sentence index, strength, text) of the paragraph's sentences that can serve as evidence."""
    found = []
    for k, (s, e) in enumerate(paragraph.sentences):
        text = paragraph.text[s:e].strip()
        # evidence: a date with a figure, a document, a quotation — one date alone is narration, not evidence
        strength = cues.evidence_cues(text) + (1 if "“" in text or '"' in text else 0)
        if strength < 2 or len(text) < 80 or not cues.has_verb(text):
            continue
        if stands_alone(text) and not is_weak_opening(text):
            found.append((k, strength, text))
    return found


def build(
    section_id: int,
    paragraphs: Sequence[ParagraphLike],
    index: LibraryIndex,
    *,
    authors: tuple[str, ...],
    book_kind: str,
    opening: bool,
    limit: int = 24,
    scoring: SectionScoring | None = None,
) -> ArgumentModel:
    """The argument (or narrative) model of one reading. `opening`: it is the book's first section. `scoring`: the
    section's `section_scoring`, when the caller shares it with the quote candidates."""
    texts = [p.text for p in paragraphs]
    whole = "\n\n".join(texts)
    scoring = scoring or section_scoring(paragraphs, index)
    terms = scoring.terms or key_terms(whole, index, limit=15, min_count=1)
    centre, centre_length = scoring.centre, scoring.centre_length
    editorial = editorial_paragraphs(texts, authors, opening=opening)
    found: list[Claim] = []
    previous = ""
    last = len(paragraphs)
    backing: dict[int, list[tuple[int, int, str]]] = {}
    turn_speakers: list[str | None] = []  # a novel's dialogue: who spoke in each paragraph, None for narration
    for number, paragraph in enumerate(paragraphs, start=1):
        spoke: str | None = None
        two_way = len(turn_speakers) >= 2 and None not in turn_speakers[-2:] and turn_speakers[-1] != turn_speakers[-2]
        alternate = turn_speakers[-2] if two_way and book_kind != "argument" else None
        depths = scoring.depths[number - 1]
        inside = scoring.inside[number - 1]
        dialogue = _quoted_share(inside, 0, len(paragraph.text)) > 0.3
        # a paragraph that opens by reporting a view ("On the anarchist left the view is that…") sets out a
        # position the author takes up, not the author's own claims
        reported = cues.reported_view(paragraph.text) if book_kind == "argument" else None
        for index_in, (start, end) in enumerate(paragraph.sentences):
            sentence = paragraph.text[start:end].strip()
            voice = _voice(
                paragraph,
                depths,
                inside,
                index_in,
                previous,
                number - 1 in editorial,
                turns=book_kind != "argument",
                alternate=alternate,
            )
            if voice is not None and voice[0] == "quoted" and spoke is None:
                spoke = voice[1]
            if voice is None or len(sentence) < 30:
                continue
            kind: str | None
            if reported and voice[0] == "author":
                kind, score = "position", 1.0 + 0.3 * min(cues.thesis_cues(sentence) + cues.evaluative(sentence), 3)
            elif book_kind == "argument":
                kind, score = _argument_kind(sentence, voice[0])
            else:
                kind, score = _narrative_kind(sentence, voice[0], dialogue)
            if kind is None:
                continue
            passage = _passage(paragraph, number, index_in, editorial=voice[0] == "editor")
            if passage is None and kind == "scene":
                passage = _whole_turn(paragraph, number)
            actor = None
            if kind == "choice":
                # "He resolved…": the character who began a sentence last in the paragraph; a pronoun with no name
                # in its paragraph is not guessed ("while she chose…" was put to the wrong woman)
                told = passage.text if passage else sentence
                actor = character(told, whole) or character(paragraph.text[:end], whole)
                if passage is None and actor and len(sentence) <= MAX_PASSAGE:
                    passage = Passage(number, index_in, index_in, sentence)
                if actor is None:
                    continue
            elif kind == "scene":
                actor = voice[1]
            if passage is None:
                continue
            words = _passage_words(paragraph, passage, scoring.sentences[number - 1])
            if words is None:
                words = content_counts(passage.text)
            centrality = cosine(tfidf(words, index), centre, centre_length)
            term_hits = sum(1 for t in terms if t.label.lower() in passage.text.lower())
            position = 0.4 if number <= 2 or number == last else 0.0
            score += 2.5 * min(centrality * 2.5, 1.0) + 0.4 * min(term_hits, 3) + position
            found.append(
                Claim(
                    kind=kind,
                    passage=passage,
                    voice=voice[0],
                    speaker=voice[1],
                    score=round(score, 4),
                    evidence=_evidence(paragraphs, number, index_in, backing) if book_kind == "argument" else (),
                    opponent=reported if kind == "position" else cues.opponent(sentence) if kind == "dispute" else None,
                    term=cues.defined_term(sentence) if kind == "definition" else actor,
                    topics=topics_of(passage.text, terms),
                )
            )
        previous = paragraph.text
        if spoke is None and alternate is not None and _pronoun_tag(paragraph.text, alternate):
            spoke = alternate  # an untagged turn of a two-way exchange
        turn_speakers.append(spoke)
    found.sort(key=lambda c: (-c.score, c.passage.paragraph, c.passage.first))
    kept: list[Claim] = []
    used: set[tuple[int, int]] = set()
    for claim in found:
        sentences = {(claim.passage.paragraph, k) for k in range(claim.passage.first, claim.passage.last + 1)}
        if sentences & used:
            continue
        used |= sentences
        kept.append(claim)
        if len(kept) >= limit:
            break
    return ArgumentModel(
        section_id, book_kind, tuple(kept), tuple(t.label for t in terms), tuple(sorted(i + 1 for i in editorial))
    )


@dataclass(frozen=True)
class _Note:
    text: str
    sentences: tuple[tuple[int, int], ...]


def provenance_claims(notes: Sequence[str]) -> list[Claim]:
    """The standpoints the publishers state in the book's provenance: the editors', publishers' and translators'
    notes ingestion took out of the readings (bot/ingest/provenance.py). Always in the editor's voice, never the
    author's; their passages carry `paragraph == PROVENANCE` (they are no paragraph of a reading), best first.

    Kept apart from a reading's stored model: the notes belong to the book, and a passage outside the reading has
    no paragraph position to store.
    """
    found = []
    for note in notes:
        paragraph = _Note(note, tuple(split_sentences(note)))
        for index, (start, end) in enumerate(paragraph.sentences):
            sentence = note[start:end].strip()
            kind, score = _argument_kind(sentence, "editor") if len(sentence) >= 30 else (None, 0.0)
            passage = _passage(paragraph, PROVENANCE, index, editorial=True) if kind else None
            if kind and passage:
                found.append(Claim(kind, passage, "editor", None, round(score, 4), topics=topics_of(passage.text, ())))
    found.sort(key=lambda c: (-c.score, c.passage.first))
    return found


def _argument_kind(sentence: str, voice: str) -> tuple[str | None, float]:
    thesis = cues.thesis_cues(sentence)
    dispute = cues.dispute_cues(sentence)
    judged = cues.evaluative(sentence)
    dated = len(cues.years(sentence))
    if voice == "editor":
        stance = (
            dispute
            or thesis >= 1
            or re.search(r"\b(?:we|our) (?:disagree|support|defend|reject|stand|believe)", sentence, re.I)
        )
        return ("standpoint", 1.0 + dispute + min(thesis, 2)) if stance else (None, 0.0)
    if cues.defined_term(sentence):
        return "definition", 0.8 + 0.3 * thesis
    if dispute:
        return "dispute", 1.4 + 0.6 * min(dispute, 2) + 0.4 * min(thesis, 2) + 0.2 * min(judged, 3)
    if cues.is_general(sentence):
        return "general", 1.2 + 0.5 * min(thesis, 2) + 0.2 * min(judged, 3)
    if thesis >= 1:
        # a dated report with one stray cue is narration: it needs more than one cue, or words of judgement
        penalty = 0.6 if dated and thesis < 2 and judged == 0 else 0.0
        return "thesis", 1.0 + 0.5 * min(thesis, 3) + 0.25 * min(judged, 3) - penalty
    if judged >= 2 and not dated:
        return "judgement", 0.3 + 0.2 * min(judged, 4)
    if (thesis or judged) and not dated:
        return "judgement", 0.1 * (thesis + judged)  # a weak sign: fills a short reading, never leads a long one
    return None, 0.0


def _narrative_kind(sentence: str, voice: str, dialogue: bool) -> tuple[str | None, float]:
    if voice == "quoted":
        # a line that says something of the speaker or the world, not an aside ("I do not cough for my own
        # amusement," replied Kitty fretfully): long enough, with a judgement or a general remark in it
        spoken = " ".join(re.findall(r"[“\"]([^”\"]+)(?:[”\"]|$)", sentence)) or sentence  # a speech may run on
        judged = cues.evaluative(spoken)
        general = cues.is_general(spoken)
        if len(spoken) < 60 or not (judged or general):
            return None, 0.0
        return "scene", 0.8 + 0.3 * min(judged, 3) + (0.5 if general else 0.0)
    if _CHOICE.search(sentence) and not _SUPPOSED_CHOICE.search(sentence):
        return "choice", 1.3 + 0.2 * min(cues.evaluative(sentence), 3)
    if not dialogue and cues.is_general(sentence) and not _PRONOUN_START.match(sentence):
        return "aside", 1.1 + 0.3 * min(cues.evaluative(sentence), 3)
    if not dialogue and ((realises(sentence) and cues.evaluative(sentence)) or parallel(sentence)):
        # a memoir's turning point ("I now understood … the white man's power to enslave the black man"), its
        # antitheses: the narrator's own remark, as a general aside is
        return "aside", 1.0 + 0.3 * min(cues.evaluative(sentence), 3)
    return None, 0.0


def character(text: str, context: str = "") -> str | None:
    """Whose choice a passage tells: the named subject of the choice verb ("Thomas offered…"), or, after a
    pronoun ("He resolved…"), the last character who began a sentence before it; never a name inside a
    quotation, and nobody when a relative clause makes the verb someone else's ("…examined by the coroner, who
    decided…" is the coroner's, not the last name's). `context`: the reading, where a name shows it is one."""
    dotted = {m.group(1) for m in _TITLE_STOP.finditer(text)}
    text = _TITLE_STOP.sub(r"\1", text)  # "Mrs. Hurst" is one name, not a sentence end before "Hurst"
    verbs = list(_CHOICE.finditer(text))
    if not verbs:
        return None
    if re.search(r"\b(?:who|which|whom)\s+(?:\w+ly\s+|had\s+|has\s+)?$|\bthat\s+$", text[: verbs[-1].start()]):
        return None
    before = re.sub(r"[“\"][^”\"]*[”\"]", " ", text[: verbs[-1].start()])
    subjects = [
        m.group(1)
        for m in re.finditer(
            r"(?:^|[.!?;]\s+|\n)\s*((?:(?:Mr|Mrs|Miss|Dr)\.?\s+)?[A-Z][a-z’'-]+(?:\s+[A-Z][a-z’'-]+)?)", before
        )
        if m.group(1).split()[0] not in _NOT_CHARACTERS and _proper_name(m.group(1), context or text)
    ]
    pronoun = re.search(r"\b(he|she|they|we|you|I)\s+(?:\w+\s+)?$", before, re.IGNORECASE)
    if pronoun and pronoun.group(1).lower() not in ("he", "she"):
        return None  # "…where they chose it": not one character's choice
    if pronoun:  # "…to think of her as he chose": not "Miss Bennet", whose sentence it is
        excluded = ("Mrs", "Miss") if pronoun.group(1).lower() == "he" else ("Mr",)
        subjects = [s for s in subjects if s.split()[0] not in excluded]
    found = subjects[-1] if subjects else None  # a name further in ("…with Mrs. Hurst") is not the one choosing
    if found and found.split()[0] in dotted:
        found = found.replace(found.split()[0], found.split()[0] + ".", 1)  # written as the book writes it
    return found


def _proper_name(name: str, text: str) -> bool:
    """A name, not a capitalised first word ("Overseers", "My"): it has a title, or the reading also writes it
    capitalised inside a sentence."""
    if name.split()[0] in ("Mr", "Mrs", "Miss", "Dr"):
        return True
    return re.search(rf"[a-z,;]\s+{re.escape(name.split()[0])}\b", text) is not None


_TITLE_STOP = re.compile(r"\b(Mr|Mrs|Miss|Dr|St)\.")


_ANY_NAME = re.compile(r"\b(?:(?:Mr|Mrs|Miss|Dr)\.?\s+)?[A-Z][a-z’'-]+(?:\s+[A-Z][a-z’'-]+)?")
_NOT_CHARACTERS = frozenset(
    [
        "The",
        "A",
        "An",
        "In",
        "On",
        "At",
        "But",
        "And",
        "This",
        "That",
        "It",
        "He",
        "She",
        "They",
        "I",
        "We",
        "When",
        "Then",
        "If",
        "As",
        "So",
        "Yet",
        "His",
        "Her",
        "Their",
        "There",
        "Here",
        "What",
        "Why",
        "How",
        "Who",
        "Your",
        "Father",
        "Mother",
        "Men",
        "Women",
        "Nobody",
        "Everyone",
        "No",
        "Pride",
        "Half",
    ]
)
