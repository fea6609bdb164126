"""End-to-end scoring of a pipeline prediction: a predicted schema plus rows keyed by its field names.

The predicted fields are aligned to the gold fields by the soft schema matching
(:mod:`text2table.metrics.schema_match`); predicted rows are renamed onto gold names and scored with the
aligned cell F1. Cells of predicted fields that match no gold field stay in the prediction (they cost
precision). :func:`map_gold_to_schema` does the opposite: it fills a predicted schema with the gold table
(what a perfect pi2 could extract given that schema).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from text2table.core.schema import Schema
from text2table.metrics.aligned import AlignedCounts, align_rows
from text2table.metrics.schema_match import DEFAULT_THRESHOLD, SchemaMatch, match_schemas
from text2table.metrics.values import header_key


def rename_rows(rows: Iterable[Any], pairs: dict[str, str]) -> list[dict[str, Any]]:
    """Rows with predicted keys renamed to their matched gold names (unmatched keys kept, prefixed ``~``).

    >>> rename_rows([{"rating": "5", "food": "Thai"}], {"rating": "customer_rating"})
    [{'customer_rating': '5', '~food': 'Thai'}]
    """
    out = []
    for row in rows:
        if not isinstance(row, dict):
            out.append({})
            continue
        renamed: dict[str, Any] = {}
        for key, value in row.items():
            norm = header_key(str(key))
            renamed[pairs[norm] if norm in pairs else "~" + str(key)] = value
        out.append(renamed)
    return out


@dataclass(frozen=True)
class EndToEnd:
    match: SchemaMatch
    aligned: AlignedCounts
    rows: list[dict[str, Any]]  #: predicted rows renamed onto gold field names


def end_to_end(pred_schema: Schema | None, pred_rows: Iterable[Any], gold_schema: Schema,
               gold_rows: Iterable[Any], *, threshold: float = DEFAULT_THRESHOLD, lowercase: bool = False,
               missing: Iterable[str] = ()) -> EndToEnd:
    """Score a pipeline prediction against the gold table; ``pred_schema=None`` means no schema: score 0.

    >>> from text2table.core.schema import Field
    >>> gold = Schema("kv_single", (Field("name"), Field("customer_rating")))
    >>> pred = Schema("kv_single", (Field("name"), Field("rating")))
    >>> e = end_to_end(pred, [{"name": "Aromi", "rating": "5"}], gold, [{"name": "Aromi", "customer_rating": "5"}])
    >>> e.match.soft_tp, e.aligned.tp, e.aligned.f1
    (2, 2, 1.0)
    """
    gold_rows = list(gold_rows)
    if pred_schema is None:
        match = match_schemas([], gold_schema.names, gold_structure=gold_schema.structure, threshold=threshold)
        return EndToEnd(match, align_rows([], gold_rows, missing=missing, lowercase=lowercase), [])
    match = match_schemas(pred_schema.names, gold_schema.names, pred_structure=pred_schema.structure,
                          gold_structure=gold_schema.structure, threshold=threshold)
    renamed = rename_rows(pred_rows, match.pairs)
    aligned = align_rows(renamed, gold_rows, missing=missing, lowercase=lowercase)
    return EndToEnd(match, aligned, renamed)


def map_gold_to_schema(pred_schema: Schema, gold_schema: Schema, gold_rows: Iterable[Any], *,
                       threshold: float = DEFAULT_THRESHOLD) -> list[dict[str, Any]]:
    """The gold table re-keyed onto a predicted schema: matched fields carry the gold values, the others null.

    >>> from text2table.core.schema import Field
    >>> gold = Schema("kv_single", (Field("name"), Field("customer_rating")))
    >>> pred = Schema("kv_single", (Field("rating"), Field("cuisine")))
    >>> map_gold_to_schema(pred, gold, [{"name": "Aromi", "customer_rating": "5"}])
    [{'rating': '5', 'cuisine': None}]
    """
    match = match_schemas(pred_schema.names, gold_schema.names, threshold=threshold)
    return [{name: (row.get(match.pairs[name]) if name in match.pairs else None) for name in pred_schema.names}
            for row in gold_rows if isinstance(row, dict)]
