"""Check extracted rows against their source: the entry points that run the chain (:mod:`text2table.checks.chain`).

:func:`verify_rows` checks rows the pipeline (or anyone) extracted from a document; :func:`verify_record`
re-checks a prediction line of ``extract``. Both return, besides the checked schema and rows, what a
prediction's diagnostics keep:

- ``evidence``: one ``{field: [start, end] | None}`` per output row, the character span of the document
  that supports each cell (end exclusive);
- ``check_actions``: each nulled or corrected cell, ``{"row", "field", "check", "action", "old", "new",
  "reason"}``, ``row`` indexing the output rows (None for a row later removed);
- ``verify``: the language the checks read, the checks that ran, the dropped columns, the number of dropped
  rows, and ``row_sources`` (the span each output row was read from), so that a re-check reads the recorded
  spans instead of finding the document's layout again.

The language is ``metadata["language"]``; a document whose metadata names none is read in
``CheckConfig.default_language`` ("en", the default of the data format); a language without a lexicon
(:mod:`text2table.text.lexicons`) gets the language-neutral checks only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from text2table.checks.chain import run_chain
from text2table.checks.config import CheckConfig
from text2table.checks.state import CheckContext, CheckedTable
from text2table.core.schema import Schema
from text2table.core.table import Row
from text2table.text.lexicons import lexicon_for
from text2table.text.spans import Span


@dataclass
class Verified:
    """The checked table and what the prediction's diagnostics keep of the check."""

    schema: Schema
    rows: list[Row]
    evidence: list[dict[str, list[int] | None]] = field(default_factory=list)
    actions: list[dict[str, Any]] = field(default_factory=list)
    dropped_columns: list[str] = field(default_factory=list)
    dropped_rows: int = 0
    language: str | None = None
    checks: list[str] = field(default_factory=list)
    row_sources: list[list[int]] = field(default_factory=list)

    def diagnostics(self) -> dict[str, Any]:
        """The keys a prediction's ``diagnostics`` gets: ``evidence``, ``check_actions``, ``verify``."""
        return {"evidence": self.evidence, "check_actions": self.actions,
                "verify": {"language": self.language, "checks": self.checks, "dropped_columns": self.dropped_columns,
                           "dropped_rows": self.dropped_rows, "row_sources": self.row_sources}}


def document_language(metadata: dict[str, Any] | None, config: CheckConfig) -> str | None:
    """The language the checks read a document in: its metadata's, else the configured default."""
    language = (metadata or {}).get("language")
    return language if isinstance(language, str) and language else (config.default_language or None)


def _span(value: Any) -> Span | None:
    if (isinstance(value, (list, tuple)) and len(value) == 2 and all(isinstance(v, int) for v in value)
            and 0 <= value[0] <= value[1]):
        return int(value[0]), int(value[1])
    return None


def verify_rows(document: str, schema: Schema, rows: list[Row], *, metadata: dict[str, Any] | None = None,
                missing: Iterable[str] | None = None, schema_given: bool = False, config: CheckConfig | None = None,
                sources: Sequence[Any] | None = None, evidence: Sequence[Any] | None = None) -> Verified:
    """Run the check chain on ``rows`` extracted from ``document`` under ``schema``.

    ``sources``: per row, the ``[start, end)`` of the document it was read from (a list item), None or absent
    for the whole document; ``evidence``: per row, spans recorded by an earlier check, read before searching;
    ``schema_given``: the user gave the schema (no column is dropped); ``missing``: the missing-value tokens
    (default: the metadata's).

    >>> s = Schema.from_dict({"structure": "kv_single", "fields": [{"name": "name"}, {"name": "near"}]})
    >>> v = verify_rows("The Eagle is a pub.", s, [{"name": "The Eagle", "near": "Shanghai"}])
    >>> v.rows, v.schema.names, v.evidence, [a["reason"] for a in v.actions]
    ([{'name': 'The Eagle', 'near': None}], ['name', 'near'], [{'name': [0, 9], 'near': None}], ['not in the text'])
    """
    config = config or CheckConfig()
    if sources is not None and len(sources) != len(rows):
        raise ValueError(f"sources has {len(sources)} spans for {len(rows)} rows")
    whole = (0, len(document))
    row_sources = [_span(s) or whole for s in sources] if sources is not None else [whole] * len(rows)
    if evidence is None or len(evidence) != len(rows):
        evidence = [{}] * len(rows)
    given = [{k: _span(v) for k, v in e.items()} if isinstance(e, dict) else {} for e in evidence]
    if missing is None:
        missing = (metadata or {}).get("missing_value_tokens", ())
    language = document_language(metadata, config)
    lexicon = lexicon_for(language)
    context = CheckContext(document, lexicon, frozenset(missing), schema_given, config)
    start = CheckedTable(schema, [dict(r) for r in rows], given, list(range(len(rows))), row_sources,
                         frozenset(n for r in rows for n, v in r.items() if context.text(v) is not None))
    table, actions, ran = run_chain(start, context)
    output_row = {origin: k for k, origin in enumerate(table.origins)}
    return Verified(
        schema=table.schema, rows=table.rows,
        evidence=[{n: list(s[n]) if s.get(n) else None for n in table.schema.names} for s in table.spans],
        actions=[a.to_dict(output_row.get(a.row)) for a in actions],
        dropped_columns=[n for n in schema.names if n not in table.schema.names],
        dropped_rows=len(rows) - len(table.rows), language=lexicon.language if lexicon else None, checks=ran,
        row_sources=[list(s) for s in table.sources])


def record_sources(record: dict[str, Any]) -> list[Any] | None:
    """Each row's source span as a prediction line recorded it: the checked rows' own (``verify.row_sources``),
    or the list items the rows were read from (``item_list.rows_from`` and ``item_list.item_spans``); None
    when the line records neither (older files: every row is checked against the whole document)."""
    diagnostics = record.get("diagnostics") or {}
    rows = record.get("rows") or []
    recorded = (diagnostics.get("verify") or {}).get("row_sources")
    if isinstance(recorded, list) and len(recorded) == len(rows):
        return recorded
    items = diagnostics.get("item_list") or {}
    rows_from, spans = items.get("rows_from"), items.get("item_spans")
    if (isinstance(rows_from, list) and isinstance(spans, list) and len(rows_from) == len(rows)
            and all(isinstance(k, int) and 0 <= k < len(spans) for k in rows_from)):
        return [spans[k] for k in rows_from]
    return None


def verify_record(record: dict[str, Any], document: str, *, metadata: dict[str, Any] | None = None,
                  missing: Iterable[str] | None = None, config: CheckConfig | None = None,
                  schema_given: bool = False) -> dict[str, Any]:
    """A prediction line (``extract``'s format) checked as the pipeline checks one: by default its schema
    counts as induced; each row is checked against the source span the line records for it, and a cell
    keeps the evidence span the line records when its value still occurs there. Lines without a schema or
    rows come back unchanged."""
    if not record.get("schema") or not record.get("rows"):
        return record
    diagnostics = record.get("diagnostics") or {}
    evidence = diagnostics.get("evidence") if isinstance(diagnostics.get("evidence"), list) else None
    checked = verify_rows(document, Schema.from_dict(record["schema"]), record["rows"], metadata=metadata,
                          missing=missing, schema_given=schema_given, config=config,
                          sources=record_sources(record), evidence=evidence)
    out = {**record, "schema": checked.schema.to_dict(), "rows": checked.rows,
           "diagnostics": {**diagnostics, **checked.diagnostics()}}
    if checked.dropped_columns and isinstance(record.get("raw"), dict):  # as the pipeline records it
        out["raw"] = {**record["raw"], "pi2_schema": record["schema"]}
    return out
