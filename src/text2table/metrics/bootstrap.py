"""Bootstrap confidence intervals of a per-document mean (pure functions).

The Text-to-Table numbers are means of per-document scores, so their uncertainty comes from which documents
were drawn: :func:`bootstrap_ci` resamples the documents with replacement (a fixed seed, so a run is
repeatable), takes the mean of each resample, and returns the percentile interval of those means.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Interval:
    """A mean with its bootstrap percentile interval and the number of documents behind it."""

    mean: float
    low: float
    high: float
    n: int
    level: float = 0.95

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2


def bootstrap_ci(scores: Sequence[float], *, resamples: int = 1000, level: float = 0.95,
                 seed: int = 0) -> Interval:
    """Mean of ``scores`` and its ``level`` percentile bootstrap interval over ``resamples`` resamples.

    One score gives a zero-width interval; no score raises ``ValueError``.

    >>> ci = bootstrap_ci([0.0, 1.0] * 50)
    >>> ci.mean, ci.n, 0.39 < ci.low < 0.5 < ci.high < 0.61
    (0.5, 100, True)
    """
    values = np.asarray(scores, dtype=float)
    if values.ndim != 1 or values.size == 0:
        raise ValueError("bootstrap_ci needs a non-empty list of per-document scores")
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be in (0, 1), got {level!r}")
    if resamples < 1:
        raise ValueError(f"resamples must be at least 1, got {resamples!r}")
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, values.size, size=(resamples, values.size))
    means = values[picks].mean(axis=1)
    tail = (1.0 - level) / 2 * 100
    low, high = np.percentile(means, [tail, 100 - tail])
    return Interval(float(values.mean()), float(low), float(high), int(values.size), level)
