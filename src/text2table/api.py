"""The Python API, mirroring the command line: :func:`extract`, :func:`induce_schema` and :class:`Pipeline`.

>>> import text2table
>>> result = text2table.extract("Invoice number: INV-7\\nTotal: 120 EUR", backend="rules")
>>> result.schema.names, result.rows
(['invoice_number', 'total'], [{'invoice_number': 'INV-7', 'total': '120 EUR'}])

Several documents give a list of results; ``one_table=True`` fills one schema, induced on a sample of them
(:func:`induce_schema`), for all, as ``extract --one-table`` does:

>>> docs = {"a": "Name: Ada\\nCity: Paris", "b": "Name: Bo\\nCity: Oslo\\nAge: 9"}
>>> results = text2table.extract(docs, backend="rules", one_table=True)
>>> [(r.id, r.rows) for r in results]
[('a', [{'name': 'Ada', 'city': 'Paris'}]), ('b', [{'name': 'Bo', 'city': 'Oslo'}])]
>>> results.columns, results.table_rows()
(['doc_id', 'name', 'city'], [['a', 'Ada', 'Paris'], ['b', 'Bo', 'Oslo']])

A :class:`Pipeline` keeps one loaded backend for many calls (a model loads once)::

    with text2table.Pipeline(backend="llamacpp") as pipe:
        schema = pipe.induce_schema(texts, sample=20)
        results = pipe.extract(texts, schema=schema)
        frame = results.to_pandas()          # needs pandas

Options are :class:`~text2table.pipeline.config.PipelineConfig` fields (``verify=False``, ``max_rows=50``...).
Importing this module loads no model library: backends are imported when a :class:`Pipeline` opens one.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from text2table.core.naming import dedupe_names, normalize_names
from text2table.core.records import default_metadata
from text2table.core.schema import Field, Schema
from text2table.errors import ConfigError, InputError, MissingDependencyError
from text2table.pipeline.config import PipelineConfig

SchemaLike = Schema | Mapping[str, Any] | Sequence[str] | str | Path | None
DEFAULT_BACKEND = "llamacpp"


def as_schema(schema: SchemaLike) -> Schema | None:
    """A :class:`Schema` from a schema, its JSON object, a JSON file path, or a list of column names (one
    record per document: ``kv_single``).

    >>> as_schema(["Invoice number", "Total"]).names
    ['invoice_number', 'total']
    """
    if schema is None or isinstance(schema, Schema):
        return schema
    if isinstance(schema, (str, Path)):
        from text2table.core.jsonio import read_text

        return Schema.from_dict(json.loads(read_text(schema)))
    if isinstance(schema, Mapping):
        return Schema.from_dict(dict(schema))
    names = list(schema)
    if not names or not all(isinstance(n, str) for n in names):
        raise ConfigError(f"schema must be a Schema, a schema dict, a JSON path or a list of names; got {schema!r:.80}")
    return Schema("kv_single", tuple(Field(name=n) for n in normalize_names(names)))


def _pandas() -> Any:
    try:
        import pandas
    except ImportError:
        raise MissingDependencyError("pandas", "pandas") from None
    return pandas


@dataclass
class Extraction:
    """One document's answer: its schema, rows (one dict per row, keys in schema order) and diagnostics."""

    id: str
    schema: Schema | None
    rows: list[dict[str, Any]]
    diagnostics: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def columns(self) -> list[str]:
        return self.schema.names if self.schema else []

    def to_record(self) -> dict[str, Any]:
        """The prediction line ``extract`` writes (``eval`` and ``view`` read it)."""
        record = {"id": self.id, "schema": self.schema.to_dict() if self.schema else None, "rows": self.rows,
                  "raw": self.raw, "diagnostics": self.diagnostics}
        return {**record, "error": self.error} if self.error else record

    def to_pandas(self) -> Any:
        """The rows as a pandas DataFrame (columns in schema order); needs pandas."""
        return _pandas().DataFrame(self.rows, columns=self.columns)


class Extractions(list[Extraction]):
    """The results of several documents; :meth:`to_pandas` makes one frame with a ``doc_id`` column."""

    def _names(self) -> list[str]:
        return list(dict.fromkeys(n for r in self for n in r.columns))

    @property
    def columns(self) -> list[str]:
        """``doc_id`` (``doc_id_2`` when a field already has that name), then every field in order of appearance."""
        return dedupe_names(["doc_id", *self._names()])

    def table_rows(self) -> list[list[Any]]:
        """One list per row (a document without rows gives one row of nulls), cells in :attr:`columns` order."""
        names = self._names()
        return [[r.id, *[row.get(n) for n in names]] for r in self for row in (r.rows or [{}])]

    def to_pandas(self) -> Any:
        return _pandas().DataFrame(self.table_rows(), columns=self.columns)


def _documents(texts: str | Sequence[str] | Mapping[str, str]) -> list[tuple[str, str]]:
    if isinstance(texts, str):
        return [("doc-1", texts)]
    if isinstance(texts, Mapping):
        pairs = [(str(k), v) for k, v in texts.items()]
    else:
        pairs = [(f"doc-{k}", v) for k, v in enumerate(texts, start=1)]
    for doc_id, text in pairs:
        if not isinstance(text, str):
            raise InputError(f"document {doc_id!r} is a {type(text).__name__}, not text",
                             hint="pass a string, a list of strings or a dict of id -> string")
    return pairs


def _config(options: dict[str, Any]) -> PipelineConfig:
    known = {f.name for f in dataclasses.fields(PipelineConfig)}
    unknown = sorted(set(options) - known)
    if unknown:
        raise ConfigError(f"unknown options {unknown}; pipeline options are {sorted(known)} (backend options go in"
                          " backend_options={...})")
    return PipelineConfig(**options)


@dataclass(frozen=True)
class _Doc:
    id: str
    document: str
    metadata: dict[str, Any]


class Pipeline:
    """A loaded backend plus pipeline settings, reused across calls; close it (or use ``with``) when done.

    ``adapter``, ``pi2_adapter`` and ``pi2_by_hint`` (``{table_hint: adapter}``) choose the adapters as
    ``extract --adapter``, ``--pi2-adapter PATH`` and ``--pi2-adapter HINT=PATH`` do."""

    def __init__(self, backend: str = DEFAULT_BACKEND, *, model: str | None = None, adapter: str | None = None,
                 backend_options: dict[str, Any] | None = None, batch_size: int | None = None,
                 pi2_adapter: str | None = None, pi2_by_hint: dict[str, str] | None = None,
                 **options: Any) -> None:
        from text2table.backends.choose import default_batch_size, open_backend

        self.config = _config(options)
        self.batch_size = batch_size or default_batch_size(backend)
        self.backend = open_backend(backend, model=model, adapter=adapter, options=backend_options,
                                    pi2_adapter=pi2_adapter, pi2_by_hint=pi2_by_hint)

    def __enter__(self) -> "Pipeline":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.backend.close()

    def _docs(self, texts: Any, metadata: dict[str, Any] | None) -> list[_Doc]:
        return [_Doc(i, t, default_metadata(metadata)) for i, t in _documents(texts)]

    def induce_schema(self, texts: Sequence[str] | Mapping[str, str], *, sample: int = 20,
                      min_support: float | None = None, metadata: dict[str, Any] | None = None) -> Schema:
        """One schema for all ``texts``: the pipeline on ``sample`` of them, their schemas merged
        (:mod:`text2table.pipeline.schema_merge`)."""
        from text2table.pipeline.corpus import induce_corpus_schema, schema_file
        from text2table.pipeline.schema_merge import MergeConfig

        merge = MergeConfig() if min_support is None else MergeConfig(min_support=min_support)
        merged, ids = induce_corpus_schema(self._docs(texts, metadata), self.backend, self.config, sample=sample,
                                           merge=merge, batch_size=self.batch_size)
        return Schema.from_dict(schema_file(merged, ids))  # raises, with the fix, when nothing merged

    def extract(self, texts: str | Sequence[str] | Mapping[str, str], schema: SchemaLike = None, *,
                one_table: bool = False, sample: int = 20,
                metadata: dict[str, Any] | None = None) -> Extraction | Extractions:
        """Schema and rows of each text (one text: one :class:`Extraction`; several: :class:`Extractions`).
        ``schema`` skips pi1; ``one_table`` induces one schema on ``sample`` texts and fills it for all."""
        from text2table.pipeline.run import run_many

        docs = self._docs(texts, metadata)
        given = as_schema(schema)
        if one_table and given is None:
            given = self.induce_schema({d.id: d.document for d in docs}, sample=sample, metadata=metadata)
        out = Extractions()
        for start in range(0, len(docs), self.batch_size):
            batch = docs[start:start + self.batch_size]
            results = run_many([d.document for d in batch], self.backend, self.config,
                               metadatas=[d.metadata for d in batch], schemas=given)
            out.extend(Extraction(d.id, r.schema, r.rows, r.diagnostics, r.error, r.raw)
                       for d, r in zip(batch, results))
        return out[0] if isinstance(texts, str) else out


def extract(texts: str | Sequence[str] | Mapping[str, str], schema: SchemaLike = None, *,
            backend: str = DEFAULT_BACKEND, model: str | None = None, adapter: str | None = None,
            backend_options: dict[str, Any] | None = None, one_table: bool = False, sample: int = 20,
            metadata: dict[str, Any] | None = None, **options: Any) -> Extraction | Extractions:
    """Extract a table from one text or several (a list, or a dict of id -> text) with a fresh
    :class:`Pipeline`; see :meth:`Pipeline.extract`."""
    with Pipeline(backend, model=model, adapter=adapter, backend_options=backend_options, **options) as pipe:
        return pipe.extract(texts, schema, one_table=one_table, sample=sample, metadata=metadata)


def induce_schema(texts: Sequence[str] | Mapping[str, str], *, sample: int = 20, backend: str = DEFAULT_BACKEND,
                  model: str | None = None, adapter: str | None = None, backend_options: dict[str, Any] | None = None,
                  min_support: float | None = None, **options: Any) -> Schema:
    """One schema for a corpus (see :meth:`Pipeline.induce_schema`).

    >>> induce_schema(["Name: Ada\\nCity: Paris", "Name: Bo\\nTown: Oslo"], backend="rules").names
    ['name']
    """
    with Pipeline(backend, model=model, adapter=adapter, backend_options=backend_options, **options) as pipe:
        return pipe.induce_schema(texts, sample=sample, min_support=min_support)


def iter_records(results: Iterable[Extraction]) -> Iterable[dict[str, Any]]:
    """Prediction lines of results (write them with :func:`text2table.core.jsonio.write_jsonl`; ``view`` reads
    them)."""
    return (r.to_record() for r in results)
