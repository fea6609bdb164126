"""One table for a corpus: a schema induced on a sample of documents, then filled for every document.

- :func:`spread_sample` picks ``n`` documents spread evenly over the input (first and last included).
- :func:`induce_corpus_schema` runs the whole pipeline (pi1, pi2 and the evidence check, so a field pi1
  invented and the text never fills does not count) on the sample and merges the schemas it ends with
  (:mod:`text2table.pipeline.schema_merge`).
- :func:`corpus_table` turns prediction records made under that one schema into one table: a ``doc_id``
  column, then the schema's fields; one row per predicted row (per entity), and one row of nulls for a
  document that gave none, so that every document appears.
- :func:`one_table_paths` names the files of a resumable ``extract --one-table`` run: the schema and the
  per-document predictions sit next to the table and are picked up again by a rerun.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from text2table.backends.base import Backend
from text2table.core.naming import dedupe_names
from text2table.core.schema import Schema
from text2table.errors import ConfigError, InputError
from text2table.pipeline.config import PipelineConfig
from text2table.pipeline.run import run_many
from text2table.pipeline.schema_merge import MergeConfig, MergedSchema, merge_schemas

DEFAULT_SAMPLE = 20
DOC_ID = "doc_id"
T = TypeVar("T")


def spread_sample(items: Sequence[T], n: int) -> list[T]:
    """``n`` items spread evenly over ``items`` (all of them when there are no more than ``n``), in order.

    >>> spread_sample(list(range(10)), 4)
    [0, 3, 6, 9]
    >>> spread_sample(["a", "b"], 5)
    ['a', 'b']
    """
    if n < 1:
        raise ConfigError(f"the schema sample must hold at least one document, got {n}")
    if len(items) <= n:
        return list(items)
    if n == 1:
        return [items[0]]
    return [items[round(k * (len(items) - 1) / (n - 1))] for k in range(n)]


def _usable(doc: Any) -> bool:
    return bool(doc.document.strip()) and not getattr(doc, "problem", None)


def induce_corpus_schema(inputs: Sequence[Any], backend: Backend, config: PipelineConfig | None = None, *,
                         sample: int = DEFAULT_SAMPLE, merge: MergeConfig | None = None,
                         batch_size: int = 8) -> tuple[MergedSchema, list[str]]:
    """The merged schema of ``sample`` documents spread over ``inputs`` (objects with ``id``, ``document``,
    ``metadata``), and the ids of the sampled documents. A document whose run fails counts as one without a
    schema."""
    chosen = spread_sample([d for d in inputs if _usable(d)], sample) if inputs else []
    if not chosen:
        raise InputError("no readable, non-empty document to induce a schema from",
                         hint="check the input path; empty or unreadable documents are not sampled")
    schemas: list[Schema | None] = []
    for start in range(0, len(chosen), max(1, batch_size)):
        batch = chosen[start:start + batch_size]
        try:
            results = run_many([d.document for d in batch], backend, config, metadatas=[d.metadata for d in batch])
            schemas.extend(r.schema if not r.error else None for r in results)
        except Exception:  # noqa: BLE001 - one failing backend call must not stop the induction
            for doc in batch:
                try:
                    result = run_many([doc.document], backend, config, metadatas=[doc.metadata])[0]
                    schemas.append(result.schema if not result.error else None)
                except Exception:  # noqa: BLE001
                    schemas.append(None)
    return merge_schemas(schemas, merge), [d.id for d in chosen]


def schema_file(merged: MergedSchema, sampled_ids: list[str]) -> dict[str, Any]:
    """The JSON ``schema induce`` writes: the schema itself (``--schema`` reads it back) and ``induced_from``."""
    if merged.schema is None:
        raise InputError(f"none of the {merged.documents} sampled documents gave a schema to merge",
                         hint="sample more documents (--sample, --schema-sample), try another backend, or write"
                              " a schema and pass it with --schema")
    return {**merged.schema.to_dict(), "induced_from": {**merged.report(), "sampled_ids": sampled_ids}}


def corpus_table(records: Iterable[dict[str, Any]], schema: Schema) -> tuple[list[str], list[list[Any]]]:
    """Columns and rows of one table from prediction records made under ``schema``.

    >>> from text2table.core.schema import Field
    >>> s = Schema("flat_single_row", (Field("item"), Field("qty")))
    >>> corpus_table([{"id": "a", "rows": [{"item": "pen", "qty": "2"}, {"item": "ink", "qty": None}]},
    ...               {"id": "b", "rows": []}], s)
    (['doc_id', 'item', 'qty'], [['a', 'pen', '2'], ['a', 'ink', None], ['b', None, None]])
    """
    columns = dedupe_names([DOC_ID, *schema.names])  # a field called doc_id becomes doc_id_2
    rows: list[list[Any]] = []
    for record in records:
        predicted = record.get("rows") or [{}]
        for row in predicted:
            rows.append([record["id"], *[row.get(name) if isinstance(row, dict) else None for name in schema.names]])
    return columns, rows


def one_table_paths(out: str | Path) -> tuple[Path, Path]:
    """The schema file and the prediction file of a one-table run writing ``out``.

    >>> [p.name for p in one_table_paths("runs/table.csv")]
    ['table.schema.json', 'table.pred.jsonl']
    """
    p = Path(out)
    return p.with_name(p.stem + ".schema.json"), p.with_name(p.stem + ".pred.jsonl")


def check_predictions(records: Iterable[dict[str, Any]], schema: Schema, source: str) -> list[dict[str, Any]]:
    """The records, after checking that each was made under ``schema`` (a rerun with another schema would mix
    columns)."""
    out = []
    for number, record in enumerate(records, start=1):
        made = (record.get("schema") or {}).get("schema_id")
        if made is not None and made != schema.schema_id and not record.get("error"):
            raise InputError(f"prediction {record.get('id')!r} was made under schema {made}, not {schema.schema_id}",
                             source=source, line=number,
                             hint="delete this prediction file (or choose another --out) to start over with the"
                                  " new schema")
        out.append(record)
    return out
