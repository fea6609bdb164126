"""What the Markdown and HTML reports share: the headline metrics, number formatting, the worst documents,
and a document's gold and predicted rows side by side with each cell's status."""

from __future__ import annotations

from typing import Any

HEADLINE = (("wu.exact.row_header_f1", "Text-to-Table row-header F1 (exact)"),
            ("wu.exact.col_header_f1", "Text-to-Table column-header F1 (exact)"),
            ("wu.exact.cell_f1", "Text-to-Table cell F1 (exact)"),
            ("wu.chrf.row_header_f1", "Text-to-Table row-header F1 (chrF)"),
            ("wu.chrf.col_header_f1", "Text-to-Table column-header F1 (chrF)"),
            ("wu.chrf.cell_f1", "Text-to-Table cell F1 (chrF)"),
            ("aligned_cell_f1", "Aligned cell F1 (one-to-one rows, micro)"),
            ("aligned_cell_f1_macro", "Aligned cell F1 (per-document mean)"),
            ("row_count_error", "Mean row-count error (rows)"),
            ("duplicate_row_rate", "Duplicate-row rate"),
            ("schema_f1", "Schema field F1 (exact)"), ("soft_schema_f1", "Schema field F1 (soft)"),
            ("schema_valid_rate", "Schema validity"), ("structure_accuracy", "Structure accuracy"),
            ("field_count_ratio", "Field-count ratio (pred / gold)"),
            ("json_valid_rate", "JSON-valid line rate"), ("key_order_pass_rate", "Key-order pass rate"),
            ("type_check_pass_rate", "Type-check pass rate"), ("grounding_rate", "Grounded value rate"))


RAW_KEYS = frozenset({"row_count_error", "field_count_ratio"})  #: numbers that are not rates


def fmt(value: Any, key: str | None = None) -> str:
    """A number for a report: rates as percentages with one decimal, counts as is, null as n/a."""
    if key in RAW_KEYS and isinstance(value, (int, float)):
        return f"{value:.2f}"
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{100 * value:.1f}" if -1.0 <= value <= 1.0 else f"{value:.2f}"
    return str(value)


def worst_documents(docs: list[dict[str, Any]], k: int) -> list[dict[str, Any]]:
    """The ``k`` documents with the lowest aligned cell F1 (ties: most gold cells first), missing included."""
    return sorted(docs, key=lambda d: (d["aligned"]["f1"], -d["aligned"]["n_gold"], d["id"]))[:k]


def side_by_side(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Row pairs for a diff: ``{"gold": row|None, "pred": row|None, "names": [...]}``, aligned pairs first,
    then unmatched gold rows, then unmatched predicted rows. Predicted rows are keyed by gold names
    (fields that match no gold field keep their own name, prefixed ``~``)."""
    gold, pred = doc["gold_rows"], doc["pred_rows"]
    pairs = [tuple(p) for p in doc["aligned"]["pairs"]]
    used_pred = {p for p, _ in pairs}
    used_gold = {g for _, g in pairs}
    out = [{"gold": gold[g], "pred": pred[p]} for p, g in sorted(pairs, key=lambda pg: pg[1])]
    out += [{"gold": row, "pred": None} for i, row in enumerate(gold) if i not in used_gold]
    out += [{"gold": None, "pred": row} for i, row in enumerate(pred) if i not in used_pred]
    extra = sorted({k for r in pred if isinstance(r, dict) for k in r if k not in doc["gold_names"]})
    names = list(doc["gold_names"]) + extra
    return [{**pair, "names": names} for pair in out]


def cell_status(gold: Any, pred: Any) -> str:
    """``match``, ``wrong``, ``missed`` (gold only), ``extra`` (prediction only) or ``empty``."""
    g = None if gold in (None, "") else " ".join(str(gold).split())
    p = None if pred in (None, "") else " ".join(str(pred).split())
    if g is None and p is None:
        return "empty"
    if g is None:
        return "extra"
    if p is None:
        return "missed"
    return "match" if g == p else "wrong"
