"""``text2table verify``: a table checked against its source, rows on stdout, reasons on stderr."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from text2table.cli import app

runner = CliRunner()
DOC = "She drives a red car, a Fiat Panda. It is not only family friendly but also cheap."
SCHEMA = {"structure": "kv_single", "fields": [{"name": n} for n in ("color", "car_model", "family_friendly", "near")]}
ROW = {"color": "red", "car_model": "Fiat Panda", "family_friendly": "yes", "near": "Shanghai"}


def _files(tmp_path: Path, rows: str) -> list[str]:
    (tmp_path / "doc.txt").write_text(DOC, encoding="utf-8")
    (tmp_path / "schema.json").write_text(json.dumps(SCHEMA), encoding="utf-8")
    (tmp_path / "rows.ndjson").write_text(rows, encoding="utf-8")
    return ["verify", "--document", str(tmp_path / "doc.txt"), "--schema", str(tmp_path / "schema.json"),
            "--rows", str(tmp_path / "rows.ndjson")]


def test_verify_prints_checked_rows_and_the_reasons(tmp_path: Path) -> None:
    result = runner.invoke(app, _files(tmp_path, json.dumps(ROW) + "\n") + ["--explain"])
    assert result.exit_code == 0, result.output
    assert [json.loads(line) for line in result.stdout.splitlines()] == [{**ROW, "near": None}]
    assert 'row 0, near: "Shanghai" nulled by support: not in the text' in result.stderr
    assert 'row 0, color: "red" kept, span [13, 16) "red"' in result.stderr


def test_verify_without_explain_lists_changes_only_and_reads_the_language(tmp_path: Path) -> None:
    row = {**ROW, "near": "but"}
    result = runner.invoke(app, _files(tmp_path, json.dumps(row) + "\n"))
    assert "function_words" in result.stderr and "kept" not in result.stderr
    other = runner.invoke(app, _files(tmp_path, json.dumps(row) + "\n") + ["--language", "ja"])
    assert json.loads(other.stdout)["near"] == "but" and other.stderr == ""


def test_verify_names_the_bad_line(tmp_path: Path) -> None:
    result = runner.invoke(app, _files(tmp_path, json.dumps(ROW) + "\n{\"color\": 1}\n"))
    assert result.exit_code == 2 and "rows.ndjson" in result.output and "line 2" in result.output
