import json
import subprocess
import sys

import pytest

from text2table.errors import SchemaError
from text2table.core.schema import (Field, Schema, build_assistant_schema, detect_structure, row_json_schema,
                               schema_answer)


def test_build_assistant_schema_from_headers_only():
    schema = build_assistant_schema(["Player", "Pts", "Pts", "Année"], structure="flat_single_row")
    assert schema.names == ["player", "pts", "pts_2", "annee"]
    assert all(f.type == "string" and f.required is False for f in schema.fields)
    assert [f.source_header for f in schema.fields] == ["Player", "Pts", "Pts", "Année"]
    same = build_assistant_schema(["player"], structure="kv_single")
    assert same.fields[0].source_header is None  # kept only where it differs


def test_to_dict_key_order_and_round_trip():
    schema = build_assistant_schema(["Name", "Price"], structure="kv_single")
    data = schema.to_dict()
    assert list(data) == ["schema_id", "structure", "fields", "constraints"]
    assert list(data["fields"][0]) == ["name", "type", "required", "source_header"]
    again = Schema.from_dict(json.loads(schema.to_json()))
    assert again == schema and again.schema_id == schema.schema_id


def test_schema_id_is_deterministic_across_processes():
    schema = build_assistant_schema(["Name", "Price"], structure="kv_single")
    code = ("from text2table.core.schema import build_assistant_schema as b;"
            "print(b(['Name','Price'], structure='kv_single').schema_id)")
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={"PYTHONHASHSEED": "123", "PATH": ""}).stdout.strip()
    assert other == schema.schema_id == "s_" + other[2:]
    assert len(other) == 14


def test_schema_id_depends_on_order_types_structure_only():
    a = Schema("kv_single", (Field("x"), Field("y")))
    assert a.schema_id != Schema("kv_single", (Field("y"), Field("x"))).schema_id
    assert a.schema_id != Schema("flat_single_row", (Field("x"), Field("y"))).schema_id
    assert a.schema_id != Schema("kv_single", (Field("x", type="integer"), Field("y"))).schema_id
    assert a.schema_id == Schema("kv_single", (Field("x", source_header="X"), Field("y"))).schema_id


def test_answer_form_has_no_id_or_source_header():
    schema = build_assistant_schema(["Customer Rating"], structure="kv_single")
    assert schema_answer(schema) == ('{"structure":"kv_single","fields":[{"name":"customer_rating",'
                                     '"type":"string","required":false}],"constraints":{}}')


@pytest.mark.parametrize("bad", [
    {"structure": "kv_single", "fields": []},
    {"structure": "kv_single", "fields": [{"name": "Bad Name"}]},
    {"structure": "kv_single", "fields": [{"name": "a"}, {"name": "a"}]},
    {"structure": "kv_single", "fields": [{"name": "a", "type": "float"}]},
    {"structure": "kv_single", "fields": [{"name": "a", "colour": "red"}]},
    {"structure": "Bad Structure", "fields": [{"name": "a"}]},
    {"fields": [{"name": "a"}]},
    ["not", "an", "object"],
], ids=["empty", "name", "dupe", "type", "unknown-key", "structure", "no-structure", "list"])
def test_from_dict_rejects_with_reason(bad):
    with pytest.raises(SchemaError):
        Schema.from_dict(bad)


def test_future_structure_is_stored_unchanged():
    schema = Schema.from_dict({"structure": "multi_header", "fields": [{"name": "a"}]})
    assert schema.structure == "multi_header"


def test_detect_structure_rule():
    assert detect_structure(["a", "b"], [["1", "2"]]) == "kv_single"
    assert detect_structure(["a", "b"], [["1", "2"], ["3", "4"]]) == "flat_single_row"
    assert detect_structure(["a"], []) == "flat_single_row"
    assert detect_structure(["a"], [["1"]], declared="flat_single_row") == "flat_single_row"
    with pytest.raises(SchemaError):
        detect_structure(["a"], [["1"]], declared="tree")


def test_row_json_schema():
    schema = Schema("flat_single_row", (Field("player", required=True), Field("pts", type="integer"),
                                        Field("pos", enum=("G", "F")), Field("date", pattern=r"^\d{4}$")))
    js = row_json_schema(schema, max_string_length=50)
    assert list(js["properties"]) == ["player", "pts", "pos", "date"]
    assert js["required"] == ["player", "pts", "pos", "date"] and js["additionalProperties"] is False
    assert js["properties"]["player"] == {"type": "string", "maxLength": 50}
    assert js["properties"]["pts"] == {"anyOf": [{"type": "integer"}, {"type": "null"}]}
    assert js["properties"]["pos"] == {"anyOf": [{"enum": ["G", "F"]}, {"type": "null"}]}
    assert js["properties"]["date"]["anyOf"][0] == {"type": "string", "pattern": r"^\d{4}$"}
