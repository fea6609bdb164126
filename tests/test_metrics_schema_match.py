"""Schema metrics: exact and soft field F1 (hand-computed), structure, compactness."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from text2table.metrics.schema_match import edit_ratio, match_schemas, name_similarity, token_dice


def test_exact_and_soft_hand_computed() -> None:
    # pred: name (exact), eatType -> eat_type (exact after normalisation), rating ~ customer_rating (soft),
    # food (no match). gold: name, eat_type, customer_rating, area.
    m = match_schemas(["name", "eatType", "rating", "food"], ["name", "eat_type", "customer_rating", "area"],
                      pred_structure="kv_single", gold_structure="kv_single")
    assert (m.n_pred, m.n_gold, m.exact_tp, m.soft_tp) == (4, 4, 2, 3)
    assert m.f1 == pytest.approx(0.5) and m.soft_f1 == pytest.approx(0.75)
    assert m.pairs == {"name": "name", "eat_type": "eat_type", "rating": "customer_rating"}
    assert m.structure_ok is True and m.field_count_ratio == 1.0
    assert m.unmatched_pred(["name", "eat_type", "rating", "food"]) == ["food"]


def test_soft_matching_is_one_to_one() -> None:
    m = match_schemas(["price", "price_min"], ["price_range"])
    assert m.soft_tp == 1 and len(m.pairs) == 1


def test_exact_names_win_over_soft() -> None:
    m = match_schemas(["customer_rating", "rating"], ["customer_rating"])
    assert m.pairs == {"customer_rating": "customer_rating"}


def test_empty_and_structure_mismatch() -> None:
    m = match_schemas([], ["a"], pred_structure="flat_single_row", gold_structure="kv_single")
    assert m.f1 == 0.0 and m.soft_f1 == 0.0 and m.structure_ok is False and m.field_count_ratio == 0.0


def test_similarity_values() -> None:
    assert token_dice("customer_rating", "rating") == pytest.approx(2 / 3)
    assert edit_ratio("kitten", "sitting") == pytest.approx(1 - 3 / 7)
    assert name_similarity("name", "area") < 0.5


@given(st.lists(st.from_regex(r"[a-z][a-z_]{0,12}", fullmatch=True), max_size=6),
       st.lists(st.from_regex(r"[a-z][a-z_]{0,12}", fullmatch=True), min_size=1, max_size=6))
def test_soft_at_least_exact_and_bounded(pred: list[str], gold: list[str]) -> None:
    m = match_schemas(pred, gold)
    assert 0.0 <= m.f1 <= m.soft_f1 <= 1.0
    assert len(set(m.pairs.values())) == len(m.pairs)
