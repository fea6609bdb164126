"""Whole-file evaluation: gold + pred.jsonl -> metrics dict with the documented keys and settings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import FLAT_RECORD, KV_RECORD
from text2table.errors import InputError
from text2table.metrics.document import EvalSettings, Prediction
from text2table.metrics.evaluate import REQUIRED_KEYS, evaluate_files, read_predictions
from text2table.core.records import gold_rows, gold_schema, record_from_dict
from text2table.core.table import dump_rows


def _write(path: Path, objs: list[dict]) -> Path:
    path.write_text("".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objs), encoding="utf-8")
    return path


@pytest.fixture
def gold_file(tmp_path: Path) -> Path:
    return _write(tmp_path / "gold.jsonl", [KV_RECORD, FLAT_RECORD])


def _gold(record: dict) -> tuple:
    rec = record_from_dict(record)
    schema = gold_schema(rec)
    return schema, gold_rows(rec, schema)


def test_perfect_pi2_predictions(gold_file: Path, tmp_path: Path) -> None:
    preds = []
    for record in (KV_RECORD, FLAT_RECORD):
        schema, rows = _gold(record)
        preds.append({"id": record["id"], "schema": None, "rows": rows})
    metrics, docs = evaluate_files(gold_file, _write(tmp_path / "pred.jsonl", preds))
    for key in REQUIRED_KEYS:
        assert key in metrics
    assert metrics["wu.exact.cell_f1"] == 1.0 and metrics["wu.chrf.cell_f1"] == 1.0
    assert metrics["aligned_cell_f1"] == 1.0 and metrics["grounding_rate"] == 1.0
    assert metrics["wu.exact.col_header_f1"] == 1.0 and metrics["wu.exact.col_header_documents"] == 1
    assert metrics["schema_f1"] is None  # pi2 alone: no schema predicted
    assert metrics["settings"]["lowercase"] is False and metrics["settings"]["gold"] == str(gold_file)
    assert [d["errors"] for d in docs] == [[], []]


def test_pipeline_prediction_and_missing_document(gold_file: Path, tmp_path: Path) -> None:
    schema, rows = _gold(KV_RECORD)
    pred_schema = {"structure": "kv_single", "fields": [{"name": "name"}, {"name": "type"}, {"name": "area"}]}
    pred_rows = [{"name": rows[0]["name"], "type": rows[0]["eat_type"], "area": "city centre"}]
    raw = dump_rows(pred_rows, ["name", "type", "area"])
    pred = _write(tmp_path / "pred.jsonl", [{"id": "e2e-1", "schema": pred_schema, "raw": {"pi2": raw}}])
    metrics, docs = evaluate_files(gold_file, pred, EvalSettings(lowercase=True))
    assert metrics["n_missing"] == 1 and docs[1]["errors"] == ["missing prediction"]
    # kv schema: name exact; type ~ eat_type soft; area exact -> exact 2/3 pred, 2/5 gold; the missing flat
    # document counts as an empty schema (0 predicted, 3 gold).
    assert metrics["schema_f1"] == pytest.approx(2 * 2 / (3 + 5 + 3))
    assert metrics["soft_schema_f1"] == pytest.approx(2 * 3 / (3 + 5 + 3))
    # aligned: name and eat_type right, area wrong: tp 2, pred 3, gold 5 (kv) + 5 (flat, missing)
    assert metrics["aligned_cell_f1"] == pytest.approx(2 * 2 / (3 + 10))
    assert docs[0]["pred_rows"] == [{"name": "The Vaults", "eat_type": "pub", "area": "city centre"}]
    assert metrics["json_valid_rate"] == 1.0 and metrics["key_order_pass_rate"] == 1.0
    assert metrics["settings"]["lowercase"] is True


def test_invalid_outputs_score_zero(gold_file: Path, tmp_path: Path) -> None:
    pred = _write(tmp_path / "pred.jsonl", [
        {"id": "e2e-1", "schema": None, "raw": {"pi2": "Sorry, I cannot help with that."}},
        {"id": "match-7", "schema": {"structure": "flat_single_row", "fields": [{"name": "Bad Name"}]},
         "rows": [], "error": "pi1 failed"}])
    metrics, docs = evaluate_files(gold_file, pred)
    assert metrics["wu.exact.cell_f1"] == 0.0 and metrics["aligned_cell_f1"] == 0.0
    assert metrics["json_valid_rate"] == 0.0 and metrics["n_errors"] == 1
    assert "invalid schema" in docs[1]["errors"] and "pipeline error" in docs[1]["errors"]


@pytest.mark.parametrize("line, message", [
    ("[1, 2]", "expected a JSON object with an 'id'"),
    ('{"rows": []}', "expected a JSON object with an 'id'"),
])
def test_bad_prediction_file(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "pred.jsonl"
    path.write_text('{"id": "a"}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=f"pred.jsonl:2: {message}"):
        read_predictions(path)


def test_duplicate_prediction_ids(tmp_path: Path) -> None:
    path = _write(tmp_path / "pred.jsonl", [{"id": "a"}, {"id": "a"}])
    with pytest.raises(InputError, match="duplicate id 'a'"):
        read_predictions(path)


def test_prediction_reads_raw_text() -> None:
    p = Prediction.from_dict({"id": 1, "schema": None, "raw": '{"a": 1}\nnope'})
    assert p.id == "1" and p.rows_text == '{"a": 1}\nnope' and p.rows == [{"a": 1}]


def test_bundled_sample_gold_scores_perfect_and_noise_lowers_it(sample_dir: Path) -> None:
    from text2table.metrics.evaluate import evaluate
    from text2table.core.records import read_gold

    records = list(read_gold(sample_dir / "test.jsonl"))
    perfect, noisy = {}, {}
    for i, rec in enumerate(records):
        schema = gold_schema(rec)
        rows = gold_rows(rec, schema)
        perfect[rec.id] = Prediction.from_dict({"id": rec.id, "schema": None, "rows": rows})
        changed = [dict(r) for r in rows]
        for r in changed[: 1 + i % 2]:  # one or two rows get a wrong first value
            first = schema.names[0]
            r[first] = (r[first] or "") + " (noise)"
        noisy[rec.id] = Prediction.from_dict({"id": rec.id, "schema": None, "rows": changed + changed[:1]})
    best, _ = evaluate(records, perfect)
    worse, _ = evaluate(records, noisy)
    for key in ("wu.exact.cell_f1", "wu.chrf.cell_f1", "aligned_cell_f1", "grounding_rate"):
        assert best[key] == 1.0, key  # every sample value occurs verbatim in its document
        assert worse[key] < 1.0, key
    assert worse["duplicate_row_rate"] > 0 and worse["wu.chrf.cell_f1"] > worse["wu.exact.cell_f1"]


def test_another_systems_field_names_are_normalised_not_zeroed(gold_file: Path, tmp_path: Path) -> None:
    # a Text-to-Table style prediction: the paper's capitalised keys ("Price range"), not our policy names
    pred_schema = {"structure": "kv_single", "fields": [{"name": "Name"}, {"name": "Eat type"}, {"name": "Near"},
                                                        {"name": "Area"}, {"name": "Price range"}]}
    rows = [{"Name": "The Vaults", "Eat type": "pub", "Near": "Café Adriatic", "Area": "riverside",
             "Price range": "more than £30"}]
    pred = _write(tmp_path / "pred.jsonl", [{"id": "e2e-1", "schema": pred_schema, "rows": rows}])
    metrics, docs = evaluate_files(gold_file, pred)
    assert docs[0]["status"] == "ok"
    assert docs[0]["wu"]["exact"]["cell"] == [1.0, 1.0, 1.0]
    assert docs[0]["aligned"]["f1"] == 1.0
    assert docs[0]["schema"]["valid"] is False  # the schema metrics still say the names break the policy


def test_unreadable_schema_is_an_error_not_ok(gold_file: Path, tmp_path: Path) -> None:
    pred = _write(tmp_path / "pred.jsonl", [{"id": "e2e-1", "schema": {"structure": "kv_single", "fields": "name"},
                                             "rows": [{"name": "The Vaults"}]}])
    metrics, docs = evaluate_files(gold_file, pred)
    assert docs[0]["status"] == "error" and "schema unreadable" in docs[0]["error"]
    assert metrics["n_errors"] == 1
