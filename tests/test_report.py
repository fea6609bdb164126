"""The evaluation report: files, escaped HTML with inline SVG, worst documents side by side."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree

from tests.conftest import FLAT_RECORD, KV_RECORD
from text2table.metrics.document import Prediction
from text2table.metrics.evaluate import evaluate
from text2table.core.records import record_from_dict
from text2table.report.summary import cell_status, fmt, side_by_side, worst_documents
from text2table.report.write import write_report
from text2table.report.html_page import bar_chart, histogram

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


def test_worst_first_and_side_by_side() -> None:
    metrics, docs = _results()
    worst = worst_documents(docs, 1)
    assert worst[0]["id"] == "e2e-1"  # missing prediction: F1 0
    flat = next(d for d in docs if d["id"] == "match-7")
    pairs = side_by_side(flat)
    assert [p["gold"]["player"] for p in pairs] == ["Smith", "Jones"]
    assert pairs[0]["pred"]["points"] == "21" and pairs[1]["pred"]["player"] == EVIL
    assert [cell_status(p["gold"].get("points"), p["pred"].get("points")) for p in pairs] == ["wrong", "match"]
    assert cell_status(None, "x") == "extra" and cell_status("x", None) == "missed"


def test_svg_is_well_formed() -> None:
    for svg in (bar_chart([("a<b", 0.5), ("c", 1.0)], "t&t"), histogram([0.0, 0.5, 1.0, 1.0], "h")):
        root = ElementTree.fromstring(svg)
        assert root.tag.endswith("svg")
    assert len(ElementTree.fromstring(bar_chart([("a", 0.5)], "t")).findall(".//{*}rect")) == 1


def test_fmt() -> None:
    assert fmt(None) == "n/a" and fmt(0.5) == "50.0" and fmt(3) == "3" and fmt(1.5, "field_count_ratio") == "1.50"
