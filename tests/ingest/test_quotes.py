"""Quote scoring on small texts written for the purpose: pure functions, no database."""

from __future__ import annotations

from bot.ingest import split_sentences
from bot.ingest.keyphrases import LibraryIndex
from bot.ingest.model import Paragraph
from bot.ingest.quotes import find_quotes, problems, speaker_from_lead_in
from tests.conftest import TEXTS as TEXTS_DIR

FILLER = (
    "The delegates argued late into the night about the grain requisitions and the future of the soviets. "
    "Workers in Petrograd watched the congress closely, hoping for an end to the shortages of bread and fuel."
)


def paragraphs(*texts: str) -> list[Paragraph]:
    return [Paragraph(t, tuple(split_sentences(t))) for t in texts]


def index_for(*texts: str) -> LibraryIndex:
    return LibraryIndex.build((i, t) for i, t in enumerate((*texts, FILLER)))


def quotes_of(*texts: str) -> list:
    return find_quotes(paragraphs(*texts), index_for("\n\n".join(texts)), limit=50)


def test_dangling_openings_are_rejected_and_connectives_cost_points() -> None:
    for opening in ("This", "These", "He", "It", "They", "Such", "In such cases,", "Of these"):
        text = f"{opening} measures were defended by the party leadership as a temporary retreat forced by war."
        assert "dangling opening" in problems(text), text
    assert problems("The party leadership defended the ban on factions as a temporary retreat forced by war.") == []

    # an argued point ("was a mistake"): a bare report of what happened is not quoted at all
    plain = "The ban on factions was a mistake the leadership defended as a temporary retreat forced by civil war."
    weak = "But the ban on factions was a mistake the leadership defended as a temporary retreat forced by civil war."
    strong_score = quotes_of(plain)[0].score
    weak_score = quotes_of(weak)[0].score
    assert weak_score < strong_score


def test_a_dangling_sentence_is_only_quoted_with_the_sentence_it_leans_on() -> None:
    text = (
        "The Tenth Congress banned factions inside the Bolshevik party in March 1921. "
        "This decision shaped every later struggle over party democracy and the right to organise."
    )
    found = quotes_of(text)
    assert found and all(not q.text.startswith("This") for q in found)
    assert any(q.text.startswith("The Tenth Congress") and "This decision" in q.text for q in found)


def test_boilerplate_footnotes_and_broken_quotation_marks_are_never_quoted() -> None:
    texts = (
        "We are publishing this chapter as a supplementary text and encourage our readers to purchase the book.",
        "This article first appeared in the magazine Permanent Revolution in the spring of 2010, with notes.",
        "Subscribe to our newsletter to receive every new article about the history of the revolution.",
        "The Kronstadt sailors had been in the forefront of the revolution in the year of 1917.12 They were gone.",
        "The sailors demanded “free soviets without communists and a new election by secret ballot at once.",
        "The Kronstadt rising was crushed in March 1921, and the Tenth Congress banned factions in the same weeks.",
        "The ban on factions was meant to be temporary, but it became the foundation of the bureaucracy’s rule.",
    )
    found = quotes_of(*texts)
    assert [q.text for q in found] == [texts[-1]]  # the bare report of what happened (texts[-2]) is no quote
    assert problems(texts[0]) == ["boilerplate"]
    assert "footnote marker" in problems("The sailors had been in the forefront of the revolution in 1917.12")
    assert "unbalanced quotation marks" in problems(texts[4])


def test_near_duplicates_are_removed() -> None:
    first = "The bureaucracy rose above the working class because the revolution was isolated in a backward land."
    second = "The bureaucracy rose above the working class because the revolution was isolated in a backward country."
    found = quotes_of(first, FILLER, second)
    texts = [q.text for q in found]
    assert sum(t.startswith("The bureaucracy rose") for t in texts) == 1
    # also against quotes already taken from earlier books
    again = find_quotes(paragraphs(second), index_for(second), exclude=[first])
    assert again == []


def test_quotations_are_attributed_to_who_is_quoted() -> None:
    found = quotes_of(
        "Foreseeing the long road of cleansing Marxist thought, Trotsky wrote in 1937:",
        "“Reactionary epochs lower the general ideological level of the movement, throwing political thought "
        "backwards. The task of the avant-garde consists in not allowing oneself to be carried along by the "
        "general reverse current.”",
        "The opening speech was blunt, as Lenin put it: “We have had enough opposition now, and the time has come "
        "to put an end to all factional groupings inside the party.”",
        "“A wave of depression passed over Russia after the war had ended in exhaustion,” Serge wrote.",
        "Somebody in the hall shouted: “The congress has betrayed every promise made to the sailors of 1917.”",
        "The historian concludes that the ban on factions was meant to be temporary but became permanent.",
    )
    by_start = {q.text[:20]: q for q in found}
    reactionary = by_start["Reactionary epochs l"]
    assert reactionary.speaker == "Trotsky"
    assert not reactionary.text.startswith("“")  # the outer quotation marks are not part of the passage
    assert by_start["We have had enough o"].speaker == "Lenin"  # the quotation without its lead-in
    assert by_start["“A wave of depressio"].speaker == "Serge"
    assert by_start["The historian conclu"].speaker is None  # the author's own words
    # a quotation whose speaker the text does not name is not offered at all
    assert not any("betrayed every promise" in q.text for q in found)


def test_lead_ins_are_read_conservatively() -> None:
    assert speaker_from_lead_in("In a brief note, Lenin wrote on December 25, 1922:") == "Lenin"
    assert speaker_from_lead_in("In developing this thought, Trotsky turned to his critics with these questions:") == (
        "Trotsky"
    )
    assert speaker_from_lead_in("According to Victor Serge,") == "Victor Serge"
    assert speaker_from_lead_in("He wrote:") is None
    assert speaker_from_lead_in("The resolution read:") is None


def test_the_trigram_index_finds_exactly_the_near_duplicates_a_pairwise_check_finds() -> None:
    from bot.ingest.quotes import SeenQuotes, near_duplicate

    texts = [p.strip() for p in (TEXTS_DIR / "003_21a747819a900f14.txt").read_text().split("\n") if len(p) > 80]
    taken = texts[::3]
    seen = SeenQuotes(taken)
    variants = [t.replace(" the ", " a ", 1) for t in texts] + [t[: len(t) // 2] for t in texts] + texts
    assert len(seen) == len(taken)
    for text in variants:
        assert seen.near(text) == any(near_duplicate(text, t) for t in taken), text


def test_a_memoir_s_turning_points_and_antitheses_are_worth_posting_and_its_errands_are_not() -> None:
    # a narrative book (#14): the narrator's own lines count when they mark what he came to see or set two
    # things against each other; what he did on an errand does not
    from bot.ingest.standalone import parallel, worth_posting

    antithesis = "What he most dreaded, that I most desired. What he most loved, that I most hated."
    assert parallel(antithesis) and worth_posting(antithesis, None, narrative=True)
    realised = "I now understood what had been to me a most perplexing difficulty, the white man's power to enslave."
    assert worth_posting(realised, None, narrative=True)
    errand = "When I was sent of errands, I always took my book with me, and I found time to get a lesson."
    assert not worth_posting(errand, None, narrative=True)
    told_twice = "The party met in May at the station. The party met in June at the station."
    assert not parallel(told_twice) and not worth_posting(told_twice, None, narrative=True)
