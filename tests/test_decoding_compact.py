"""pi1's compact answer form: written with defaults left out, read back to the same schema, constrained."""

from __future__ import annotations

import json

import pytest

from text2table.core.schema import Field, Schema, schema_answer
from text2table.decoding.compact import compact_answer, expand_answer
from text2table.decoding.constraints import schema_constraint, to_gbnf
from text2table.decoding.forced import tracker
from text2table.decoding.parsing import parse_schema_text
from text2table.errors import ConfigError

SCHEMA = Schema("kv_single", (Field("name"), Field("food"), Field("price", type="integer", required=True),
                              Field("area", enum=("riverside", "city centre"))))


def test_compact_leaves_defaults_out_and_reads_back_to_the_same_schema():
    text = compact_answer(SCHEMA)
    assert text == ('{"structure":"kv_single","fields":["name","food",{"name":"price","type":"integer",'
                    '"required":true},{"name":"area","enum":["riverside","city centre"]}]}')
    compact, _ = parse_schema_text(text)
    full, _ = parse_schema_text(schema_answer(SCHEMA))
    assert compact == full == SCHEMA
    assert len(text) < len(schema_answer(SCHEMA)) * 0.75


def test_expand_leaves_the_full_form_alone():
    full = json.loads(schema_answer(SCHEMA))
    assert expand_answer(full) is full
    assert expand_answer({"structure": "kv_single", "fields": ["a", {"name": "b"}]})["fields"] == [
        {"name": "a"}, {"name": "b"}]


def test_normalising_parse_reads_compact_names():
    schema, reason = parse_schema_text('{"structure":"kv_single","fields":["Eat Type","food","food"]}',
                                       normalize=True)
    assert schema is not None, reason
    assert schema.names == ["eat_type", "food"]


def test_compact_grammar_takes_names_only_and_most_of_the_frame_is_forced():
    c = schema_constraint(form="compact")
    gbnf = to_gbnf(c)
    assert '"\\"type\\""' not in gbnf and "constraints" not in gbnf
    t = tracker(c)
    assert t.pending() == b'{"structure":"'
    t.feed(b'{"structure":"kv_single"')
    assert t.pending() == b',"fields":["'
    t.feed(b',"fields":["name"]')
    assert t.pending() == b"}" and not t.before_choice()
    with pytest.raises(ConfigError, match="answer form"):
        schema_constraint(form="tiny")


def test_prepare_writes_the_compact_target_on_request(tmp_path):
    from text2table.core.records import record_from_dict
    from text2table.data.prepare import PrepareConfig, build_examples

    record = record_from_dict({"id": "r1", "document": "Aromi serves Chinese food.",
                                   "table": {"headers": ["name", "food"], "rows": [["Aromi", "Chinese"]]}})
    full = build_examples(record)[0].messages[-1]["content"]
    compact = build_examples(record, pi1_form="compact")[0].messages[-1]["content"]
    assert '"type":"string"' in full
    assert compact == '{"structure":"kv_single","fields":["name","food"]}'
    with pytest.raises(ConfigError):
        PrepareConfig(pi1_form="tiny")
