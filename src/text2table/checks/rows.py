"""Check ``rows``: a row left with no value, or become a copy of an earlier row, leaves the table.

Rule: after the cell checks, a row whose every cell is empty states nothing, and a row equal to an earlier
one (every cell) states nothing new; both are removed, with their evidence. It must not fire on rows that
differ in any cell, nor on a row with one value left. It reads no word list: it runs in every language.

A schema that declares ``"row_needs_value": true`` beside its ``row_key`` (a box score: a player is a row for
the numbers the text gives him) also loses the rows with no value besides the key, as the entity named in
passing (``in the absence of Kevin Durant``), and the rows whose key is empty: numbers given to no one (the
model wrote no name, or a name the text does not hold, which the cell checks emptied). Without that
declaration a row with its key alone stays (a list of the people a report names, with an age where it gives
one), and so does a row without its key (``a 34-year-old man was injured``).
"""

from __future__ import annotations

import json
from dataclasses import replace

from text2table.checks.state import Action, CheckContext, CheckedTable

NAME = "rows"


def check(table: CheckedTable, context: CheckContext) -> tuple[CheckedTable, list[Action]]:
    """Keep the rows with a value that no earlier kept row already has (the table's order kept); under
    ``row_needs_value``, only those with their key and a value besides it.

    >>> from text2table.core.schema import Schema
    >>> s = Schema.from_dict({"structure": "flat_single_row", "fields": [{"name": "player"}, {"name": "points"}],
    ...                       "constraints": {"row_key": "player", "row_needs_value": True}})
    >>> doc = "Without Kevin Durant, Klay Thompson scored 24 points."
    >>> rows = [{"player": "Kevin Durant", "points": None}, {"player": "Klay Thompson", "points": "24"},
    ...         {"player": None, "points": "24"}]
    >>> check(CheckedTable(s, rows, [{}] * 3, [0] * 3, [(0, len(doc))] * 3), CheckContext(doc))[0].rows
    [{'player': 'Klay Thompson', 'points': '24'}]
    """
    key = table.schema.row_key if table.schema.row_needs_value else None
    seen: set[str] = set()
    keep: list[int] = []
    for i, row in enumerate(table.rows):
        serial = json.dumps(row, sort_keys=True, ensure_ascii=False, default=str)
        if serial in seen or all(context.text(v) is None for n, v in row.items() if n != key):
            continue
        if key is not None and context.text(row.get(key)) is None:
            continue
        seen.add(serial)
        keep.append(i)
    if len(keep) == len(table.rows):
        return table, []
    return replace(table, rows=[table.rows[i] for i in keep], spans=[table.spans[i] for i in keep],
                   origins=[table.origins[i] for i in keep], sources=[table.sources[i] for i in keep]), []
