"""`schema induce` (one merged schema for a corpus, to review and pass back with ``--schema``) and the
one-table flow behind ``extract --one-table``. Thin: the work is in :mod:`text2table.pipeline.corpus`."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer

from text2table.cli.common import console, friendly_errors
from text2table.errors import InputError


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


def induce_cmd(
    input: Path = typer.Argument(..., help="A folder of .txt/.md files, a text file, or a gold-format .jsonl."),
    out: Path = typer.Option(..., "--out", "-o", help="Where the merged schema JSON goes."),
    sample: int = typer.Option(20, "--sample", min=1, help="Documents (spread over the input) pi1 reads."),
    min_support: float = typer.Option(0.2, min=0.0, max=1.0,
                                      help="Share of sampled documents that must have a field for it to be kept."),
    backend: str = typer.Option("llamacpp", help="rules | llamacpp | transformers | openai"),
    model: str | None = typer.Option(None, help="Model path (GGUF or HF folder) or server model name."),
    adapter: str | None = typer.Option(None, help="LoRA adapter path; 'none' for the base model."),
    batch_size: int | None = typer.Option(None, min=1, help="Documents per generate call."),
    option: list[str] = typer.Option([], "--option", "-O", help="Backend option KEY=VALUE (repeatable)."),
) -> None:
    """Induce one schema for a whole corpus (pi1 on a sample, fields merged by soft name matching)."""
    from text2table.cli.infer import _config, _options
    from text2table.core.jsonio import write_json
    from text2table.backends.choose import default_batch_size, open_backend
    from text2table.pipeline.inputs import read_inputs

    with friendly_errors():
        inputs = read_inputs(input)
        if not inputs:
            raise InputError("no documents", source=str(input))
        engine = open_backend(backend, model=model, adapter=adapter, options=_options(option))
        try:
            data = induce(inputs, engine, _config(True, 200, 512), sample,
                          batch_size or default_batch_size(backend), min_support)
        finally:
            engine.close()
        write_json(out, data)
        console.print(f"wrote {out}; use it with: text2table extract {input} --schema {out} --one-table "
                      f"--out table.csv", highlight=False)


def register(app: typer.Typer) -> None:
    """Add the `schema` group (`schema induce`) to the app."""
    group = typer.Typer(no_args_is_help=True, help="Schemas for a whole corpus.")
    group.command("induce")(induce_cmd)
    app.add_typer(group, name="schema")
