"""bench/bench_pi1_structure.py: structure agreement per gold structure."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import bench_pi1_structure  # noqa: E402  (bench/ is a folder of scripts, not a package)


def test_agreement_counts_each_gold_structure_and_a_missing_schema_as_wrong():
    gold = ["kv_single", "kv_single", "flat_single_row", "flat_single_row"]
    chosen = ["flat_single_row", "kv_single", "flat_single_row", None]
    assert bench_pi1_structure.agreement(gold, chosen) == {
        "all": (2, 4), "flat_single_row": (1, 2), "kv_single": (1, 2)}
    assert bench_pi1_structure.agreement([], []) == {"all": (0, 0)}
