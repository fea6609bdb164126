"""What a backend is asked to produce: :class:`Constraint`, the request for schema-constrained decoding.

``kind="schema"`` (pi1: one schema object, ``json_schema`` describes it) or ``kind="rows"`` (pi2: NDJSON,
every line one object matching ``json_schema``, keys in order, one row per line, no flexible whitespace).
The grammars in :mod:`text2table.decoding.constraints` compile it; each backend translates it to its own
mechanism (llama.cpp grammar, llguidance, a server's structured outputs). It lives in ``decoding/`` so that
the grammar code never imports a backend.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from text2table.errors import ConfigError


@dataclass(frozen=True)
class Constraint:
    """What the output must be (``kind``, ``json_schema``, ``max_rows``), plus one soft preference:
    ``list_end_bias`` is added to the logit of every token that closes a JSON array (holds ``]``). In a
    schema answer the only array is the field list, so a negative bias makes pi1 list more fields when it
    hesitates between one more field and the end. Model backends with logit access (llamacpp,
    transformers) apply it; a server backend cannot (token ids are the server's) and notes that it did not."""

    kind: Literal["schema", "rows"]
    json_schema: dict[str, Any]
    max_rows: int | None = None
    list_end_bias: float = 0.0

    def __post_init__(self) -> None:
        if self.kind not in ("schema", "rows"):
            raise ConfigError(f"constraint kind {self.kind!r} is not 'schema' or 'rows'")
        if not -10.0 <= self.list_end_bias <= 10.0:
            raise ConfigError(f"list_end_bias={self.list_end_bias}; expected a logit shift within [-10, 10]")
