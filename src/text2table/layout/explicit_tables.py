"""Tables a document already holds are parsed, not generated.

A document that contains a grid table (a pipe/markdown table, a CSV block or fixed-width columns) already
says which columns exist and what every cell holds. Copying it token by token is where a small model fails
(rows dropped or repeated, columns shifted) and where a parser is exact. With ``PipelineConfig.parse_tables``
(the default) the pipeline takes such a table as the answer: the schema is its header row (named by the
policy, the original header kept as ``source_header``) and the rows are its cells, verbatim; no model runs.
Documents without one (prose, ``key: value`` notes) go through pi1 and pi2 as before. With a given schema the
table answers only when every field of the schema names one of its columns (:meth:`ExplicitTable.rows_for`);
otherwise pi2 fills the schema.

What counts as a grid table is deliberately strict, because a false table replaces the model's answer:

- a pipe, CSV or aligned block found by :func:`text2table.layout.blocks.find_blocks_in`; ``key: value``
  lines and two-column ``| Key | Value |`` tables are not grids (they describe one record whose keys the
  model should choose from);
- at least ``MIN_ROWS`` data rows and ``MIN_COLUMNS`` columns, every header cell short and label-like;
- at least ``MIN_FILLED`` of its cells filled;
- when several qualify, the one with the most filled cells (the first of equals).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from text2table.layout.blocks import Block, find_blocks_in, match_headers, richest
from text2table.core.schema import Schema
from text2table.core.table import Row

GRID_KINDS = ("pipe", "csv", "aligned")
MIN_ROWS = 2
MIN_COLUMNS = 3
MIN_FILLED = 0.6


@dataclass(frozen=True)
class ExplicitTable:
    """A grid table read from a document: its schema, its rows (cells verbatim) and the block they came from."""

    block: Block
    schema: Schema
    rows: list[Row]

    @property
    def kind(self) -> str:
        return self.block.kind

    def diagnostics(self) -> dict[str, Any]:
        return {"kind": self.kind, "rows": len(self.rows), "columns": len(self.schema.fields)}

    def rows_for(self, schema: Schema) -> list[Row] | None:
        """The rows under a given ``schema`` when each of its fields names a column (same normalised name, or
        the only header whose words contain the field's or are contained in them); else None. A single-record
        schema (``kv_single``) does not describe a grid of several rows: None."""
        mapping = match_headers(self.block.headers, schema)
        if len(mapping) < len(schema.fields) or schema.structure == "kv_single":
            return None
        return self.block.rows_under(schema, mapping)


def _is_grid(block: Block) -> bool:
    if block.kind not in GRID_KINDS or len(block.rows) < MIN_ROWS or len(block.headers) < MIN_COLUMNS:
        return False
    return block.filled >= MIN_FILLED * len(block.rows) * len(block.headers)


def find_explicit_table(document: str, metadata: dict[str, Any] | None = None) -> ExplicitTable | None:
    """The document's grid table as a schema and rows, or None when it holds none.

    >>> table = find_explicit_table("| Team | W | L |\\n|---|---|---|\\n| Oslo | 3 | 1 |\\n| Bergen | 2 | 2 |")
    >>> table.schema.names, table.rows[1]
    (['team', 'w', 'l'], {'team': 'Bergen', 'w': '2', 'l': '2'})
    """
    grids = [b for b in find_blocks_in(document, metadata) if _is_grid(b)]
    if not grids:
        return None
    best = richest(grids)
    schema = best.schema()
    return ExplicitTable(best, schema, best.rows_under(schema, {name: k for k, name in enumerate(schema.names)}))
