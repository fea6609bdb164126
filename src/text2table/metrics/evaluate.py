"""Gold file + prediction file -> the metrics dict (``metrics.json``) and per-document results.

Counts are summed over documents first, then turned into rates (micro); per-document means are reported
next to them where they differ (``*_macro``). The Text-to-Table numbers are per-document means, as in the
paper. Missing predictions count as empty. ``metrics.json`` carries the prediction file's signature
(``signature``, ``prediction_signature``; :mod:`text2table.core.signature`) when ``extract`` wrote one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from text2table.errors import InputError
from text2table.core.jsonio import iter_jsonl
from text2table.core.records import GoldRecord, read_gold
from text2table.core.signature import read_signature
from text2table.metrics.document import EvalSettings, Prediction, make_scorers, score_document
from text2table.metrics.schema_match import f1_score
from text2table.metrics.structural import StructuralCounts
from text2table.metrics.wu import METRICS, aggregate

#: Keys ``metrics.json`` always has (a value may be null when no document defines it).
REQUIRED_KEYS = (
    *(f"wu.{m}.{k}_f1" for m in METRICS for k in ("row_header", "col_header", "cell")),
    "aligned_cell_f1", "schema_f1", "soft_schema_f1", "json_valid_rate", "key_order_pass_rate",
    "type_check_pass_rate", "grounding_rate", "n_documents")


def read_predictions(path: str | Path) -> dict[str, Prediction]:
    """Read ``pred.jsonl``; a line that is not an object with an ``id``, or a repeated id, is an error."""
    out: dict[str, Prediction] = {}
    for line, obj in iter_jsonl(path):
        if not isinstance(obj, dict) or not isinstance(obj.get("id"), (str, int)):
            raise InputError("expected a JSON object with an 'id'", source=str(path), line=line,
                             hint='each line is {"id": ..., "schema": ..., "rows": [...]} as `extract` writes')
        pid = str(obj["id"])
        if pid in out:
            raise InputError(f"duplicate id {pid!r}", source=str(path), line=line, hint="one prediction per document")
        out[pid] = Prediction.from_dict(obj)
    return out


def _mean(values: Iterable[float]) -> float | None:
    values = list(values)
    return sum(values) / len(values) if values else None


def aggregate_documents(docs: list[dict[str, Any]], settings: EvalSettings, *,
                        unmatched_predictions: int = 0) -> dict[str, Any]:
    """Corpus metrics from per-document results."""
    out: dict[str, Any] = {"n_documents": len(docs)}
    for metric in METRICS:
        for key, value in aggregate(d["wu"][metric] for d in docs).items():
            out[f"wu.{metric}.{key}"] = value
    tp = sum(d["aligned"]["tp"] for d in docs)
    n_pred = sum(d["aligned"]["n_pred"] for d in docs)
    n_gold = sum(d["aligned"]["n_gold"] for d in docs)
    out["aligned_cell_precision"] = tp / n_pred if n_pred else 0.0
    out["aligned_cell_recall"] = tp / n_gold if n_gold else 0.0
    out["aligned_cell_f1"] = f1_score(tp, n_pred, n_gold)
    out["aligned_cell_f1_macro"] = _mean(d["aligned"]["f1"] for d in docs)
    out["row_count_error"] = _mean(abs(d["aligned"]["pred_rows"] - d["aligned"]["gold_rows"]) for d in docs)
    pred_rows = sum(d["aligned"]["pred_rows"] for d in docs)
    out["duplicate_row_rate"] = sum(d["aligned"]["duplicate_rows"] for d in docs) / pred_rows if pred_rows else 0.0
    _schema_metrics(docs, out)
    structural = StructuralCounts()
    for d in docs:
        structural = structural + StructuralCounts(**d["structural"])
    out.update(structural.rates())
    cells = sum(d["grounding"]["cells"] for d in docs)
    out["grounding_rate"] = sum(d["grounding"]["grounded"] for d in docs) / cells if cells else 0.0
    status = Counter(d["status"] for d in docs)
    out["n_predictions"] = status["ok"] + status["error"]
    out["n_missing"] = status["missing"]
    out["n_errors"] = status["error"]
    out["n_unmatched_predictions"] = unmatched_predictions
    out["per_field"] = per_field_scores(docs)
    out["error_breakdown"] = dict(Counter(e for d in docs for e in d["errors"]).most_common())
    out["counts"] = {"aligned": {"tp": tp, "n_pred": n_pred, "n_gold": n_gold}, "structural": vars(structural),
                     "grounding": {"cells": cells, "grounded": sum(d["grounding"]["grounded"] for d in docs)}}
    out["settings"] = settings.to_dict()
    return out


def _schema_metrics(docs: list[dict[str, Any]], out: dict[str, Any]) -> None:
    """Schema numbers over pipeline predictions; null when no prediction carries a schema (pi2 alone)."""
    pipeline = any(d["schema"] is not None for d in docs)
    blocks = [d["schema"] for d in docs if d["schema"] is not None]
    if pipeline:  # missing or failed predictions without a schema count as empty schemas
        for d in docs:
            if d["schema"] is None and d["status"] != "ok":
                n_gold = len(d["gold_names"])
                blocks.append({"valid": False, "n_pred": 0, "n_gold": n_gold, "exact_tp": 0, "soft_tp": 0,
                               "f1": 0.0, "soft_f1": 0.0, "structure_ok": False, "field_count_ratio": 0.0})
    keys = ("schema_f1", "soft_schema_f1", "schema_precision", "schema_recall", "schema_f1_macro",
            "soft_schema_f1_macro", "schema_valid_rate", "structure_accuracy", "field_count_ratio")
    if not blocks:
        out.update(dict.fromkeys(keys))
        out["schema_documents"] = 0
        return
    n_pred = sum(b["n_pred"] for b in blocks)
    n_gold = sum(b["n_gold"] for b in blocks)
    exact = sum(b["exact_tp"] for b in blocks)
    out["schema_f1"] = f1_score(exact, n_pred, n_gold)
    out["soft_schema_f1"] = f1_score(sum(b["soft_tp"] for b in blocks), n_pred, n_gold)
    out["schema_precision"] = exact / n_pred if n_pred else 0.0
    out["schema_recall"] = exact / n_gold if n_gold else 0.0
    out["schema_f1_macro"] = _mean(b["f1"] for b in blocks)
    out["soft_schema_f1_macro"] = _mean(b["soft_f1"] for b in blocks)
    out["schema_valid_rate"] = _mean(float(b["valid"]) for b in blocks)
    out["structure_accuracy"] = _mean(float(bool(b["structure_ok"])) for b in blocks)
    out["field_count_ratio"] = n_pred / n_gold if n_gold else None
    out["schema_documents"] = len(blocks)


def per_field_scores(docs: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Aligned cell F1 per gold field name over the corpus (predicted-only fields are left out)."""
    totals: dict[str, list[int]] = {}
    for d in docs:
        gold_names = set(d["gold_names"])
        for name, (tp, n_pred, n_gold) in d["aligned"]["per_field"].items():
            if name in gold_names:
                acc = totals.setdefault(name, [0, 0, 0])
                acc[0] += tp
                acc[1] += n_pred
                acc[2] += n_gold
    return {name: {"f1": f1_score(*acc), "tp": acc[0], "n_pred": acc[1], "n_gold": acc[2]}
            for name, acc in sorted(totals.items(), key=lambda kv: -kv[1][2])}


def evaluate(records: Iterable[GoldRecord], predictions: dict[str, Prediction],
             settings: EvalSettings | None = None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Score every gold record against its prediction; returns ``(metrics, per_document)``."""
    settings = settings or EvalSettings()
    scorers = make_scorers(settings)
    docs = []
    seen = set()
    for record in records:
        seen.add(record.id)
        docs.append(score_document(record, predictions.get(record.id), settings, scorers))
    unmatched = sum(1 for pid in predictions if pid not in seen)
    return aggregate_documents(docs, settings, unmatched_predictions=unmatched), docs


def evaluate_files(gold_path: str | Path, pred_path: str | Path,
                   settings: EvalSettings | None = None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """:func:`evaluate` on a gold JSONL file and a ``pred.jsonl`` file."""
    predictions = read_predictions(pred_path)
    metrics, docs = evaluate(read_gold(gold_path), predictions, settings)
    if not docs:
        raise InputError("no gold records", source=str(gold_path), hint="give a native gold JSONL file")
    metrics["settings"]["gold"] = str(gold_path)
    metrics["settings"]["pred"] = str(pred_path)
    signature = read_signature(pred_path)  # what produced the predictions (written by ``extract``)
    metrics["prediction_signature"] = signature
    metrics["signature"] = signature["signature"] if signature else None
    return metrics, docs
