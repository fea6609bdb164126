"""Check ``rows``: a row left with no value, or become a copy of an earlier row, leaves the table.

Rule: after the cell checks, a row whose every cell is empty states nothing, and a row equal to an earlier
one (every cell) states nothing new; both are removed, with their evidence. It must not fire on rows that
differ in any cell, nor on a row with one value left. It reads no word list: it runs in every language.
"""

from __future__ import annotations

import json
from dataclasses import replace

from text2table.checks.state import Action, CheckContext, CheckedTable

NAME = "rows"


def check(table: CheckedTable, context: CheckContext) -> tuple[CheckedTable, list[Action]]:
    """Keep the rows with a value that no earlier kept row already has (the table's order kept)."""
    seen: set[str] = set()
    keep: list[int] = []
    for i, row in enumerate(table.rows):
        key = json.dumps(row, sort_keys=True, ensure_ascii=False, default=str)
        if key in seen or all(context.text(v) is None for v in row.values()):
            continue
        seen.add(key)
        keep.append(i)
    if len(keep) == len(table.rows):
        return table, []
    return replace(table, rows=[table.rows[i] for i in keep], spans=[table.spans[i] for i in keep],
                   origins=[table.origins[i] for i in keep], sources=[table.sources[i] for i in keep]), []
