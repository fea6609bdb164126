"""Table files (core/table_files.py): CSV, Parquet and JSONL chosen by suffix, atomic, text cells."""

import csv
import json

import pytest

from text2table.core.table_files import cell_string, table_format, write_table
from text2table.errors import ConfigError

COLUMNS = ["doc_id", "name", "note"]
ROWS = [["a", "Smith, J.", 'said "hi"\nthen left'], ["b", None, 7], ["c", "Ünïcode", True]]


def test_csv_round_trips_quoting_and_nulls(tmp_path):
    path = tmp_path / "t.csv"
    assert write_table(path, COLUMNS, ROWS) == "csv"
    with path.open(newline="", encoding="utf-8") as handle:
        read = list(csv.reader(handle))
    assert read == [COLUMNS, ["a", "Smith, J.", 'said "hi"\nthen left'], ["b", "", "7"], ["c", "Ünïcode", "true"]]


def test_parquet_has_string_columns_and_nulls(tmp_path):
    import pyarrow.parquet as pq

    path = tmp_path / "t.parquet"
    write_table(path, COLUMNS, ROWS)
    table = pq.read_table(path)
    assert table.column_names == COLUMNS
    assert all(str(t) == "string" for t in table.schema.types)
    assert table.to_pylist()[1] == {"doc_id": "b", "name": None, "note": "7"}


def test_jsonl_keeps_json_values(tmp_path):
    path = tmp_path / "t.jsonl"
    write_table(path, COLUMNS, ROWS)
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert lines[1] == {"doc_id": "b", "name": None, "note": 7} and list(lines[0]) == COLUMNS


def test_empty_table_writes_the_header(tmp_path):
    write_table(tmp_path / "e.csv", ["doc_id"], [])
    assert (tmp_path / "e.csv").read_text() == "doc_id\n"


@pytest.mark.parametrize("name", ["t.xlsx", "t", "t.json"])
def test_unknown_suffix_names_the_choices(name, tmp_path):
    with pytest.raises(ConfigError, match=r"\.csv"):
        table_format(tmp_path / name)
    assert not (tmp_path / name).exists()


def test_bad_shapes_raise_and_write_nothing(tmp_path):
    with pytest.raises(ConfigError, match="duplicate"):
        write_table(tmp_path / "d.csv", ["a", "a"], [])
    with pytest.raises(ConfigError, match="row 0 has 1 cells"):
        write_table(tmp_path / "d.csv", ["a", "b"], [["x"]])
    assert list(tmp_path.iterdir()) == []


def test_cell_string_never_returns_nan():
    assert cell_string(float("nan")) is None and cell_string({"a": 1}) == '{"a": 1}'
