"""bench/compare.py: two prediction files paired document by document, row-header F1 among the scores."""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import compare  # noqa: E402  (bench/ is a folder of scripts, not a package)

FIELDS = [{"name": n, "type": "string", "required": False} for n in ("player", "points")]


def _write(path: Path, records: list[dict]) -> str:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return str(path)


def test_row_header_f1_is_paired_by_document(tmp_path):
    gold = _write(tmp_path / "gold.jsonl", [
        {"id": f"d{i}", "document": "Al scored 10 points and Bo 8.",
         "table": {"headers": ["player", "points"], "rows": [["Al", "10"], ["Bo", "8"]]}} for i in range(2)])
    schema = {"schema_id": "s", "structure": "flat_single_row", "fields": FIELDS, "constraints": {}}
    rows = [{"player": "Al", "points": "10"}, {"player": "Bo", "points": "8"}]
    extra = rows + [{"player": "Cy", "points": None}]
    a = _write(tmp_path / "a.jsonl", [{"id": f"d{i}", "schema": schema, "rows": extra} for i in range(2)])
    b = _write(tmp_path / "b.jsonl", [{"id": "d0", "schema": schema, "rows": rows},
                                      {"id": "d1", "schema": schema, "rows": extra}])
    lines = {line.split(" | ")[0].strip("| "): line for line in compare.compare(gold, a, b)}
    row = [c.strip() for c in lines["E row-header F1"].strip("|").split("|")]
    assert row[1:3] == ["2", "80.00"] and row[3] == "90.00"  # A: 2/3 precise in both; B: one document exact
    assert row[5:] == ["1", "0"]  # B better on d0, equal on d1
    cell = [c.strip() for c in lines["E cell F1"].strip("|").split("|")]
    assert cell[4] == "+0.00 [+0.00, +0.00]"  # the extra row has no cell: the cell score does not move
