"""CLI: ``text2table eval`` (gold + predictions -> metrics and report) and ``text2table sanity`` (structural rates)."""

from __future__ import annotations

from pathlib import Path

import typer

from text2table.cli.common import console, friendly_errors


def register(app: typer.Typer) -> None:
    """Add ``eval`` and ``sanity`` to the app."""
    app.command("eval")(eval_command)
    app.command("sanity")(sanity_command)


def eval_command(
    gold: Path = typer.Option(..., "--gold", help="Gold records (native JSONL)."),
    pred: Path = typer.Option(..., "--pred", help="Predictions, one object per document, as `extract` writes."),
    out: Path = typer.Option(..., "--out", help="Report folder: metrics.json, per_document.jsonl, report.md/.html."),
    lowercase: bool = typer.Option(False, "--lowercase", help="Compare cell values case-insensitively."),
    soft_threshold: float = typer.Option(0.5, "--soft-threshold", help="Minimum name similarity of a soft field match."),
    chrf: str = typer.Option("chrf", "--chrf", help="'chrf' (fast, equal to sacrebleu) or 'chrf_sacrebleu'."),
    worst: int = typer.Option(5, "--worst", min=0, help="How many worst documents the report shows."),
) -> None:
    """Score predictions against gold tables and write the evaluation report."""
    with friendly_errors():
        from text2table.metrics.document import EvalSettings
        from text2table.metrics.evaluate import evaluate_files
        from text2table.report.summary import fmt
        from text2table.report.write import write_report

        settings = EvalSettings(lowercase=lowercase, soft_threshold=soft_threshold, chrf=chrf)
        metrics, docs = evaluate_files(gold, pred, settings)
        paths = write_report(out, metrics, docs, worst=worst)
        shown = ("wu.exact.row_header_f1", "wu.exact.col_header_f1", "wu.exact.cell_f1", "wu.chrf.cell_f1",
                 "aligned_cell_f1", "schema_f1", "soft_schema_f1", "json_valid_rate", "key_order_pass_rate",
                 "type_check_pass_rate", "grounding_rate")
        typer.echo(f"documents: {metrics['n_documents']} (missing predictions: {metrics['n_missing']})")
        for key in shown:
            typer.echo(f"{key:28s} {fmt(metrics[key])}")
        if metrics.get("signature"):
            typer.echo(f"predictions: {metrics['signature']}")
        console.print(f"report: {paths['html']}", highlight=False)


def sanity_command(
    pred: Path = typer.Option(..., "--pred", help="Predictions (pred.jsonl); raw pi2 text is read when present."),
    gold: Path = typer.Option(None, "--gold", help="Gold records, for the schema of predictions without one."),
) -> None:
    """Print the structural rates: JSON validity, key order and type checks (raw model output too)."""
    with friendly_errors():
        from text2table.metrics.document import structural_counts
        from text2table.metrics.evaluate import read_predictions
        from text2table.metrics.structural import StructuralCounts
        from text2table.core.records import gold_schema, read_gold

        predictions = read_predictions(pred)
        schemas = {r.id: gold_schema(r) for r in read_gold(gold)} if gold is not None else {}
        total = StructuralCounts()
        without_schema = 0
        for pid, p in predictions.items():
            schema = p.schema or schemas.get(pid)
            without_schema += schema is None
            total = total + structural_counts(p, schema)
        typer.echo(f"predictions: {len(predictions)}, output lines: {total.lines}")
        for key, value in total.rates().items():
            typer.echo(f"{key:22s} {100 * value:.1f}")
        if without_schema:
            console.print(f"{without_schema} predictions have no schema: key order and types were not checked for"
                          " them (give --gold)", highlight=False)
