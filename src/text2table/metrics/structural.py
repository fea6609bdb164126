"""Structural sanity rates of model output: JSON validity, key order, value types; and pi1 schema validity.

Counts first (:class:`StructuralCounts`, which add up over documents), then rates. They work on raw model
text (every non-blank line counts, code fences and prose included: clean NDJSON is the contract) and on
rows that were already parsed (each row counts as one line).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, fields
from typing import Any

from text2table.core.naming import is_policy_name
from text2table.decoding.compact import expand_answer
from text2table.decoding.parsing import extract_json_object
from text2table.core.schema import STRUCTURES, Field, Schema


@dataclass
class StructuralCounts:
    """Counts behind the three sanity rates."""

    lines: int = 0  #: non-blank output lines (or rows given)
    json_objects: int = 0  #: lines that parse to a JSON object (no NaN, no duplicate keys)
    checked: int = 0  #: objects checked against a schema (all of them when there is a schema)
    key_order_pass: int = 0  #: objects whose keys equal the schema's field names, in order
    values: int = 0  #: values in those objects checked against their field
    type_pass: int = 0  #: values that fit the field's type, enum and pattern (null unless required)

    def __add__(self, other: "StructuralCounts") -> "StructuralCounts":
        return StructuralCounts(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    @property
    def json_valid_rate(self) -> float:
        return self.json_objects / self.lines if self.lines else 0.0

    @property
    def key_order_pass_rate(self) -> float:
        return self.key_order_pass / self.checked if self.checked else 0.0

    @property
    def type_check_pass_rate(self) -> float:
        return self.type_pass / self.values if self.values else 0.0

    def rates(self) -> dict[str, float]:
        return {"json_valid_rate": self.json_valid_rate, "key_order_pass_rate": self.key_order_pass_rate,
                "type_check_pass_rate": self.type_check_pass_rate}


def _reject(token: str) -> Any:
    raise ValueError(token)


_PAIRS_DECODER = json.JSONDecoder(object_pairs_hook=list, parse_constant=_reject)


def load_pairs(line: str) -> list[tuple[str, Any]] | None:
    """A JSON object line as its ``(key, value)`` pairs in written order (duplicates kept), else None.

    Uses the builtin ``list`` as the object hook, which is fast and shows duplicate keys and key order.
    Nested objects become pair lists too; they are not valid cells anyway.
    """
    try:
        obj = _PAIRS_DECODER.decode(line)
    except (ValueError, RecursionError):
        return None
    if not isinstance(obj, list) or (obj and not isinstance(obj[0], tuple)):
        return None
    if len({k for k, _ in obj}) != len(obj):
        return None
    return obj


def value_fits(value: Any, field: Field) -> bool:
    """True when ``value`` fits the field: type, enum, pattern; null only when the field is not required.

    >>> value_fits(3, Field("points", type="integer")), value_fits("3", Field("points", type="integer"))
    (True, False)
    >>> value_fits(None, Field("a")), value_fits(None, Field("a", required=True))
    (True, False)
    """
    if value is None:
        return not field.required
    kind = field.type
    if kind in ("string", "date"):
        ok = isinstance(value, str)
    elif kind == "integer":
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif kind == "number":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    elif kind == "boolean":
        ok = isinstance(value, bool)
    else:
        ok = False
    if ok and field.enum is not None:
        ok = str(value) in field.enum
    if ok and field.pattern is not None and field.enum is None and isinstance(value, str):
        try:
            ok = re.search(field.pattern, value) is not None
        except re.error:
            ok = True  # an invalid pattern constrains nothing; schema validity reports it
    return ok


def _count_object(pairs: list[tuple[str, Any]], schema: Schema | None, counts: StructuralCounts) -> None:
    counts.json_objects += 1
    if schema is None:
        return
    counts.checked += 1
    keys = [k for k, _ in pairs]
    if keys == schema.names:
        counts.key_order_pass += 1
    by_name = {f.name: f for f in schema.fields}
    for key, value in pairs:
        counts.values += 1
        field = by_name.get(key)
        if field is not None and not isinstance(value, list) and value_fits(value, field):
            counts.type_pass += 1


def count_text(text: Any, schema: Schema | None) -> StructuralCounts:
    """Structural counts of raw NDJSON model output; never raises on ``text``."""
    counts = StructuralCounts()
    if not isinstance(text, str):
        return counts
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        counts.lines += 1
        pairs = load_pairs(line) if line[0] == "{" else None
        if pairs is not None:
            _count_object(pairs, schema, counts)
    return counts


def count_rows(rows: Any, schema: Schema | None) -> StructuralCounts:
    """Structural counts of rows that were already parsed (a list of dicts; anything else is invalid)."""
    counts = StructuralCounts()
    if not isinstance(rows, list):
        return counts
    for row in rows:
        counts.lines += 1
        if isinstance(row, dict) and not any(isinstance(v, float) and not math.isfinite(v) for v in row.values()):
            _count_object(list(row.items()), schema, counts)
    return counts


@dataclass(frozen=True)
class SchemaCheck:
    """Validity of a pi1 schema: each check, the verdict, and the first reason it failed."""

    parses: bool
    names_ok: bool
    unique: bool
    known_structure: bool
    valid: bool
    reason: str = ""


def check_schema(text_or_obj: Any) -> SchemaCheck:
    """Check pi1 output (text in either answer form, or a parsed dict): parses, policy names, unique, structure.

    >>> check_schema('{"structure":"kv_single","fields":["name","food"]}').valid  # the compact form
    True
    >>> check_schema('{"structure":"kv_single","fields":["name","Food"]}').reason[:24]
    "field name 'Food' breaks"
    """
    obj, reason = (extract_json_object(text_or_obj) if isinstance(text_or_obj, str) else (text_or_obj, ""))
    obj = expand_answer(obj)
    if not isinstance(obj, dict) or not isinstance(obj.get("fields"), list) or "structure" not in obj:
        why = reason or "expected a JSON object with 'structure' and a 'fields' list"
        return SchemaCheck(False, False, False, False, False, why)
    names = [f.get("name") if isinstance(f, dict) else None for f in obj["fields"]]
    names_ok = bool(names) and all(isinstance(n, str) and is_policy_name(n) for n in names)
    unique = len(set(map(str, names))) == len(names)
    known = obj.get("structure") in STRUCTURES
    try:
        Schema.from_dict(obj)
        built, why = True, ""
    except (ValueError, TypeError) as exc:
        built, why = False, str(exc)[:300]
    if not known and not why:
        why = f"unknown structure {obj.get('structure')!r}; expected one of {STRUCTURES}"
    return SchemaCheck(True, names_ok, unique, known, built and known and names_ok and unique, why)
