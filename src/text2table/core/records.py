"""Native gold records: one JSON object per (document, table), read and validated with file:line errors.

Format (JSONL)::

    {"id": "...", "document": "...", "metadata": {...},
     "table": {"name"?: "...", "structure"?: "kv_single", "headers": ["..."], "rows": [["...", null], ...]}}

Cells are strings or null; numbers and booleans are accepted and stored as strings. A cell equal to one of
the metadata's ``missing_value_tokens`` (default: empty, ``-``, ``N/A``) means "no value".
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from text2table.errors import InputError
from text2table.core.jsonio import iter_jsonl
from text2table.core.schema import STRUCTURES, Schema, build_assistant_schema, detect_structure

DEFAULT_MISSING_TOKENS: tuple[str, ...] = ("", "-", "N/A")
METADATA_KEYS = ("language", "locale", "table_hint", "missing_value_tokens")


def default_metadata(metadata: dict[str, Any] | None = None) -> dict[str, Any]:
    """Metadata with defaults filled in and a fixed key order (documented keys first, others sorted)."""
    metadata = dict(metadata or {})
    out: dict[str, Any] = {
        "language": metadata.pop("language", "en"),
        "locale": metadata.pop("locale", None),
        "table_hint": metadata.pop("table_hint", None),
        "missing_value_tokens": list(metadata.pop("missing_value_tokens", DEFAULT_MISSING_TOKENS)),
    }
    for key in sorted(metadata):
        out[key] = metadata[key]
    return out


@dataclass(frozen=True)
class GoldTable:
    headers: list[str]
    rows: list[list[str | None]]
    name: str | None = None
    structure: str | None = None


@dataclass(frozen=True)
class GoldRecord:
    id: str
    document: str
    metadata: dict[str, Any] = field(default_factory=dict)
    table: GoldTable | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "document": self.document, "metadata": self.metadata}
        if self.table is not None:
            table: dict[str, Any] = {}
            if self.table.name is not None:
                table["name"] = self.table.name
            if self.table.structure is not None:
                table["structure"] = self.table.structure
            table["headers"] = self.table.headers
            table["rows"] = self.table.rows
            out["table"] = table
        return out


def _cell(value: Any, where: str, source: str | None, line: int | None) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (bool, int, float)):
        return str(value).lower() if isinstance(value, bool) else str(value)
    raise InputError(f"{where} must be a string or null, got {type(value).__name__}", source=source, line=line)


def record_from_dict(obj: Any, *, source: str | None = None, line: int | None = None,
                     require_table: bool = True) -> GoldRecord:
    """Validate one parsed JSON object as a gold record; errors name the file, line and field."""

    def fail(message: str, hint: str | None = None) -> InputError:
        return InputError(message, source=source, line=line, hint=hint)

    if not isinstance(obj, dict):
        raise fail(f"expected a JSON object, got {type(obj).__name__}")
    rid = obj.get("id")
    if not isinstance(rid, (str, int)) or str(rid) == "":
        raise fail("missing or empty 'id'", "give every record a unique string id")
    document = obj.get("document")
    if not isinstance(document, str) or not document.strip():
        raise fail(f"record {rid!r}: missing or empty 'document'", "'document' must be non-empty text")
    metadata = obj.get("metadata") or {}
    if not isinstance(metadata, dict):
        raise fail(f"record {rid!r}: 'metadata' must be an object")
    raw_table = obj.get("table")
    if raw_table is None:
        if require_table:
            raise fail(f"record {rid!r}: missing 'table'", "gold records need {'headers': [...], 'rows': [[...]]}")
        return GoldRecord(str(rid), document, default_metadata(metadata), None)
    if not isinstance(raw_table, dict):
        raise fail(f"record {rid!r}: 'table' must be an object")
    headers = raw_table.get("headers")
    if not isinstance(headers, list) or not headers or not all(isinstance(h, str) for h in headers):
        raise fail(f"record {rid!r}: 'table.headers' must be a non-empty list of strings")
    rows = raw_table.get("rows")
    if not isinstance(rows, list):
        raise fail(f"record {rid!r}: 'table.rows' must be a list of lists")
    clean_rows = []
    for i, row in enumerate(rows):
        if not isinstance(row, list) or len(row) != len(headers):
            got = len(row) if isinstance(row, list) else type(row).__name__
            raise fail(f"record {rid!r}: table.rows[{i}] has {got} cells, expected {len(headers)} (one per header)")
        clean_rows.append([_cell(v, f"record {rid!r}: table.rows[{i}]", source, line) for v in row])
    structure = raw_table.get("structure")
    if structure is not None and structure not in STRUCTURES:
        raise fail(f"record {rid!r}: unknown table.structure {structure!r}", f"use one of {STRUCTURES}")
    name = raw_table.get("name")
    table = GoldTable(list(headers), clean_rows, name if isinstance(name, str) else None, structure)
    return GoldRecord(str(rid), document, default_metadata(metadata), table)


def read_gold(path: str | Path, *, require_table: bool = True) -> Iterator[GoldRecord]:
    """Stream validated records from a gold JSONL file; duplicate ids are an error."""
    seen: set[str] = set()
    for line, obj in iter_jsonl(path):
        record = record_from_dict(obj, source=str(path), line=line, require_table=require_table)
        if record.id in seen:
            raise InputError(f"duplicate id {record.id!r}", source=str(path), line=line,
                             hint="ids must be unique within a file")
        seen.add(record.id)
        yield record


def gold_schema(record: GoldRecord) -> Schema:
    """The pi1 target of a record: header-only schema with the detected structure."""
    if record.table is None:
        raise InputError(f"record {record.id!r} has no table")
    structure = detect_structure(record.table.headers, record.table.rows, record.table.structure)
    return build_assistant_schema(record.table.headers, structure=structure)


def gold_rows(record: GoldRecord, schema: Schema) -> list[dict[str, str | None]]:
    """The pi2 target rows: gold cells keyed by the schema's (normalised) names; missing tokens become null."""
    if record.table is None:
        return []
    missing = set(record.metadata.get("missing_value_tokens", DEFAULT_MISSING_TOKENS))
    names = schema.names
    out = []
    for row in record.table.rows:
        cells = [None if (v is None or v.strip() in missing) else v.strip() for v in row]
        out.append(dict(zip(names, cells)))
    return out
