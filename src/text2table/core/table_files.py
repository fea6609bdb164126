"""Writing one plain table (named columns, rows of cells) as CSV, Parquet or JSONL, chosen by the file suffix.

- ``.csv``: UTF-8, a header row, RFC 4180 quoting; an empty cell is ``null``.
- ``.parquet``: one nullable string column per name (pyarrow); a spreadsheet, pandas or DuckDB opens it.
- ``.jsonl``: one JSON object per row, keys in column order, values as they are (``null`` for empty).

CSV and Parquet cells are text: numbers and booleans a model wrote as JSON values become their text
(``7``, ``true``), so a column never mixes types. Files are written atomically (temp file + rename).
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from text2table.core.jsonio import atomic_writer, dumps_line
from text2table.errors import ConfigError

TABLE_SUFFIXES = (".csv", ".parquet", ".jsonl")


def table_format(path: str | Path) -> str:
    """The format named by ``path``'s suffix: ``csv``, ``parquet`` or ``jsonl``.

    >>> table_format("out/table.CSV"), table_format("t.parquet")
    ('csv', 'parquet')
    """
    suffix = Path(path).suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise ConfigError(f"{path}: a table file must end in one of {TABLE_SUFFIXES}, got {suffix or 'no suffix'!r}"
                          " (e.g. --out table.csv)")
    return suffix[1:]


def cell_string(value: Any) -> str | None:
    """A cell as text for CSV/Parquet: None stays None, JSON scalars become their JSON text, strings stay.

    >>> cell_string("Smith"), cell_string(7), cell_string(2.5), cell_string(True), cell_string(None)
    ('Smith', '7', '2.5', 'true', None)
    """
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _write_csv(path: Path, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    with atomic_writer(path) as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow(["" if (text := cell_string(v)) is None else text for v in row])


def _write_parquet(path: Path, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrays = [pa.array([cell_string(row[k]) for row in rows], type=pa.string()) for k in range(len(columns))]
    table = pa.Table.from_arrays(arrays, names=list(columns))
    with atomic_writer(path, "wb") as handle:
        pq.write_table(table, handle)


def _write_jsonl(path: Path, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    with atomic_writer(path) as handle:
        for row in rows:
            handle.write(dumps_line(dict(zip(columns, row))))


def write_table(path: str | Path, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Write ``rows`` (one cell per column each) to ``path`` in the format its suffix names; returns the format."""
    fmt = table_format(path)
    columns = list(columns)
    if len(set(columns)) != len(columns):
        raise ConfigError(f"duplicate column names in {columns}")
    for i, row in enumerate(rows):
        if len(row) != len(columns):
            raise ConfigError(f"row {i} has {len(row)} cells for {len(columns)} columns {columns}")
    {"csv": _write_csv, "parquet": _write_parquet, "jsonl": _write_jsonl}[fmt](Path(path), columns, rows)
    return fmt
