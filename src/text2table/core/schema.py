"""The schema contract: what pi1 emits and pi2 obeys. Plain dataclasses; imports nothing of ours but naming/errors.

A schema serialises to one JSON object with keys in this order::

    {"schema_id": "s_…", "structure": "kv_single", "fields": [{"name", "type", "required", ...}], "constraints": {}}

The *answer form* (what the pi1 model writes, :func:`schema_answer`) leaves out ``schema_id`` (a hash the
model cannot compute; it is recomputed on parsing) and ``source_header`` (bookkeeping of the gold data).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from text2table.errors import SchemaError
from text2table.core.naming import is_policy_name, normalize_names

#: Known structures. New ones may be added; stored schemas keep whatever string they were written with.
#: ``kv_single``: one entity described by key/value pairs (stored as one row).
#: ``flat_single_row``: a flat table with a single header row and any number of data rows.
STRUCTURES: tuple[str, ...] = ("kv_single", "flat_single_row")
FIELD_TYPES: tuple[str, ...] = ("string", "integer", "number", "boolean", "date")
_FIELD_KEYS = ("name", "type", "required", "source_header", "description", "enum", "pattern")


@dataclass(frozen=True)
class Field:
    """One column. ``enum`` and ``pattern`` constrain string values; ``source_header`` is the gold header."""

    name: str
    type: str = "string"
    required: bool = False
    source_header: str | None = None
    description: str | None = None
    enum: tuple[str, ...] | None = None
    pattern: str | None = None

    def __post_init__(self) -> None:
        if not is_policy_name(self.name):
            raise SchemaError(f"field name {self.name!r} breaks the naming policy (lower_snake_case ASCII,"
                              " starting with a letter); pass it through text2table.core.naming.normalize_name")
        if self.type not in FIELD_TYPES:
            raise SchemaError(f"field {self.name!r} has type {self.type!r}; expected one of {FIELD_TYPES}")
        if not isinstance(self.required, bool):
            raise SchemaError(f"field {self.name!r}: 'required' must be true or false, got {self.required!r}")
        if self.enum is not None:
            object.__setattr__(self, "enum", tuple(str(v) for v in self.enum))

    def to_dict(self, *, answer: bool = False, defaults: bool = True) -> dict[str, Any]:
        """The field as JSON; ``answer``: no bookkeeping (``source_header``); ``defaults=False``: no
        ``"type": "string"`` and no ``"required": false`` (the compact forms of prompts and answers)."""
        out: dict[str, Any] = {"name": self.name, "type": self.type, "required": self.required}
        if not defaults:
            if self.type == "string":
                del out["type"]
            if not self.required:
                del out["required"]
        if self.source_header is not None and not answer:
            out["source_header"] = self.source_header
        for key in ("description", "enum", "pattern"):
            value = getattr(self, key)
            if value is not None:
                out[key] = list(value) if key == "enum" else value
        return out


@dataclass(frozen=True)
class Schema:
    """A table schema. ``schema_id`` is derived from the content and never set by hand."""

    structure: str
    fields: tuple[Field, ...]
    constraints: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "fields", tuple(self.fields))
        if not isinstance(self.structure, str) or not is_policy_name(self.structure):
            raise SchemaError(f"structure {self.structure!r} is not a lower_snake_case name;"
                              f" use one of {STRUCTURES}")
        if not self.fields:
            raise SchemaError("a schema needs at least one field")
        names = [f.name for f in self.fields]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise SchemaError(f"duplicate field names {dupes}; resolve collisions with naming.dedupe_names")
        if not isinstance(self.constraints, dict):
            raise SchemaError(f"'constraints' must be a JSON object, got {type(self.constraints).__name__}")
        key = self.constraints.get("row_key")
        if key is not None and (self.structure == "kv_single" or key not in names):
            raise SchemaError(f"constraints.row_key {key!r} must name one of the fields {names} of a table with a"
                              f" row per entity (not kv_single); remove it or name the field that tells rows apart")
        needs = self.constraints.get("row_needs_value")
        if needs is not None and (not isinstance(needs, bool) or (needs and key is None)):
            raise SchemaError(f"constraints.row_needs_value {needs!r} must be true or false and, when true, go with"
                              f" a row_key; add \"row_key\": FIELD or remove row_needs_value")

    @property
    def row_key(self) -> str | None:
        """The field whose value names a row's entity (``constraints.row_key``): the pipeline merges rows with one
        value there (:mod:`text2table.pipeline.row_merge`); None when the schema declares none."""
        return self.constraints.get("row_key")

    @property
    def row_needs_value(self) -> bool:
        """Whether a row stays only with its ``row_key`` and a value besides it (``constraints.row_needs_value``):
        the check ``rows`` (:mod:`text2table.checks.rows`) removes a row that names its entity and states nothing,
        and one that states values of no named entity."""
        return bool(self.constraints.get("row_needs_value"))

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.fields]

    @property
    def schema_id(self) -> str:
        return schema_id_of(self.structure, [(f.name, f.type) for f in self.fields])

    def to_dict(self) -> dict[str, Any]:
        return {"schema_id": self.schema_id, "structure": self.structure,
                "fields": [f.to_dict() for f in self.fields], "constraints": dict(self.constraints)}

    def to_json(self) -> str:
        """Compact JSON with the contract's key order (deterministic)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_dict(cls, data: Any) -> "Schema":
        """Build from a parsed JSON object; raises :class:`SchemaError` naming the first problem."""
        if not isinstance(data, dict):
            raise SchemaError(f"a schema must be a JSON object, got {type(data).__name__}")
        if "structure" not in data or "fields" not in data:
            raise SchemaError("a schema needs the keys 'structure' and 'fields'"
                              f" (got {sorted(data)})")
        raw_fields = data["fields"]
        if not isinstance(raw_fields, list):
            raise SchemaError(f"'fields' must be a list, got {type(raw_fields).__name__}")
        fields = []
        for i, raw in enumerate(raw_fields):
            if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
                raise SchemaError(f"fields[{i}] must be an object with a string 'name', got {raw!r:.80}")
            unknown = set(raw) - set(_FIELD_KEYS)
            if unknown:
                raise SchemaError(f"fields[{i}] ({raw['name']!r}) has unknown keys {sorted(unknown)};"
                                  f" allowed: {list(_FIELD_KEYS)}")
            enum = raw.get("enum")
            if enum is not None and not isinstance(enum, list):
                raise SchemaError(f"fields[{i}] ({raw['name']!r}): 'enum' must be a list")
            fields.append(Field(name=raw["name"], type=raw.get("type", "string"),
                                required=raw.get("required", False), source_header=raw.get("source_header"),
                                description=raw.get("description"),
                                enum=tuple(enum) if enum is not None else None, pattern=raw.get("pattern")))
        schema = cls(structure=data["structure"], fields=tuple(fields),
                     constraints=data.get("constraints") or {})
        return schema


def schema_id_of(structure: str, names_and_types: list[tuple[str, str]]) -> str:
    """A deterministic id: sha256 of the canonical content (structure, ordered names and types)."""
    canonical = json.dumps({"structure": structure, "fields": [list(nt) for nt in names_and_types]},
                           ensure_ascii=True, separators=(",", ":"), sort_keys=True)
    return "s_" + hashlib.sha256(canonical.encode("ascii")).hexdigest()[:12]


def schema_answer(schema: Schema) -> str:
    """The pi1 answer text: compact JSON without ``schema_id`` and ``source_header``."""
    data = {"structure": schema.structure, "fields": [f.to_dict(answer=True) for f in schema.fields],
            "constraints": dict(schema.constraints)}
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def detect_structure(headers: list[str], rows: list[list[Any]], declared: str | None = None) -> str:
    """Choose the structure of a gold table.

    Rule: a structure declared in the data wins; otherwise a table with exactly one data row is
    ``kv_single`` (one entity: the headers are its keys), and any other table is ``flat_single_row``.
    """
    if declared is not None:
        if declared not in STRUCTURES:
            raise SchemaError(f"unknown structure {declared!r}; expected one of {STRUCTURES}")
        return declared
    return "kv_single" if len(rows) == 1 else "flat_single_row"


def build_assistant_schema(headers: list[str], *, structure: str) -> Schema:
    """The pi1 SFT target, built only from header information (never from row values).

    Every type is ``string``, every ``required`` false; names follow the policy with collision suffixes;
    ``source_header`` keeps the original header where it differs from the name.
    """
    if not headers:
        raise SchemaError("cannot build a schema from an empty header list")
    names = normalize_names([str(h) for h in headers])
    fields = tuple(Field(name=n, source_header=None if n == h else str(h)) for n, h in zip(names, headers))
    return Schema(structure=structure, fields=fields)


def row_json_schema(schema: Schema, *, max_string_length: int | None = None) -> dict[str, Any]:
    """JSON Schema of one row: properties in field order, every key required, no extra keys.

    A value may be ``null`` unless its field is required. Nullable types use ``anyOf`` so that
    converters keep ``maxLength`` (llama.cpp drops it from ``"type": [..., "null"]``).
    """
    properties: dict[str, Any] = {}
    for f in schema.fields:
        if f.enum is not None:
            value: dict[str, Any] = {"enum": list(f.enum)}
        elif f.type == "date":
            value = {"type": "string"}
        else:
            value = {"type": f.type}
        if f.pattern is not None and f.enum is None:
            value["pattern"] = f.pattern
        if value.get("type") == "string" and max_string_length is not None and "pattern" not in value:
            value["maxLength"] = max_string_length
        properties[f.name] = value if f.required else {"anyOf": [value, {"type": "null"}]}
    return {"type": "object", "properties": properties, "required": list(properties),
            "additionalProperties": False}
