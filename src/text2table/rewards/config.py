"""Reward weights: one typed, validated dataclass; the help text of every weight lives here.

Scores are bounded to [-1, 1]: 1 is a perfect answer, 0 an honest answer with nothing right, and below 0
output that is unusable (``invalid_score``), empty (``empty_score``) or gamed (penalties).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from text2table.errors import ConfigError

_HELP = {
    "invalid_score": "score of unusable output: no JSON object (pi1) or no valid row (pi2)",
    "empty_score": "score of an empty table (no line, or every value null) when the gold table has values",
    "schema_f1": "pi1: weight of exact field F1",
    "soft_schema_f1": "pi1: weight of soft field F1 (similar names count)",
    "structure": "pi1: weight of choosing the gold structure",
    "hallucination_penalty": "pi1: times the share of fields with no gold match and no support in the document",
    "bloat_penalty": "pi1: times (extra fields beyond the gold count) / gold count, capped at 1",
    "format_penalty": "pi1: when the JSON object comes with other text (prose, code fences)",
    "padding_penalty": ("pi1 and pipeline: times the share of non-whitespace text beyond the one schema object"
                        " in its shortest form (the schema written again, prose, descriptions, enums, extra keys);"
                        " pi2's rows lose the share of text on non-row lines through their format factor"),
    "ungrounded_penalty": "pi2: times the share of non-null values not found in the document",
    "duplicate_penalty": "pi2: times the share of rows that repeat an earlier row",
    "copy_penalty": "pi2: times the share of values copied from the schema, the policy text or the whole document",
    "pipeline_schema_share": "pipeline: share of the local pi1 score in the pipeline score (the rest: the table)",
}


@dataclass(frozen=True)
class RewardWeights:
    """Weights and penalties of the pi1, pi2 and pipeline rewards (see ``_HELP`` for each)."""

    invalid_score: float = -1.0
    empty_score: float = -1.0
    schema_f1: float = 0.6
    soft_schema_f1: float = 0.2
    structure: float = 0.2
    hallucination_penalty: float = 0.5
    bloat_penalty: float = 0.3
    format_penalty: float = 0.1
    padding_penalty: float = 0.5
    ungrounded_penalty: float = 0.5
    duplicate_penalty: float = 0.5
    copy_penalty: float = 0.5
    pipeline_schema_share: float = 0.2

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
                raise ConfigError(f"reward weight {f.name!r} must be a number, got {value!r}")
        for name in ("invalid_score", "empty_score"):
            if not -1.0 <= getattr(self, name) <= 0.0:
                raise ConfigError(f"{name} must be in [-1, 0] (below any honest answer), got {getattr(self, name)!r}")
        for name in ("schema_f1", "soft_schema_f1", "structure", "hallucination_penalty", "bloat_penalty",
                     "format_penalty", "padding_penalty", "ungrounded_penalty", "duplicate_penalty", "copy_penalty"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ConfigError(f"{name} must be in [0, 1], got {getattr(self, name)!r}")
        if self.schema_f1 + self.soft_schema_f1 + self.structure <= 0:
            raise ConfigError("schema_f1 + soft_schema_f1 + structure must be positive")
        if not 0.0 <= self.pipeline_schema_share <= 1.0:
            raise ConfigError(f"pipeline_schema_share must be in [0, 1], got {self.pipeline_schema_share!r}")

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> "RewardWeights":
        """Build from a mapping (a recipe's YAML section, VERL ``reward_kwargs``); unknown keys are an error."""
        data = dict(data or {})
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(f"unknown reward weights {unknown}; known: {sorted(known)}")
        return cls(**data)

    def to_dict(self) -> dict[str, float]:
        return asdict(self)

    @staticmethod
    def help() -> dict[str, str]:
        return dict(_HELP)
