"""The rewards: pure functions of (model text, ground truth, document, weights) that never raise on model text.

Every score is in [-1, 1] (see :mod:`text2table.rewards.config`) and comes with the same sub-metric keys
(:data:`KEYS`, floats) and a ``reason`` when the output was gated. pi2 uses exact matching of normalised
values (case-folded, whitespace collapsed), not chrF: it is fast enough for GRPO.

>>> from text2table.core.schema import Field, Schema
>>> truth = Truth(Schema("flat_single_row", (Field("player"), Field("points"))),
...               [{"player": "Smith", "points": "20"}, {"player": "Jones", "points": "12"}])
>>> doc = "Smith scored 20 points and Jones 12."
>>> pi2_score('{"player": "Smith", "points": "20"}\\n{"player": "Jones", "points": "12"}', truth, doc).score
1.0
>>> pi2_score('', truth, doc).score, pi2_score('', truth, doc).reason
(-1.0, 'empty output')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from text2table.metrics.aligned import align_keyed, keyed_cells
from text2table.metrics.end_to_end import map_gold_to_schema, rename_rows
from text2table.text.document_index import DocumentIndex
from text2table.text.normalise import canonical_tokens
from text2table.metrics.schema_match import match_schemas
from text2table.metrics.structural import check_schema, load_pairs
from text2table.decoding.parsing import parse_schema_text
from text2table.decoding.prompts import PI1_POLICY, PI2_POLICY
from text2table.core.schema import Schema, schema_answer
from text2table.rewards.config import RewardWeights
from text2table.rewards.padding import minimal_answer, rows_padding, schema_padding
from text2table.rewards.truth import Truth, as_truth

KEYS = ("gated", "empty", "json_valid", "key_order", "schema_valid", "schema_f1", "soft_schema_f1",
        "structure_ok", "hallucinated", "bloat", "cell_f1", "cell_precision", "cell_recall", "grounding",
        "duplicate_rate", "copy_rate", "oracle_pi2", "padding")
DEFAULT_WEIGHTS = RewardWeights()
_POLICY_JOINED = " " + " ".join(canonical_tokens(PI1_POLICY + "\n" + PI2_POLICY)) + " "
_NAME_STOPWORDS = frozenset({"num", "pct", "and", "the", "per", "of", "for", "with", "total", "field"})
_COPY_MIN_CHARS = 40


@dataclass(frozen=True)
class RewardResult:
    """A score in [-1, 1], sub-metrics (always the keys of :data:`KEYS`), and why it was gated, if it was."""

    score: float
    metrics: dict[str, float] = field(default_factory=dict)
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"score": self.score, **self.metrics, "reason": self.reason}

    def as_verl(self) -> dict[str, float]:
        """Floats only (VERL logs every key as a number)."""
        return {"score": float(self.score), **{k: float(v) for k, v in self.metrics.items()}}


def _clip(x: float) -> float:
    return -1.0 if x < -1.0 else 1.0 if x > 1.0 else float(x)


def _result(score: float, metrics: dict[str, float], reason: str = "", *, gated: bool = False) -> RewardResult:
    if gated:
        metrics["gated"] = 1.0
    return RewardResult(_clip(score), metrics, reason)


@dataclass
class _Rows:
    rows: list[dict[str, Any]]
    lines: int = 0
    objects: int = 0
    first_error: str = ""
    padding: float = 0.0


def read_rows(text: str, names: list[str]) -> _Rows:
    """Rows of NDJSON text whose keys are exactly ``names`` in order with scalar values; counts the rest,
    and the share of text on lines that are not rows (``padding``)."""
    out = _Rows([])
    is_row: list[bool] = []
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        out.lines += 1
        is_row.append(False)
        pairs = load_pairs(line) if line[0] == "{" else None
        if pairs is None:
            out.first_error = out.first_error or f"line {out.lines} is not a JSON object"
            continue
        out.objects += 1
        if [k for k, _ in pairs] != names:
            out.first_error = out.first_error or f"line {out.lines} keys differ from the schema"
            continue
        if (line.count("{") > 1 or "[" in line) and any(isinstance(v, list) for _, v in pairs):
            out.first_error = out.first_error or f"line {out.lines} has a nested value"
            continue
        out.rows.append(dict(pairs))
        is_row[-1] = True
    out.padding = rows_padding(text, is_row)
    return out


def _table_part(read: _Rows, rows: list[dict[str, Any]], truth: Truth, index: DocumentIndex | None,
                names: set[str], weights: RewardWeights, m: dict[str, float]) -> tuple[float, str]:
    """Score of a table already keyed by gold names: format x aligned cell F1 - penalties; fills ``m``."""
    m["json_valid"] = read.objects / read.lines if read.lines else 0.0
    m["key_order"] = len(read.rows) / read.objects if read.objects else 0.0
    if read.lines == 0:
        if truth.n_cells == 0:
            return 1.0, ""
        m["empty"] = 1.0
        return weights.empty_score, "empty output"
    if not read.rows:
        m["gated"] = 1.0
        return weights.invalid_score, "no valid row: " + read.first_error
    keyed = keyed_cells(rows, missing=truth.missing, lowercase=True)
    n_cells = sum(len(r) for r in keyed)
    if n_cells == 0:
        if truth.n_cells == 0:
            return 1.0, ""
        m["empty"] = 1.0
        return weights.empty_score, "every value is null"
    aligned = align_keyed(keyed, truth.keyed, per_field=False, index=truth.index)
    m["cell_f1"], m["cell_precision"], m["cell_recall"] = aligned.f1, aligned.precision, aligned.recall
    m["duplicate_rate"] = aligned.duplicate_rate
    grounded = copied = 0
    echo = _echo_forms(names)
    seen: dict[tuple[str, str], tuple[bool, bool]] = {}
    for row in keyed:
        for item in row.items():
            verdict = seen.get(item)
            if verdict is None:
                verdict = seen[item] = _check_value(item[0], item[1], index, echo)
            grounded += verdict[0]
            copied += verdict[1]
    ungrounded_rate = 0.0
    if index is not None:
        m["grounding"] = grounded / n_cells
        ungrounded_rate = 1.0 - m["grounding"]
    m["copy_rate"] = copied / n_cells
    m["padding"] = read.padding
    fmt = min(len(read.rows) / read.lines, 1.0 - read.padding)
    score = (fmt * aligned.f1 - weights.ungrounded_penalty * ungrounded_rate
             - weights.duplicate_penalty * aligned.duplicate_rate - weights.copy_penalty * m["copy_rate"])
    return score, ""


def _echo_forms(names: set[str]) -> set[str]:
    """How a field name looks as a case-folded value: ``customer_rating`` and ``customer rating``."""
    return names | {n.replace("_", " ") for n in names}


def _check_value(name: str, value: str, index: DocumentIndex | None, echo: set[str]) -> tuple[bool, bool]:
    """(grounded, copied) for one non-empty value key; copied = schema echo, policy text or the whole document."""
    grounded = index.supports(value, name.lstrip("~")) if index is not None else True
    if value in echo:
        return grounded, True
    if index is not None and len(value) >= _COPY_MIN_CHARS and len(value) * 2 >= len(index.folded):
        return grounded, True
    if not grounded:
        tokens = canonical_tokens(value)
        if tokens and f" {' '.join(tokens)} " in _POLICY_JOINED:
            return grounded, True
    return grounded, False


def _index(document: Any) -> DocumentIndex | None:
    if isinstance(document, DocumentIndex):
        return document
    return DocumentIndex(document) if isinstance(document, str) else None


def pi2_score(text: Any, truth: Any, document: Any = None, weights: RewardWeights = DEFAULT_WEIGHTS) -> RewardResult:
    """pi2 (extraction under the gold schema): aligned cell F1 gated by JSON validity and key order, with
    penalties for ungrounded values, duplicated rows and copied text. ``document=None`` skips grounding."""
    truth = as_truth(truth)
    m = dict.fromkeys(KEYS, 0.0)
    if not isinstance(text, str):
        return _result(weights.invalid_score, m, f"output is {type(text).__name__}, not text", gated=True)
    read = read_rows(text, truth.names)
    score, reason = _table_part(read, read.rows, truth, _index(document), set(truth.names), weights, m)
    return _result(score, m, reason)


def _hallucinated(names: list[str], index: DocumentIndex | None) -> int:
    """Fields (already without a gold match) none of whose name tokens occurs in the document."""
    if index is None:
        return 0
    count = 0
    vocab = index.vocabulary
    for name in names:
        tokens = [t for t in name.split("_") if len(t) > 2 and t not in _NAME_STOPWORDS]
        if tokens and not any(t in vocab or t + "s" in vocab or (t.endswith("s") and t[:-1] in vocab)
                              for t in tokens):
            count += 1
    return count


def pi1_score(text: Any, truth: Any, document: Any = None, weights: RewardWeights = DEFAULT_WEIGHTS) -> RewardResult:
    """pi1 (schema induction): weighted exact/soft field F1 and structure, gated by schema validity, minus
    penalties for hallucinated columns, bloat, and text around the JSON (``format_penalty`` once, plus
    ``padding_penalty`` times the share of text outside the one object). ``truth`` may be a gold Schema."""
    gold = truth if isinstance(truth, Schema) else as_truth(truth).schema
    m = dict.fromkeys(KEYS, 0.0)
    if not isinstance(text, str) or not text.strip():
        return _result(weights.invalid_score, m, "empty output" if isinstance(text, str) else "output is not text",
                       gated=True)
    check = check_schema(text)
    schema = parse_schema_text(text)[0] if check.valid else None
    if schema is None:
        return _result(weights.invalid_score, m, "invalid schema: " + (check.reason or "unknown"), gated=True)
    m["schema_valid"] = 1.0
    match = match_schemas(schema.names, gold.names, pred_structure=schema.structure,
                          gold_structure=gold.structure)
    m["schema_f1"], m["soft_schema_f1"] = match.f1, match.soft_f1
    m["structure_ok"] = float(bool(match.structure_ok))
    total = weights.schema_f1 + weights.soft_schema_f1 + weights.structure
    base = (weights.schema_f1 * match.f1 + weights.soft_schema_f1 * match.soft_f1
            + weights.structure * m["structure_ok"]) / total
    m["hallucinated"] = _hallucinated(match.unmatched_pred(schema.names), _index(document)) / match.n_pred
    m["bloat"] = min(1.0, max(0, match.n_pred - match.n_gold) / max(1, match.n_gold))
    stripped = text.strip()
    m["padding"] = schema_padding(text, minimal_answer(schema.structure, [(f.name, f.type, f.required)
                                                                          for f in schema.fields]))
    dirty = not (stripped.startswith("{") and stripped.endswith("}")) or m["padding"] > 0
    score = (base - weights.hallucination_penalty * m["hallucinated"] - weights.bloat_penalty * m["bloat"]
             - weights.format_penalty * dirty - weights.padding_penalty * m["padding"])
    return _result(score, m)


def pipeline_score(schema_text_or_schema: Any, rows_text: Any, gold: Any, document: Any = None,
                   weights: RewardWeights = DEFAULT_WEIGHTS) -> RewardResult:
    """End-to-end score of a table that pi2 produced from pi1's schema, mixed with the local pi1 score
    (``weights.pipeline_schema_share``). ``rows_text=None`` scores the schema with a perfect pi2 (the gold
    table mapped onto the predicted schema): the best table that schema allows."""
    truth = as_truth(gold)
    schema_text = (schema_answer(schema_text_or_schema) if isinstance(schema_text_or_schema, Schema)
                   else schema_text_or_schema)
    index = _index(document)
    local = pi1_score(schema_text, truth, index, weights)
    m = dict(local.metrics)
    if local.metrics["gated"]:
        return _result(weights.invalid_score, m, local.reason, gated=True)
    schema = parse_schema_text(schema_text)[0]
    assert schema is not None  # pi1_score passed the validity gate
    match = match_schemas(schema.names, truth.names)
    if rows_text is None:
        m["oracle_pi2"] = 1.0
        rows = map_gold_to_schema(schema, truth.schema, truth.rows)
        read = _Rows(rows, lines=len(rows), objects=len(rows))
    elif isinstance(rows_text, str):
        read = read_rows(rows_text, schema.names)
    else:
        return _result(weights.invalid_score, m, "rows output is not text", gated=True)
    renamed = rename_rows(read.rows, match.pairs)
    schema_pad = m["padding"]
    table, reason = _table_part(read, renamed, truth, index, set(schema.names) | set(truth.names), weights, m)
    table -= weights.padding_penalty * schema_pad  # a padded schema costs the table too, not only its share
    m["padding"] = max(schema_pad, m["padding"])
    share = weights.pipeline_schema_share
    return _result((1 - share) * table + share * local.score, m, reason)
