"""CLI: ``text2table verify``, a table checked against its source document by the same check chain ``extract`` runs.

The checked rows go to stdout as NDJSON; each nulled or corrected cell, with its check and reason, goes to
stderr, and with ``--explain`` so does each kept cell with its evidence span and the text there.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from text2table.cli.common import friendly_errors


def register(app: typer.Typer) -> None:
    """Add ``verify`` to the app."""
    app.command("verify")(verify_command)


def _read_inputs(document: Path, schema_file: Path, rows_file: Path) -> tuple[str, Any, list[dict[str, Any]]]:
    from text2table.core.jsonio import read_text
    from text2table.core.schema import Schema
    from text2table.core.table import parse_ndjson_strict
    from text2table.errors import InputError, ParseError, SchemaError

    text = read_text(document)
    try:
        schema = Schema.from_dict(json.loads(read_text(schema_file)))
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON at line {exc.lineno}: {exc.msg}", source=str(schema_file),
                         hint="--schema takes a schema JSON object {\"structure\": ..., \"fields\": [...]}") from None
    except SchemaError as exc:
        raise InputError(str(exc), source=str(schema_file)) from None
    try:
        rows = parse_ndjson_strict(read_text(rows_file), schema.names)
    except ParseError as exc:
        raise InputError(str(exc), source=str(rows_file),
                         hint="one JSON object per line whose keys are exactly the schema's field names") from None
    return text, schema, rows


def explain_lines(document: str, checked: Any, explain: bool) -> list[str]:
    """One line per nulled or corrected cell and, with ``explain``, per kept cell with its span."""
    lines = []
    for a in checked.actions:
        row = "removed row" if a["row"] is None else f"row {a['row']}"
        change = "nulled" if a["action"] == "nulled" else f"corrected to {json.dumps(a['new'], ensure_ascii=False)}"
        lines.append(f"{row}, {a['field']}: {json.dumps(a['old'], ensure_ascii=False)} {change} by {a['check']}: "
                     f"{a['reason']}")
    if explain:
        for i, (row, spans) in enumerate(zip(checked.rows, checked.evidence)):
            for name, span in spans.items():
                if span is not None:
                    shown = json.dumps(document[span[0]:span[1]], ensure_ascii=False)
                    lines.append(f"row {i}, {name}: {json.dumps(row[name], ensure_ascii=False)} kept, "
                                 f"span [{span[0]}, {span[1]}) {shown}")
    return lines


def verify_command(
    document: Path = typer.Option(..., "--document", help="The source document (UTF-8 text)."),
    schema_file: Path = typer.Option(..., "--schema", help="The table's schema JSON {\"structure\", \"fields\"}."),
    rows_file: Path = typer.Option(..., "--rows", help="The table's rows, NDJSON with the schema's keys."),
    language: str = typer.Option("", "--language",
                                 help="The document's language (en, fr, de, es; another code: only the "
                                      "language-neutral checks). Default: en."),
    explain: bool = typer.Option(False, "--explain", help="Also list each kept cell with its span (stderr)."),
    induced: bool = typer.Option(False, "--induced",
                                 help="The schema was induced (pi1), not given: columns left empty are dropped."),
) -> None:
    """Check a table against its source: the checked rows as NDJSON on stdout, what changed and why on stderr."""
    with friendly_errors():
        from text2table.checks.verify import verify_rows
        from text2table.core.table import dump_rows

        text, schema, rows = _read_inputs(document, schema_file, rows_file)
        metadata = {"language": language} if language else None
        checked = verify_rows(text, schema, rows, metadata=metadata, schema_given=not induced)
        typer.echo(dump_rows(checked.rows, checked.schema.names), nl=False)
        for line in explain_lines(text, checked, explain):
            typer.echo(line, err=True)
        if checked.dropped_columns:
            typer.echo(f"dropped columns: {', '.join(checked.dropped_columns)}", err=True)
        if checked.dropped_rows:
            typer.echo(f"dropped rows: {checked.dropped_rows}", err=True)
