"""`view`: prediction JSONL (+ the documents) -> one self-contained HTML page of cells and their evidence.
Thin: the page is :func:`text2table.report.viewer.render_view`."""

from __future__ import annotations

from pathlib import Path

import typer

from text2table.cli.common import console, friendly_errors


def view_cmd(
    pred: Path = typer.Argument(..., help="Prediction JSONL written by `extract` (or `extract --one-table`)."),
    out: Path = typer.Option(..., "--out", "-o", help="The HTML page to write."),
    docs: Path | None = typer.Option(None, "--docs",
                                     help="The INPUT given to extract (text file, folder or gold .jsonl), for the "
                                          "document texts; without it, records must carry a 'document'."),
    limit: int | None = typer.Option(None, min=1, help="Only the first N predictions."),
) -> None:
    """Write an HTML page: each document's text with every cell's evidence highlighted beside its table."""
    from text2table.core.jsonio import atomic_writer, iter_jsonl
    from text2table.pipeline.inputs import read_inputs
    from text2table.report.viewer import render_view

    with friendly_errors():
        records = []
        for _, record in iter_jsonl(pred):
            if limit is not None and len(records) >= limit:
                break
            if isinstance(record, dict):
                records.append(record)
        documents = {d.id: d.document for d in read_inputs(docs)} if docs is not None else {}
        missing = sum(str(r.get("id")) not in documents and not r.get("document") for r in records)
        with atomic_writer(out) as handle:
            handle.write(render_view(records, documents, title=f"text2table: {pred.name}"))
        console.print(f"wrote {out}: {len(records)} documents"
                      + (f" ({missing} without their text: pass --docs INPUT)" if missing else ""), highlight=False)


def register(app: typer.Typer) -> None:
    """Add `view` to the app."""
    app.command("view")(view_cmd)
