"""Tables as NDJSON: one JSON object per line, keys exactly the schema's field names in schema order.

pi2's *sparse* answer form (``sparse=True``; an adapter trained on it says so in its card) leaves out the
``null`` cells: each line holds only the keys with a value, still in schema order, and a reader fills the
others with ``null``. The rows of a Rotowire player table (19 columns, a few stated) then take about a sixth
of the tokens.

Two readers: :func:`parse_ndjson_strict` raises at the first problem (line number and reason);
:func:`parse_ndjson_lenient` never raises on text, keeps the valid rows and reports what it dropped
(code fences, prose, broken JSON, a truncated last line, rows with the wrong keys).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from text2table.errors import ParseError

Row = dict[str, Any]
_FENCE = "```"


def _lines(text: str) -> list[str]:
    """Split on newlines only (``str.splitlines`` also splits on U+0085 and U+2028, which JSON strings may hold)."""
    return [line[:-1] if line.endswith("\r") else line for line in text.split("\n")]


def _reject_constant(token: str) -> Any:
    raise ValueError(f"{token} is not valid JSON")


def loads_object(text: str) -> Any:
    """``json.loads`` that rejects NaN/Infinity and duplicate keys (both are invalid for our contract)."""

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in items:
            if key in out:
                raise ValueError(f"duplicate key {key!r}")
            out[key] = value
        return out

    return json.loads(text, object_pairs_hook=pairs, parse_constant=_reject_constant)


def dump_row(row: Row, names: list[str]) -> str:
    """One NDJSON line, keys in ``names`` order, missing keys as ``null``; the training-target format."""
    return json.dumps({n: row.get(n) for n in names}, ensure_ascii=False)


def dump_rows(rows: list[Row], names: list[str], *, sparse: bool = False) -> str:
    """The NDJSON text of a table (one line per row, a final newline when there are rows).

    ``sparse=True``: each line holds only the cells that are not ``null`` (schema order), and a row with no
    such cell is left out (the sparse form has no empty object)."""
    if not sparse:
        return "".join(dump_row(r, names) + "\n" for r in rows)
    lines = ({n: r[n] for n in names if r.get(n) is not None} for r in rows)
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines if line)


def fill_sparse_row(obj: Any, names: list[str]) -> Any:
    """A sparse-form row with every key of ``names`` (in order, the left-out ones ``null``); anything else, or a
    row whose keys are not some of ``names`` in that order, is returned unchanged (and then fails the check).

    >>> fill_sparse_row({"name": "Ann", "points": 3}, ["name", "team", "points"])
    {'name': 'Ann', 'team': None, 'points': 3}
    >>> fill_sparse_row({"points": 3, "name": "Ann"}, ["name", "team", "points"])
    {'points': 3, 'name': 'Ann'}
    """
    if not isinstance(obj, dict) or not obj:
        return obj
    order = {n: i for i, n in enumerate(names)}
    positions = [order.get(k) for k in obj]
    if None in positions or positions != sorted(positions):
        return obj
    return {n: obj.get(n) for n in names}


def _check_row(obj: Any, names: list[str] | None) -> str | None:
    """Why ``obj`` is not a valid row, or None."""
    if not isinstance(obj, dict):
        return f"expected a JSON object, got {type(obj).__name__}"
    if names is not None and list(obj) != names:
        missing = [n for n in names if n not in obj]
        extra = [k for k in obj if k not in names]
        if missing or extra:
            return f"keys differ from the schema (missing {missing}, unexpected {extra})"
        return "keys are not in schema order"
    for key, value in obj.items():
        if isinstance(value, float) and not math.isfinite(value):
            return f"value of {key!r} is not a finite number"
        if isinstance(value, (dict, list)):
            return f"value of {key!r} is a nested {type(value).__name__}; cells must be scalars"
    return None


def parse_ndjson_strict(text: str, names: list[str] | None = None) -> list[Row]:
    """Parse NDJSON exactly; blank lines are allowed, anything else wrong raises :class:`ParseError`."""
    rows: list[Row] = []
    for number, line in enumerate(_lines(text), start=1):
        if not line.strip():
            continue
        try:
            obj = loads_object(line)
        except ValueError as exc:
            raise ParseError(f"not valid JSON ({exc}): {line[:80]!r}", line=number) from None
        reason = _check_row(obj, names)
        if reason:
            raise ParseError(reason, line=number)
        rows.append(obj)
    return rows


@dataclass
class Dropped:
    """A line the lenient parser did not keep."""

    line: int
    reason: str
    text: str


@dataclass
class LenientResult:
    rows: list[Row] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)
    truncated: bool = False  # the last non-blank line looked like a row cut short
    lines: int = 0  # non-blank lines seen (code fences excluded)

    @property
    def valid_rate(self) -> float:
        return len(self.rows) / self.lines if self.lines else 0.0


def parse_ndjson_lenient(text: str, names: list[str] | None = None, *, reorder: bool = False,
                         sparse: bool = False) -> LenientResult:
    """Keep the valid rows of model output; never raises on ``text``.

    With ``reorder=True`` a row with exactly the schema's keys in another order is kept (re-ordered);
    with ``sparse=True`` a row with some of the schema's keys in its order is kept, the others ``null``
    (:func:`fill_sparse_row`); other rows with missing or extra keys are dropped when ``names`` is given. Text
    cells lose surrounding whitespace (a model writes ``" Raja Indian Cuisine"``).
    """
    result = LenientResult()
    if not isinstance(text, str):
        result.dropped.append(Dropped(0, f"output is {type(text).__name__}, not text", ""))
        return result
    lines = _lines(text)
    last_content = max((i for i, ln in enumerate(lines) if ln.strip() and not ln.strip().startswith(_FENCE)),
                       default=-1)
    for index, line in enumerate(lines):
        stripped = line.strip()
        if not stripped or stripped.startswith(_FENCE):
            continue
        result.lines += 1
        number = index + 1
        if not stripped.startswith("{"):
            result.dropped.append(Dropped(number, "prose (not a JSON object)", line[:200]))
            continue
        try:
            obj = loads_object(stripped)
        except (ValueError, RecursionError) as exc:
            cut = index == last_content and not stripped.endswith("}")
            if cut:
                result.truncated = True
            reason = "truncated last line" if cut else f"invalid JSON ({exc})"
            result.dropped.append(Dropped(number, reason, line[:200]))
            continue
        if reorder and names is not None and isinstance(obj, dict) and set(obj) == set(names):
            obj = {n: obj[n] for n in names}
        if sparse and names is not None:
            obj = fill_sparse_row(obj, names)
        reason = _check_row(obj, names)
        if reason:
            result.dropped.append(Dropped(number, reason, line[:200]))
            continue
        result.rows.append({k: v.strip() if isinstance(v, str) else v for k, v in obj.items()})
    return result


def dedupe_rows(rows: list[Row]) -> list[Row]:
    """Remove exact duplicate rows, keeping the first occurrence and the order."""
    seen: set[str] = set()
    out: list[Row] = []
    for row in rows:
        key = json.dumps(row, sort_keys=True, ensure_ascii=False)
        if key not in seen:
            seen.add(key)
            out.append(row)
    return out
