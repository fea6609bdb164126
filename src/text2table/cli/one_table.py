"""The one-table flow behind ``extract --one-table``, and the induction step it shares with ``schema induce``.
Thin: the work is in :mod:`text2table.pipeline.corpus`."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from text2table.cli.common import console


def induce(inputs: list[Any], engine: Any, config: Any, sample: int, batch_size: int,
           min_support: float) -> dict[str, Any]:
    """The schema file of ``inputs`` (see :func:`text2table.pipeline.corpus.schema_file`), with a progress line."""
    from text2table.pipeline.corpus import induce_corpus_schema, schema_file
    from text2table.pipeline.schema_merge import MergeConfig

    console.print(f"inducing one schema from {min(sample, len(inputs))} of {len(inputs)} documents", highlight=False)
    merged, ids = induce_corpus_schema(inputs, engine, config, sample=sample, batch_size=batch_size,
                                       merge=MergeConfig(min_support=min_support))
    data = schema_file(merged, ids)
    kept = ", ".join(f"{n} ({merged.support[n]:.0%})" for n in merged.support)
    console.print(f"schema ({data['structure']}): {kept}; dropped below {min_support:.0%} support: "
                  f"{', '.join(merged.dropped) or 'none'}", highlight=False)
    return data


def one_table(inputs: list[Any], engine: Any, out: Path, config: Any, schema: Any, *, sample: int,
              batch_size: int, run: Callable[..., Any]) -> None:
    """``extract --one-table``: induce (or reuse, or take the given) schema, fill it for every document with
    ``run`` (extract's resumable batch runner), then write the table ``out`` (.csv, .parquet or .jsonl)."""
    from text2table.core.jsonio import iter_jsonl, read_text, write_json
    from text2table.core.schema import Schema
    from text2table.core.table_files import table_format, write_table
    from text2table.pipeline.corpus import check_predictions, corpus_table, one_table_paths
    from text2table.pipeline.schema_merge import DEFAULT_MIN_SUPPORT

    table_format(out)  # a wrong suffix fails before any model call
    schema_path, pred_path = one_table_paths(out)
    if schema is None and schema_path.exists():
        schema = Schema.from_dict(json.loads(read_text(schema_path)))
        console.print(f"resuming with the schema in {schema_path}", highlight=False)
    elif schema is None:
        data = induce(inputs, engine, config, sample, batch_size, DEFAULT_MIN_SUPPORT)
        write_json(schema_path, data)
        schema = Schema.from_dict(data)
        console.print(f"schema written to {schema_path} (edit it and pass it with --schema to change columns)",
                      highlight=False)
    else:
        write_json(schema_path, schema.to_dict())
    run(inputs, engine, pred_path, config, schema, batch_size, "one table")
    records = check_predictions((r for _, r in iter_jsonl(pred_path)), schema, str(pred_path))
    wanted = {d.id for d in inputs}
    columns, rows = corpus_table([r for r in records if r.get("id") in wanted], schema)
    fmt = write_table(out, columns, rows)
    console.print(f"wrote {len(rows)} rows x {len(columns)} columns to {out} ({fmt}); per-document predictions:"
                  f" {pred_path} (text2table view {pred_path} --docs INPUT --out view.html)", highlight=False)
