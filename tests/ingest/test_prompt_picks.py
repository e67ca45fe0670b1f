"""Which claims a prompt may be built on (issue #14, second pass), each with a fixture taken from what the bot
used to post: connections only on a subject both texts take positions on, central and evaluation prompts only on
the author's own argued point, structure prompts only for neighbouring steps of one argument."""

from __future__ import annotations

from bot.ingest import standalone
from bot.ingest.keyphrases import LibraryIndex
from bot.ingest.prompts import Generator, PromptDraft, SectionDoc, load_templates
from bot.ingest.quotes import find_quotes
from tests.conftest import ROOT
from tests.ingest.test_quotes import paragraphs

TEMPLATES = load_templates(ROOT / "data" / "prompts.toml")


def _doc(book_id: int, title: str, author: str, texts: list[str], position: int = 1) -> SectionDoc:
    return SectionDoc(book_id, title, (author,), book_id * 100 + position, position, None, paragraphs(*texts))


def _generate(doc: SectionDoc, *others: SectionDoc) -> list[PromptDraft]:
    docs = (doc, *others)
    return Generator(list(docs), LibraryIndex.build((d.book_id, d.text) for d in docs), TEMPLATES).generate(doc)


def test_a_connection_on_a_name_both_texts_mention_in_passing_is_refused() -> None:
    # what the bot posted: Collins on Zinoviev at the Comintern, Hoskisson on the Central Committee's demand
    # that expelled "Zinoviev and Kamenev" — a shared name, not a shared position
    collins = _doc(
        1,
        "Russia",
        "George Collins",
        [
            "The Comintern leadership ruthlessly abused its position, disbanding the leading bodies of the national "
            "parties, and its president at the time was Zinoviev.",
            "The bureaucracy must be understood as a caste that rested on the defeat of the world revolution.",
            "Stalin later turned on his former allies, among them Zinoviev.",
        ],
    )
    jacobins = _doc(
        2,
        "The Red Jacobins",
        "Mark Hoskisson",
        [
            "The Central Committee on the eve of the insurrection was confronted with the demand from Lenin that it "
            "expel Zinoviev.",
            "The ban on factions was the decisive turn, because it made every later opposition illegal.",
            "The party kept its debates public, and the committee accepted the resignation offered by Zinoviev.",
        ],
    )
    assert not [d for d in _generate(collins, jacobins) if d.kind == "connection"]
    assert not [d for d in _generate(jacobins, collins) if d.kind == "connection"]


def test_claims_that_lean_report_or_narrate_never_lead() -> None:
    leaning = "Trotsky does not draw this conclusion, and the whole of his strategy must be judged wrong because of it."
    reported = "Trotsky also thought that the identification of Stalinism with Bolshevism was wrong because of it."
    scene = "Clearly, the delegates had expressed the thoughts of the vast majority of fighters present that night."
    own = "The ban on factions must be understood as the decisive step towards Stalin's rule, because it ended debate."
    second = "The party's own apparatus, and not the sailors, was therefore the real danger to the revolution in 1921."
    general = "Any party has to be subordinate to the class – not the other way round."
    doc = _doc(1, "The Red Jacobins", "Mark Hoskisson", [leaning, reported, scene, own, second, general])
    drafts = _generate(doc)
    central = next(d for d in drafts if d.kind == "central")
    assert own in central.text
    for draft in drafts:
        if draft.kind in ("central", "evaluation"):
            assert leaning not in draft.text and reported not in draft.text and scene not in draft.text
    assert standalone.points_back("The Soviet Thermidor’s specific character was to create such a party.")
    assert standalone.points_back("These methods of camouflage were taken seriously by the apostates of Bolshevism.")
    assert not standalone.points_back(
        "This article does not share the anarchist explanation of the counter-revolution."
    )
    assert standalone.reports_view("Lenin and Trotsky both commented that the party ruled in place of the class.", "X")
    assert standalone.reports_view("Hoskisson argues that 1921 was the turn.", "Hoskisson") is None
    assert standalone.reports_scene(
        "Armed detachments of workers, organized by the party, have taken control in the city."
    )


def test_a_structure_prompt_joins_only_neighbouring_steps_of_one_argument() -> None:
    # what the bot posted: two claims paragraphs apart, joined by "How does the reading get from the one to the other?"
    far = [
        "The ban on factions must be understood as the decisive step towards Stalin's rule, because it ended debate.",
        *(f"In {1900 + i} the committee met in the capital and the delegates travelled by train." for i in range(6)),
        "The isolation of the revolution therefore proved that socialism cannot be built in one country alone.",
        "Any party has to be subordinate to the class – not the other way round.",
    ]
    drafts = _generate(_doc(1, "The Red Jacobins", "Mark Hoskisson", far))
    assert len({d.kind for d in drafts}) >= 3  # the strict pass had enough to ask: no filling from narration
    assert not [d for d in drafts if d.kind == "structure"]
    near = [
        "The ban on factions must be understood as the decisive step towards Stalin's rule, because it ended debate.",
        "Without debate the party could no longer correct its leaders, and therefore the apparatus ruled unchecked.",
        *(f"In {1900 + i} the committee met in the capital and the delegates travelled by train." for i in range(6)),
    ]
    drafts = _generate(_doc(1, "The Red Jacobins", "Mark Hoskisson", near))
    (structure,) = [d for d in drafts if d.kind == "structure"]
    first, second = structure.citations
    assert (first.paragraph, second.paragraph) == (1, 2)  # the claim and the step that follows from it


def test_a_quote_that_points_back_or_narrates_is_not_posted() -> None:
    # what the bot posted as a quote of the day: "…whether or not this core could be won back to revolutionary
    # socialism" (which core?), and a scene told with "the previous month"
    leaning = (
        "The outcome of the struggle against fascism in Germany would determine whether or not this core could be "
        "won back to revolutionary socialism. But until this was decided Trotsky still argued that an orientation "
        "to the Comintern’s proletarian core was crucial."
    )
    scene = (
        "The bureaucracy reacted with panic-stricken fury. They had seen, at a demonstration in Leningrad the "
        "previous month, how thousands of workers had flocked to listen to Trotsky and Zinoviev when, by mistake, "
        "the police had escorted them to a platform."
    )
    claim = "The ban on factions was meant to be temporary, but it became the most powerful weapon of the apparatus."
    texts = (leaning, scene, claim)
    found = [q.text for q in find_quotes(paragraphs(*texts), LibraryIndex.build(enumerate(texts)), limit=50)]
    assert claim in found
    assert leaning not in found and scene not in found


def test_a_memoir_s_narrator_is_its_author() -> None:
    # the fifth blind review: Douglass's own reflection was asked as "the narrator … the story so far"
    told = [
        "I was born in Tuckahoe, and I never saw my mother by the light of day. I was not allowed to be present "
        "at her death, and I knew nothing of it until long after. My master was said to be my father.",
        "The songs of the slave represent the sorrows of his heart; he is relieved by them, only as an aching "
        "heart is relieved by its tears.",
        "I have often been utterly astonished, since I came to the north, to find persons who could speak of the "
        "singing among slaves as evidence of their contentment. I did not, when a slave, understand their meaning.",
    ] * 2
    doc = SectionDoc(9, "Narrative", ("Frederick Douglass",), 901, 1, None, paragraphs(*told))
    generator = Generator([doc], LibraryIndex.build([(9, doc.text)]), TEMPLATES)
    generator._kinds[9] = "narrative"
    narration = [d for d in generator.generate(doc) if d.kind == "narration"]
    assert narration and narration[0].text.startswith("Douglass looks back:")
