"""Aligned cell F1 with one-to-one row matching: hand-computed counts, duplicates, Hungarian vs greedy."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from text2table.metrics.aligned import align_keyed, align_rows, keyed_cells

GOLD = [{"player": "Smith", "points": "20", "reb": "5"}, {"player": "Jones", "points": "12", "reb": None}]
PRED = [{"player": "Smith", "points": "20", "reb": "6"}, {"player": "Smith", "points": 20, "reb": "6"},
        {"player": "Brown", "points": None, "reb": None}]


def test_hand_computed_counts() -> None:
    c = align_rows(PRED, GOLD)
    assert (c.tp, c.n_pred, c.n_gold) == (2, 7, 5)
    assert c.precision == pytest.approx(2 / 7) and c.recall == pytest.approx(2 / 5)
    assert c.f1 == pytest.approx(1 / 3)
    assert (c.pred_rows, c.gold_rows, c.duplicate_rows, c.row_count_error) == (3, 2, 1, 1)
    assert c.duplicate_rate == pytest.approx(1 / 3)
    assert c.per_field == {"player": [1, 3, 2], "points": [1, 2, 2], "reb": [0, 2, 1]}


def test_rows_in_any_order_match_perfectly() -> None:
    c = align_rows(list(reversed(GOLD)), GOLD)
    assert c.f1 == 1.0 and sorted(c.pairs) == [(0, 1), (1, 0)]


def test_conflict_goes_to_hungarian() -> None:
    # p0 matches g0 on 2 cells and g1 on 1; p1 matches g0 on 2 and g1 on 0: greedy would give p0 and p1 both g0.
    gold = [{"a": "1", "b": "2", "c": "3"}, {"a": "1", "b": "x", "c": "y"}]
    pred = [{"a": "1", "b": "2", "c": "z"}, {"a": "q", "b": "2", "c": "3"}]
    c = align_rows(pred, gold)
    assert c.tp == 3 and sorted(c.pairs) == [(0, 1), (1, 0)]


def test_case_and_whitespace() -> None:
    gold = [{"a": "Big  Ben"}]
    assert align_rows([{"a": "big ben"}], gold).tp == 0
    assert align_rows([{"a": "big ben"}], gold, lowercase=True).tp == 1
    assert keyed_cells([{"a": "-", "b": "N/A"}], missing=("-", "N/A")) == [{}]


def test_empty_sides() -> None:
    assert align_rows([], GOLD).f1 == 0.0
    assert align_rows(GOLD, []).f1 == 0.0 and align_rows(GOLD, []).n_pred == 5


@settings(max_examples=150, deadline=None)
@given(st.lists(st.dictionaries(st.sampled_from("abc"), st.sampled_from(["1", "2", None]), max_size=3), max_size=4),
       st.lists(st.dictionaries(st.sampled_from("abc"), st.sampled_from(["1", "2", None]), max_size=3), max_size=4))
def test_assignment_is_optimal(pred: list[dict], gold: list[dict]) -> None:
    kp, kg = keyed_cells(pred), keyed_cells(gold)
    c = align_keyed(kp, kg)
    best = 0
    for perm in itertools.permutations(range(max(len(kp), len(kg)))):
        total = sum(sum(1 for k, v in kp[p].items() if kg[g].get(k) == v)
                    for p, g in enumerate(perm) if p < len(kp) and g < len(kg))
        best = max(best, total)
    assert c.tp == best
    assert 0.0 <= c.f1 <= 1.0
