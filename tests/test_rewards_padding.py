"""Padding shares: text outside the one schema object, text on lines that are not rows."""

from __future__ import annotations

import json

from text2table.rewards.padding import object_span, rows_padding, schema_padding

SCHEMA = json.dumps({"structure": "kv_single", "fields": [{"name": "area"}, {"name": "price"}]})


def test_one_object_has_no_padding_and_copies_scale() -> None:
    assert schema_padding(SCHEMA) == 0.0 and schema_padding("  \n" + SCHEMA + "\n\n") == 0.0
    assert abs(schema_padding(SCHEMA * 2) - 0.5) < 1e-9
    assert abs(schema_padding("\n".join([SCHEMA] * 4)) - 0.75) < 1e-9


def test_prose_costs_by_its_length_and_fences_are_free() -> None:
    short = schema_padding(SCHEMA + " Done.")
    long = schema_padding(SCHEMA + " " + "This schema lists the area and the price. " * 10)
    assert 0 < short < long < 1
    assert schema_padding("```json\n" + SCHEMA + "\n```") == 0.0
    assert schema_padding("no object here") == 1.0 and schema_padding("") == 0.0


def test_object_span_skips_a_broken_first_object() -> None:
    text = '{"structure": \n' + SCHEMA
    start, end = object_span(text) or (0, 0)
    assert text[start:end] == SCHEMA
    assert object_span("[1, 2]") is None


def test_rows_padding_counts_non_row_lines_and_unread_lines() -> None:
    rows = '{"a": "1"}\n{"a": "2"}\n'
    assert rows_padding(rows, [True, True]) == 0.0
    assert rows_padding(rows + "and more\n", [True, True, False]) > 0
    assert rows_padding(rows + "and more\n", [True, True]) == rows_padding(rows + "and more\n", [True, True, False])
    assert rows_padding("\n \n", []) == 0.0
