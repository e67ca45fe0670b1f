"""Key terms of a reading, re-ranked against the whole library: pure functions, no database."""

from __future__ import annotations

from bot.ingest.keyphrases import LibraryIndex, key_terms


def test_key_terms_are_reranked_against_the_library() -> None:
    kronstadt = (
        "Stalin was far away when the Kronstadt sailors rose. The Kronstadt rising frightened the party. "
        "Stalin said little about Kronstadt, but the Kronstadt sailors were crushed."
    )
    others = [
        "Stalin built the apparatus. Stalin controlled the secretariat and Stalin appointed the secretaries.",
        "Stalin turned against the Left Opposition. Stalin expelled the Left Opposition from the party.",
        "Stalin spoke of socialism in one country; socialism in one country became the doctrine under Stalin, "
        "and the Comintern had to defend socialism in one country.",
    ]
    index = LibraryIndex.build(enumerate([kronstadt, *others]))
    labels = [t.label for t in key_terms(kronstadt, index)]
    assert labels[0] in ("Kronstadt", "Kronstadt sailors")
    assert "Stalin" not in labels[:2]
    assert "socialism in one country" in [t.label for t in key_terms(others[2], index)]
