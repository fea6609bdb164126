"""Character spans of values in a text: offsets into the original, whatever folding did."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from text2table.text.spans import SourceText, locate_items


@pytest.mark.parametrize("text, value, found", [
    ("Smith scored twenty-three points.", "23", "twenty-three"),
    ("It drew 1,204 fans.", "1204", "1,204"),
    ("One hundred and five rooms.", "105", "One hundred and five"),
    ("In the city center.", "City Centre", "city center"),
    ("By the river side.", "riverside", "river side"),
    ("A riverside pub.", "river side", "riverside"),
    ("Dinner at Le Zèbre, Straße 4.", "le zebre", "Le Zèbre"),
    ("Dinner at Le Zèbre, Straße 4.", "strasse 4", "Straße 4"),
    ("It costs £20.", "£", "£"),
    ("The ﬁsh restaurant.", "fish", "ﬁsh"),  # a ligature folds to two letters
])
def test_a_span_indexes_the_original_text(text: str, value: str, found: str) -> None:
    span = SourceText(text).find(value)
    assert span is not None and text[span[0]:span[1]] == found


def test_mentions_are_in_order_and_do_not_overlap() -> None:
    text = "Paris, Paris and paris; not Parisian."
    assert [text[a:b] for a, b in SourceText(text).mentions("PARIS")] == ["Paris", "Paris", "paris"]
    assert SourceText("two and three").mentions("and") == [(4, 7)]  # "and" joins numbers only after a scale word


def test_a_window_reports_document_offsets() -> None:
    doc = "Serves six.\n- 4 eggs\n- 2 leeks"
    window = SourceText(doc, 14, 20)
    assert window.text == "4 eggs" and window.find("eggs") == (16, 20) and window.find("six") is None
    assert window.word_mentions(frozenset({"egg"})) == [(16, 20)]


def test_locate_items_follows_the_order_of_the_items() -> None:
    assert locate_items("- a b\n- c\n- a b", ["a b", "c", "a b", "zz"]) == [(2, 5), (8, 9), (12, 15), None]


@given(st.text(st.characters(whitelist_categories=("Ll", "Lu", "Nd", "Zs", "Po")), min_size=1, max_size=40))
def test_every_word_of_a_text_is_found_where_it_is(text: str) -> None:
    source = SourceText(text)
    for token in source.tokens:
        assert 0 <= token.start < token.end <= len(text)
        assert source.find(text[token.start:token.end]) is not None
