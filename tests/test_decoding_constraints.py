"""Constraint -> GBNF / Lark / server payload: both grammars accept exactly the contract's texts.

The Lark grammar is checked with llguidance over a byte-level vocabulary; the GBNF grammar with llama.cpp's
own grammar sampler over the embedded model's vocabulary (skipped when llama-cpp-python is missing).
"""

from __future__ import annotations

import ctypes
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from text2table.decoding.constraint import Constraint
from text2table.decoding.constraints import (QUOTED_NUMBER_CHARS, openai_payload, rows_constraint, schema_answer_json_schema, schema_constraint,
                                    to_gbnf, to_lark)
from text2table.errors import ConfigError
from text2table.core.schema import STRUCTURES, Field, Schema, schema_answer
from text2table.core.table import dump_rows

SCHEMA = Schema("flat_single_row", (Field("name"), Field("age", type="integer", required=True),
                                    Field("kind", enum=("a", 'é"\\')), Field("ok", type="boolean"),
                                    Field("price", type="number"), Field("day", type="date")))
ROWS = [{"name": 'Bob "B" \\ \n\t\x01 ünï 東京 ¶£–’😀', "age": -3, "kind": 'é"\\', "ok": True, "price": 1.5,
         "day": "2024"},
        {"name": None, "age": 0, "kind": None, "ok": None, "price": 1e-05, "day": None}]


# ---------------------------------------------------------------- acceptance checkers

class _ByteTokenizer:
    eos_token_id, bos_token_id = 256, None
    tokens = [bytes([i]) for i in range(256)] + [b"\xff<eos>"]
    special_token_ids = [256]

    def __call__(self, text: bytes) -> list[int]:
        return list(text)


@pytest.fixture(scope="module")
def lark_accepts():
    llguidance = pytest.importorskip("llguidance")
    tokenizer = llguidance.LLTokenizer(llguidance.TokenizerWrapper(_ByteTokenizer()))

    def accepts(constraint: Constraint, text: str) -> bool:
        matcher = llguidance.LLMatcher(tokenizer, llguidance.LLMatcher.grammar_from_lark(to_lark(constraint)),
                                       log_level=0)
        assert not matcher.is_error(), matcher.get_error()
        return matcher.consume_tokens(list(text.encode("utf-8"))) and matcher.is_accepting()

    return accepts


@pytest.fixture(scope="module")
def gbnf_accepts():
    llama_cpp = pytest.importorskip("llama_cpp")
    from text2table.backends.models import embedded_gguf_path

    llm = llama_cpp.Llama(str(embedded_gguf_path()), vocab_only=True, verbose=False)
    vocab, eos = llm._model.vocab, llm.token_eos()

    def accepts(constraint: Constraint, text: str) -> bool:
        sampler = llama_cpp.llama_sampler_init_grammar(vocab, to_gbnf(constraint).encode(), b"root")
        assert sampler, "llama.cpp could not parse the grammar"
        try:
            for token in llm.tokenize(text.encode("utf-8"), add_bos=False, special=False) + [eos]:
                cell = (llama_cpp.llama_token_data * 1)(llama_cpp.llama_token_data(token, 0.0, 0.0))
                llama_cpp.llama_sampler_apply(sampler, ctypes.byref(llama_cpp.llama_token_data_array(cell, 1, -1,
                                                                                                     False)))
                if cell[0].logit == float("-inf"):
                    return False
                if token != eos:
                    llama_cpp.llama_sampler_accept(sampler, token)
            return True
        finally:
            llama_cpp.llama_sampler_free(sampler)

    yield accepts
    llm.close()


@pytest.fixture(params=["lark", "gbnf"])
def accepts(request):
    return request.getfixturevalue(f"{request.param}_accepts")


# ---------------------------------------------------------------- rows (pi2)

def test_rows_accept_the_training_format_and_empty_or_blank_line_endings(accepts):
    c = rows_constraint(SCHEMA)
    text = dump_rows(ROWS, SCHEMA.names)
    assert accepts(c, text)
    assert accepts(c, "")  # an empty table
    assert accepts(c, text + "\n")  # an empty line ends the table
    assert not accepts(c, text + "\n" + text)  # ... and nothing may follow it


@pytest.mark.parametrize("mutate", [
    lambda t: t.replace('", "', '","'),  # compact separators
    lambda t: t.replace(': ', ':'),
    lambda t: t.replace('"age": -3, "kind"', '"kind"'),  # a missing key
    lambda t: t.replace('{"name": null', '{"age": 0, "name": null'),  # an extra key
    lambda t: t.replace('"Bob', '"Bob\n'),  # a raw newline inside a string
    lambda t: t.replace('"Bob', '"Bob\u2028'),  # a line separator (str.splitlines splits there)
    lambda t: t.replace('"Bob', '"Bob\x85'),
    lambda t: t.replace('"Bob', '"Bob\\/'),  # an escape json.dumps never writes
    lambda t: t.replace('"age": -3', '"age": 1.5'),  # a number where an integer is required
    lambda t: t.replace('"age": -3', '"age": null'),  # null in a required field
    lambda t: t.replace('"kind": null', '"kind": "b"'),  # outside the enum
    lambda t: t.replace('"ok": true', '"ok": "true"'),
    lambda t: t.rstrip("\n"),  # a row must end with a newline
    lambda t: t.replace("\n", " \n", 1),
], ids=["item-sep", "key-sep", "missing-key", "extra-key", "raw-newline", "u2028", "u0085", "slash-escape",
        "float-for-int", "null-required", "enum", "bool-as-string", "no-final-newline", "trailing-space"])
def test_rows_reject_anything_outside_the_contract(accepts, mutate):
    text = dump_rows(ROWS, SCHEMA.names)
    bad = mutate(text)
    assert bad != text
    assert not accepts(rows_constraint(SCHEMA), bad)


def test_numeric_fields_take_a_quoted_number_of_capped_length(accepts):
    # adapters trained on string-typed schemas quote every value; the pipeline reads the quote as a number
    text = dump_rows(ROWS, SCHEMA.names)
    c = rows_constraint(SCHEMA)
    assert accepts(c, text.replace('"age": -3', '"age": "-3"'))
    assert accepts(c, text.replace('"price": 1.5', '"price": "one and a half"'))
    assert not accepts(c, text.replace('"age": -3', '"age": "' + "9" * (QUOTED_NUMBER_CHARS + 1) + '"'))
    assert not accepts(c, text.replace('"age": -3', '"age": null'))  # required stays required
    assert not accepts(c, text.replace('"ok": true', '"ok": "true"'))  # only numeric fields


def test_rows_caps_count_and_string_length(accepts):
    row = {"name": "x" * 5, "age": 1, "kind": None, "ok": None, "price": None, "day": None}
    capped = rows_constraint(SCHEMA, max_rows=2, max_string_length=5)
    assert accepts(capped, dump_rows([row, row], SCHEMA.names))
    assert not accepts(capped, dump_rows([row, row, row], SCHEMA.names))
    assert not accepts(capped, dump_rows([{**row, "name": "x" * 6}], SCHEMA.names))
    assert accepts(capped, dump_rows([{**row, "name": "\n" * 5}], SCHEMA.names))  # an escape is one character
    assert accepts(rows_constraint(SCHEMA, max_rows=0), "")
    assert not accepts(rows_constraint(SCHEMA, max_rows=0), dump_rows([row], SCHEMA.names))


# Excluded: what the grammars forbid (C1 controls, line separators) and planes 4+ (the SmolLM2 vocabulary has
# no token for their lead byte, so no model output can contain them).
_CELL = st.text(st.characters(max_codepoint=0x3FFFF, blacklist_characters="\u2028\u2029",
                              blacklist_categories=("Cs",)).filter(lambda ch: not 0x7F <= ord(ch) <= 0x9F),
                max_size=12)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.fixed_dictionaries({"name": st.none() | _CELL, "age": st.integers(-10**12, 10**12),
                                            "kind": st.sampled_from([None, "a", 'é"\\']),
                                            "ok": st.none() | st.booleans(),
                                            "price": st.none() | st.floats(allow_nan=False, allow_infinity=False,
                                                                           width=32),
                                            "day": st.none() | _CELL}), max_size=3))
def test_any_dumped_table_is_accepted_by_both_grammars(lark_accepts, gbnf_accepts, rows):
    text = dump_rows(rows, SCHEMA.names)
    c = rows_constraint(SCHEMA, max_string_length=12)
    assert lark_accepts(c, text)
    assert gbnf_accepts(c, text)


# ---------------------------------------------------------------- sparse rows (pi2_form "sparse")

def test_sparse_rows_accept_any_non_null_subset_in_schema_order(accepts):
    c = rows_constraint(SCHEMA, form="sparse")
    assert c.json_schema["required"] == ["age"] and c.json_schema["minProperties"] == 1
    assert accepts(c, dump_rows(ROWS, SCHEMA.names, sparse=True))
    assert accepts(c, '{"age": 3}\n{"name": "Ann", "age": 1, "day": "x"}\n')
    assert not accepts(c, '{"name": "Ann"}\n')  # the required key is left out
    assert not accepts(c, '{"age": 3, "name": "Ann"}\n')  # out of schema order
    assert not accepts(c, '{"name": null, "age": 3}\n')  # null is never written
    assert not accepts(c, '{"age": 3, "age": 4}\n')
    assert not accepts(c, dump_rows(ROWS, SCHEMA.names))  # the full form writes nulls


def test_an_all_optional_sparse_row_is_never_empty(accepts):
    optional = Schema("flat_single_row", (Field("a"), Field("b", type="integer")))
    c = rows_constraint(optional, form="sparse")
    for ok in ('{"a": "x"}\n', '{"b": 2}\n', '{"a": "x", "b": "2"}\n', ""):
        assert accepts(c, ok), ok
    for bad in ("{}\n", '{"b": 2, "a": "x"}\n', '{"a": "x"}, "b": 2}\n'):
        assert not accepts(c, bad), bad
    with pytest.raises(ConfigError, match="pi2 answer form"):
        rows_constraint(optional, form="dense")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.fixed_dictionaries({"name": st.none() | _CELL, "age": st.integers(-10**12, 10**12),
                                            "kind": st.sampled_from([None, "a", 'é"\\']),
                                            "ok": st.none() | st.booleans(), "price": st.none() | st.just(2.5),
                                            "day": st.none() | _CELL}), max_size=3))
def test_any_sparse_table_is_accepted_by_both_grammars(lark_accepts, gbnf_accepts, rows):
    text = dump_rows(rows, SCHEMA.names, sparse=True)
    c = rows_constraint(SCHEMA, max_string_length=12, form="sparse")
    assert lark_accepts(c, text)
    assert gbnf_accepts(c, text)


# ---------------------------------------------------------------- schema answers (pi1)

_NAMES = st.from_regex(r"[a-z](_?[a-z0-9]){0,20}", fullmatch=True)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(_NAMES, min_size=1, max_size=6, unique=True), structure=st.sampled_from(STRUCTURES),
       types=st.lists(st.sampled_from(["string", "integer", "number", "boolean", "date"]), min_size=6, max_size=6),
       required=st.lists(st.booleans(), min_size=6, max_size=6))
def test_any_schema_answer_is_accepted_by_both_grammars(lark_accepts, gbnf_accepts, names, structure, types,
                                                        required):
    schema = Schema(structure, tuple(Field(n, type=t, required=r) for n, t, r in zip(names, types, required)))
    text = schema_answer(schema)
    assert lark_accepts(schema_constraint(), text)
    assert gbnf_accepts(schema_constraint(), text)


@pytest.mark.parametrize("name, ok", [("a", True), ("a1_b2", True), ("x" * 64, True), ("x" * 65, False),
                                      ("a__b", False), ("a_", False), ("_a", False), ("1a", False), ("Ab", False)])
def test_schema_names_follow_the_naming_policy_exactly(accepts, name, ok):
    text = '{"structure":"kv_single","fields":[{"name":"%s","type":"string","required":false}],"constraints":{}}'
    assert accepts(schema_constraint(), text % name) is ok


@pytest.mark.parametrize("text", [
    '{"structure":"kv_single","fields":[],"constraints":{}}',  # no field
    '{"structure":"table","fields":[{"name":"a","type":"string","required":false}],"constraints":{}}',
    '{"structure":"kv_single","fields":[{"name":"a","type":"text","required":false}],"constraints":{}}',
    '{"structure": "kv_single","fields":[{"name":"a","type":"string","required":false}],"constraints":{}}',
    '{"structure":"kv_single","fields":[{"name":"a","type":"string","required":false,"enum":["x"]}],'
    '"constraints":{}}',
    '{"structure":"kv_single","fields":[{"name":"a","type":"string","required":false}],"constraints":{"x":1}}',
], ids=["no-fields", "structure", "type", "whitespace", "extra-key", "constraints"])
def test_schema_rejects_invalid_answers(accepts, text):
    assert not accepts(schema_constraint(), text)


def test_schema_caps_fields(accepts):
    fields = ",".join('{"name":"f%d","type":"string","required":false}' % i for i in range(3))
    text = '{"structure":"flat_single_row","fields":[%s],"constraints":{}}' % fields
    assert accepts(schema_constraint(max_fields=3), text)
    assert not accepts(schema_constraint(max_fields=2), text)


# ---------------------------------------------------------------- builders, errors, payloads

def test_builders():
    js = schema_answer_json_schema(max_fields=5)
    assert list(js["properties"]) == ["structure", "fields", "constraints"]
    assert js["properties"]["fields"]["maxItems"] == 5
    c = rows_constraint(SCHEMA, max_rows=7, max_string_length=9)
    assert c.kind == "rows" and c.max_rows == 7 and list(c.json_schema["properties"]) == SCHEMA.names
    assert c.json_schema["properties"]["name"]["anyOf"][0]["maxLength"] == 9
    with pytest.raises(ConfigError, match="max_rows"):
        rows_constraint(SCHEMA, max_rows=-1)
    with pytest.raises(ConfigError, match="max_name_length"):
        schema_constraint(max_name_length=65)


@pytest.mark.parametrize("json_schema, match", [
    ({"type": "object", "properties": {"a": {"type": "string"}}, "required": ["b"]}, "required"),
    ({"type": "object", "properties": {"a": {"type": "string"}}, "required": [], "minProperties": 2},
     "minProperties"),
    ({"type": "object", "properties": {"a": {"type": "string", "minimum": 1}}, "required": ["a"]}, "minimum"),
    ({"type": "object", "properties": {"a": {}}, "required": ["a"]}, "unconstrained"),
    ({"type": "object", "properties": {"a": {"$ref": "#/x"}}, "required": ["a"]}, r"\$ref"),
    ({"type": "object", "properties": {"a": {"enum": []}}, "required": ["a"]}, "empty enum"),
])
def test_unsupported_schemas_raise_with_the_path(json_schema, match):
    for compile_ in (to_gbnf, to_lark):
        with pytest.raises(ConfigError, match=match):
            compile_(Constraint("rows", json_schema))


def test_grammars_are_deterministic_and_share_rules():
    c = rows_constraint(SCHEMA)
    assert to_gbnf(c) == to_gbnf(rows_constraint(SCHEMA)) and to_lark(c) == to_lark(rows_constraint(SCHEMA))
    two = Schema("kv_single", (Field("a"), Field("b")))
    assert to_lark(rows_constraint(two)).count("STRING_0_200:") == 1


def test_openai_payload_styles():
    rows, schema = rows_constraint(SCHEMA, max_rows=3), schema_constraint()
    assert openai_payload(schema) == {"structured_outputs": {"json": schema.json_schema}}
    assert openai_payload(rows) == {"structured_outputs": {"grammar": to_gbnf(rows)}}
    assert openai_payload(rows, dialect="lark") == {"structured_outputs": {"grammar": to_lark(rows)}}
    fmt = openai_payload(schema, style="response_format")["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["schema"] == schema.json_schema
    assert openai_payload(rows, style="response_format") is None  # NDJSON cannot be one JSON document
    assert openai_payload(rows, style="grammar") == {"grammar": to_gbnf(rows)}
    assert openai_payload(rows, style="none") == {}
    with pytest.raises(ConfigError, match="payload style"):
        openai_payload(rows, style="guided_json")
    json.dumps(openai_payload(rows))  # serialisable as a request body


def test_list_end_bias_is_a_bounded_logit_shift():
    assert schema_constraint(list_end_bias=-1.5).list_end_bias == -1.5
    assert schema_constraint().list_end_bias == 0.0
    with pytest.raises(ConfigError, match="list_end_bias"):
        schema_constraint(list_end_bias=11.0)
