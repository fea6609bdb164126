from text2table.pipeline.config import PipelineConfig
from text2table.pipeline.run import run
from text2table.core.schema import Schema
from text2table.checks.verify import verify_record, verify_rows

from .pipeline_fakes import ScriptedBackend, table_model

E2E = Schema.from_dict({"structure": "kv_single", "fields": [
    {"name": "name"}, {"name": "eat_type"}, {"name": "price_range"}, {"name": "family_friendly"}, {"name": "near"}]})
REVIEW = "Aromi is a coffee shop with a very low price. It is family friendly."
INVENTED = {"name": "Aromi", "eat_type": "coffee shop", "price_range": "cheap", "family_friendly": "yes",
            "near": "Café Rouge"}
PLAYERS = Schema.from_dict({"structure": "flat_single_row",
                            "fields": [{"name": "player"}, {"name": "points"}, {"name": "team"}]})
WIDE_PI1 = PipelineConfig(max_new_tokens_schema=1000)  # the fake backend counts characters as tokens
BOX = "Smith scored twenty-three points and Jones 1,204 career points. Brown did not play."


def test_unsupported_cells_are_nulled_and_listed():
    v = verify_rows(REVIEW, E2E, [INVENTED])
    assert v.rows == [{**INVENTED, "price_range": None, "near": None}]
    assert v.nulled == [{"row": 0, "field": "price_range", "value": "cheap"},
                        {"row": 0, "field": "near", "value": "Café Rouge"}]
    assert v.schema == E2E and v.dropped_columns == []


def test_invented_columns_leave_an_induced_schema_but_columns_null_from_the_start_stay():
    rows = [{**INVENTED, "price_range": None}]
    v = verify_rows(REVIEW, E2E, rows, drop_empty_columns=True)
    assert v.dropped_columns == ["near"]
    assert v.schema.names == ["name", "eat_type", "price_range", "family_friendly"]
    assert v.schema.schema_id != E2E.schema_id
    assert v.rows == [{"name": "Aromi", "eat_type": "coffee shop", "price_range": None, "family_friendly": "yes"}]


def test_number_words_separators_and_missing_tokens_are_not_nulled():
    rows = [{"player": "Smith", "points": 23, "team": "-"}, {"player": "Jones", "points": "1204", "team": None}]
    v = verify_rows(BOX, PLAYERS, rows, missing=["-"])
    assert v.rows == rows and v.nulled == []


def test_rows_left_empty_or_duplicated_by_nulling_are_dropped():
    rows = [{"player": "Smith", "points": "23", "team": None}, {"player": "Smith", "points": "23", "team": "Hawks"},
            {"player": "Ghost", "points": "7", "team": "Hawks"}, {"player": "Brown", "points": None, "team": None}]
    v = verify_rows(BOX, PLAYERS, rows)
    assert v.rows == [{"player": "Smith", "points": "23", "team": None},
                      {"player": "Brown", "points": None, "team": None}]
    assert v.dropped_rows == 2 and len(v.nulled) == 4


def test_pipeline_verifies_by_default_and_keeps_a_user_schema_whole():
    backend = ScriptedBackend(table_model(E2E, [INVENTED]))
    given = run(REVIEW, None, backend, PipelineConfig(), schema=E2E)
    assert given.schema == E2E and given.rows == [{**INVENTED, "price_range": None, "near": None}]
    assert [c["field"] for c in given.diagnostics["verify"]["nulled"]] == ["price_range", "near"]
    assert given.raw["pi2"].count("Café Rouge") == 1  # the model's text keeps what was nulled
    off = run(REVIEW, None, ScriptedBackend(table_model(E2E, [INVENTED])), PipelineConfig(verify=False), schema=E2E)
    assert off.rows == [INVENTED] and "verify" not in off.diagnostics


def test_pipeline_drops_invented_columns_of_an_induced_schema():
    backend = ScriptedBackend(table_model(E2E, [INVENTED]))  # its pi1 answer is E2E
    result = run(REVIEW, None, backend, WIDE_PI1)
    assert result.diagnostics["pi1"]["valid"] is True
    assert result.diagnostics["pi1"]["skipped"] is False
    assert result.schema.names == ["name", "eat_type", "family_friendly"]
    assert result.rows == [{"name": "Aromi", "eat_type": "coffee shop", "family_friendly": "yes"}]


def test_verify_record_matches_the_pipeline_on_a_prediction_line():
    unverified = PipelineConfig(max_new_tokens_schema=1000, verify=False)
    raw = run(REVIEW, None, ScriptedBackend(table_model(E2E, [INVENTED])), unverified)
    line = verify_record(raw.to_record("doc-1"), REVIEW)
    live = run(REVIEW, None, ScriptedBackend(table_model(E2E, [INVENTED])), WIDE_PI1)
    assert line["schema"] == live.schema.to_dict() and line["rows"] == live.rows
    assert line["diagnostics"]["verify"] == live.diagnostics["verify"]
    assert verify_record({"id": "x", "schema": None, "rows": []}, REVIEW) == {"id": "x", "schema": None, "rows": []}


def test_key_order_is_read_against_the_schema_pi2_wrote_under_when_columns_were_dropped():
    from text2table.metrics.document import Prediction, structural_counts

    result = run(REVIEW, None, ScriptedBackend(table_model(E2E, [INVENTED])), WIDE_PI1)
    record = result.to_record("doc-1")
    assert record["raw"]["pi2_schema"]["fields"][-1]["name"] == "near"
    counts = structural_counts(Prediction.from_dict(record), result.schema)
    assert counts.rates()["key_order_pass_rate"] == 1.0
    del record["raw"]["pi2_schema"]  # without it the dropped columns look like wrong keys
    assert structural_counts(Prediction.from_dict(record), result.schema).rates()["key_order_pass_rate"] == 0.0


COCUM = "Cocum is a coffee shop with a 5 out of 5 rating, near Café Rouge."


def test_a_single_record_states_each_textual_fact_once():
    row = {"name": "Cocum", "eat_type": "coffee shop", "price_range": "5", "family_friendly": "5", "near": " COCUM "}
    v = verify_rows(COCUM, E2E, [row], null_repeats=True, drop_empty_columns=True)
    assert v.nulled == [{"row": 0, "field": "near", "value": " COCUM ", "repeats": "name"}]
    assert v.schema.names == ["name", "eat_type", "price_range", "family_friendly"]  # numbers may repeat
    assert v.rows == [{"name": "Cocum", "eat_type": "coffee shop", "price_range": "5", "family_friendly": "5"}]
    punter = {**row, "name": "The Cocum", "near": "cocum"}
    assert verify_rows("The Cocum is near Cocum.", E2E, [punter], null_repeats=True).rows[0]["near"] is None
    right = {**row, "near": "Café Rouge"}
    assert verify_rows(COCUM, E2E, [right], null_repeats=True).rows == [right]
    assert verify_rows(COCUM, E2E, [row]).rows == [row]  # off by default (a user's schema may repeat)


def test_repeats_are_kept_in_multi_row_tables():
    rows = [{"player": "Smith", "points": "Hawks", "team": "Hawks"}]
    doc = "Smith of the Hawks scored for the Hawks."
    assert verify_rows(doc, PLAYERS, rows, null_repeats=True).rows == rows


def test_pipeline_nulls_repeats_in_an_induced_schema_only():
    row = {"name": "Cocum", "eat_type": "coffee shop", "price_range": None, "family_friendly": None, "near": "Cocum"}
    induced = run(COCUM, None, ScriptedBackend(table_model(E2E, [row])), WIDE_PI1)
    assert "near" not in induced.schema.names
    assert induced.diagnostics["verify"]["nulled"][-1] == {"row": 0, "field": "near", "value": "Cocum",
                                                          "repeats": "name"}
    given = run(COCUM, None, ScriptedBackend(table_model(E2E, [row])), WIDE_PI1, schema=E2E)
    assert given.rows == [row]


def test_a_lone_function_word_is_no_fact():
    row = {"name": "Cotto", "eat_type": "coffee shop", "price_range": "A", "family_friendly": None, "near": "Near "}
    v = verify_rows("Cotto is a coffee shop near A Grade.", E2E, [row])
    assert v.rows == [{**row, "near": None}]
    assert v.nulled == [{"row": 0, "field": "near", "value": "Near ", "reason": "function word"}]


def test_a_lone_article_in_french_german_or_spanish_is_no_fact_either():
    schema = Schema.from_dict({"structure": "kv_single", "fields": [{"name": "adresse"}, {"name": "pieces"}]})
    for text, place, word in (("Appartement au 3 rue Basse, un séjour.", "3 rue Basse", "un"),
                              ("Die Wohnung am Markt 4 hat eine Küche.", "Markt 4", "eine"),
                              ("La casa del río, calle Mayor 9.", "calle Mayor 9", "del")):
        v = verify_rows(text, schema, [{"adresse": place, "pieces": word}])
        assert v.rows == [{"adresse": place, "pieces": None}], text
        assert v.nulled == [{"row": 0, "field": "pieces", "value": word, "reason": "function word"}]
