"""VERL entry point: ``reward.custom_reward_function.path=<this file>`` and ``.name=compute_score``.

VERL loads this file by path (not as a package module), so it imports the package absolutely. Scoring is
dispatched on ``data_source`` through :data:`REGISTRY`; an unknown source raises at once, naming it.
Optional ``reward.custom_reward_function.reward_kwargs.weights={...}`` overrides :class:`RewardWeights`.
For ``text2table/pipeline_pi1`` the rows that pi2 produced for the sampled schema are read from
``extra_info["pi2_output"]`` (or a ``pi2_output`` keyword); without them the schema is scored with a
perfect pi2 (the gold table mapped onto it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from text2table.errors import ConfigError
from text2table.rewards.config import RewardWeights
from text2table.rewards.scores import RewardResult, pi1_score, pi2_score, pipeline_score

Scorer = Callable[[str, Any, dict[str, Any], RewardWeights], RewardResult]


def _pi1(solution: str, truth: Any, extra: dict[str, Any], weights: RewardWeights) -> RewardResult:
    return pi1_score(solution, truth, extra.get("document"), weights)


def _pi2(solution: str, truth: Any, extra: dict[str, Any], weights: RewardWeights) -> RewardResult:
    return pi2_score(solution, truth, extra.get("document"), weights)


def _pipeline_pi1(solution: str, truth: Any, extra: dict[str, Any], weights: RewardWeights) -> RewardResult:
    return pipeline_score(solution, extra.get("pi2_output"), truth, extra.get("document"), weights)


REGISTRY: dict[str, Scorer] = {
    "text2table/pi1": _pi1,
    "text2table/pi2": _pi2,
    "text2table/pipeline_pi1": _pipeline_pi1,
}


def _weights(value: Any) -> RewardWeights:
    if value is None:
        return RewardWeights()
    if isinstance(value, RewardWeights):
        return value
    try:
        return RewardWeights.from_dict(dict(value))
    except (TypeError, ValueError) as exc:
        if isinstance(exc, ConfigError):
            raise
        raise ConfigError(f"reward_kwargs 'weights' must be a mapping of weight names to numbers: {exc}") from None


def compute_score(data_source: str, solution_str: str, ground_truth: Any, extra_info: dict[str, Any] | None = None,
                  **kwargs: Any) -> dict[str, float]:
    """Score one response: ``{"score": float, ...sub-metrics as floats}`` (the same keys for every source).

    >>> import json
    >>> truth = json.dumps({"schema": {"structure": "kv_single", "fields": [{"name": "area"}]},
    ...                     "rows": [{"area": "riverside"}]})
    >>> compute_score("text2table/pi2", '{"area": "riverside"}', truth, {"document": "By the riverside."})["score"]
    1.0
    """
    scorer = REGISTRY.get(data_source)
    if scorer is None:
        raise ConfigError(f"unknown data_source {data_source!r}; text2table scores {sorted(REGISTRY)}")
    extra = dict(extra_info) if isinstance(extra_info, dict) else {}
    if "pi2_output" in kwargs and kwargs["pi2_output"] is not None:
        extra["pi2_output"] = kwargs["pi2_output"]
    return scorer(solution_str, ground_truth, extra, _weights(kwargs.get("weights"))).as_verl()
