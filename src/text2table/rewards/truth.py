"""The ground truth a reward scores against: the gold schema and gold rows, with their cell keys prepared.

In the RL data (``prepare``'s parquet, ``reward_model.ground_truth``) it is a JSON string
``{"schema": <gold schema dict>, "rows": [<gold rows keyed by field names>]}``; a ``missing`` list of
missing-value tokens is optional. A bad ground truth is a data error and raises :class:`ConfigError`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from text2table.errors import ConfigError, SchemaError
from text2table.metrics.aligned import Keyed, cell_index, keyed_cells
from text2table.core.records import DEFAULT_MISSING_TOKENS
from text2table.core.schema import Schema


@dataclass(frozen=True)
class Truth:
    schema: Schema
    rows: list[dict[str, Any]]
    missing: tuple[str, ...] = field(default=DEFAULT_MISSING_TOKENS)

    @cached_property
    def keyed(self) -> Keyed:
        """Gold rows as ``{field: comparison key}`` (case-folded, empty cells left out)."""
        return keyed_cells(self.rows, missing=self.missing, lowercase=True)

    @cached_property
    def index(self) -> dict[tuple[str, str], list[int]]:
        """Gold cell index for :func:`text2table.metrics.aligned.align_keyed`."""
        return cell_index(self.keyed)

    @cached_property
    def n_cells(self) -> int:
        return sum(len(r) for r in self.keyed)

    @cached_property
    def names(self) -> list[str]:
        return self.schema.names

    def to_json(self) -> str:
        """The ground-truth string ``prepare`` writes (schema dict, rows)."""
        return json.dumps({"schema": self.schema.to_dict(), "rows": self.rows}, ensure_ascii=False)


def as_truth(obj: Any) -> Truth:
    """Accept a :class:`Truth`, a dict ``{"schema", "rows"}``, or its JSON string."""
    if isinstance(obj, Truth):
        return obj
    if isinstance(obj, (str, bytes)):
        try:
            obj = json.loads(obj)
        except ValueError as exc:
            raise ConfigError(f"ground truth is not valid JSON ({exc}); expected"
                              ' {"schema": {...}, "rows": [...]} as `prepare` writes it') from None
    if not isinstance(obj, dict) or "schema" not in obj:
        raise ConfigError(f"ground truth must be an object with 'schema' and 'rows', got {str(obj)[:80]!r}")
    schema = obj["schema"]
    if isinstance(schema, str):
        try:
            schema = json.loads(schema)
        except ValueError:
            raise ConfigError("ground truth 'schema' is a string that is not JSON") from None
    try:
        schema = schema if isinstance(schema, Schema) else Schema.from_dict(schema)
    except SchemaError as exc:
        raise ConfigError(f"ground truth schema is invalid: {exc}") from None
    rows = obj.get("rows") or []
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise ConfigError("ground truth 'rows' must be a list of objects keyed by field names")
    missing = obj.get("missing")
    missing_t = tuple(missing) if isinstance(missing, list) else DEFAULT_MISSING_TOKENS
    return Truth(schema, rows, missing_t)
