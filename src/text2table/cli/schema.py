"""`schema induce`: one merged schema for a corpus, to review and pass back with ``--schema``.
Thin: the work is in :mod:`text2table.pipeline.corpus` (the step itself: :func:`text2table.cli.one_table.induce`)."""

from __future__ import annotations

from pathlib import Path

import typer

from text2table.cli.common import console, friendly_errors
from text2table.errors import InputError


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
    from text2table.cli.hint_options import read_options
    from text2table.cli.infer import _config
    from text2table.cli.one_table import induce
    from text2table.core.jsonio import write_json
    from text2table.backends.choose import default_batch_size, open_backend
    from text2table.pipeline.inputs import read_inputs

    with friendly_errors():
        inputs = read_inputs(input)
        if not inputs:
            raise InputError("no documents", source=str(input))
        engine = open_backend(backend, model=model, adapter=adapter, options=read_options(option))
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
