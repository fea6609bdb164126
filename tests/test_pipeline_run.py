import json

import pytest

from text2table.errors import ConfigError
from text2table.pipeline.config import PipelineConfig
from text2table.pipeline.run import induce_schemas, run, run_many
from text2table.core.schema import Schema, schema_answer
from text2table.core.table import dump_rows, parse_ndjson_strict

from .pipeline_fakes import ScriptedBackend, continued, is_pi2, table_model

FLAT = Schema.from_dict({"structure": "flat_single_row",
                         "fields": [{"name": "player"}, {"name": "points"}, {"name": "team"}]})
KV = Schema.from_dict({"structure": "kv_single", "fields": [{"name": "name"}, {"name": "area"}]})
ROWS = [{"player": f"Player {i}", "points": str(i * 3), "team": None if i % 4 else "Hawks"} for i in range(30)]
# one line per player, not sentences of one pattern (those are read one per pi2 call: test_sentence_lists.py)
DOC = "Box score: Hawks.\n\n" + "\n".join(f"Player {i}: {i * 3}" for i in range(30))


def test_continuation_after_length_stop_loses_and_duplicates_nothing():
    backend = ScriptedBackend(table_model(FLAT, ROWS))
    result = run(DOC, None, backend, PipelineConfig(max_new_tokens_table=300, max_continuations=20))
    assert result.rows == ROWS
    pi2 = result.diagnostics["pi2"]
    assert pi2["continuations"] >= 3 and pi2["stop_reasons"] == ["end"]
    assert pi2["finish_reasons"][:-1] == ["length"] * (len(pi2["finish_reasons"]) - 1)
    assert all(d["reason"] == "partial row at the token budget" for d in pi2["dropped"]) and pi2["dropped"]
    assert parse_ndjson_strict(result.raw["pi2"], FLAT.names) == ROWS  # raw: the model's rows, cut parts left out
    # every continuation prompt ends with an assistant message holding exactly the complete rows so far
    pi2_calls = [call for call in backend.calls if is_pi2(call[0][0])]
    assert continued(pi2_calls[0][0][0]) is None
    for prompts, _, _ in pi2_calls[1:]:
        prefix = continued(prompts[0])
        assert prefix is not None and prefix.endswith("\n")
        assert ROWS[:prefix.count("\n")] == [json.loads(line) for line in prefix.splitlines()]


def test_continuation_removes_rows_the_model_repeats():
    backend = ScriptedBackend(table_model(FLAT, ROWS, repeat_last=True))
    result = run(DOC, None, backend, PipelineConfig(max_new_tokens_table=300, max_continuations=30))
    assert result.rows == ROWS
    assert result.diagnostics["pi2"]["duplicates_removed"] >= result.diagnostics["pi2"]["continuations"] > 0


def test_continuation_stops_at_max_rows_and_max_continuations():
    capped = run(DOC, None, ScriptedBackend(table_model(FLAT, ROWS)),
                 PipelineConfig(max_new_tokens_table=300, max_rows=7))
    assert capped.rows == ROWS[:7] and capped.diagnostics["pi2"]["stop_reasons"] == ["max_rows"]
    few = run(DOC, None, ScriptedBackend(table_model(FLAT, ROWS)),
              PipelineConfig(max_new_tokens_table=300, max_continuations=1))
    assert few.diagnostics["pi2"]["stop_reasons"] == ["max_continuations"]
    assert few.diagnostics["pi2"]["calls"] == 2 and few.rows == ROWS[:len(few.rows)] and len(few.rows) > 4


def test_a_row_longer_than_the_budget_stops_without_looping():
    backend = ScriptedBackend(table_model(FLAT, [{"player": "x" * 500, "points": "1", "team": None}]))
    result = run(DOC, None, backend, PipelineConfig(max_new_tokens_table=100))
    assert result.rows == [] and result.diagnostics["pi2"]["stop_reasons"] == ["no_progress"]
    assert result.diagnostics["pi2"]["calls"] == 1


def test_user_schema_skips_pi1_and_constraints_follow_the_config():
    backend = ScriptedBackend(table_model(FLAT, ROWS[:3]))
    result = run(DOC, {"table_hint": "player"}, backend, PipelineConfig(), schema=FLAT)
    assert result.rows == ROWS[:3] and result.raw["pi1"] is None
    assert result.diagnostics["pi1"]["skipped"] is True and result.diagnostics["pi1"]["calls"] == 0
    (prompts, constraints, _), = backend.calls
    assert constraints[0].kind == "rows" and list(constraints[0].json_schema["properties"]) == FLAT.names
    free = ScriptedBackend(table_model(FLAT, ROWS[:3]))
    run(DOC, None, free, PipelineConfig(constrained=False))
    assert all(c is None for _, cons, _ in free.calls for c in cons)
    assert ScriptedBackend(table_model(FLAT, [])).name == "scripted"


def test_pi1_output_is_parsed_and_used_for_pi2():
    backend = ScriptedBackend(table_model(FLAT, ROWS[:2]))
    result = run(DOC, None, backend)
    assert result.schema == FLAT and result.rows == ROWS[:2]
    assert result.diagnostics["pi1"]["valid"] is True and backend.calls[0][1][0].kind == "schema"
    assert result.to_record("d1")["schema"]["fields"][0]["name"] == "player"


@pytest.mark.parametrize(("pi1_text", "fallback", "want_rows"), [
    ("I cannot do that.", "rules", [{"name": "Blue Spice", "area": "riverside"}]),
    ('{"structure": "kv_single", "fields": [', "rules", [{"name": "Blue Spice", "area": "riverside"}]),
    ("I cannot do that.", "empty", []),
], ids=["prose-rules", "truncated-rules", "prose-empty"])
def test_invalid_pi1_falls_back_and_records_the_reason(pi1_text, fallback, want_rows):
    def answer(prompt, constraint):
        return pi1_text if not is_pi2(prompt) else '{"name": "Blue Spice", "area": "riverside"}\n'

    result = run("Name: Blue Spice\nArea: riverside", None, ScriptedBackend(answer),
                 PipelineConfig(schema_fallback=fallback))
    pi1 = result.diagnostics["pi1"]
    assert pi1["valid"] is False and pi1["error"] and pi1["fallback"] == fallback
    assert result.rows == want_rows and result.error is None
    assert (result.schema is None) == (fallback == "empty")


def test_kv_single_rows_merge_into_one_first_value_wins():
    def answer(prompt, constraint):
        if not is_pi2(prompt):
            return '{"structure": "kv_single", "fields": [{"name": "name"}, {"name": "area"}], "constraints": {}}'
        return '{"name": "Blue Spice", "area": null}\n{"name": "Other", "area": "riverside"}\n'

    backend = ScriptedBackend(answer)
    result = run("Blue Spice is by the riverside.", None, backend)
    assert result.rows == [{"name": "Blue Spice", "area": "riverside"}]
    assert backend.calls[-1][1][0].max_rows == 1  # the grammar ends a kv_single table after one row


def test_long_document_is_chunked_and_rows_merged():
    doc = "\n\n".join(f"Paragraph {i}. " + "filler words here. " * 8 + f"Player {i} scored {i} points."
                      for i in range(12))

    def answer(prompt, constraint):
        if not is_pi2(prompt):
            return '{"structure": "flat_single_row", "fields": [{"name": "player"}, {"name": "points"}]}'
        text = prompt[1]["content"]
        rows = [{"player": f"Player {i}", "points": str(i)} for i in range(12) if f"Player {i} scored" in text]
        return dump_rows(rows, ["player", "points"])

    backend = ScriptedBackend(answer)
    result = run(doc, None, backend, PipelineConfig(chunk_chars=600, overlap_chars=200, item_lists=False))
    assert result.diagnostics["pi2"]["chunks"] > 2
    assert result.rows == [{"player": f"Player {i}", "points": str(i)} for i in range(12)]
    assert result.diagnostics["pi2"]["duplicates_removed"] > 0  # overlaps saw some rows twice
    pi1_docs = [p[1]["content"] for p in backend.calls[0][0]]
    assert len(pi1_docs) == 1 and "Player 11 scored" not in pi1_docs[0]  # pi1 reads the first chunk only


def test_batch_makes_one_generate_call_per_stage():
    backend = ScriptedBackend(table_model(FLAT, ROWS[:2]))
    results = run_many([DOC, DOC + " More.", DOC + " Even more."], backend, metadatas=[None, {"locale": "en-GB"}, None],
                       schemas=[None, FLAT, None])
    assert [len(call[0]) for call in backend.calls] == [2, 3]
    assert all(r.rows == ROWS[:2] for r in results)
    assert [r.diagnostics["pi1"]["skipped"] for r in results] == [False, True, False]


def test_generation_error_is_recorded_not_raised():
    class Broken(ScriptedBackend):
        def generate(self, prompts, **kw):
            out = super().generate(prompts, **kw)
            for g in out:
                g.finish_reason, g.error, g.text = "error", "server said 500", ""
            return out

    result = run(DOC, None, Broken(table_model(FLAT, ROWS)), schema=FLAT)
    assert result.rows == [] and result.error == "pi2: server said 500"


@pytest.mark.parametrize("kwargs", [
    {"max_rows": 0}, {"max_new_tokens_table": -1}, {"max_continuations": -1}, {"chunk_chars": 100, "overlap_chars": 60},
    {"temperature": -0.5}, {"schema_fallback": "guess"}, {"max_string_length": 0},
], ids=lambda k: next(iter(k)))
def test_config_is_validated(kwargs):
    with pytest.raises(ConfigError):
        PipelineConfig(**kwargs)


def test_a_cut_that_ends_on_a_brace_inside_a_string_is_still_a_partial_row():
    rows = [{"player": "A", "points": "1", "team": None}, {"player": "x}y", "points": "2", "team": None}]
    first = dump_rows(rows[:1], FLAT.names)
    budget = len(first) + len('{"player": "x}')
    result = run(DOC, None, ScriptedBackend(table_model(FLAT, rows)),
                 PipelineConfig(max_new_tokens_table=budget, verify=False), schema=FLAT)
    assert result.rows == rows
    assert [d["reason"] for d in result.diagnostics["pi2"]["dropped"]] == ["partial row at the token budget"]
    assert parse_ndjson_strict(result.raw["pi2"], FLAT.names) == rows


WIDE = Schema.from_dict({"structure": "flat_single_row", "fields": [{"name": f"col_{i}"} for i in range(6)]})


@pytest.mark.parametrize(("answer", "want"), [
    (schema_answer(WIDE), ["col_0", "col_1"]),
    ('{"structure":"flat_single_row","fields":' + ",".join(['{"name":"loop","type":"string","required":false}'] * 6),
     None),
    ('{"structure":"flat_single_row","fields":[{"name":"' + "x" * 64 + '","type":"string","required":false},' * 3,
     None),
], ids=["cut-wide-schema", "looping-names", "runaway-name"])
def test_a_schema_cut_by_the_budget_keeps_its_complete_fields_unless_looping(answer, want):
    budget = len(schema_answer(WIDE)) // 2  # two complete fields of six, the third cut

    def model(prompt, constraint):
        return answer if not is_pi2(prompt) else ""

    result = run("Name: Blue Spice", None, ScriptedBackend(model), PipelineConfig(max_new_tokens_schema=budget))
    pi1 = result.diagnostics["pi1"]
    assert pi1["valid"] is False and pi1["finish_reason"] == "length"
    if want is None:
        assert pi1["fallback"] == "rules" and result.schema.names == ["name"]
    else:
        assert pi1["fallback"] == "salvaged" and result.schema.names == want


def _looping_answer(names: list[str]) -> str:
    fields = ",".join('{"name":"%s","type":"string","required":false}' % n for n in names)
    return '{"structure":"kv_single","fields":[' + fields + ',{"name":"pla'


@pytest.mark.parametrize(("names", "want", "fallback"), [
    (["name", "year", "name", "award", "year"], ["name", "year"], "before_loop"),
    (["player", "points", "team", "team_team", "team_team_team"], ["player", "points", "team"], "before_loop"),
    (["loop", "loop", "loop"], ["loop"], "before_loop"),
    (["x" * 64, "a"], None, "empty"),
], ids=["repeated-name", "repeated-word", "only-loop", "runaway-first-name"])
def test_when_rules_find_nothing_the_fields_before_a_loop_are_kept(names, want, fallback):
    answer = _looping_answer(names)

    def model(prompt, constraint):
        return answer if not is_pi2(prompt) else ""

    prose = "nicholas rowe acted in movie girl on a cycle in 2003 ."  # no "Key: value" line for the rules
    result = run(prose, None, ScriptedBackend(model), PipelineConfig(max_new_tokens_schema=len(answer) - 2))
    pi1 = result.diagnostics["pi1"]
    assert pi1["valid"] is False and pi1["fallback"] == fallback
    assert (result.schema.names if result.schema else None) == want


def test_pi1_gets_the_field_list_end_bias_and_pi2_none():
    backend = ScriptedBackend(table_model(KV, [{"name": "The Vaults", "area": "riverside"}]))
    run("The Vaults is in the riverside area.", None, backend, PipelineConfig(max_new_tokens_schema=1000))
    (pi1_constraint,), (pi2_constraint,) = backend.calls[0][1], backend.calls[1][1]
    assert pi1_constraint.kind == "schema" and pi1_constraint.list_end_bias == -1.0
    assert pi2_constraint.kind == "rows" and pi2_constraint.list_end_bias == 0.0
    run("The Vaults.", None, backend, PipelineConfig(max_new_tokens_schema=1000, field_list_end_bias=0.5))
    assert backend.calls[2][1][0].list_end_bias == 0.5
    with pytest.raises(ConfigError, match="field_list_end_bias"):
        PipelineConfig(field_list_end_bias=-20.0)


def test_a_field_list_the_bias_pushed_past_the_budget_is_decoded_again_without_it():
    good = schema_answer(KV)
    endless = '{"structure":"kv_single","fields":[' + ",".join(
        f'{{"name":"field_{i}","type":"string","required":false}}' for i in range(60))

    def answer(prompt, constraint):
        if is_pi2(prompt):
            return dump_rows([{"name": "The Vaults", "area": "riverside"}], KV.names)
        return endless if constraint.list_end_bias else good

    backend = ScriptedBackend(answer)
    result = run("The Vaults is in the riverside area.", None, backend, PipelineConfig(max_new_tokens_schema=1000))
    pi1 = result.diagnostics["pi1"]
    assert result.schema.names == ["name", "area"] and result.raw["pi1"] == good
    assert pi1["unbiased_retry"] is True and pi1["calls"] == 2 and pi1["valid"] is True
    assert [c[1][0].list_end_bias for c in backend.calls[:2]] == [-1.0, 0.0]
    plain = run("The Vaults is in the riverside area.", None, ScriptedBackend(answer),
                PipelineConfig(max_new_tokens_schema=1000, field_list_end_bias=0.0))
    assert "unbiased_retry" not in plain.diagnostics["pi1"] and plain.diagnostics["pi1"]["calls"] == 1


def test_pi1_is_constrained_to_the_form_the_backend_adapter_answers():
    backend = ScriptedBackend(table_model(KV, [{"name": "The Vaults", "area": "riverside"}]))
    run("The Vaults is in the riverside area.", None, backend, PipelineConfig(max_new_tokens_schema=1000))
    assert "constraints" in backend.calls[0][1][0].json_schema["properties"]  # full form: the backend's default
    backend.pi1_form = "compact"  # what a backend sets when its adapter's card says so (adapters/card.py)
    run("The Vaults is in the riverside area.", None, backend, PipelineConfig(max_new_tokens_schema=1000))
    fields = backend.calls[2][1][0].json_schema["properties"]["fields"]
    assert fields["items"]["type"] == "string"  # names only
    run("The Vaults.", None, backend, PipelineConfig(max_new_tokens_schema=1000, pi1_form="full"))
    assert "constraints" in backend.calls[4][1][0].json_schema["properties"]  # an explicit form wins


def test_pi2_prompts_constrains_and_reads_the_form_the_backend_adapter_answers():
    schema = Schema.from_dict({"structure": "flat_single_row", "fields": [{"name": "player"}, {"name": "points"}]})

    def answer(prompt, constraint):
        return '{"player": "Lowry"}\n{"player": "Ross", "points": "22"}\n' if is_pi2(prompt) else ""

    backend = ScriptedBackend(answer)
    backend.pi2_form = "sparse"  # what a backend sets when its adapter's card says so (adapters/card.py)
    result = run("Lowry played. Ross scored 22 points.", None, backend, PipelineConfig(), schema=schema)
    assert result.rows == [{"player": "Lowry", "points": None}, {"player": "Ross", "points": "22"}]
    prompt, constraint = backend.calls[0][0][0], backend.calls[0][1][0]
    assert "leave out a key" in prompt[1]["content"] and constraint.json_schema["minProperties"] == 1
    full = run("Lowry played. Ross scored 22 points.", None, backend, PipelineConfig(pi2_form="full"), schema=schema)
    assert full.rows == [{"player": "Ross", "points": "22"}]  # a configured form wins: a full row has every key
    full_rows = backend.calls[1][1][0].json_schema
    assert full_rows["required"] == ["player", "points"] and "minProperties" not in full_rows


def test_row_chunk_chars_reads_a_flat_table_passage_by_passage_and_merges_entities():
    doc = ("Kyle Lowry scored 24 points. Terrence Ross added 22 points off the bench. "
           "Lowry also handed out 8 assists. The Raptors won by 27.")

    def answer(prompt, constraint):
        if not is_pi2(prompt):
            return '{"structure": "flat_single_row", "fields": [{"name": "player"}, {"name": "points"}, {"name": "assists"}]}'
        text = prompt[1]["content"].split("[DOCUMENT]")[1]
        rows = []
        if "Kyle Lowry scored" in text:
            rows.append({"player": "Kyle Lowry", "points": "24", "assists": None})
        if "Ross" in text:
            rows.append({"player": "Terrence Ross", "points": "22", "assists": None})
        if "8 assists" in text:
            rows.append({"player": "Kyle Lowry", "points": None, "assists": "8"})
        return dump_rows(rows, ["player", "points", "assists"])

    config = PipelineConfig(row_chunk_chars=40, item_lists=False, verify=False)
    backend = ScriptedBackend(answer)
    result = run(doc, None, backend, config)
    pi2_calls = [p for prompts, *_ in backend.calls for p in prompts if is_pi2(p)]
    assert len(pi2_calls) == 4  # one passage per sentence; pi1 read the whole document once
    assert result.rows == [{"player": "Kyle Lowry", "points": "24", "assists": "8"},
                           {"player": "Terrence Ross", "points": "22", "assists": None}]
    whole = run(doc, None, ScriptedBackend(answer), PipelineConfig(row_chunk_chars=0, item_lists=False, verify=False))
    assert len(whole.rows) == 3  # read whole, the model's own two Lowry rows stay apart


def test_passage_size_is_the_pi2_adapters_unless_the_config_names_one():
    doc = "Kyle Lowry scored 24 points. Terrence Ross added 22 points off the bench. Lowry had 8 assists. " * 3
    def pi2_calls(config, trained=None):
        backend = ScriptedBackend(table_model(FLAT, []))
        backend.row_passages = trained  # what the adapter's card says its pi2 examples were cut at
        run(doc, None, backend, config)
        return sum(is_pi2(p) for prompts, *_ in backend.calls for p in prompts)

    loose = PipelineConfig(item_lists=False, verify=False)
    assert pi2_calls(loose) == 1  # no card: passages of DEFAULT_ROW_CHUNK_CHARS hold this 291-character text
    assert pi2_calls(loose, trained=100) == 3
    assert pi2_calls(PipelineConfig(row_chunk_chars=0, item_lists=False, verify=False), trained=100) == 1
    assert pi2_calls(PipelineConfig(row_chunk_chars=40, item_lists=False, verify=False), trained=100) == 9
    assert pi2_calls(loose, trained=0) == 1  # a card's 0: whole chunks


def test_a_card_may_read_the_tables_of_one_hint_whole():
    doc = "Kyle Lowry scored 24 points. Terrence Ross added 22 points off the bench. Lowry had 8 assists. " * 3

    def pi2_calls(hint, config=PipelineConfig(item_lists=False, verify=False)):
        backend = ScriptedBackend(table_model(FLAT, []))
        backend.row_passages, backend.row_passages_by_hint = 100, {"team": 0, "arm": 40}
        run(doc, {"language": "en", "table_hint": hint} if hint else None, backend, config)
        return sum(is_pi2(p) for prompts, *_ in backend.calls for p in prompts)

    assert pi2_calls("team") == 1  # the card's hint size wins over its row_passages
    assert pi2_calls("arm") == 9
    assert pi2_calls("player") == 3 and pi2_calls(None) == 3  # other hints, and none: the card's row_passages
    assert pi2_calls("team", PipelineConfig(row_chunk_chars=100, item_lists=False, verify=False)) == 3  # configured


def test_row_chunk_chars_leaves_a_kv_single_table_whole():
    backend = ScriptedBackend(table_model(KV, [{"name": "Blue Spice", "area": "riverside"}]))
    run("Blue Spice is a pub. It is by the riverside. " * 3, None, backend, PipelineConfig(row_chunk_chars=40))
    assert sum(is_pi2(p) for prompts, *_ in backend.calls for p in prompts) == 1


def test_row_chunk_chars_reads_line_structured_text_whole():
    table = "| Rank | Driver |\n|---|---|\n" + "".join(f"| {i} | Driver {i} |\n" for i in range(1, 41))
    backend = ScriptedBackend(table_model(FLAT, ROWS[:2]))
    run(table, None, backend, PipelineConfig(row_chunk_chars=100, parse_tables=False, item_lists=False))
    pi2_documents = [p[1]["content"] for prompts, *_ in backend.calls for p in prompts if is_pi2(p)]
    assert len(pi2_documents) == 1 and "| 40 | Driver 40 |" in pi2_documents[0]


def test_induce_schemas_runs_pi1_alone_in_one_call_per_batch():
    backend = ScriptedBackend(table_model(FLAT, ROWS))
    schemas = induce_schemas([DOC, "Name: Blue Spice"], backend, metadatas=[None, {"language": "en"}])
    assert [s.names for s in schemas] == [FLAT.names, FLAT.names]
    assert len(backend.calls) == 1 and not any(is_pi2(p) for p in backend.calls[0][0])  # no pi2 prompt
    with pytest.raises(ConfigError, match="2 documents and 1 metadata"):
        induce_schemas([DOC, DOC], backend, metadatas=[None])
