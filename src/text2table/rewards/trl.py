"""TRL adapters: reward functions ``(prompts, completions, **dataset_columns) -> list[float | None]``.

Completions may be strings or chat lists (``[{"role": "assistant", "content": ...}]``). The dataset
columns used are ``ground_truth`` (the JSON string ``prepare`` writes) and ``document``; without a
``document`` column the document comes from ``extra_info`` or from the prompt's ``[DOCUMENT]`` block.
A sample without ground truth scores None (TRL skips it).

>>> import json
>>> truth = json.dumps({"schema": {"structure": "kv_single", "fields": [{"name": "area"}]}, "rows": [{"area": "riverside"}]})
>>> reward = reward_function("pi2")
>>> reward(prompts=["..."], completions=[[{"role": "assistant", "content": '{"area": "riverside"}'}]],
...        ground_truth=[truth], document=["By the riverside."])
[1.0]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from text2table.errors import ConfigError
from text2table.decoding.prompts import find_block
from text2table.rewards.config import RewardWeights
from text2table.rewards.scores import KEYS, RewardResult, pi1_score, pi2_score, pipeline_score
from text2table.rewards.truth import as_truth

STAGES = ("pi1", "pi2", "pipeline_pi1")
RewardFunc = Callable[..., list[float | None]]


def completion_text(completion: Any) -> str:
    """The text of a completion: a string, or the assistant contents of a chat list joined."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, dict):
        return str(completion.get("content") or "")
    if isinstance(completion, Sequence):
        parts = [m.get("content") or "" for m in completion if isinstance(m, dict) and m.get("role", "assistant")
                 == "assistant"]
        return "".join(str(p) for p in parts)
    return ""


def _column(columns: dict[str, Any], name: str, i: int) -> Any:
    values = columns.get(name)
    if values is None or isinstance(values, (str, bytes)):
        return values
    try:
        return values[i]
    except (IndexError, TypeError, KeyError):
        return None


def _document(columns: dict[str, Any], prompt: Any, i: int) -> str | None:
    doc = _column(columns, "document", i)
    if isinstance(doc, str):
        return doc
    extra = _column(columns, "extra_info", i)
    if isinstance(extra, dict) and isinstance(extra.get("document"), str):
        return extra["document"]
    if isinstance(prompt, (str, list)):
        try:
            return find_block(prompt, "DOCUMENT")
        except (TypeError, AttributeError, ValueError):
            return None
    return None


def score_batch(stage: str, prompts: Sequence[Any], completions: Sequence[Any], *,
                weights: RewardWeights | None = None, **columns: Any) -> list[RewardResult | None]:
    """Full results (score and sub-metrics) of a batch; None where the sample has no ground truth."""
    if stage not in STAGES:
        raise ConfigError(f"unknown reward stage {stage!r}; expected one of {STAGES}")
    weights = weights or RewardWeights()
    truths: dict[str, Any] = {}  # one parse per distinct ground truth in this batch (GRPO groups share it)
    out: list[RewardResult | None] = []
    for i, completion in enumerate(completions):
        raw_truth = _column(columns, "ground_truth", i)
        if raw_truth is None:
            out.append(None)
            continue
        key = raw_truth if isinstance(raw_truth, str) else id(raw_truth)
        truth = truths.get(key)
        if truth is None:
            truth = truths[key] = as_truth(raw_truth)
        prompt = prompts[i] if i < len(prompts) else None
        document = _document(columns, prompt, i)
        text = completion_text(completion)
        if stage == "pi1":
            out.append(pi1_score(text, truth, document, weights))
        elif stage == "pi2":
            out.append(pi2_score(text, truth, document, weights))
        else:
            rows = _column(columns, "pi2_output", i)
            out.append(pipeline_score(text, rows if isinstance(rows, str) else None, truth, document, weights))
    return out


def reward_function(stage: str, weights: RewardWeights | None = None) -> RewardFunc:
    """A TRL reward function for ``stage`` (its ``__name__`` is what TRL logs)."""
    if stage not in STAGES:
        raise ConfigError(f"unknown reward stage {stage!r}; expected one of {STAGES}")

    def reward(prompts: Sequence[Any] = (), completions: Sequence[Any] = (), **columns: Any) -> list[float | None]:
        columns.pop("completion_ids", None)
        return [r.score if r is not None else None
                for r in score_batch(stage, prompts, completions, weights=weights, **columns)]

    reward.__name__ = f"text2table_{stage}"
    return reward


def metric_function(stage: str, key: str, weights: RewardWeights | None = None) -> RewardFunc:
    """A function returning one sub-metric (e.g. ``cell_f1``), to log next to the reward with weight 0."""
    if key not in KEYS:
        raise ConfigError(f"unknown reward sub-metric {key!r}; expected one of {KEYS}")

    def metric(prompts: Sequence[Any] = (), completions: Sequence[Any] = (), **columns: Any) -> list[float | None]:
        columns.pop("completion_ids", None)
        return [r.metrics[key] if r is not None else None
                for r in score_batch(stage, prompts, completions, weights=weights, **columns)]

    metric.__name__ = f"{stage}_{key}"
    return metric
