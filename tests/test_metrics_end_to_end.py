"""End-to-end scoring: predicted fields aligned to gold through soft schema matching."""

from __future__ import annotations

import pytest

from text2table.metrics.end_to_end import end_to_end, map_gold_to_schema, rename_rows
from text2table.core.schema import Field, Schema

GOLD = Schema("kv_single", (Field("name"), Field("customer_rating"), Field("area")))
GOLD_ROWS = [{"name": "Aromi", "customer_rating": "5 out of 5", "area": "riverside"}]


def test_soft_mapped_pipeline_prediction() -> None:
    pred = Schema("kv_single", (Field("name"), Field("rating"), Field("food")))
    e = end_to_end(pred, [{"name": "Aromi", "rating": "5 out of 5", "food": "Thai"}], GOLD, GOLD_ROWS)
    assert e.match.pairs == {"name": "name", "rating": "customer_rating"}
    assert e.rows == [{"name": "Aromi", "customer_rating": "5 out of 5", "~food": "Thai"}]
    # tp 2 of 3 predicted (food is extra) and 3 gold
    assert (e.aligned.tp, e.aligned.n_pred, e.aligned.n_gold) == (2, 3, 3)
    assert e.aligned.f1 == pytest.approx(2 / 3)


def test_no_schema_scores_zero() -> None:
    e = end_to_end(None, [{"name": "Aromi"}], GOLD, GOLD_ROWS)
    assert e.aligned.f1 == 0.0 and e.match.soft_f1 == 0.0


def test_map_gold_to_schema() -> None:
    pred = Schema("kv_single", (Field("rating"), Field("cuisine"), Field("name")))
    assert map_gold_to_schema(pred, GOLD, GOLD_ROWS) == [{"rating": "5 out of 5", "cuisine": None, "name": "Aromi"}]


def test_rename_rows_tolerates_junk() -> None:
    assert rename_rows(["junk", {"Name": 1}], {"name": "name"}) == [{}, {"name": 1}]
