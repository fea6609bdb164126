"""Strict table metric: cell F1 with one-to-one row alignment, row-count error and duplicate-row rate.

The Text-to-Table metric compares sets, so a prediction that repeats one good row loses nothing. Here each
predicted row is paired with at most one gold row (Hungarian algorithm maximising the number of equal
non-empty cells per pair); a true positive is a non-empty predicted cell equal to the gold cell of the same
field in the paired gold row. Every non-empty predicted cell counts as predicted (extra rows, duplicated
rows and fields the gold does not have included); every non-empty gold cell counts as gold.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

from text2table.metrics.schema_match import f1_score
from text2table.text.normalise import cell_text

Keyed = list[dict[str, str]]


@dataclass
class AlignedCounts:
    """Counts of one aligned comparison (they add up over documents)."""

    tp: int = 0
    n_pred: int = 0
    n_gold: int = 0
    pred_rows: int = 0
    gold_rows: int = 0
    duplicate_rows: int = 0
    per_field: dict[str, list[int]] = field(default_factory=dict)  #: name -> [tp, predicted, gold]
    pairs: list[tuple[int, int]] = field(default_factory=list)  #: (predicted row, gold row) pairs

    @property
    def precision(self) -> float:
        return self.tp / self.n_pred if self.n_pred else 0.0

    @property
    def recall(self) -> float:
        return self.tp / self.n_gold if self.n_gold else 0.0

    @property
    def f1(self) -> float:
        return f1_score(self.tp, self.n_pred, self.n_gold)

    @property
    def row_count_error(self) -> int:
        return abs(self.pred_rows - self.gold_rows)

    @property
    def duplicate_rate(self) -> float:
        return self.duplicate_rows / self.pred_rows if self.pred_rows else 0.0


def keyed_cells(rows: Iterable[Any], *, missing: Iterable[str] = (), lowercase: bool = False) -> Keyed:
    """Rows as ``{field: comparison key}`` with empty cells left out; non-dict rows become empty rows.

    >>> keyed_cells([{"a": " Big  Ben ", "b": None, "c": 7}, "junk"], lowercase=True)
    [{'a': 'big ben', 'c': '7'}, {}]
    """
    missing = frozenset(missing)
    out: Keyed = []
    for row in rows:
        cells: dict[str, str] = {}
        if isinstance(row, dict):
            for name, value in row.items():
                if value.__class__ is str:  # the common case, inlined
                    text = value.strip()
                    if not text or text in missing:
                        continue
                else:
                    text = cell_text(value, missing)
                    if text is None:
                        continue
                key = " ".join(text.split())
                cells[str(name)] = key.casefold() if lowercase else key
        out.append(cells)
    return out


def _assign(sim: list[list[int]]) -> list[tuple[int, int]]:
    """Row pairs maximising the total of ``sim`` (predicted x gold), pairs with zero similarity dropped.

    When every predicted row's best gold row is a different one, that choice is optimal (the sum of row
    maxima bounds every assignment), so the Hungarian algorithm runs only on conflicts.
    """
    best = []
    for row in sim:
        top = max(row)
        best.append(row.index(top) if top > 0 else -1)
    chosen = [b for b in best if b >= 0]
    if len(chosen) == len(set(chosen)):
        return [(pi, gi) for pi, gi in enumerate(best) if gi >= 0]
    matrix = np.array(sim, dtype=float)
    rows, cols = linear_sum_assignment(matrix, maximize=True)
    return [(int(r), int(c)) for r, c in zip(rows, cols) if matrix[r, c] > 0]


def cell_index(gold: Keyed) -> dict[tuple[str, str], list[int]]:
    """``{(field, key): [gold rows holding it]}``: build once per gold table to align many predictions."""
    index: dict[tuple[str, str], list[int]] = {}
    for gi, row in enumerate(gold):
        for item in row.items():
            index.setdefault(item, []).append(gi)
    return index


def align_keyed(pred: Keyed, gold: Keyed, *, per_field: bool = True,
                index: dict[tuple[str, str], list[int]] | None = None) -> AlignedCounts:
    """Aligned counts of rows already reduced by :func:`keyed_cells`; ``per_field=False`` skips the
    per-field counts and ``index`` (from :func:`cell_index` of ``gold``) saves rebuilding it: the reward path."""
    counts = AlignedCounts(pred_rows=len(pred), gold_rows=len(gold))
    if index is None:
        index = cell_index(gold)
    counts.n_gold = sum(len(row) for row in gold)
    seen: set[frozenset[tuple[str, str]]] = set()
    n_gold = len(gold)
    sim: list[list[int]] = []
    any_match = False
    for row in pred:
        items = frozenset(row.items())
        if items in seen:
            counts.duplicate_rows += 1
        seen.add(items)
        counts.n_pred += len(row)
        hits = [0] * n_gold
        for item in row.items():
            found = index.get(item)
            if found is not None:
                any_match = True
                for gi in found:
                    hits[gi] += 1
        sim.append(hits)
    pairs = _assign(sim) if any_match else []
    for pi, gi in pairs:
        counts.tp += sim[pi][gi]
    counts.pairs = pairs
    if per_field:
        counts.per_field = _per_field(pred, gold, pairs)
    return counts


def _per_field(pred: Keyed, gold: Keyed, pairs: list[tuple[int, int]]) -> dict[str, list[int]]:
    """``{field: [tp, predicted, gold]}`` for the given row pairs."""
    out: dict[str, list[int]] = {}
    for row in gold:
        for name in row:
            out.setdefault(name, [0, 0, 0])[2] += 1
    for row in pred:
        for name in row:
            out.setdefault(name, [0, 0, 0])[1] += 1
    for pi, gi in pairs:
        grow = gold[gi]
        for name, key in pred[pi].items():
            if grow.get(name) == key:
                out[name][0] += 1
    return out


def align_rows(pred_rows: Iterable[Any], gold_rows: Iterable[Any], *, missing: Iterable[str] = (),
               lowercase: bool = False) -> AlignedCounts:
    """Aligned cell counts of predicted rows against gold rows, both keyed by the same field names.

    >>> gold = [{"player": "Smith", "points": "20"}, {"player": "Jones", "points": "12"}]
    >>> c = align_rows([{"player": "Jones", "points": "12"}, {"player": "Jones", "points": "12"}], gold)
    >>> c.tp, c.n_pred, c.n_gold, c.duplicate_rows, round(c.f1, 3)
    (2, 4, 4, 1, 0.5)
    """
    missing = tuple(missing)
    return align_keyed(keyed_cells(pred_rows, missing=missing, lowercase=lowercase),
                       keyed_cells(gold_rows, missing=missing, lowercase=lowercase))
