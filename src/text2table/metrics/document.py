"""Score one document: a gold record against one prediction record (the format ``extract`` writes).

A prediction is ``{"id", "schema": <schema dict or null>, "rows": [...], "raw": {"pi1": text, "pi2": text}
or text, "diagnostics"?, "error"?}``. ``schema: null`` means the rows were extracted with the gold schema
(pi2 alone); a schema means a pipeline prediction, scored end to end. Structural rates read the raw pi2
text when there is one (that is what the model wrote), otherwise the parsed rows.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from text2table.decoding.parsing import parse_rows_text, parse_schema_text
from text2table.core.naming import is_policy_name, normalize_name, normalize_names
from text2table.core.records import DEFAULT_MISSING_TOKENS, GoldRecord, gold_rows, gold_schema
from text2table.core.schema import Schema
from text2table.metrics.end_to_end import end_to_end
from text2table.metrics.grounding import ground_rows
from text2table.metrics.schema_match import DEFAULT_THRESHOLD
from text2table.metrics.structural import SchemaCheck, StructuralCounts, check_schema, count_rows, count_text
from text2table.metrics.wu import METRICS, document_scores, make_scorer, table_items


@dataclass(frozen=True)
class EvalSettings:
    """Every option that changes a number; written to ``metrics.json`` so that a number can be reproduced."""

    lowercase: bool = False  #: compare cell values case-insensitively (the paper compares exact strings)
    soft_threshold: float = DEFAULT_THRESHOLD  #: minimum name similarity of a soft schema match
    chrf: str = "chrf"  #: "chrf" (fast, sacrebleu-equal) or "chrf_sacrebleu" (sacrebleu itself)

    def __post_init__(self) -> None:
        from text2table.errors import ConfigError

        if not 0.0 < self.soft_threshold <= 1.0:
            raise ConfigError(f"soft_threshold must be in (0, 1], got {self.soft_threshold!r}")
        if self.chrf not in ("chrf", "chrf_sacrebleu"):
            raise ConfigError(f"chrf must be 'chrf' or 'chrf_sacrebleu', got {self.chrf!r}")

    def to_dict(self) -> dict[str, Any]:
        import sacrebleu

        return {**asdict(self), "chrf_signature": f"chrF2|nc:6|nw:0|space:no|eff:yes|sacrebleu:{sacrebleu.__version__}",
                "wu_header_normalisation": "text2table.core.naming.normalize_name",
                "value_normalisation": "strip, collapse whitespace" + (", casefold" if self.lowercase else ""),
                "name_similarity": "max(token Dice, 1 - levenshtein/max length)",
                "aligned_row_matching": "Hungarian, maximise equal non-empty cells",
                "grounding": "canonical token sequence in document (number words = digits)"}


@dataclass
class Prediction:
    """A prediction record, read leniently: whatever is wrong is kept as a reason, never raised."""

    id: str
    schema: Schema | None
    schema_check: SchemaCheck | None  #: None when the prediction carries no schema (pi2 alone)
    rows: list[Any]
    rows_text: str | None
    error: str | None
    text_schema: Schema | None = None  #: the schema rows_text was written under, when verification dropped columns
    schema_problem: str | None = None  #: why a given schema object could not be read (the document scores 0)

    @classmethod
    def from_dict(cls, obj: dict[str, Any]) -> "Prediction":
        raw = obj.get("raw")
        raw_pi1 = raw.get("pi1") if isinstance(raw, dict) else None
        raw_pi2 = raw.get("pi2") if isinstance(raw, dict) else raw
        if isinstance(raw_pi2, list):
            raw_pi2 = "\n".join(str(t) for t in raw_pi2)
        schema, check, renames, problem = None, None, {}, None
        if isinstance(obj.get("schema"), dict):
            check = check_schema(obj["schema"])
            schema, renames, problem = read_schema_leniently(obj["schema"])
        elif isinstance(raw_pi1, str):
            check = check_schema(raw_pi1)
            schema, _ = parse_schema_text(raw_pi1)
        elif "schema" in obj and obj["schema"] is not None:
            check = SchemaCheck(False, False, False, False, False, "'schema' is not a JSON object")
        rows = obj.get("rows")
        if not isinstance(rows, list):
            rows = None
        elif renames:  # rows keyed by the names as written, the schema read under policy names
            rows = [{renames.get(k, k): v for k, v in r.items()} if isinstance(r, dict) else r for r in rows]
        if rows is None and isinstance(raw_pi2, str):
            rows = parse_rows_text(raw_pi2, schema.names if schema else None).rows
        error = obj.get("error")
        written = raw.get("pi2_schema") if isinstance(raw, dict) else None
        return cls(str(obj.get("id")), schema, check, rows or [], raw_pi2 if isinstance(raw_pi2, str) else None,
                   str(error) if error else None, _schema_or_none(written) if isinstance(written, dict) else None,
                   problem)


def read_schema_leniently(obj: dict[str, Any]) -> tuple[Schema | None, dict[str, str], str | None]:
    """``(schema, renames, problem)`` of a schema object another system may have written.

    Field names (and the structure) outside the naming policy are normalised (``"Price range"`` ->
    ``price_range``, repeats suffixed) so that the prediction is compared, not zeroed; ``renames`` maps
    each changed name as written to its policy name. ``problem`` says why no schema could be built.

    >>> schema, renames, _ = read_schema_leniently({"structure": "kv_single", "fields": [{"name": "Price range"}]})
    >>> schema.names, renames
    (['price_range'], {'Price range': 'price_range'})
    """
    try:
        return Schema.from_dict(obj), {}, None
    except (ValueError, TypeError, RecursionError) as exc:
        first = str(exc)
    fields = obj.get("fields")
    if not isinstance(fields, list) or not all(isinstance(f, dict) and isinstance(f.get("name"), str) for f in fields):
        return None, {}, f"schema unreadable: {first}"
    names = normalize_names([f["name"] for f in fields])
    structure = obj.get("structure")
    if isinstance(structure, str) and not is_policy_name(structure):
        structure = normalize_name(structure)
    fixed = {**obj, "structure": structure,
             "fields": [{**f, "name": n, "source_header": f.get("source_header") or f["name"]}
                        for f, n in zip(fields, names)]}
    try:
        schema = Schema.from_dict(fixed)
    except (ValueError, TypeError, RecursionError) as exc:
        return None, {}, f"schema unreadable: {exc}"
    return schema, {f["name"]: n for f, n in zip(fields, names) if f["name"] != n}, None


def _schema_or_none(obj: dict[str, Any]) -> Schema | None:
    try:
        return Schema.from_dict(obj)
    except (ValueError, TypeError, RecursionError):
        return None


def structural_counts(pred: Prediction, schema: Schema | None) -> StructuralCounts:
    """Counts from the raw model text when present, else from the parsed rows."""
    if pred.rows_text is not None:
        return count_text(pred.rows_text, pred.text_schema or schema)
    return count_rows(pred.rows, schema)


def _triples(scores: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if scores is None else {k: (list(v) if v is not None else None) for k, v in scores.items()}


def score_document(record: GoldRecord, pred: Prediction | None, settings: EvalSettings,
                   scorers: dict[str, Any] | None = None) -> dict[str, Any]:
    """All metrics of one document, as a JSON-ready dict (see docs/metrics.md for each number)."""
    g_schema = gold_schema(record)
    g_rows = gold_rows(record, g_schema)
    missing = tuple(record.metadata.get("missing_value_tokens", DEFAULT_MISSING_TOKENS))
    status = "ok" if pred is not None else "missing"
    if pred is not None and (pred.error or pred.schema_problem):
        status = "error"
    pred = pred or Prediction(record.id, None, None, [], None, None)
    pipeline = pred.schema_check is not None
    p_schema = pred.schema if pipeline else g_schema
    e2e = end_to_end(p_schema, pred.rows, g_schema, g_rows, threshold=settings.soft_threshold,
                     lowercase=settings.lowercase, missing=missing)
    aligned = e2e.aligned
    structural = structural_counts(pred, p_schema if p_schema is not None else None)
    gold_items = table_items(g_schema.structure, g_schema.names, g_rows, missing=missing, lowercase=settings.lowercase)
    pred_items = None
    if p_schema is not None and pred.rows:
        pred_items = table_items(p_schema.structure, p_schema.names, pred.rows, missing=missing,
                                 lowercase=settings.lowercase)
    scorers = scorers or {}
    wu = {m: _triples(document_scores(pred_items, gold_items, m if m == "exact" else "chrf",
                                      scorer=scorers.get(m) if m != "exact" else None)) for m in METRICS}
    grounding = ground_rows(pred.rows, record.document, missing=missing)
    schema_block = None
    if pipeline:
        m = e2e.match
        schema_block = {"valid": pred.schema_check.valid, "reason": pred.schema_check.reason,
                        "n_pred": m.n_pred, "n_gold": m.n_gold, "exact_tp": m.exact_tp, "soft_tp": m.soft_tp,
                        "f1": m.f1, "soft_f1": m.soft_f1, "structure_ok": m.structure_ok,
                        "field_count_ratio": m.field_count_ratio, "pairs": m.pairs}
    result = {
        "id": record.id, "status": status, "error": pred.error or pred.schema_problem, "structure": g_schema.structure,
        "structural": asdict(structural), "schema": schema_block, "wu": wu,
        "aligned": {"tp": aligned.tp, "n_pred": aligned.n_pred, "n_gold": aligned.n_gold,
                    "precision": aligned.precision, "recall": aligned.recall, "f1": aligned.f1,
                    "pred_rows": aligned.pred_rows, "gold_rows": aligned.gold_rows,
                    "duplicate_rows": aligned.duplicate_rows, "per_field": aligned.per_field,
                    "pairs": [list(p) for p in aligned.pairs]},
        "grounding": {"cells": grounding.cells, "grounded": grounding.grounded, "rate": grounding.rate,
                      "ungrounded": [list(u) for u in grounding.ungrounded]},
        "gold_names": g_schema.names, "gold_rows": g_rows, "pred_rows": e2e.rows,
    }
    result["errors"] = error_categories(result)
    return result


def error_categories(doc: dict[str, Any]) -> list[str]:
    """What went wrong in one document, as short category names (for the report's error breakdown)."""
    out = []
    if doc["status"] == "missing":
        return ["missing prediction"]
    if doc["status"] == "error":
        out.append("pipeline error")
    if doc["schema"] is not None and not doc["schema"]["valid"]:
        out.append("invalid schema")
    s = doc["structural"]
    if s["lines"] > s["json_objects"]:
        out.append("invalid JSON lines")
    if s["checked"] > s["key_order_pass"]:
        out.append("wrong keys or order")
    if s["values"] > s["type_pass"]:
        out.append("type violations")
    a = doc["aligned"]
    if a["pred_rows"] == 0:
        out.append("no rows")
    elif a["pred_rows"] != a["gold_rows"]:
        out.append("wrong row count")
    if a["duplicate_rows"]:
        out.append("duplicate rows")
    if a["tp"] < a["n_pred"]:
        out.append("wrong or extra cells")
    if a["tp"] < a["n_gold"]:
        out.append("missed cells")
    if doc["grounding"]["ungrounded"]:
        out.append("ungrounded values")
    return out


def make_scorers(settings: EvalSettings) -> dict[str, Any]:
    """One chrF scorer per evaluation run (its memo lives only as long as the run)."""
    return {"chrf": make_scorer(settings.chrf)}
