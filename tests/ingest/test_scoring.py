"""The shortcuts that make a book's analysis fast give the very answers of the plain definitions (#13).

Quotation depths built a run at a time equal the character-at-a-time walk; runs of words split in C equal the
token-at-a-time reading; a section's phrases and content words concatenated from its sentences equal reading the
whole section, and where they could not (a run of words across a join, text outside the sentences) the whole
section is read instead. Asking the standalone rules most often broken first gives `not problems(text)`; cue
patterns told that a match starts on a word find the same matches.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.ingest import cues, ingest_path, standalone
from bot.ingest.keyphrases import _chunks, _is_content, content_counts, normalise_word, phrase_list
from bot.ingest.model import Paragraph
from bot.ingest.scoring import inside_counts, quote_depths, read_section, straight_quote_opens
from bot.ingest.sentences import split_sentences
from bot.ingest.standalone import problems, stands_alone

ROOT = Path(__file__).resolve().parents[2]
_TOKEN = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*|\d+(?:st|nd|rd|th)?|[^\w\s]", re.UNICODE)


def reference_depths(text: str) -> list[int]:
    """The definition: depth before each character; curly quotes nest; a straight quote opens after a space (or
    the start) before a non-space, closes before a space or punctuation, and toggles only when glued both sides."""
    depths, depth, straight_open = [], 0, False
    for i, ch in enumerate(text):
        depths.append(depth)
        if ch in "“„":
            depth += 1
        elif ch == "”":
            depth = max(0, depth - 1)
        elif ch == '"':
            before = text[i - 1] if i > 0 else " "
            after = text[i + 1] if i + 1 < len(text) else " "
            opens = straight_quote_opens(before, after, straight_open)  # the rule; what is tested is the walk
            depth = depth + 1 if opens else max(0, depth - 1)
            straight_open = opens
    depths.append(depth)
    return depths


def reference_chunks(text: str) -> list[list[str]]:
    """The definition: tokens read one at a time; any mark but a hyphen or apostrophe ends a run."""
    out: list[list[str]] = []
    current: list[str] = []
    for token in _TOKEN.findall(text):
        if token[0].isalpha() or token[0].isdigit():
            current.append(token)
        elif token in "-'’" and current:
            continue
        else:
            if current:
                out.append(current)
            current = []
    if current:
        out.append(current)
    return out


def reference_phrases(text: str) -> list[tuple[str, str]]:
    """The definition: from each content word, runs of up to four words ending on a content word, joiners inside
    ("socialism in one country"); a capitalised word followed by a capitalised content word ends none (the name
    goes on)."""
    found = []
    for chunk in reference_chunks(text):
        n = len(chunk)
        content = [_is_content(w) for w in chunk]
        keys = [normalise_word(w) for w in chunk]
        for i in range(n):
            if not content[i]:
                continue
            for j in range(i, min(n, i + 4)):
                if j > i and not (
                    content[j] or chunk[j].lower() in ("of", "in", "one", "the", "for", "against", "without")
                ):
                    break
                if not content[j]:
                    continue
                if chunk[j][0].isupper() and j + 1 < n and chunk[j + 1][0].isupper() and content[j + 1]:
                    continue
                bare = re.sub(r"['’]s?$", "", chunk[j])
                found.append((" ".join(keys[i : j + 1]), " ".join([*chunk[i:j], bare])))
    return found


PHRASE_WORDS = st.sampled_from(
    [
        "the",
        "of",
        "in",
        "one",
        "Fourth",
        "International",
        "Committee",
        "Lenin’s",
        "party",
        "country",
        "Socialism",
        "A",
        "and",
        "war",
        "1917",
        "against",
        "revolutions",
        ",",
        ".",
        "x",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(PHRASE_WORDS, max_size=16).map(" ".join))
def test_phrases_equal_the_definition(text: str) -> None:
    assert list(phrase_list(text)) == reference_phrases(text)


TEXT = st.text(alphabet="ab Z1½²_-'’.,;“”„\"‘\n\t éstlyBCD", max_size=80)


@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_quote_depths_equal_the_character_walk(text: str) -> None:
    depths = quote_depths(text)
    assert depths == reference_depths(text)
    assert inside_counts(depths) == [0, *[sum(1 for d in depths[: k + 1] if d > 0) for k in range(len(depths))]]


@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_runs_of_words_equal_the_token_reading(text: str) -> None:
    assert list(_chunks(text)) == reference_chunks(text)
    # content words: every token asked, not only those of a run, gives the same words in the same order
    expected = Counter(normalise_word(w) for chunk in reference_chunks(text) for w in chunk if _is_content(w))
    assert list(content_counts(text).items()) == list(expected.items())


def _paragraph(text: str, spans: list[tuple[int, int]]) -> Paragraph:
    return Paragraph(text, tuple(spans))


def _same_as_whole(paragraphs: list[Paragraph]) -> None:
    read = read_section(paragraphs)
    assert list(read.phrases.items()) == list(Counter(phrase_list(read.text)).items())
    assert list(read.words.items()) == list(content_counts(read.text).items())  # order too: it sums floats


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(TEXT, st.integers(0, 80)), min_size=1, max_size=4))
def test_a_section_read_by_sentences_equals_reading_it_whole(parts: list[tuple[str, int]]) -> None:
    paragraphs = []
    for text, cut in parts:  # sentences as split, or a cut anywhere (a word, a run or a gap across it)
        spans = split_sentences(text)
        if spans and cut % 3 == 0:
            k = min(cut, len(text))
            spans = [(0, k), (k, len(text))] if 0 < k < len(text) else spans
        paragraphs.append(_paragraph(text, spans))
    _same_as_whole(paragraphs)


def test_joins_that_a_run_of_words_crosses_are_read_whole() -> None:
    cases = [
        ("He was going’ then left.", [(0, 13), (14, 24)]),  # an apostrophe closes no run
        ("Lenin’s view won.", [(0, 5), (5, 17)]),  # a cut inside a word
        ("Bread and_ salt.", [(0, 10), (11, 16)]),  # an underscore closes no run
        ("First. [1] Second.", [(0, 6), (11, 18)]),  # text outside the sentences
        ("Peace. “Land” and bread.", [(0, 6), (7, 24)]),
    ]
    for text, spans in cases:
        _same_as_whole([_paragraph(text, spans)])
    _same_as_whole([_paragraph("the end of one", [(0, 14)]), _paragraph("start of two.", [(0, 13)])])


def test_the_default_library_read_by_sentences_equals_reading_it_whole() -> None:
    for path in sorted((ROOT / "data" / "texts").glob("*.txt")):
        for section in ingest_path(path).sections:
            _same_as_whole(list(section.paragraphs))


def test_stands_alone_is_no_problem_on_every_window_of_the_default_library() -> None:
    checked = 0
    for path in sorted((ROOT / "data" / "texts").glob("*.txt")):
        for section in ingest_path(path).sections:
            for paragraph in section.paragraphs:
                spans = paragraph.sentences
                for i in range(len(spans)):
                    for j in range(i, min(len(spans), i + 3)):
                        text = paragraph.text[spans[i][0] : spans[j][1]]
                        assert stands_alone(text) == (not problems(text)), text
                        checked += 1
    assert checked > 1000


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="aZ .!?“”\"'(),:;…1*[]-\n", max_size=120))
def test_stands_alone_is_no_problem(text: str) -> None:
    assert stands_alone(text) == (not problems(text))


def _unwrapped(pattern: re.Pattern[str]) -> re.Pattern[str]:
    prefix = r"(?=\w)(?:"
    assert pattern.pattern.startswith(prefix) and pattern.pattern.endswith(")")
    return re.compile(pattern.pattern[len(prefix) : -1], pattern.flags)


CUE_PATTERNS = [cues._THESIS, cues._WEAK_THESIS, cues._DISPUTE, cues._EVIDENCE, cues._PRESENT, cues._PAST]


def test_cue_patterns_told_they_start_on_a_word_find_the_same_on_the_default_library() -> None:
    for path in sorted((ROOT / "data" / "texts").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        for pattern in CUE_PATTERNS:
            plain = _unwrapped(pattern)
            assert pattern.groups == plain.groups
            assert [m.span() for m in pattern.finditer(text)] == [m.span() for m in plain.finditer(text)]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="we I the is was no not 1917 did ©“”.,-ſıK\n", max_size=60))
def test_cue_patterns_told_they_start_on_a_word_find_the_same(text: str) -> None:
    for pattern in CUE_PATTERNS:
        assert [m.span() for m in pattern.finditer(text)] == [m.span() for m in _unwrapped(pattern).finditer(text)]


FOLDED = [
    (cues._THESIS, cues._THESIS_FOLDED),
    (cues._WEAK_THESIS, cues._WEAK_THESIS_FOLDED),
    (cues._DISPUTE, cues._DISPUTE_FOLDED),
    (cues._EVIDENCE, cues._EVIDENCE_FOLDED),
    (standalone._EDITORIAL, standalone._EDITORIAL_FOLDED),
    (standalone._DEAD_LINK, standalone._DEAD_LINK_FOLDED),
]


def _same_spans(text: str) -> None:
    for plain, folded in FOLDED:
        assert [m.span() for m in plain.finditer(text)] == [m.span() for m in folded.finditer(cues.fold(text))]


def test_cues_counted_on_folded_text_match_as_ignoring_case_does_on_the_default_library() -> None:
    for path in sorted((ROOT / "data" / "texts").glob("*.txt")):
        _same_spans(path.read_text(encoding="utf-8"))
    # the letters the regex engine folds onto i, s and k besides their own capitals
    _same_spans("İN FACT ıt ıs clear; ſhows that, Kritics WHO ARGUE, rejects THE VIEW, for İnstance in 1917 ſo")
    _same_spans("FIRST PUBLİSHED BY us © 2024. The text ıs HERE. CLİCK HERE, ſhare on Facebook and ſHARE")


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "In",
                "FACT",
                "fact",
                "ıt",
                "İs",
                "clear",
                "ſhows",
                "that",
                "We",
                "ARGUE",
                "myth",
                "Kritics",
                "who",
                "claim",
                "1917",
                "for",
                "instance",
                "ſuch",
                "as",
                ",",
                ".",
                "ß",
                "Σ",
                "because",
                "of",
            ]
        ),
        max_size=14,
    ).map(" ".join)
)
def test_cues_counted_on_folded_text_match_as_ignoring_case_does(text: str) -> None:
    _same_spans(text)


_GLUED_PLAIN = re.compile(
    r"[a-z][.!?][A-Z][a-z]|(?<![Mm]c)(?<!Ma)(?<!\bDe)(?<!\bLa)\b[A-Za-z][a-z]{2,}[a-z][A-Z][a-z]{2}"
)


def reference_balanced(text: str) -> bool:
    """The definition, a character at a time: double marks pair up, every ‘ is closed later."""
    depth = straight = 0
    for ch in text:
        if ch in "“„":
            depth += 1
        elif ch == "”":
            depth -= 1
            if depth < 0:
                return False
        elif ch == '"':
            straight += 1
    if depth != 0 or straight % 2:
        return False
    opens = [k for k, ch in enumerate(text) if ch == "‘"]
    closes = [m.start() for m in re.finditer("’(?![A-Za-z])", text)]
    return all(any(c > o for c in closes) for o in opens)


def test_glued_words_found_as_the_backtracking_pattern_finds_them_on_the_default_library() -> None:
    for path in sorted((ROOT / "data" / "texts").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        assert [m.span() for m in standalone._GLUED.finditer(text)] == [m.span() for m in _GLUED_PLAIN.finditer(text)]


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet='abcDEMcaLe .!?“„”"‘’x', max_size=40))
def test_glued_words_and_balance_as_defined(text: str) -> None:
    assert [m.span() for m in standalone._GLUED.finditer(text)] == [m.span() for m in _GLUED_PLAIN.finditer(text)]
    assert standalone.balanced(text) == reference_balanced(text)
