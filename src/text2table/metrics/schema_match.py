"""Schema metrics: field precision/recall/F1 against the gold schema, exact and soft; structure; compactness.

*Exact*: field names are equal after :func:`text2table.core.naming.normalize_name`.

*Soft*: a one-to-one matching. Exactly equal names are paired first; the remaining fields are paired by
the Hungarian algorithm on :func:`name_similarity`, and a pair counts when its similarity is at least the
threshold (default 0.5). Each counted pair is one true positive, so soft F1 >= exact F1.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment

from text2table.metrics.values import header_key

DEFAULT_THRESHOLD = 0.5


def edit_ratio(a: str, b: str) -> float:
    """``1 - levenshtein(a, b) / max(len(a), len(b))``; 1.0 for two empty strings.

    >>> round(edit_ratio("price_range", "price"), 3), edit_ratio("area", "area")
    (0.455, 1.0)
    """
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return 1.0 - previous[-1] / max(len(a), len(b))


def token_dice(a: str, b: str) -> float:
    """Dice overlap of the ``_``-separated tokens of two names.

    >>> token_dice("customer_rating", "rating")
    0.6666666666666666
    """
    ta, tb = set(a.split("_")) - {""}, set(b.split("_")) - {""}
    if not ta or not tb:
        return 0.0
    return 2 * len(ta & tb) / (len(ta) + len(tb))


def name_similarity(a: str, b: str) -> float:
    """Similarity of two (normalised) field names in [0, 1]: the larger of token Dice and edit ratio.

    >>> name_similarity("family_friendly", "kid_friendly") >= 0.5, name_similarity("name", "area") < 0.5
    (True, True)
    """
    return max(token_dice(a, b), edit_ratio(a, b))


@dataclass(frozen=True)
class SchemaMatch:
    """Counts and pairs of one schema comparison. ``pairs`` maps predicted name -> gold name (soft)."""

    n_pred: int
    n_gold: int
    exact_tp: int
    soft_tp: int
    structure_ok: bool | None
    pairs: dict[str, str] = field(default_factory=dict)
    similarities: dict[str, float] = field(default_factory=dict)

    @property
    def precision(self) -> float:
        return self.exact_tp / self.n_pred if self.n_pred else 0.0

    @property
    def recall(self) -> float:
        return self.exact_tp / self.n_gold if self.n_gold else 0.0

    @property
    def f1(self) -> float:
        return f1_score(self.exact_tp, self.n_pred, self.n_gold)

    @property
    def soft_precision(self) -> float:
        return self.soft_tp / self.n_pred if self.n_pred else 0.0

    @property
    def soft_recall(self) -> float:
        return self.soft_tp / self.n_gold if self.n_gold else 0.0

    @property
    def soft_f1(self) -> float:
        return f1_score(self.soft_tp, self.n_pred, self.n_gold)

    @property
    def field_count_ratio(self) -> float:
        """Predicted fields per gold field (1.0 is as compact as the gold; above 1 is bloat)."""
        return self.n_pred / self.n_gold if self.n_gold else float(self.n_pred > 0)

    def unmatched_pred(self, pred_names: list[str]) -> list[str]:
        return [n for n in pred_names if n not in self.pairs]


def f1_score(tp: float, n_pred: float, n_gold: float) -> float:
    """F1 from counts; 0.0 when nothing was predicted or nothing is gold.

    >>> f1_score(2, 3, 4)
    0.5714285714285714
    """
    if tp <= 0 or n_pred <= 0 or n_gold <= 0:
        return 0.0
    return 2 * tp / (n_pred + n_gold)


def match_names(pred_names: list[str], gold_names: list[str], *,
                threshold: float = DEFAULT_THRESHOLD) -> tuple[int, dict[str, str], dict[str, float]]:
    """Exact then soft one-to-one matching of field names (both already normalised, each list unique).

    Returns ``(exact_tp, pairs, similarities)``: ``pairs`` maps every matched predicted name to its gold name.

    >>> match_names(["name", "rating", "food"], ["name", "customer_rating", "area"])[1]
    {'name': 'name', 'rating': 'customer_rating'}
    """
    gold_set = set(gold_names)
    pairs = {n: n for n in pred_names if n in gold_set}
    sims = {n: 1.0 for n in pairs}
    rest_pred = [n for n in pred_names if n not in pairs]
    used = set(pairs.values())
    rest_gold = [n for n in gold_names if n not in used]
    if rest_pred and rest_gold:
        matrix = np.array([[name_similarity(p, g) for g in rest_gold] for p in rest_pred])
        rows, cols = linear_sum_assignment(matrix, maximize=True)
        for r, c in zip(rows, cols):
            if matrix[r, c] >= threshold:
                pairs[rest_pred[r]] = rest_gold[c]
                sims[rest_pred[r]] = float(matrix[r, c])
    ordered = {n: pairs[n] for n in pred_names if n in pairs}
    return len(gold_set.intersection(pred_names)), ordered, sims


def _unique(names: list[str]) -> list[str]:
    seen: set[str] = set()
    return [n for n in names if not (n in seen or seen.add(n))]


def match_schemas(pred_names: list[str], gold_names: list[str], *, pred_structure: str | None = None,
                  gold_structure: str | None = None, threshold: float = DEFAULT_THRESHOLD) -> SchemaMatch:
    """Compare predicted and gold field names (normalised here; repeats count once) and structures.

    >>> m = match_schemas(["Name", "eatType", "rating"], ["name", "eat_type", "customer_rating", "area"])
    >>> m.exact_tp, m.soft_tp, round(m.f1, 3), round(m.soft_f1, 3)
    (2, 3, 0.571, 0.857)
    """
    pred = _unique([header_key(n) for n in pred_names if isinstance(n, str)])
    gold = _unique([header_key(n) for n in gold_names])
    pred, gold = [n for n in pred if n], [n for n in gold if n]
    exact, pairs, sims = match_names(pred, gold, threshold=threshold)
    structure_ok = None if pred_structure is None or gold_structure is None else pred_structure == gold_structure
    return SchemaMatch(len(pred), len(gold), exact, len(pairs), structure_ok, pairs, sims)
