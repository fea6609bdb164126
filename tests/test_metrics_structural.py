"""Structural sanity rates (hand-computed) and pi1 schema validity."""

from __future__ import annotations

import pytest

from text2table.metrics.structural import (StructuralCounts, check_schema, count_rows, count_text, load_pairs,
                                           value_fits)
from text2table.core.schema import Field, Schema

SCHEMA = Schema("flat_single_row", (Field("player"), Field("points", type="integer"),
                                    Field("pos", enum=("G", "F", "C")), Field("date", pattern=r"^\d{4}-\d{2}$")))


def test_rates_hand_computed() -> None:
    text = "\n".join([
        '```json',                                                   # line 1: not JSON
        '{"player": "A", "points": 3, "pos": "G", "date": "2024-01"}',  # ok, 4/4 types
        '{"points": 3, "player": "B", "pos": "G", "date": null}',       # wrong order, 4/4 types
        '{"player": "C", "points": "3", "pos": "X", "date": "Jan"}',    # ok order, 1/4 types
        '{"player": "D", "points": 1, "player": "E"}',                  # duplicate key: not valid
        '', '   ',                                                     # blank: not counted
        'trailing prose',                                              # not JSON
    ])
    c = count_text(text, SCHEMA)
    assert (c.lines, c.json_objects, c.checked, c.key_order_pass, c.values, c.type_pass) == (6, 3, 3, 2, 12, 9)
    assert c.json_valid_rate == pytest.approx(3 / 6)
    assert c.key_order_pass_rate == pytest.approx(2 / 3)
    assert c.type_check_pass_rate == pytest.approx(9 / 12)


def test_parsed_rows_count_like_lines() -> None:
    rows = [{"player": "A", "points": 3, "pos": "G", "date": None}, "junk", {"player": "B", "extra": 1}]
    c = count_rows(rows, SCHEMA)
    assert (c.lines, c.json_objects, c.key_order_pass, c.values, c.type_pass) == (3, 2, 1, 6, 5)


def test_without_schema_only_json_validity() -> None:
    c = count_text('{"a": 1}\n{"b": 2}\nnope', None)
    assert (c.lines, c.json_objects, c.checked) == (3, 2, 0)
    assert c.key_order_pass_rate == 0.0 and c.json_valid_rate == pytest.approx(2 / 3)


def test_counts_add_up() -> None:
    a, b = count_text('{"player": "A"}', SCHEMA), count_text("x", SCHEMA)
    assert (a + b).lines == 2 and (a + b).json_objects == 1
    assert StructuralCounts().rates() == {"json_valid_rate": 0.0, "key_order_pass_rate": 0.0,
                                          "type_check_pass_rate": 0.0}


@pytest.mark.parametrize("value, field, ok", [
    (3, Field("n", type="integer"), True), (True, Field("n", type="integer"), False),
    (2.5, Field("n", type="number"), True), (float("inf"), Field("n", type="number"), False),
    (False, Field("b", type="boolean"), True), ("yes", Field("b", type="boolean"), False),
    ("2024-01-02", Field("d", type="date"), True), (None, Field("s", required=True), False),
    ("X", Field("s", enum=("A",)), False), ("abc", Field("s", pattern="[unclosed"), True),
])
def test_value_fits(value: object, field: Field, ok: bool) -> None:
    assert value_fits(value, field) is ok


def test_load_pairs_keeps_order_and_rejects_duplicates() -> None:
    assert load_pairs('{"b": 1, "a": 2}') == [("b", 1), ("a", 2)]
    assert load_pairs('{"a": 1, "a": 2}') is None
    assert load_pairs('{"a": NaN}') is None
    assert load_pairs('[1, 2]') is None


@pytest.mark.parametrize("text, valid, reason", [
    ('{"structure": "kv_single", "fields": [{"name": "area"}], "constraints": {}}', True, ""),
    ('{"structure": "tree", "fields": [{"name": "area"}]}', False, "unknown structure"),
    ('{"structure": "kv_single", "fields": [{"name": "Area"}]}', False, "naming policy"),
    ('{"structure": "kv_single", "fields": [{"name": "a"}, {"name": "a"}]}', False, "duplicate"),
    ('{"structure": "kv_single", "fields": []}', False, "at least one field"),
    ("nothing", False, "no JSON object"),
])
def test_check_schema(text: str, valid: bool, reason: str) -> None:
    check = check_schema(text)
    assert check.valid is valid
    assert reason in check.reason
