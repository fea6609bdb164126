"""bench/quality_rotowire.py: games kept whole, rows missing and duplicated, one line per table kind."""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import quality_rotowire  # noqa: E402  (bench/ is a folder of scripts, not a package)


def _gold(game: int, kind: str, headers: list[str], rows: list[list]) -> dict:
    return {"id": f"g{game}-{kind}", "document": f"Game {game}: Al scored 10 points.",
            "metadata": {"table_hint": kind, "group": f"g{game}"},
            "table": {"headers": headers, "rows": rows}}


def _pred(rid: str, names: list[str], rows: list[dict], seconds: float) -> dict:
    schema = {"schema_id": "s", "structure": "flat_single_row",
              "fields": [{"name": n, "type": "string", "required": False} for n in names], "constraints": {}}
    return {"id": rid, "schema": schema, "rows": rows, "diagnostics": {"seconds": seconds}}


def test_row_counts_missing_and_duplicated():
    gold = [{"Player": "Al Horford", "Points": "15"}, {"Player": "Isaiah Thomas", "Points": "27"}]
    pred = [{"Player": "al  horford", "Points": "15"}, {"Player": "Al Horford", "Points": "7"}, {"Player": None}]
    assert quality_rotowire.row_counts(gold, pred) == (2, 1, 3, 1)
    assert quality_rotowire.row_counts(gold, []) == (2, 2, 0, 0)


def test_subset_keeps_both_tables_of_a_game(tmp_path):
    records = [_gold(g, k, ["Player", "Points"], [["Al", "10"]]) for g in range(1, 7) for k in ("team", "player")]
    src = tmp_path / "gold.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in records))
    out = quality_rotowire.subset_games(src, 3, tmp_path / "subset.jsonl")
    ids = [json.loads(line)["id"] for line in out.read_text().splitlines()]
    assert ids == ["g1-team", "g1-player", "g3-team", "g3-player", "g5-team", "g5-player"]


def test_lines_per_kind_with_seconds_per_summary(tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps(_gold(1, "player", ["Player", "Points"], [["Al", "10"], ["Bo", "8"]])) + "\n"
                    + json.dumps(_gold(1, "team", ["Team", "Points"], [["Hawks", "99"]])) + "\n")
    pred = tmp_path / "rotowire.trained.pred.jsonl"
    pred.write_text(json.dumps(_pred("g1-player", ["Player", "Points"],
                                     [{"Player": "Al", "Points": "10"}, {"Player": "Al", "Points": "10"}], 3.0))
                    + "\n" + json.dumps(_pred("g1-team", ["Team", "Points"], [], 1.5)) + "\n")
    lines = quality_rotowire.rotowire_lines("rotowire", "trained", gold, pred)
    assert [line.split(" | ")[0] for line in lines] == ["| rotowire-player", "| rotowire-team"]
    player = [c.strip() for c in lines[0].strip("|").split("|")]
    assert player[2] == "1"  # one table
    assert player[4] == "66.67 [66.67, 66.67]"  # row-header F1 with its interval: Al found, Bo not
    assert player[-4:] == ["50.00", "50.00", "100.00", "4.5"]  # Bo missing; one of 2 rows repeats Al; 3 + 1.5 s
    team = [c.strip() for c in lines[1].strip("|").split("|")]
    assert team[-4] == "100.00"  # the team row is missing
