"""parsing: lenient schema text -> Schema with reasons; never raises on model text."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from text2table.decoding.parsing import extract_json_object, parse_rows_text, parse_schema_text, strip_code_fences
from text2table.core.schema import Field, Schema, schema_answer

SCHEMA = Schema("kv_single", (Field("name"), Field("area"), Field("price_range")))


@pytest.mark.parametrize("text", [
    schema_answer(SCHEMA),
    "```json\n" + schema_answer(SCHEMA) + "\n```",
    "Here is the schema:\n" + schema_answer(SCHEMA) + "\nHope this helps!",
    "Sure {not json}\n" + schema_answer(SCHEMA),
], ids=["plain", "fenced", "prose-around", "broken-object-first"])
def test_schema_text_round_trips(text: str) -> None:
    schema, reason = parse_schema_text(text)
    assert reason == ""
    assert schema == SCHEMA


@pytest.mark.parametrize("text, reason", [
    ("", "empty output"),
    ("no json at all", "no JSON object"),
    ('{"structure": "kv_single", "fields": [{"name": "a"}', "incomplete or invalid JSON"),
    ('{"structure": "kv_single", "fields": [{"name": "a"}], "fields": []}', "duplicate key 'fields'"),
    ('{"structure": "kv_single", "fields": [{"name": "a", "x": NaN}]}', "NaN is not valid JSON"),
    ('{"structure": "kv_single", "fields": [{"name": "Bad Name"}]}', "breaks the naming policy"),
    ('{"structure": "kv_single", "fields": [{"name": "a"}, {"name": "a"}]}', "duplicate field names"),
    ('[{"name": "a"}]', "needs the keys 'structure' and 'fields'"),
], ids=["empty", "prose", "truncated", "duplicate-key", "nan", "bad-name", "duplicate-field", "array"])
def test_schema_text_failures_say_why(text: str, reason: str) -> None:
    schema, why = parse_schema_text(text)
    assert schema is None
    assert reason in why


def test_normalize_mode_repairs_names() -> None:
    schema, reason = parse_schema_text('{"structure": "kv_single", "fields": [{"name": "Price Range"},'
                                       ' {"name": "price range"}]}', normalize=True)
    assert reason == "" and schema is not None
    assert schema.names == ["price_range", "price_range_2"]


def test_strip_code_fences_and_rows() -> None:
    assert strip_code_fences("```\na\n```") == "a"
    result = parse_rows_text('```\n{"a": 1}\nnot json\n{"a": 2', ["a"])
    assert [r["a"] for r in result.rows] == [1]
    assert result.truncated


def test_extract_non_text() -> None:
    assert extract_json_object(None) == (None, "output is NoneType, not text")


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.builds(lambda a, b: a + schema_answer(SCHEMA)[: len(b)], st.text(max_size=20),
                                      st.text(max_size=200))))
def test_parse_schema_text_never_raises(text: str) -> None:
    schema, reason = parse_schema_text(text)
    assert (schema is None) == bool(reason)


@settings(max_examples=200, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.floats(allow_nan=True) | st.text(max_size=10),
                    lambda kids: st.lists(kids, max_size=3) | st.dictionaries(st.text(max_size=5), kids, max_size=3),
                    max_leaves=10))
def test_parse_schema_any_json_never_raises(obj: object) -> None:
    schema, reason = parse_schema_text(json.dumps(obj))
    assert schema is None or isinstance(schema, Schema)


def test_normalize_mode_drops_names_that_stutter() -> None:
    text = ('{"structure": "flat_single_row", "fields": [{"name": "cohort"}, {"name": "cohort_cohort_duration"},'
            ' {"name": "dose"}, {"name": "subj_subj_subj_title"}]}')
    schema, reason = parse_schema_text(text, normalize=True)
    assert reason == "" and schema is not None and schema.names == ["cohort", "dose"]
    alone, _ = parse_schema_text('{"structure": "kv_single", "fields": [{"name": "team_team"}]}', normalize=True)
    assert alone is not None and alone.names == ["team_team"]  # the only field stays
    strict, _ = parse_schema_text(text)  # without normalize the schema is taken as written
    assert strict is not None and len(strict.names) == 4
