"""Which claims a leader can put to the group as questions (issue #14, third pass), each fixture modelled on a
prompt or quote the bot posted and a reviewer judged unusable: a truism put up for evidence, a description of
someone else's debate, a dated report made to look argued by a "because", a signpost, an application prompt on a
claim about today, a structure prompt across two unconnected sentences."""

from __future__ import annotations

from bot.ingest import standalone
from bot.ingest.claims import Claim, Passage
from bot.ingest.picks import applies_beyond_case, contestable, follows_from
from bot.storage.prompts import ALTERNATES, Prompt
from tests.ingest.test_prompt_picks import _doc, _generate


def claim(text: str, kind: str = "thesis") -> Claim:
    return Claim(kind, Passage(1, 1, 1, text), "author", None, 1.0)


def test_truisms_debates_signposts_and_reported_words_are_not_put_up_for_evidence() -> None:
    for text in (
        "Of course, repeating a lie one thousand times does not make it true.",
        "For a long time debates have centred on whether or not NEP was a correct move.",
        "The danger of imperialist attack, it explained, could only be defeated through an all-out struggle.",
        "To best understand the specific character of the Soviet Thermidor it is necessary to compare key moments.",
        "In the 1890s, Bernstein had developed the theory of reformism to justify the retreat of the right wing.",
    ):
        assert not contestable(claim(text)), text
    for text in (
        "NEP may well have been necessary but it was an almighty concession to capitalism by a workers' state.",
        "In September 1927 Stalin demonstrated a better understanding of the significance of 1921 than Trotsky.",
        "The fear of discussion that Lenin articulated in March 1921 was a call on the evolving bureaucracy to "
        "replace the weapon of criticism with the criticism of weapons.",
    ):
        assert contestable(claim(text)), text


def test_a_motive_given_in_narration_is_a_report_and_an_explanation_is_a_claim() -> None:
    told = (
        "The Central Committee did not approve of their action but because it recognised the norm of public "
        "debates between Bolsheviks, it restricted itself to accepting Kamenev's resignation."
    )
    assert standalone.tells_events([told]) and not contestable(claim(told))
    coalition = (
        "The Left SRs were in coalition with the Bolsheviks until March 1918, when they left the government "
        'because they opposed the peace treaty signed with Germany, calling it a "betrayal".'
    )
    assert not contestable(claim(coalition))
    explained = "The bureaucracy rose above the working class because the revolution was isolated in a backward land."
    assert not standalone.tells_events([explained]) and contestable(claim(explained))
    fighting = (
        "The sailors refused to surrender. Trotsky, with the support of the party leadership, ordered the attack. "
        "After days of bitter fighting, Kronstadt was taken by Bolshevik troops."
    )
    assert not standalone.worth_posting(fighting, None)  # vivid words, but what happened: no quote of the day
    assert standalone.worth_posting("Trotsky ordered the attack because he feared for Petrograd.", "Trotsky")


def test_a_sentence_that_leans_on_a_connective_or_an_anaphoric_noun_is_not_standalone() -> None:
    for text in (
        "Trotsky also thought that the identification of Stalinism with Bolshevism was wrong.",
        "Local government too was utterly tied to the rule of the local party organisations.",
        "Only thus can be assured the strengthening of the material bases of the dictatorship.",
        "To say otherwise is to indulge in mysticism about the rise of Stalin.",
        "The justification was the link between the working class and the peasantry.",
        "But until this was decided Trotsky still argued that an orientation to the Comintern was crucial.",
    ):
        assert standalone.leans(text), text
    assert not standalone.leans("The justification of terror in 1918 rested on the civil war.")
    assert not standalone.leans("Any party has to be subordinate to the class – not the other way round.")


def test_an_application_prompt_needs_a_claim_that_can_be_tried_elsewhere() -> None:
    general = "Any party has to be subordinate to the class – not the other way round."
    assert applies_beyond_case(claim(general, "general"))
    for text in (
        "The times ahead will be critical, and the alternative will once again be posed in the decades to come.",
        "Marxists are completely in agreement with anarchists that the removal of the state is the final goal.",
        "The bureaucracy has no role left; it had become an absolute obstacle to economic and social progress.",
        "The bureaucracy's philosophy of socialism in one country has become the starting point for many leaders.",
    ):
        assert not applies_beyond_case(claim(text, "general")), text


def test_a_structure_prompt_needs_the_reading_to_mark_the_step() -> None:
    first = claim("The ban on factions ended open debate inside the party.")
    marked = claim("The apparatus therefore ruled unchecked from 1922 on.")
    unmarked = claim("The ban on factions meant that differences were driven beneath the surface.")
    caused = claim("Authority was concentrated in the central committee as a result of the war.")
    assert follows_from(first, marked)
    assert not follows_from(first, unmarked) and not follows_from(first, caused)


def test_a_second_argued_claim_is_asked_before_a_reading_goes_short_of_questions() -> None:
    texts = [
        "The fear of discussion that Lenin voiced in 1921 was a call on the bureaucracy to replace criticism with "
        "weapons, and it was wrong.",
        "NEP may well have been necessary, but it was an almighty concession to capitalism that paved the way for "
        "the kulak.",
        *(f"In {1900 + i} the committee met in the capital and the delegates travelled by train." for i in range(4)),
    ]
    drafts = _generate(_doc(1, "The Red Jacobins", "Mark Hoskisson", texts))
    first_choices = [d for d in drafts if d.alternative == 0]
    assert len(first_choices) >= 2
    assert all("committee met" not in d.text for d in first_choices)


def test_stored_alternatives_rank_after_every_sections_first_choices() -> None:
    def stored(rank: int) -> Prompt:
        return Prompt(1, 1, None, "generated", "central", "Why?", (), rank, None, None, 0)  # type: ignore[arg-type]

    assert stored(0).first_choice and stored(4).first_choice
    alternative = stored(ALTERNATES + 5)
    assert not alternative.first_choice and alternative.draft().alternative >= 1


def test_those_with_nothing_to_say_which_points_back() -> None:
    # the blind review: "…the final elimination of those internal party checks" (which checks?)
    assert standalone.points_back("Thermidor involved the final elimination of those internal party checks.")
    assert not standalone.points_back("A revolution that silences its defenders is ruled by those it fears most.")


def test_a_straight_quote_s_direction_is_read_from_its_neighbours() -> None:
    # one stray mark in a long scraped paragraph used to turn every later quotation inside out
    from bot.ingest.quotes import quote_depths

    text = 'A stray 12" mark. Then "a quoted line," he wrote, and the author\'s own words.'
    depths = quote_depths(text)
    assert depths[text.index("a quoted")] == 1
    assert depths[text.index("the author")] == 0


def test_a_quotation_cut_in_two_by_the_cleaner_stays_the_quoted_figure_s() -> None:
    # Collins quotes Trotsky (1906); the run-together repair cut the quotation at "...The political", and the
    # second half was posted as "Collins makes a general claim"
    from bot.ingest.keyphrases import LibraryIndex
    from bot.ingest.scoring import section_scoring
    from tests.ingest.test_quotes import paragraphs

    first = (
        '"In the event of a decisive victory of the revolution," Trotsky wrote in 1906, "power will pass into the '
        "hands of that class which plays a leading role in the struggle."
    )
    second = (
        "The political domination of the proletariat is incompatible with its economic enslavement. No matter "
        'under what flag the proletariat has come to power, it is obliged to take the path of socialist policy." '
        "(Results and Prospects, page 233)."
    )
    after = "Lenin drew the same conclusion in April 1917, and the party followed him."
    texts = (first, second, after)
    scoring = section_scoring(paragraphs(*texts), LibraryIndex.build(enumerate(texts)))
    assert scoring.depths[1][0] > 0  # begins inside Trotsky's quotation
    assert scoring.depths[2][0] == 0  # a paragraph that closes nothing begins outside


def test_a_paragraph_set_off_after_a_lead_in_is_the_quoted_figure_s() -> None:
    # the blind reviews: Trotsky's theses, set off without quotation marks after "Trotsky describes …:", were
    # asked as "Iturbide holds that…"
    from bot.ingest.attribution import block_quote_speaker

    lead = "In some theses unpublished at the time, Trotsky describes the origin of this mentality:"
    theses = "Revolution is impossible without the participation of the masses, whose hopes are always exaggerated."
    assert block_quote_speaker(lead, theses) == "Trotsky"
    assert block_quote_speaker("The party met in May.", theses) is None
    assert block_quote_speaker(lead, "“Revolution is impossible,” he went on.") is None  # marked: read as usual


def test_an_epigraph_is_its_poet_s_and_a_transition_is_no_general_claim() -> None:
    # the third blind review: Thomson's epigraph on Paine's title page was asked twice as "Paine argues", and
    # "…wherefore, as an opening into that business, I offer the following hints" as a general claim
    from bot.ingest.attribution import signed_by

    assert (
        signed_by("Man knows no Master save creating HEAVEN, Or those whom choice and common good ordain. --THOMSON.")
        == "Thomson"
    )
    assert signed_by("The party met in May, and the delegates went home.") is None
    hints = "Men do not see their way out; wherefore, as an opening into that business, I offer the following hints."
    assert not applies_beyond_case(claim(hints, "general"))
    assert standalone.leans("Wherefore we should be no forwarder an hundred years hence in that branch.")


def test_irregular_past_tenses_tell_what_happened() -> None:
    # the third blind review: "…fought the revolution with every means at their disposal" was put up for evidence
    fought = (
        "Within Russia the privileged classes, and reformists in the labour movement, fought the revolution with "
        "every means at their disposal, boycotts and economic sabotage among them."
    )
    assert standalone.tells_events([fought]) and not contestable(claim(fought, "judgement"))


def test_two_excerpts_of_one_quotation_glued_together_stay_the_quoted_figure_s() -> None:
    # Collins §17: '…bourgeois property..."It is absolutely correct that …' was asked as "Collins argues"
    from bot.ingest.keyphrases import LibraryIndex
    from bot.ingest.scoring import section_scoring
    from tests.ingest.test_quotes import paragraphs

    first = 'Trotsky explained,"was and remains the government of the bourgeoisie in crisis... bourgeois property..."'
    second = (
        "It is absolutely correct that the self-rule of the Soviet bureaucracy was built upon veering between the "
        'class forces. It is possible to speak of Soviet Bonapartism." (The Class Nature of the Soviet State)'
    )
    glued = first[:-1] + '"' + second
    texts = (first, second, glued)
    scoring = section_scoring(paragraphs(*texts), LibraryIndex.build(enumerate(texts)))
    assert scoring.depths[1][0] > 0  # the cut came after the glued mark: the second half is still Trotsky's
    assert scoring.depths[2][glued.index("It is absolutely")] > 0  # not cut: the glued mark does not close


def test_a_view_reported_with_claimed_that_is_not_the_author_s_claim() -> None:
    reported = (
        "Some opponents, despairing at the travesty of Leninism presented by the regime, claimed that the gains of "
        "the revolution had been destroyed."
    )
    assert not contestable(claim(reported))
    assert contestable(claim("We argued that the gains of the revolution could only be defended internationally."))


def test_the_noun_only_the_sentences_before_name_leans_on_them() -> None:
    # the blind reviews: "The faction fell to the Thermidorians…" was asked without its Robespierre
    from bot.ingest.scoring import named_before
    from tests.ingest.test_quotes import paragraphs

    (paragraph,) = paragraphs(
        "In France the Robespierre faction had alienated itself from the masses. No one came to defend Robespierre. "
        "The faction fell to the Thermidorians because there was no one left to support it."
    )
    assert named_before(paragraph, 2, 2)
    assert not named_before(paragraph, 0, 2)  # the window that names the faction itself stands


def test_hearsay_a_note_on_the_text_and_pairs_named_before_are_neither_claims_nor_quotes() -> None:
    # the fifth blind review, on Common Sense
    hearsay = "I have heard it asserted by some, that as America hath flourished under Britain, the same is necessary."
    assert not contestable(claim(hearsay)) and not standalone.worth_posting(hearsay, None)
    note = "In the following sheets, the author hath studiously avoided every thing which is personal among ourselves."
    assert not standalone.worth_posting(note, None)
    for text in (
        "The bloody mindedness of the one, shew the necessity of pursuing the doctrine of the other.",
        "Some of which are, First, it is the custom of nations to step in as mediators when two are at war.",
        "The two first, by being hereditary, are independent of the people and contribute nothing to freedom.",
    ):
        assert standalone.leans(text), text
    cause = (
        "The cause of America is in a great measure the cause of all mankind. Many circumstances hath, and will "
        "arise, which are not local, but universal, and through which the principles of all lovers of mankind are "
        "affected."
    )
    assert standalone.worth_posting(cause, None)


def test_such_circumstances_point_back() -> None:
    # the first blind review: "The Moscow bureaucracy lived as a parasite on such circumstances…" (which?)
    assert standalone.points_back("The Moscow bureaucracy lived as a parasite on such circumstances for years.")
    assert not standalone.points_back("Any state leans on its army in such circumstances as war and famine.")
