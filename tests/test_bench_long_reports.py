"""bench/bench_long_reports.py: settings read as PipelineConfig changes, sums over a prediction file."""

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import bench_long_reports  # noqa: E402  (bench/ is a folder of scripts, not a package)


def test_settings_change_pipeline_config_fields_by_their_types():
    default = bench_long_reports.setting("default")
    assert (default.max_new_tokens_table, default.verify, default.parse_tables) == (1024, False, False)
    changed = bench_long_reports.setting("max_new_tokens_table=1024,field_list_end_bias=0,constrained=false")
    assert changed.max_new_tokens_table == 1024 and changed.field_list_end_bias == 0.0
    assert changed.constrained is False
    with pytest.raises(SystemExit, match="PipelineConfig field"):
        bench_long_reports.setting("max_new_token_table=1024")  # misspelt
    with pytest.raises(SystemExit, match="name=value"):
        bench_long_reports.setting("max_new_tokens_table")


def test_stats_sum_calls_tokens_and_rows(tmp_path):
    pred = tmp_path / "p.jsonl"
    lines = [{"id": "a", "rows": [{"x": 1}, {"x": 2}], "diagnostics": {"pi1": {"calls": 2}, "pi2": {"calls": 3},
                                                                     "tokens": {"out": 100}}},
             {"id": "b", "rows": [], "diagnostics": {}}]
    pred.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    assert bench_long_reports.stats(pred) == {"tables": 2, "pi1_calls": 2, "pi2_calls": 3, "tokens_out": 100,
                                              "rows": 2}


def test_backend_parts_of_a_setting_open_their_own_backend_options():
    assert bench_long_reports.backend_options("default") == {}
    assert bench_long_reports.backend_options("row_chunk_chars=0,backend.parallel=4") == {"parallel": 4}
    config = bench_long_reports.setting("row_chunk_chars=0,backend.parallel=4")
    assert config.row_chunk_chars == 0  # the backend part is not read as a PipelineConfig field
    assert bench_long_reports.setting("backend.parallel=4").row_chunk_chars is None  # the adapter's size
    with pytest.raises(SystemExit, match="backend.NAME=VALUE"):
        bench_long_reports.backend_options("backend.parallel")


def test_schema_per_table_hint_skips_pi1_for_those_tables_only(tmp_path):
    from text2table.backends.choose import open_backend
    from text2table.pipeline.batch import read_inputs, run_batch

    schema = tmp_path / "player.json"
    schema.write_text(json.dumps({"structure": "flat_single_row", "fields": [{"name": "player"}, {"name": "points"}]}))
    from text2table.cli.hint_options import read_schemas

    schemas = read_schemas([f"player={schema}"])  # what --schema player=PATH gives the bench
    assert schemas["player"].names == ["player", "points"]
    gold = tmp_path / "gold.jsonl"
    doc = "Kyle Lowry scored 24 points. The Raptors beat the 76ers 122 - 95."
    gold.write_text("".join(json.dumps({"id": f"g-{hint}", "document": doc, "metadata": {"table_hint": hint}}) + "\n"
                            for hint in ("player", "team")))
    pred = tmp_path / "default.pred.jsonl"
    config = bench_long_reports.setting("default")
    for _ in range(2):  # a second run resumes: nothing is written twice
        run_batch(read_inputs(gold), open_backend("rules"), pred, config=config, schema=schemas)
    records = {r["id"]: r for r in map(json.loads, pred.read_text().splitlines())}
    assert sorted(records) == ["g-player", "g-team"] and len(pred.read_text().splitlines()) == 2
    assert [f["name"] for f in records["g-player"]["schema"]["fields"]] == ["player", "points"]
    assert records["g-player"]["diagnostics"]["pi1"]["skipped"] is True
    assert records["g-team"]["diagnostics"]["pi1"]["skipped"] is False


def test_a_pi2_adapter_part_names_that_rows_adapter_and_no_config_field():
    assert bench_long_reports.pi2_adapter("default", None) is None
    path = "runs/k/ship/adapter.gguf"
    assert bench_long_reports.pi2_adapter(f"pi2_adapter={path}", "x.gguf") == path
    config = bench_long_reports.setting(f"pi2_adapter={path},max_new_tokens_table=1024")
    assert config.max_new_tokens_table == 1024
