import json

import pytest

from text2table.errors import InputError
from text2table.core.records import gold_rows, gold_schema, read_gold, record_from_dict
from tests.conftest import FLAT_RECORD, KV_RECORD


def _write(tmp_path, lines):
    path = tmp_path / "gold.jsonl"
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def test_read_gold_streams_valid_records(tmp_path):
    path = _write(tmp_path, [json.dumps(KV_RECORD), "", json.dumps(FLAT_RECORD)])
    records = list(read_gold(path))
    assert [r.id for r in records] == ["e2e-1", "match-7"]
    assert records[0].metadata["language"] == "en"  # defaults filled
    assert records[1].table.rows[1] == ["Jones", "12", ""]


@pytest.mark.parametrize(("line", "message"), [
    ('{"id": "x", "document": "t", "table": {"headers": ["a"], "rows": [["1", "2"]]}}', "has 2 cells, expected 1"),
    ('{"id": "x", "document": "  ", "table": {"headers": ["a"], "rows": []}}', "empty 'document'"),
    ('{"document": "t", "table": {"headers": ["a"], "rows": []}}', "missing or empty 'id'"),
    ('{"id": "x", "document": "t"}', "missing 'table'"),
    ('{"id": "x", "document": "t", "table": {"headers": [], "rows": []}}', "non-empty list of strings"),
    ('{"id": "x", "document": "t", "table": {"headers": ["a"], "rows": [[{"v": 1}]]}}', "string or null"),
    ('{"id": "x", "document": "t", "table": {"headers": ["a"], "rows": [], "structure": "tree"}}', "unknown"),
    ('{"id": "x", "document": "t", "table": {"headers": ["a"]', "invalid JSON"),
], ids=["cells", "empty-doc", "no-id", "no-table", "no-headers", "nested-cell", "structure", "json"])
def test_errors_name_file_and_line(tmp_path, line, message):
    path = _write(tmp_path, [json.dumps(KV_RECORD), line])
    with pytest.raises(InputError) as err:
        list(read_gold(path))
    assert f"{path}:2:" in str(err.value) and message in str(err.value)


def test_duplicate_ids_and_encoding(tmp_path):
    path = _write(tmp_path, [json.dumps(KV_RECORD), json.dumps(KV_RECORD)])
    with pytest.raises(InputError, match="duplicate id 'e2e-1'"):
        list(read_gold(path))
    bad = tmp_path / "latin1.jsonl"
    bad.write_bytes(json.dumps({"id": "a", "document": "café"}, ensure_ascii=False).encode("latin-1") + b"\n")
    with pytest.raises(InputError, match=r"latin1.jsonl:1: not valid UTF-8.*iconv|re-encode"):
        list(read_gold(bad, require_table=False))
    with pytest.raises(InputError, match="file not found"):
        list(read_gold(tmp_path / "missing.jsonl"))


def test_gold_schema_and_rows(kv_record, flat_record):
    schema = gold_schema(kv_record)
    assert schema.structure == "kv_single"
    assert schema.names == ["name", "eat_type", "near", "area", "price_range"]
    assert gold_rows(kv_record, schema)[0]["eat_type"] == "pub"
    flat = gold_schema(flat_record)
    assert flat.structure == "flat_single_row"
    assert gold_rows(flat_record, flat) == [{"player": "Smith", "points": "20", "rebounds": "5"},
                                            {"player": "Jones", "points": "12", "rebounds": None}]


def test_numbers_become_strings_and_round_trip():
    rec = record_from_dict({"id": 5, "document": "x", "table": {"headers": ["a", "b"], "rows": [[1, True]]}})
    assert rec.id == "5" and rec.table.rows == [["1", "true"]]
    assert record_from_dict(rec.to_dict()) == rec
