"""The check entry points: rows checked in the pipeline, a prediction line re-checked, the diagnostics kept."""

from __future__ import annotations

from text2table.checks.config import CheckConfig
from text2table.checks.verify import record_sources, verify_record, verify_rows
from text2table.core.schema import Schema
from text2table.pipeline.config import PipelineConfig
from text2table.pipeline.run import run

from .pipeline_fakes import ScriptedBackend, table_model

E2E = Schema.from_dict({"structure": "kv_single", "fields": [
    {"name": "name"}, {"name": "eat_type"}, {"name": "price_range"}, {"name": "family_friendly"}, {"name": "near"}]})
REVIEW = "Aromi is a coffee shop with a very low price. It is family friendly."
INVENTED = {"name": "Aromi", "eat_type": "coffee shop", "price_range": "cheap", "family_friendly": "yes",
            "near": "Café Rouge"}
WIDE_PI1 = PipelineConfig(max_new_tokens_schema=1000)  # the fake backend counts characters as tokens

ISSUE_SENTENCES = [  # ordinary sentences on which an earlier set of checks changed correct values
    ("She drives a red car, a Fiat Panda.", {"color": "red", "car_model": "Fiat Panda"}),
    ("It is not only family friendly but also cheap.", {"family_friendly": "yes"}),
    ("Born in Paris, she also died in Paris.", {"birth_place": "Paris", "death_place": "Paris"}),
]


def test_the_issue_sentences_keep_their_correct_values() -> None:
    for text, row in ISSUE_SENTENCES:
        schema = Schema.from_dict({"structure": "kv_single", "fields": [{"name": n} for n in row]})
        for given in (True, False):
            v = verify_rows(text, schema, [row], metadata={"language": "en"}, schema_given=given)
            assert (v.rows, v.schema, v.actions) == ([row], schema, []), text


def test_the_pipeline_checks_by_default_and_keeps_a_user_schema_whole() -> None:
    given = run(REVIEW, None, ScriptedBackend(table_model(E2E, [INVENTED])), PipelineConfig(), schema=E2E)
    assert given.schema == E2E and given.rows == [{**INVENTED, "price_range": None, "near": None}]
    assert [(a["field"], a["check"]) for a in given.diagnostics["check_actions"]] == [
        ("price_range", "support"), ("near", "support")]
    assert given.diagnostics["evidence"] == [{"name": [0, 5], "eat_type": [11, 22], "price_range": None,
                                              "family_friendly": [52, 58], "near": None}]
    assert given.diagnostics["verify"]["language"] == "en"  # no metadata: the data format's default
    assert given.raw["pi2"].count("Café Rouge") == 1  # the model's text keeps what was nulled
    off = run(REVIEW, None, ScriptedBackend(table_model(E2E, [INVENTED])), PipelineConfig(verify=False), schema=E2E)
    assert off.rows == [INVENTED] and "verify" not in off.diagnostics and "evidence" not in off.diagnostics


def test_the_pipeline_drops_invented_columns_of_an_induced_schema_only() -> None:
    dropping = PipelineConfig(max_new_tokens_schema=1000, checks=CheckConfig(drop_invented_columns=True))
    result = run(REVIEW, None, ScriptedBackend(table_model(E2E, [INVENTED])), dropping)
    assert result.diagnostics["pi1"]["skipped"] is False
    assert result.schema.names == ["name", "eat_type", "family_friendly"]
    assert result.raw["pi2_schema"]["fields"][-1]["name"] == "near"


def test_check_config_switches_single_checks() -> None:
    config = PipelineConfig(checks=CheckConfig(support=False, drop_invented_columns=False))
    result = run(REVIEW, None, ScriptedBackend(table_model(E2E, [INVENTED])), config, schema=E2E)
    assert result.rows == [INVENTED] and "support" not in result.diagnostics["verify"]["checks"]


def test_verify_record_matches_the_pipeline_on_a_prediction_line() -> None:
    raw = run(REVIEW, None, ScriptedBackend(table_model(E2E, [INVENTED])),
              PipelineConfig(max_new_tokens_schema=1000, verify=False))
    line = verify_record(raw.to_record("doc-1"), REVIEW)
    live = run(REVIEW, None, ScriptedBackend(table_model(E2E, [INVENTED])), WIDE_PI1)
    assert line["schema"] == live.schema.to_dict() and line["rows"] == live.rows
    for key in ("evidence", "check_actions", "verify"):
        assert line["diagnostics"][key] == live.diagnostics[key]
    assert verify_record({"id": "x", "schema": None, "rows": []}, REVIEW) == {"id": "x", "schema": None, "rows": []}


def test_a_checked_line_checked_again_is_unchanged() -> None:
    line = run(REVIEW, None, ScriptedBackend(table_model(E2E, [INVENTED])), WIDE_PI1).to_record("d")
    again = verify_record(line, REVIEW)
    assert (again["schema"], again["rows"], again["diagnostics"]["evidence"]) == (
        line["schema"], line["rows"], line["diagnostics"]["evidence"])


def test_a_re_check_reads_the_recorded_row_sources_instead_of_finding_the_list_again() -> None:
    doc = "Serves six.\n- 4 eggs\n- 2 leeks"
    line = {"rows": [{"item": "eggs", "serves": "six"}],
            "diagnostics": {"item_list": {"rows_from": [0], "item_spans": [[14, 20], [23, 30]]}}}
    assert record_sources(line) == [[14, 20]]
    checked = {"rows": [{"item": "eggs"}], "diagnostics": {"verify": {"row_sources": [[14, 20]]}}}
    assert record_sources(checked) == [[14, 20]]
    assert record_sources({"rows": [{}], "diagnostics": {"item_list": {"rows_from": [0]}}}) is None  # older file


def test_key_order_is_read_against_the_schema_pi2_wrote_under_when_columns_were_dropped() -> None:
    from text2table.metrics.document import Prediction, structural_counts

    dropping = PipelineConfig(max_new_tokens_schema=1000, checks=CheckConfig(drop_invented_columns=True))
    result = run(REVIEW, None, ScriptedBackend(table_model(E2E, [INVENTED])), dropping)
    record = result.to_record("doc-1")
    counts = structural_counts(Prediction.from_dict(record), result.schema)
    assert counts.rates()["key_order_pass_rate"] == 1.0
    del record["raw"]["pi2_schema"]  # without it the dropped columns look like wrong keys
    assert structural_counts(Prediction.from_dict(record), result.schema).rates()["key_order_pass_rate"] == 0.0
