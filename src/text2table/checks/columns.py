"""Check ``columns``: a column of an induced schema whose every value was nulled leaves the schema.

Rule: when pi1 induced the schema (not when the user gave it), a column that had a value in the model's
rows and has none after the cell checks was invented: it leaves the schema and the rows. A column that was
empty from the start stays ("not stated" is an answer), and so does the last column. It must not fire on a
schema the user gave, nor on a column with one value left. It reads no word list: it runs in every language.
"""

from __future__ import annotations

from dataclasses import replace

from text2table.checks.state import Action, CheckContext, CheckedTable
from text2table.core.schema import Schema

NAME = "columns"


def without(schema: Schema, names: set[str]) -> Schema:
    """The schema less the fields in ``names`` (its id recomputed; a ``row_key`` naming one of them dropped too,
    with ``row_needs_value``).

    >>> s = Schema.from_dict({"structure": "flat_single_row", "fields": [{"name": "a"}, {"name": "b"}],
    ...                       "constraints": {"row_key": "b", "row_needs_value": True}})
    >>> without(s, {"b"}).names, without(s, {"b"}).constraints, without(s, {"a"}).row_key
    (['a'], {}, 'b')
    """
    data = schema.to_dict()
    data["fields"] = [f for f in data["fields"] if f["name"] not in names]
    data["constraints"] = {k: v for k, v in data["constraints"].items() if not (k == "row_key" and v in names)}
    if "row_key" not in data["constraints"]:
        data["constraints"].pop("row_needs_value", None)
    data.pop("schema_id", None)
    return Schema.from_dict(data)


def invented(table: CheckedTable, context: CheckContext) -> list[str]:
    """The columns the check would drop, in schema order."""
    if context.schema_given or not table.rows:
        return []
    names = [n for n in table.schema.names
             if n in table.filled and all(context.text(r.get(n)) is None for r in table.rows)]
    return names if len(names) < len(table.schema.names) else []


def check(table: CheckedTable, context: CheckContext) -> tuple[CheckedTable, list[Action]]:
    """Drop the invented columns of an induced schema (see :func:`invented`)."""
    names = invented(table, context)
    if not names:
        return table, []
    schema = without(table.schema, set(names))
    keep = schema.names
    return replace(table, schema=schema, rows=[{n: r.get(n) for n in keep} for r in table.rows],
                   spans=[{n: s.get(n) for n in keep} for s in table.spans]), []
