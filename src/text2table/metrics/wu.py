"""The Text-to-Table metric of Wu et al. (2022), so that our numbers compare with the literature.

A table becomes three sets: row headers, column headers, and non-header cells as tuples; only non-empty
cells, duplicates removed (see :func:`table_items` for how our two structures map onto them). Item
similarity is exact match (``"exact"``, the paper's E) or chrF/100 (``"chrf"``); a tuple's similarity is
the product of its parts' similarities. Per document, precision is the mean over predicted items of the
best similarity to any gold item and recall the mean over gold items of the best similarity to any
predicted item; F1 per document, then the mean over documents (:func:`aggregate`). Documents with an empty
gold table are skipped; an unparseable or empty prediction scores 0. The full definition is in docs/metrics.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from text2table.metrics.chrf import ChrF, sacrebleu_chrf
from text2table.metrics.values import header_key, value_key
from text2table.text.normalise import cell_text

KINDS = ("row_header", "col_header", "cell")
METRICS = ("exact", "chrf")
Item = Any  # a header string or a tuple of strings


@dataclass(frozen=True)
class TableItems:
    """The three item sets of one table."""

    row_header: frozenset[str]
    col_header: frozenset[str]
    cell: frozenset[tuple[str, ...]]

    @property
    def empty(self) -> bool:
        return not (self.row_header or self.col_header or self.cell)


def table_items(structure: str, names: Sequence[str], rows: Iterable[Any], *, missing: Iterable[str] = (),
                lowercase: bool = False) -> TableItems:
    """Decompose a table (rows keyed by field names) into the metric's three sets, as the paper's scorer does.

    ``kv_single``: the keys with a value are row headers; cells are ``(key, value)``; no column headers
    (as the paper does for E2E, WikiBio, WikiTableText). ``flat_single_row`` (and any other structure): the
    header row is the column headers (every field but the first, even one whose cells are all empty, and
    any other key with a value); the first field's value is the row header, an empty one included (``""``)
    when the row has a cell; cells are ``(row header, column header, value)``. Headers and row keys go
    through the naming policy; values keep their case unless ``lowercase``.

    >>> items = table_items("flat_single_row", ["player", "points", "reb"], [{"player": "Smith", "points": 20}])
    >>> sorted(items.row_header), sorted(items.col_header), sorted(items.cell)
    (['smith'], ['points', 'reb'], [('smith', 'points', '20')])
    """
    missing = frozenset(missing)
    rh: set[str] = set()
    ch: set[str] = set()
    cells: set[tuple[str, ...]] = set()
    header_row = [header_key(n) for n in names]
    first = header_row[0] if header_row else None
    if structure != "kv_single":
        ch.update(n for n in header_row[1:] if n)
    for row in rows:
        if not isinstance(row, dict):
            continue
        row = {header_key(k): v for k, v in row.items() if isinstance(k, str)}
        if structure == "kv_single":
            for key, value in row.items():
                text = cell_text(value, missing)
                if text is not None and key:
                    rh.add(key)
                    cells.add((key, value_key(text, lowercase)))
            continue
        lead = first if first is not None else next(iter(row), None)
        head = cell_text(row.get(lead), missing) if lead is not None else None
        head_key = header_key(head) if head is not None else ""
        has_cell = False
        for key, value in row.items():
            if key == lead or not key:
                continue
            text = cell_text(value, missing)
            if text is not None:
                has_cell = True
                ch.add(key)
                cells.add((head_key, key, value_key(text, lowercase)))
        if head_key or has_cell:
            rh.add(head_key)
    return TableItems(frozenset(rh), frozenset(ch), frozenset(cells))


def _similarity_matrix(pred: list[Item], gold: list[Item], sim: Any) -> np.ndarray:
    """``len(pred) x len(gold)`` similarities; tuples multiply per-part matrices of unique strings."""
    if not isinstance(pred[0], tuple):
        return np.array([[sim(p, g) for g in gold] for p in pred], dtype=float)
    if len({len(x) for x in pred} | {len(x) for x in gold}) > 1:
        # mixed arities (a flat prediction for a key/value gold table): tuples of unequal length score 0
        return np.array([[float(np.prod([sim(a, b) for a, b in zip(p, g)])) if len(p) == len(g) else 0.0
                          for g in gold] for p in pred], dtype=float)
    total = np.ones((len(pred), len(gold)))
    for part in range(len(pred[0])):
        pu = sorted({p[part] for p in pred})
        gu = sorted({g[part] for g in gold})
        pi = {s: i for i, s in enumerate(pu)}
        gi = {s: i for i, s in enumerate(gu)}
        small = np.array([[sim(p, g) for g in gu] for p in pu], dtype=float)
        total *= small[np.ix_([pi[p[part]] for p in pred], [gi[g[part]] for g in gold])]
    return total


def prf(pred: Iterable[Item], gold: Iterable[Item], metric: str = "exact", *,
        scorer: Any = None) -> tuple[float, float, float]:
    """Precision, recall and F1 of one item set against the gold set (both non-empty for a non-zero score).

    >>> prf({"a", "b"}, {"a", "c", "d"})
    (0.5, 0.3333333333333333, 0.4)
    """
    pred, gold = list(pred), list(gold)
    if not pred or not gold:
        return 0.0, 0.0, 0.0
    if metric == "exact":
        tp = len(set(pred) & set(gold))
        p, r = tp / len(pred), tp / len(gold)
    else:
        sim = scorer if scorer is not None else make_scorer(metric)
        matrix = _similarity_matrix(pred, gold, sim)
        p, r = float(matrix.max(axis=1).mean()), float(matrix.max(axis=0).mean())
    return p, r, (2 * p * r / (p + r) if p + r > 0 else 0.0)


def make_scorer(metric: str) -> Any:
    """A string similarity for ``metric``: equal strings score 1 (empty row headers included), else chrF."""
    if metric == "chrf":
        chrf = ChrF()
    elif metric == "chrf_sacrebleu":
        chrf = sacrebleu_chrf
    else:
        raise ValueError(f"unknown Text-to-Table metric {metric!r}; expected 'exact', 'chrf' or 'chrf_sacrebleu'")

    def sim(hyp: str, ref: str) -> float:
        return 1.0 if hyp == ref else chrf(hyp, ref)

    return sim


def document_scores(pred: TableItems | None, gold: TableItems, metric: str = "exact", *,
                    scorer: Any = None) -> dict[str, tuple[float, float, float] | None] | None:
    """Per-kind ``(precision, recall, f1)`` of one document; None for the whole document when its gold
    table is empty (skipped), None for a kind whose gold set is empty (e.g. column headers of kv_single)."""
    if gold.empty:
        return None
    sim = scorer if scorer is not None or metric == "exact" else make_scorer(metric)
    out: dict[str, tuple[float, float, float] | None] = {}
    for kind in KINDS:
        gold_set = getattr(gold, kind)
        if not gold_set:
            out[kind] = None
        elif pred is None or pred.empty:
            out[kind] = (0.0, 0.0, 0.0)
        else:
            out[kind] = prf(getattr(pred, kind), gold_set, metric, scorer=sim)
    return out


def aggregate(per_document: Iterable[dict[str, tuple[float, float, float] | None] | None]) -> dict[str, Any]:
    """Mean precision/recall/F1 per kind over the documents that have that kind; with document counts."""
    sums: dict[str, list[float]] = {k: [0.0, 0.0, 0.0, 0] for k in KINDS}
    for doc in per_document:
        if doc is None:
            continue
        for kind in KINDS:
            scores = doc.get(kind)
            if scores is not None:
                acc = sums[kind]
                acc[0] += scores[0]
                acc[1] += scores[1]
                acc[2] += scores[2]
                acc[3] += 1
    out: dict[str, Any] = {}
    for kind, (p, r, f, n) in sums.items():
        for name, total in (("precision", p), ("recall", r), ("f1", f)):
            out[f"{kind}_{name}"] = total / n if n else None
        out[f"{kind}_documents"] = int(n)
    return out
