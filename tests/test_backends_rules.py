import json

import pytest
from hypothesis import given, settings, strategies as st

from text2table.decoding.constraint import Constraint
from text2table.backends.rules import RulesBackend
from text2table.layout.blocks import extract_rows, induce_schema
from text2table.errors import ConfigError
from text2table.pipeline.config import PipelineConfig
from text2table.pipeline.run import run
from text2table.decoding.prompts import pi1_messages, pi2_messages
from text2table.core.schema import Schema
from text2table.core.table import parse_ndjson_strict

META = {"missing_value_tokens": ["", "-", "—", "N/A", "n/a"]}

DOCS = {
    "kv-lines": ("The Vaults, reviewed.\n\nSpecifications:\nName: The Vaults\nFood: Italian\nPrice range: N/A\n"
                 "Area: riverside, near the bridge\n\nWorth a visit.",
                 "kv_single", ["name", "food", "price_range", "area"],
                 [{"name": "The Vaults", "food": "Italian", "price_range": None,
                   "area": "riverside, near the bridge"}]),
    "bullets": ("Specs:\n- **Weight:** 3 kg\n* Colour – red\n• Battery life: 10 h",
                "kv_single", ["weight", "colour", "battery_life"],
                [{"weight": "3 kg", "colour": "red", "battery_life": "10 h"}]),
    "markdown": ("Results of the race.\n\n| Rank | Driver | Team |\n|---|:---:|---|\n| 1 | Ann Lee | Red |\n"
                 "| 2 | Bob Oyelaran | — |\n\nAll drivers finished.",
                 "flat_single_row", ["rank", "driver", "team"],
                 [{"rank": "1", "driver": "Ann Lee", "team": "Red"},
                  {"rank": "2", "driver": "Bob Oyelaran", "team": None}]),
    "csv": ('Quarterly figures follow.\n\nQuarter;Revenue;Growth %\nQ1;"1.234,50 €";3\nQ2;"2.000,00 €";\n\n'
            "The company, founded in 1990, grew.",
            "flat_single_row", ["quarter", "revenue", "growth_pct"],
            [{"quarter": "Q1", "revenue": "1.234,50 €", "growth_pct": "3"},
             {"quarter": "Q2", "revenue": "2.000,00 €", "growth_pct": None}]),
    "aligned": ("Standings\n\nTeam     Won  Lost\nHawks    10   2\nBulls    7    -\n",
                "flat_single_row", ["team", "won", "lost"],
                [{"team": "Hawks", "won": "10", "lost": "2"}, {"team": "Bulls", "won": "7", "lost": None}]),
    "kv-table": ("| Specification | Value |\n|---|---|\n| Weight | 3 kg |\n| Colour | n/a |",
                 "kv_single", ["weight", "colour"], [{"weight": "3 kg", "colour": None}]),
    "metric-table": ("Pelcor reported.\n\n| Metric | third quarter of 2025 |\n|---|---|\n"
                     "| Net sales | €5.42 billion |\n| CEO | Vera Fairweather |\n", "kv_single", ["net_sales", "ceo"],
                     [{"net_sales": "€5.42 billion", "ceo": "Vera Fairweather"}]),
    "abbrev-headers": ("Tag,Max.,Wetter\nSonntag 10,21°C,\"Nebel, später sonnig\"\nMontag 11,21°C,bedeckt\n",
                       "flat_single_row", ["tag", "max", "wetter"],
                       [{"tag": "Sonntag 10", "max": "21°C", "wetter": "Nebel, später sonnig"},
                        {"tag": "Montag 11", "max": "21°C", "wetter": "bedeckt"}]),
    "records": ("Name: Alice\nAge: 30\n\nName: Bob\nAge: 25\n",
                "flat_single_row", ["name", "age"], [{"name": "Alice", "age": "30"}, {"name": "Bob", "age": "25"}]),
}


@pytest.mark.parametrize("key", list(DOCS))
def test_rules_induce_schema_and_rows(key):
    document, structure, names, rows = DOCS[key]
    schema = induce_schema(document, META)
    assert schema is not None and schema.structure == structure and schema.names == names
    assert extract_rows(document, schema, META) == [{n: r.get(n) for n in names} for r in rows]


def test_prose_has_no_schema_and_pipeline_gives_an_empty_table():
    prose = "The Eagle is a coffee shop, near Burger King. It is cheap, and family friendly."
    assert induce_schema(prose) is None
    result = run(prose, None, RulesBackend())
    assert result.schema is None and result.rows == [] and result.diagnostics["pi1"]["valid"] is False


def test_given_schema_is_matched_by_normalised_names_and_tokens():
    document, *_ = DOCS["markdown"]
    schema = Schema.from_dict({"structure": "flat_single_row",
                               "fields": [{"name": "driver_name"}, {"name": "team"}, {"name": "nationality"}]})
    assert extract_rows(document, schema, META) == [
        {"driver_name": "Ann Lee", "team": "Red", "nationality": None},
        {"driver_name": "Bob Oyelaran", "team": None, "nationality": None}]


def test_backend_answers_pi1_and_pi2_prompts_with_valid_output():
    document, _, names, rows = DOCS["markdown"]
    backend = RulesBackend()
    pi1, = backend.generate([pi1_messages(document, META)])
    schema = Schema.from_dict(json.loads(pi1.text))
    assert schema.names == names and pi1.finish_reason == "stop" and pi1.completion_tokens > 0
    pi2, = backend.generate([pi2_messages(document, schema, META)])
    assert parse_ndjson_strict(pi2.text, names) == rows
    capped, = backend.generate([pi2_messages(document, schema, META)],
                               constraint=Constraint("rows", {}, max_rows=1))
    assert parse_ndjson_strict(capped.text, names) == rows[:1]
    cut, = backend.generate([pi2_messages(document, schema, META)], max_new_tokens=10)
    assert cut.finish_reason == "length" and len(cut.text) == 40


def test_backend_continues_after_the_given_rows():
    document, _, names, rows = DOCS["markdown"]
    schema = induce_schema(document, META)
    prompt = pi2_messages(document, schema, META) + [{"role": "assistant", "content": json.dumps(rows[0]) + "\n"}]
    gen, = RulesBackend().generate([prompt])
    assert parse_ndjson_strict(gen.text, names) == rows[1:]


def test_backend_reports_foreign_prompts_and_rejects_options():
    gen, = RulesBackend().generate([[{"role": "user", "content": "hello"}]])
    assert gen.finish_reason == "error" and "[DOCUMENT]" in gen.error
    with pytest.raises(ConfigError):
        RulesBackend(model="x.gguf")


def test_pipeline_with_rules_continues_long_tables():
    document = "| Rank | Driver |\n|---|---|\n" + "".join(f"| {i} | Driver {i} |\n" for i in range(1, 41))
    result = run(document, None, RulesBackend(), PipelineConfig(max_new_tokens_table=64))
    assert [r["rank"] for r in result.rows] == [str(i) for i in range(1, 41)]
    assert result.diagnostics["pi2"]["continuations"] > 3


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(list("ab:|,;-* \n\t\"") + ["Name: ", "| x |", "**", "  ", "—"]),
                max_size=120).map("".join))
def test_rules_never_raise_and_always_answer_in_contract(document):
    schema = induce_schema(document)
    if schema is None:
        return
    gen, = RulesBackend().generate([pi2_messages(document or " ", schema)])
    assert gen.finish_reason in ("stop", "length")
    if gen.finish_reason == "stop":
        parse_ndjson_strict(gen.text, schema.names)
