import json

import pytest
from hypothesis import given, strategies as st

from text2table.errors import ParseError
from text2table.core.table import dedupe_rows, dump_rows, parse_ndjson_lenient, parse_ndjson_strict

NAMES = ["player", "points"]


def test_dump_orders_keys_and_fills_null():
    assert dump_rows([{"points": "20", "player": "Smith"}, {"player": "Jones"}], NAMES) == (
        '{"player": "Smith", "points": "20"}\n{"player": "Jones", "points": null}\n')
    assert dump_rows([], NAMES) == ""


@pytest.mark.parametrize(("text", "line", "reason"), [
    ('{"player": "a", "points": "1"}\n{"player": "b"', 2, "not valid JSON"),
    ('{"points": "1", "player": "a"}', 1, "schema order"),
    ('{"player": "a"}', 1, "missing ['points']"),
    ('{"player": "a", "points": "1", "x": 2}', 1, "unexpected ['x']"),
    ('[1, 2]', 1, "expected a JSON object"),
    ('{"player": "a", "points": NaN}', 1, "not valid JSON"),
    ('{"player": "a", "player": "b", "points": 1}', 1, "duplicate key"),
    ('\n\n{"player": {"n": 1}, "points": 1}', 3, "nested"),
], ids=["truncated", "order", "missing", "extra", "array", "nan", "dupkey", "nested"])
def test_strict_reports_line_and_reason(text, line, reason):
    with pytest.raises(ParseError) as err:
        parse_ndjson_strict(text, NAMES)
    assert err.value.line == line
    assert reason in str(err.value)


def test_lenient_keeps_valid_rows_and_reports_drops():
    text = ("Here is the table:\n```json\n"
            '{"player": "Smith", "points": "20"}\n'
            '{"points": "12", "player": "Jones"}\n'
            '{"player": "Lee", "points": "3"}\n'
            "```\n"
            '{"player": "Kim", "poi')
    result = parse_ndjson_lenient(text, NAMES)
    assert [r["player"] for r in result.rows] == ["Smith", "Lee"]
    reasons = {d.line: d.reason for d in result.dropped}
    assert reasons[1].startswith("prose")
    assert "schema order" in reasons[4]
    assert reasons[7] == "truncated last line" and result.truncated
    assert result.lines == 5
    assert [r["player"] for r in parse_ndjson_lenient(text, NAMES, reorder=True).rows] == ["Smith", "Jones", "Lee"]


@given(st.text(max_size=300))
def test_lenient_never_raises(text):
    result = parse_ndjson_lenient(text, NAMES)
    assert 0.0 <= result.valid_rate <= 1.0
    assert all(list(r) == NAMES for r in result.rows)


@given(st.lists(st.fixed_dictionaries({"player": st.one_of(st.none(), st.text()),
                                       "points": st.one_of(st.none(), st.text(), st.integers())}), max_size=8))
def test_round_trip(rows):
    assert parse_ndjson_strict(dump_rows(rows, NAMES), NAMES) == [json.loads(json.dumps(r)) for r in rows]


def test_dedupe_rows_keeps_first():
    rows = [{"a": 1}, {"a": 2}, {"a": 1}]
    assert dedupe_rows(rows) == [{"a": 1}, {"a": 2}]


def test_lenient_trims_text_cells_only():
    text = '{"player": " Smith\\t", "points": 12}\n{"player": "Lee", "points": " 7 "}\n'
    assert parse_ndjson_lenient(text, NAMES).rows == [{"player": "Smith", "points": 12},
                                                      {"player": "Lee", "points": "7"}]


def test_sparse_rows_leave_out_nulls_and_read_back_whole():
    names = ["player", "team", "points"]
    rows = [{"player": "Ann", "team": None, "points": 3}, {"player": None, "team": None, "points": None},
            {"player": None, "team": "Reds", "points": None}]
    text = dump_rows(rows, names, sparse=True)
    assert text == '{"player": "Ann", "points": 3}\n{"team": "Reds"}\n'  # the all-null row has no line
    assert parse_ndjson_lenient(text, names, sparse=True).rows == [rows[0], rows[2]]
    assert parse_ndjson_lenient(text, names).rows == []  # the full form wants every key
    full = dump_rows(rows[:1], names)
    assert parse_ndjson_lenient(full, names, sparse=True).rows == rows[:1]  # a full row reads the same
    result = parse_ndjson_lenient('{"points": 3, "player": "Ann"}\n{"coach": "X"}\n{}\n', names, sparse=True)
    assert result.rows == [] and len(result.dropped) == 3  # out of order, unknown key, empty
    assert dump_rows([], names, sparse=True) == ""


@given(st.lists(st.fixed_dictionaries({"a": st.none() | st.text(max_size=5), "b": st.none() | st.integers()}),
                max_size=4))
def test_sparse_round_trip_keeps_every_row_with_a_value(rows):
    kept = [r for r in rows if any(v is not None for v in r.values())]
    read = parse_ndjson_lenient(dump_rows(rows, ["a", "b"], sparse=True), ["a", "b"], sparse=True).rows
    assert read == [{k: v.strip() if isinstance(v, str) else v for k, v in r.items()} for r in kept]
