from text2table.report.summary import HEADLINE, cell_status, fmt, side_by_side, worst_documents

from .test_report_write import EVIL, _results


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


def test_fmt() -> None:
    assert fmt(None) == "n/a" and fmt(0.5) == "50.0" and fmt(3) == "3" and fmt(1.5, "field_count_ratio") == "1.50"


def test_headline_keys_are_unique_and_labelled():
    keys = [k for k, _ in HEADLINE]
    assert len(keys) == len(set(keys)) and all(label for _, label in HEADLINE)
