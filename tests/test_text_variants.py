"""Other forms of a word: British/American spelling, plurals, compounds, and grounding through them."""

from __future__ import annotations

import pytest

from text2table.text.document_index import DocumentIndex
from text2table.text.variants import compounds, singular, spelling_key, word_key


@pytest.mark.parametrize("british, american", [
    ("centre", "center"), ("theatre", "theater"), ("metre", "meter"), ("colour", "color"),
    ("neighbour", "neighbor"), ("organised", "organized"), ("organisation", "organization"),
])
def test_british_and_american_spellings_meet(british: str, american: str) -> None:
    assert spelling_key(british) == spelling_key(american)


@pytest.mark.parametrize("word", ["four", "hour", "flour", "here", "more", "fire", "rise", "wise", "noise", "our"])
def test_short_and_vowel_words_keep_their_spelling(word: str) -> None:
    assert spelling_key(word) == word


def test_plurals_and_compounds() -> None:
    assert [singular(w) for w in ("families", "ratings", "glass", "bus", "thesis")] == [
        "family", "rating", "glass", "bus", "thesis"]
    assert word_key("centres") == "center"
    assert compounds(["the", "river", "side", "3"]) == {"theriver", "riverside"}


REVIEW = "Browns is near the river side in the city center. It welcomes families. Colour: red."


@pytest.mark.parametrize("value, field, grounded", [
    ("city centre", None, True), ("City Center", None, True), ("riverside", None, True),
    ("river side", None, True), ("color", None, True), ("yes", "family_friendly", True),
    ("river center", None, False), ("theatre", None, False), ("Brown", None, False),
    ("family", None, False), ("yes", "kid_zone", False), ("sidecenter", None, False),
])
def test_grounding_forgives_spelling_and_compounds_only(value: str, field: str | None, grounded: bool) -> None:
    assert DocumentIndex.build(REVIEW).supports(value, field) is grounded
