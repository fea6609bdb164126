"""The Text-to-Table metric (Wu et al. 2022): hand-computed sets and scores; chrF equal to sacrebleu."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sacrebleu.metrics import CHRF

from text2table.metrics.chrf import ChrF
from text2table.metrics.wu import aggregate, document_scores, prf, table_items

KV_GOLD = [{"name": "Aromi", "area": "riverside", "food": None}]
KV_PRED = [{"name": "Aromi", "area": "city centre", "food": "Thai"}]
FLAT_NAMES = ["player", "points", "reb"]
FLAT_GOLD = [{"player": "Smith", "points": "20", "reb": "5"}, {"player": "Jones", "points": "12", "reb": None}]
FLAT_PRED = [{"player": "Smith", "points": "20", "reb": "6"}, {"player": "Smith", "points": 20, "reb": "6"},
             {"player": "Brown", "points": None, "reb": None}]


def _sacre(hyp: str, ref: str) -> float:
    return 1.0 if hyp == ref else CHRF().sentence_score(hyp, [ref]).score / 100


def test_kv_items_use_keys_as_row_headers() -> None:
    items = table_items("kv_single", ["name", "area", "food"], KV_GOLD)
    assert items.row_header == {"name", "area"}
    assert items.col_header == frozenset()
    assert items.cell == {("name", "Aromi"), ("area", "riverside")}


def test_flat_items_first_field_is_row_header() -> None:
    items = table_items("flat_single_row", FLAT_NAMES, FLAT_PRED)
    assert items.row_header == {"smith", "brown"}
    assert items.col_header == {"points", "reb"}
    assert items.cell == {("smith", "points", "20"), ("smith", "reb", "6")}  # duplicates removed


def test_kv_exact_hand_computed() -> None:
    gold = table_items("kv_single", ["name", "area", "food"], KV_GOLD)
    pred = table_items("kv_single", ["name", "area", "food"], KV_PRED)
    scores = document_scores(pred, gold, "exact")
    assert scores["row_header"] == pytest.approx((2 / 3, 1.0, 0.8))
    assert scores["col_header"] is None
    assert scores["cell"] == pytest.approx((1 / 3, 1 / 2, 0.4))


def test_kv_chrf_hand_computed() -> None:
    gold = table_items("kv_single", ["name", "area", "food"], KV_GOLD)
    pred = table_items("kv_single", ["name", "area", "food"], KV_PRED)
    scores = document_scores(pred, gold, "chrf")
    # each predicted cell's best gold cell: product of header and value similarities
    best_p = [max(_sacre(ph, gh) * _sacre(pv, gv) for gh, gv in gold.cell) for ph, pv in pred.cell]
    best_r = [max(_sacre(ph, gh) * _sacre(pv, gv) for ph, pv in pred.cell) for gh, gv in gold.cell]
    p, r = sum(best_p) / 3, sum(best_r) / 2
    assert scores["cell"] == pytest.approx((p, r, 2 * p * r / (p + r)))


def test_flat_exact_hand_computed_and_aggregate() -> None:
    gold = table_items("flat_single_row", FLAT_NAMES, FLAT_GOLD)
    pred = table_items("flat_single_row", FLAT_NAMES, FLAT_PRED)
    flat = document_scores(pred, gold, "exact")
    assert flat["row_header"] == pytest.approx((0.5, 0.5, 0.5))
    assert flat["col_header"] == pytest.approx((1.0, 1.0, 1.0))
    assert flat["cell"] == pytest.approx((0.5, 1 / 3, 0.4))
    kv = document_scores(table_items("kv_single", ["name", "area", "food"], KV_PRED),
                         table_items("kv_single", ["name", "area", "food"], KV_GOLD), "exact")
    agg = aggregate([kv, flat, None])
    assert agg["row_header_f1"] == pytest.approx((0.8 + 0.5) / 2)
    assert agg["col_header_f1"] == pytest.approx(1.0) and agg["col_header_documents"] == 1
    assert agg["cell_f1"] == pytest.approx(0.4) and agg["cell_documents"] == 2


def test_empty_gold_skipped_and_unparseable_scores_zero() -> None:
    empty_gold = table_items("kv_single", ["a"], [{"a": None}])
    assert document_scores(None, empty_gold) is None
    gold = table_items("flat_single_row", FLAT_NAMES, FLAT_GOLD)
    assert document_scores(None, gold)["cell"] == (0.0, 0.0, 0.0)
    assert aggregate([None])["cell_f1"] is None


def test_lowercase_and_header_normalisation() -> None:
    gold = table_items("kv_single", ["eat_type"], [{"eat_type": "Pub"}])
    pred = table_items("kv_single", ["eatType"], [{"eatType": "pub"}], lowercase=True)
    assert document_scores(pred, table_items("kv_single", ["eat_type"], [{"eat_type": "Pub"}], lowercase=True),
                           "exact")["cell"] == (1.0, 1.0, 1.0)
    assert document_scores(pred, gold, "exact")["cell"] == (0.0, 0.0, 0.0)


def test_prf_rejects_unknown_metric() -> None:
    with pytest.raises(ValueError, match="unknown Text-to-Table metric"):
        prf({"a"}, {"b"}, "bleu")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab cé1-", max_size=14), st.text(alphabet="ab cé1-", max_size=14))
def test_fast_chrf_equals_sacrebleu(hyp: str, ref: str) -> None:
    assert ChrF()(hyp, ref) == pytest.approx(CHRF().sentence_score(hyp, [ref]).score / 100, abs=1e-9)


def test_chrf_with_mixed_tuple_arities_scores_unequal_lengths_zero():
    from text2table.metrics.wu import prf

    pred = {("the vaults", "eat_type", "pub"), ("the vaults", "pub")}
    gold = {("the vaults", "pub")}
    p, r, f = prf(pred, gold, "chrf")
    assert p == 0.5 and r == 1.0


def test_header_row_counts_columns_without_values() -> None:
    # the paper's scorer reads column headers from the header row, empty columns included
    items = table_items("flat_single_row", ["player", "points", "assists"], [{"player": "Smith", "points": "20"}])
    assert items.col_header == {"points", "assists"}
    assert items.cell == {("smith", "points", "20")}


def test_empty_row_header_still_heads_its_cells() -> None:
    items = table_items("flat_single_row", FLAT_NAMES, [{"player": None, "points": "7", "reb": None},
                                                        {"player": None, "points": None, "reb": None}])
    assert items.row_header == {""}  # the all-empty row adds nothing
    assert items.cell == {("", "points", "7")}


def test_row_keys_outside_the_naming_policy_are_normalised() -> None:
    items = table_items("flat_single_row", ["Player", "Points"], [{"Player": "Smith", "Points": "20"}])
    assert items.row_header == {"smith"} and items.cell == {("smith", "points", "20")}
    kv = table_items("kv_single", ["name"], [{"Price range": "Cheap", "Name": "Aromi"}])
    assert kv.cell == {("price_range", "Cheap"), ("name", "Aromi")}
