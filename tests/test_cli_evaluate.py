"""`text2table eval` and `text2table sanity` through the typer app."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from tests.conftest import FLAT_RECORD, KV_RECORD
from text2table.cli import app
from text2table.metrics.evaluate import REQUIRED_KEYS

runner = CliRunner()


def _files(tmp_path: Path) -> tuple[Path, Path]:
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps(KV_RECORD) + "\n" + json.dumps(FLAT_RECORD) + "\n", encoding="utf-8")
    pred = tmp_path / "pred.jsonl"
    raw = '```json\n{"player": "Smith", "points": "20", "rebounds": "5"}\n{"player": "Jones", "points": "12"}\n```'
    pred.write_text(json.dumps({"id": "match-7", "schema": None, "raw": {"pi2": raw}}) + "\n", encoding="utf-8")
    return gold, pred


def test_eval_writes_report(tmp_path: Path) -> None:
    gold, pred = _files(tmp_path)
    result = runner.invoke(app, ["eval", "--gold", str(gold), "--pred", str(pred), "--out", str(tmp_path / "r"),
                                 "--lowercase", "--worst", "1"])
    assert result.exit_code == 0, result.output
    metrics = json.loads((tmp_path / "r" / "metrics.json").read_text())
    assert all(k in metrics for k in REQUIRED_KEYS)
    assert metrics["settings"]["lowercase"] is True and metrics["n_missing"] == 1
    assert "wu.exact.cell_f1" in result.output
    assert (tmp_path / "r" / "report.html").exists()


def test_sanity_on_raw_output(tmp_path: Path) -> None:
    gold, pred = _files(tmp_path)
    result = runner.invoke(app, ["sanity", "--pred", str(pred), "--gold", str(gold)])
    assert result.exit_code == 0, result.output
    # 4 non-blank lines (2 fences + 2 rows); 1 row has the schema's keys in order; 5 of 5 values typed right
    assert "output lines: 4" in result.output
    assert "json_valid_rate        50.0" in result.output
    assert "key_order_pass_rate    50.0" in result.output
    assert "type_check_pass_rate   100.0" in result.output


def test_errors_are_friendly(tmp_path: Path) -> None:
    gold, _ = _files(tmp_path)
    result = runner.invoke(app, ["eval", "--gold", str(gold), "--pred", str(tmp_path / "missing.jsonl"),
                                 "--out", str(tmp_path / "r")])
    assert result.exit_code == 2 and "file not found" in result.output
    result = runner.invoke(app, ["eval", "--gold", str(gold), "--pred", str(gold), "--out", str(tmp_path / "r"),
                                 "--soft-threshold", "2"])
    assert result.exit_code == 2 and "soft_threshold" in result.output
