"""The report folder write_report makes: the four files, escaped and self-contained HTML, the Markdown summary."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import FLAT_RECORD, KV_RECORD
from text2table.metrics.document import Prediction
from text2table.metrics.evaluate import evaluate
from text2table.core.records import record_from_dict
from text2table.report.write import write_report

EVIL = "<script>alert(1)</script>"


def _results():
    records = [record_from_dict(KV_RECORD), record_from_dict(FLAT_RECORD)]
    preds = {"match-7": Prediction.from_dict({"id": "match-7", "schema": None, "rows": [
        {"player": "Smith", "points": "21", "rebounds": "5"}, {"player": EVIL, "points": "12", "rebounds": None}]})}
    return evaluate(records, preds)


def test_write_report_files(tmp_path: Path) -> None:
    metrics, docs = _results()
    paths = write_report(tmp_path / "out", metrics, docs, worst=2)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "metrics.json", "per_document.jsonl", "report.html", "report.md"]
    assert json.loads(paths["metrics"].read_text())["n_documents"] == 2
    assert len(paths["per_document"].read_text().splitlines()) == 2
    html = paths["html"].read_text()
    assert EVIL not in html and "&lt;script&gt;" in html
    assert html.count("<svg") == 4 and "src=" not in html and "<link" not in html  # self-contained
    md = paths["markdown"].read_text()
    assert "| Text-to-Table cell F1 (exact) |" in md and "### e2e-1" in md and "missing prediction" in md
