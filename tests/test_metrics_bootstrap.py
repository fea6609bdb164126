"""Bootstrap intervals: repeatable, centred on the mean, narrowing as documents are added, checked inputs."""

from __future__ import annotations

import numpy as np
import pytest

from text2table.metrics.bootstrap import bootstrap_ci


def test_same_seed_same_interval_and_mean_inside():
    scores = np.random.default_rng(1).random(300).tolist()
    a, b = bootstrap_ci(scores), bootstrap_ci(scores)
    assert a == b and a.low < a.mean < a.high and a.n == 300
    assert bootstrap_ci(scores, seed=2) != a


def test_constant_scores_give_a_point():
    ci = bootstrap_ci([0.8] * 40)
    assert (ci.mean, ci.low, ci.high) == pytest.approx((0.8, 0.8, 0.8))


def test_interval_matches_the_normal_approximation_and_narrows():
    rng = np.random.default_rng(3)
    small = rng.binomial(1, 0.7, 100).astype(float)
    large = rng.binomial(1, 0.7, 1600).astype(float)
    ci_small, ci_large = bootstrap_ci(small, resamples=2000), bootstrap_ci(large, resamples=2000)
    se = small.std() / np.sqrt(small.size)
    assert ci_small.half_width == pytest.approx(1.96 * se, rel=0.15)
    assert ci_large.half_width < ci_small.half_width / 3  # 16x the documents: about a quarter of the width


def test_bad_inputs_raise():
    with pytest.raises(ValueError, match="non-empty"):
        bootstrap_ci([])
    with pytest.raises(ValueError, match="level"):
        bootstrap_ci([1.0], level=95)
