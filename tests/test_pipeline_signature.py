import json

import pytest

from text2table.backends.rules import RulesBackend
from text2table.core.signature import read_signature
from text2table.errors import ConfigError
from text2table.metrics.evaluate import evaluate_files
from text2table.pipeline.batch import run_batch
from text2table.pipeline.config import PipelineConfig
from text2table.pipeline.inputs import read_inputs

GOLD = {"id": "d1", "document": "Name: Blue Spice\nArea: riverside",
        "metadata": {"table_hint": "restaurant"},
        "table": {"structure": "kv_single", "headers": ["name", "area"], "rows": [["Blue Spice", "riverside"]]}}


def _gold(tmp_path, n=1):
    path = tmp_path / "gold.jsonl"
    path.write_text("".join(json.dumps({**GOLD, "id": f"d{i}"}) + "\n" for i in range(n)))
    return path


def test_extract_writes_what_produced_the_file_next_to_it(tmp_path):
    pred = tmp_path / "pred.jsonl"
    run_batch(read_inputs(_gold(tmp_path)), RulesBackend(), pred, config=PipelineConfig(max_rows=7))
    sig = read_signature(pred)
    assert sig["backend"] == {"backend": "rules"} and sig["pipeline"]["max_rows"] == 7
    assert sig["checks"] is not None and sig["schema"] is None and sig["version"]
    assert sig["signature"].startswith("backend:rules|constrained:yes|") and sig["hash"] in sig["signature"]
    assert "unsigned_lines" not in sig


def test_a_resumed_run_must_have_the_same_settings(tmp_path):
    gold, pred = _gold(tmp_path, 2), tmp_path / "pred.jsonl"
    inputs = read_inputs(gold)
    run_batch(inputs[:1], RulesBackend(), pred, config=PipelineConfig())
    run_batch(inputs, RulesBackend(), pred, config=PipelineConfig())  # same settings: resumes
    assert len(pred.read_text().splitlines()) == 2
    with pytest.raises(ConfigError, match=r"2 predictions made with other settings \(pipeline.max_rows\)"):
        run_batch(inputs, RulesBackend(), pred, config=PipelineConfig(max_rows=3))


def test_lines_written_before_signatures_are_counted_as_unsigned(tmp_path):
    gold, pred = _gold(tmp_path, 2), tmp_path / "pred.jsonl"
    run_batch(read_inputs(gold)[:1], RulesBackend(), pred)
    (tmp_path / "pred.jsonl.meta.json").unlink()
    run_batch(read_inputs(gold), RulesBackend(), pred)
    assert read_signature(pred)["unsigned_lines"] == 1


def test_eval_copies_the_signature_into_metrics(tmp_path):
    gold, pred = _gold(tmp_path), tmp_path / "pred.jsonl"
    run_batch(read_inputs(gold), RulesBackend(), pred)
    metrics, _ = evaluate_files(gold, pred)
    assert metrics["prediction_signature"] == read_signature(pred)
    assert metrics["signature"] == read_signature(pred)["signature"]
    (tmp_path / "pred.jsonl.meta.json").unlink()
    assert evaluate_files(gold, pred)[0]["signature"] is None


def test_the_markdown_report_shows_the_signature_line(tmp_path):
    from text2table.report.write import write_report

    gold, pred = _gold(tmp_path), tmp_path / "pred.jsonl"
    run_batch(read_inputs(gold), RulesBackend(), pred)
    metrics, docs = evaluate_files(gold, pred)
    paths = write_report(tmp_path / "report", metrics, docs)
    assert f"Predictions: `{metrics['signature']}`" in paths["markdown"].read_text()
    assert json.loads(paths["metrics"].read_text())["prediction_signature"]["hash"] in metrics["signature"]


def test_the_pi2_form_is_named_only_when_set():
    from text2table.pipeline.signature import prediction_signature

    backend = RulesBackend()
    assert "pi2_form" not in prediction_signature(PipelineConfig(), backend)["pipeline"]  # older runs resume
    sparse = prediction_signature(PipelineConfig(pi2_form="sparse"), backend)
    assert sparse["pipeline"]["pi2_form"] == "sparse"
    assert sparse["hash"] != prediction_signature(PipelineConfig(), backend)["hash"]
