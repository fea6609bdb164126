"""Tables a document writes out, found once: key/value lines, pipe/markdown tables, CSV-like blocks and
fixed-width columns, as :class:`Block` objects, with the schema and rows each block makes.

- ``key: value`` lines (also ``- Key: value`` bullets, ``Key – value`` and ``**Key:** value``); a repeated key
  starts a new record;
- pipe/markdown tables (a two-column ``| Key | Value |`` table is read as key/value pairs);
- CSV-like blocks (``,`` ``;`` or tab) with a consistent width;
- fixed-width columns (two or more spaces between cells), a header and at least two rows.

A header cell must be short and label-like (six words, 50 characters, no colon). Missing-value tokens
(``metadata["missing_value_tokens"]``) become None. Prose without such structure yields no block. The
``rules`` backend (:mod:`text2table.backends.rules`) answers from these blocks; the grid finder
(:mod:`text2table.layout.explicit_tables`) and the pipeline's fallback schema read them too.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from typing import Any

from text2table.core.naming import normalize_name
from text2table.core.records import DEFAULT_MISSING_TOKENS
from text2table.core.schema import Schema, build_assistant_schema, detect_structure

_KV = re.compile(r"^\s*(?:[-*+\u2022]\s+|\d{1,3}[.)]\s+)?(?:\*\*|__)?([A-Za-z][^:=|\n\u2013\u2014]{0,48}?)\s*"
                 r"(?:\*\*|__)?\s*(?::|\s=|\s[\u2013\u2014])\s*(?:\*\*|__)?\s*(.*?)\s*$")
_ALIGNED_SPLIT = re.compile(r"\s{2,}|\t")
_SEPARATOR_CELL = re.compile(r"^:?-{1,}:?$")
_PIPE_SPLIT = re.compile(r"(?<!\\)\|")
_KV_TABLE_VALUE_HEADERS = {"value", "values", "detail", "details"}
_KV_TABLE_KEY_HEADERS = {"key", "field", "attribute", "property", "parameter", "metric", "specification", "spec",
                         "characteristic", "feature"}


@dataclass(frozen=True)
class Block:
    """A table found in a document: ``kind`` is ``kv``, ``pipe`` or ``csv``; cells are cleaned strings or None."""

    kind: str
    headers: list[str]
    rows: list[list[str | None]]

    @property
    def filled(self) -> int:
        return sum(v is not None for row in self.rows for v in row)

    def schema(self) -> Schema:
        """The schema its header row makes (policy names; one data row is ``kv_single``)."""
        return build_assistant_schema(self.headers, structure=detect_structure(self.headers, self.rows))

    def rows_under(self, schema: Schema, mapping: dict[str, int]) -> list[dict[str, Any]]:
        """Its rows as ``schema`` rows (``mapping``: field -> column; unmapped fields null), empty rows left out."""
        rows = [{f.name: (row[mapping[f.name]] if f.name in mapping else None) for f in schema.fields}
                for row in self.rows]
        return [r for r in rows if any(v is not None for v in r.values())]


def richest(blocks: list[Block]) -> Block:
    """The block with the most filled cells; the first of equals (earlier kinds win ties)."""
    return max(blocks, key=lambda b: b.filled)


def _clean(value: str, missing: set[str]) -> str | None:
    text = value.strip().strip("*_").strip()
    return None if text in missing else text


def _is_header(cell: str) -> bool:
    words = cell.split()
    return (0 < len(words) <= 6 and len(cell) <= 50 and ":" not in cell
            and (not cell.endswith(".") or len(words) <= 2))


def _kv_block(lines: list[str], missing: set[str]) -> Block | None:
    """All ``key: value`` lines; a repeated key starts a new record (several records make a flat table)."""
    records: list[dict[str, str | None]] = []
    headers: list[str] = []
    current: dict[str, str | None] = {}
    for line in lines:
        match = _KV.match(line)
        if not match or "|" in line:
            continue
        key, value = match.group(1).strip(), match.group(2)
        if not _is_header(key) or not value or value.startswith("//"):
            continue
        if key in current:
            records.append(current)
            current = {}
        current[key] = _clean(value, missing)
        if key not in headers:
            headers.append(key)
    if current:
        records.append(current)
    if not headers:
        return None
    return Block("kv", headers, [[r.get(h) for h in headers] for r in records])


def _pipe_cells(line: str) -> list[str] | None:
    stripped = line.strip()
    if "|" not in stripped:
        return None
    if stripped.startswith("|"):
        stripped = stripped[1:]
    if stripped.endswith("|") and not stripped.endswith("\\|"):
        stripped = stripped[:-1]
    cells = [c.strip().replace("\\|", "|") for c in _PIPE_SPLIT.split(stripped)]
    return cells if len(cells) >= 2 else None


def _table_from_run(kind: str, run: list[list[str]], missing: set[str]) -> Block | None:
    run = [cells for cells in run if not all(_SEPARATOR_CELL.match(c) for c in cells if c)]
    if len(run) < 2:
        return None
    headers = [c.strip("*_ ").strip() for c in run[0]]
    if not all(_is_header(h) for h in headers):
        return None
    width = len(headers)
    rows = [[_clean(c, missing) for c in (cells + [""] * width)[:width]] for cells in run[1:]]
    if width == 2 and (headers[1].lower() in _KV_TABLE_VALUE_HEADERS or headers[0].lower() in _KV_TABLE_KEY_HEADERS):
        keys = [r[0] for r in rows if r[0] and _is_header(r[0])]
        values = [r[1] for r in rows if r[0] and _is_header(r[0])]
        return Block("kv", keys, [values]) if keys else None
    return Block(kind, headers, rows)


def _pipe_blocks(lines: list[str], missing: set[str]) -> list[Block]:
    blocks, run = [], []
    for line in lines + [""]:
        cells = _pipe_cells(line)
        if cells is not None:
            run.append(cells)
            continue
        block = _table_from_run("pipe", run, missing)
        if block is not None:
            blocks.append(block)
        run = []
    return blocks


def _csv_blocks(lines: list[str], missing: set[str]) -> list[Block]:
    blocks = []
    for delimiter in (",", ";", "\t"):
        run: list[list[str]] = []
        for line in lines + [""]:
            cells = next(csv.reader([line], delimiter=delimiter), []) if delimiter in line else []
            if len(cells) >= 2 and "|" not in line and (not run or len(cells) == len(run[0])):
                run.append(cells)
                continue
            block = _table_from_run("csv", run, missing)
            if block is not None:
                blocks.append(block)
            run = [cells] if len(cells) >= 2 and "|" not in line else []
    return blocks


def _aligned_blocks(lines: list[str], missing: set[str]) -> list[Block]:
    """Fixed-width columns (two or more spaces between cells), at least a header and two rows."""
    blocks, run = [], []
    for line in lines + [""]:
        cells = _ALIGNED_SPLIT.split(line.strip()) if line.strip() and "|" not in line else []
        if len(cells) >= 2 and (not run or len(cells) == len(run[0])):
            run.append(cells)
            continue
        block = _table_from_run("aligned", run, missing) if len(run) >= 3 else None
        if block is not None:
            blocks.append(block)
        run = [cells] if len(cells) >= 2 else []
    return blocks


def find_blocks_in(document: str, metadata: dict[str, Any] | None = None) -> list[Block]:
    """Every table-like block of ``document``: pipe tables, CSV blocks, aligned columns, key/value lines."""
    missing = set((metadata or {}).get("missing_value_tokens", DEFAULT_MISSING_TOKENS))
    lines = document.splitlines()
    blocks = _pipe_blocks(lines, missing) + _csv_blocks(lines, missing) + _aligned_blocks(lines, missing)
    kv = _kv_block(lines, missing)
    return blocks + ([kv] if kv is not None else [])


def induce_schema(document: str, metadata: dict[str, Any] | None = None) -> Schema | None:
    """The schema of the richest block (most filled cells; earlier kinds win ties), or None.

    >>> induce_schema("Name: Blue Spice\\nArea: riverside").names
    ['name', 'area']
    """
    blocks = find_blocks_in(document, metadata)
    return richest(blocks).schema() if blocks else None


def _tokens(text: str) -> set[str]:
    return set(normalize_name(text).split("_"))


def match_headers(headers: list[str], schema: Schema) -> dict[str, int]:
    """Field name -> header index: exact normalised names first, then unique token containment."""
    normalised = [normalize_name(h) for h in headers]
    out: dict[str, int] = {}
    for f in schema.fields:
        if f.name in normalised:
            out[f.name] = normalised.index(f.name)
    used = set(out.values())
    for f in schema.fields:
        if f.name in out:
            continue
        want = set(f.name.split("_"))
        hits = [i for i, h in enumerate(headers)
                if i not in used and (want <= _tokens(h) or _tokens(h) <= want)]
        if len(hits) == 1:
            out[f.name] = hits[0]
            used.add(hits[0])
    return out


def extract_rows(document: str, schema: Schema, metadata: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Rows for ``schema`` from the block that matches most of its fields; unmatched fields are null.

    >>> extract_rows("| City | Pop |\\n|---|---|\\n| Oslo | 0.7M |", Schema.from_dict(
    ...     {"structure": "flat_single_row", "fields": [{"name": "city"}, {"name": "country"}]}))
    [{'city': 'Oslo', 'country': None}]
    """
    scored = [(len(m), b.filled, b, m) for b in find_blocks_in(document, metadata)
              if (m := match_headers(b.headers, schema))]
    if not scored:
        return []
    _, _, block, mapping = max(scored, key=lambda s: (s[0], s[1]))
    rows = block.rows_under(schema, mapping)
    if schema.structure == "kv_single" and len(rows) > 1:
        rows = rows[:1]
    return rows
