"""`extract` (documents -> pred.jsonl, resumable) and `demo` (the whole pipeline on the bundled sample, with eval).

Thin: input reading, resume and the run live in :mod:`text2table.pipeline.batch`, the pipeline in
:mod:`text2table.pipeline.run`; this module parses flags, shows progress and prints tables.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path
from typing import Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from text2table.errors import ConfigError, InputError
from text2table.cli.common import console, friendly_errors
from text2table.cli.hint_options import read_options, read_pi2_adapters, read_schemas

DEMO_LIMIT = 12
BATCH_HELP = "Documents per generate call (default: 1 for llamacpp, which decodes one prompt at a time, else 8)."
SAMPLE_TEST = Path("examples") / "data" / "test.jsonl"
MAX_LISTED = 20  # skipped documents and failed ids printed after a batch (all are in the prediction file)


def spread_by_kind(inputs: list[Any], limit: int) -> list[Any]:
    """Up to ``limit`` documents taken in turn from each kind (the id without a trailing ``-<number>``:
    ``invoice-003`` is an ``invoice``), so that a short demo shows every kind of document, in file order.

    >>> [d for d in spread_by_kind(["a-1", "a-2", "b-1", "c-7", "c-8"], 4)]
    ['a-1', 'b-1', 'c-7', 'a-2']
    """
    queues: dict[str, list[Any]] = {}
    for doc in inputs:
        doc_id = doc if isinstance(doc, str) else doc.id
        queues.setdefault(re.sub(r"-\d+$", "", doc_id), []).append(doc)
    chosen: list[Any] = []
    while len(chosen) < limit and any(queues.values()):
        for queue in queues.values():
            if queue and len(chosen) < limit:
                chosen.append(queue.pop(0))
    return chosen


def _config(constrain: bool, max_rows: int, max_new_tokens: int, chunk_chars: int = 6000, **extra: Any) -> Any:
    from text2table.pipeline.config import PipelineConfig

    overlap = min(400, chunk_chars // 10)
    return PipelineConfig(constrained=constrain, max_rows=max_rows, max_new_tokens_table=max_new_tokens,
                          chunk_chars=chunk_chars, overlap_chars=overlap, **extra)


def _run_with_progress(inputs: list[Any], backend: Any, out: Path, config: Any, schema: Any,
                       batch_size: int, label: str, retry_failed: bool = False) -> Any:
    from text2table.pipeline.batch import resume_output, run_batch

    done = resume_output(out, retry_failed=retry_failed)
    todo = sum(d.id not in done for d in inputs)
    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TextColumn("{task.fields[docs]} docs/s"), TextColumn("{task.fields[toks]} tok/s"),
                        TimeElapsedColumn(), console=console)
    began = time.perf_counter()
    state = {"docs": 0, "tokens": 0}
    with progress:
        task = progress.add_task(label, total=todo, docs="-", toks="-")

        def update(docs: int, tokens: int) -> None:
            state["docs"] += docs
            state["tokens"] += tokens
            seconds = max(time.perf_counter() - began, 1e-9)
            progress.update(task, advance=docs, docs=f"{state['docs'] / seconds:.3g}",
                            toks=f"{state['tokens'] / seconds:.3g}")

        summary = run_batch(inputs, backend, out, config=config, schema=schema, batch_size=batch_size,
                            on_progress=update, retry_failed=retry_failed)
    rate = summary.written / summary.seconds if summary.seconds else 0.0
    tok_rate = summary.completion_tokens / summary.seconds if summary.seconds else 0.0
    for problem in summary.problems[:MAX_LISTED]:
        console.print(Text(f"skipped {problem}", style="yellow"))
    console.print(f"wrote {summary.written} predictions to {out} ({summary.skipped} already there, "
                  f"{summary.empty} empty, {summary.rejected} skipped as unreadable, {summary.failed} failed) "
                  f"in {summary.seconds:.1f} s: {rate:.3g} docs/s, {tok_rate:.3g} tok/s",
                  highlight=False)
    return summary


def extract_cmd(
    input: Path = typer.Argument(..., help="A text file, a folder of .txt/.md files, or a gold-format .jsonl."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Prediction JSONL; an existing file is resumed."),
    backend: str = typer.Option("llamacpp", help="rules | llamacpp | transformers | openai"),
    model: str | None = typer.Option(None, help="Model path (GGUF or HF folder) or server model name."),
    adapter: str | None = typer.Option(None, help="LoRA adapter path; 'none' for the base model."),
    pi2_adapter: list[str] = typer.Option([], "--pi2-adapter", metavar="[HINT=]PATH",
                                          help="pi2's own LoRA adapter ('none': the base model; 'box-score': the"
                                               " shipped one for game summaries under a given schema); --adapter"
                                               " then serves pi1 only. Default: --adapter's for both stages (with "
                                               "neither given, a shipped pi2 adapter if there is one). Or HINT=PATH"
                                               " (repeatable): pi2's adapter for documents with that"
                                               " metadata.table_hint; the others get the one above."),
    schema_file: list[str] = typer.Option([], "--schema", metavar="[HINT=]PATH",
                                          help="A schema JSON for every document (skips pi1), or HINT=PATH"
                                               " (repeatable): the schema of documents with that"
                                               " metadata.table_hint; the others get pi1's."),
    limit: int | None = typer.Option(None, min=1, help="Only the first N documents of INPUT."),
    batch_size: int | None = typer.Option(None, min=1, help=BATCH_HELP),
    constrain: bool = typer.Option(True, "--constrain/--no-constrain", help="Schema-constrained decoding."),
    verify: bool = typer.Option(True, "--verify/--no-verify",
                                help="Run the check chain on the rows (diagnostics.evidence, diagnostics.check_actions)."),
    parse_tables: bool = typer.Option(True, "--parse-tables/--no-parse-tables",
                                      help="Answer a document that holds a grid table (pipe, CSV, aligned columns) "
                                           "by parsing it, without the model (diagnostics.parsed_table)."),
    item_lists: bool = typer.Option(True, "--item-lists/--no-item-lists",
                                    help="Read a list whose items are rows (bullets, numbers, semicolons, "
                                         "sentences of one pattern) one item per pi2 call, one row each "
                                         "(diagnostics.item_list)."),
    field_list_end_bias: float = typer.Option(-1.0, min=-10.0, max=10.0,
                                              help="pi1 logit shift of ending the field list (< 0: more fields)."),
    pi1_form: str = typer.Option("auto", "--pi1-form",
                                 help="pi1 answer form: auto (the form the adapter was trained on, from its "
                                      "text2table.json; full without one), full, or compact."),
    one_table: bool = typer.Option(False, "--one-table",
                                   help="One schema for all documents (induced on a sample, or --schema) and one "
                                        "table with a doc_id column: --out ends in .csv, .parquet or .jsonl."),
    schema_sample: int = typer.Option(20, min=1, help="--one-table: documents, spread over INPUT, pi1 reads."),
    ndjson: bool = typer.Option(False, "--ndjson", help="Print only the rows of one document to stdout."),
    max_rows: int = typer.Option(200, min=1, help="Row cap per document."),
    max_new_tokens: int = typer.Option(1024, min=1, help="pi2 token budget per call (longer tables continue)."),
    chunk_chars: int = typer.Option(6000, min=0, help="Split longer documents into chunks (0: never)."),
    row_chunk_chars: int = typer.Option(None, min=0, help="A table with a row per entity: pi2 reads"
                                                  " passages of at most this many characters and merges one"
                                                  " entity's rows (0: the whole chunk), for every table_hint;"
                                                  " default: the size pi2's adapter's card names for the"
                                                  " table's hint or for all (row_passages_by_hint,"
                                                  " row_passages), else 500."),
    option: list[str] = typer.Option([], "--option", "-O", help="Backend option KEY=VALUE (repeatable)."),
    on_error: str = typer.Option("skip", "--on-error",
                                 help="A bad document (empty, not UTF-8, not a JSON object, too large): skip = "
                                      "report it and go on (an empty one gets an empty table), fail = stop."),
    max_doc_mb: float = typer.Option(2.0, min=0.000001, help="Documents larger than this (MB) are skipped."),
    retry_failed: bool = typer.Option(False, "--retry-failed",
                                      help="Run again the documents whose line in --out holds an error."),
) -> None:
    """Extract a schema and a table from each document (pi1 -> pi2) into prediction JSONL.

    Exit status: 0 when every document was answered or skipped by rule, 1 when one failed unexpectedly."""
    from text2table.backends.choose import default_batch_size, open_backend
    from text2table.pipeline.batch import read_inputs
    from text2table.pipeline.inputs import InputPolicy
    from text2table.pipeline.run import run
    from text2table.core.table import dump_rows

    with friendly_errors():
        if out is None and not ndjson:
            raise ConfigError("give --out FILE (prediction JSONL) or --ndjson (rows of one document to stdout)")
        config = _config(constrain, max_rows, max_new_tokens, chunk_chars, verify=verify, parse_tables=parse_tables,
                         item_lists=item_lists, field_list_end_bias=field_list_end_bias, pi1_form=pi1_form,
                         row_chunk_chars=row_chunk_chars)
        schema = read_schemas(schema_file)
        if isinstance(schema, dict) and (ndjson or one_table):
            raise InputError("--schema HINT=PATH chooses a schema per document: it goes with --out",
                             hint="--ndjson and --one-table take one --schema PATH")
        policy = InputPolicy(on_error=on_error, max_doc_bytes=max(1, int(max_doc_mb * 1_000_000)))
        inputs = read_inputs(input, limit=limit, policy=policy)
        if ndjson and inputs and inputs[0].problem:
            raise InputError(inputs[0].problem)
        if ndjson and len(inputs) == 1 and inputs[0].is_empty:
            return  # an empty document has no rows; no model is loaded
        if ndjson and len(inputs) != 1:
            raise InputError(f"--ndjson prints one document, the input has {len(inputs)}", source=str(input),
                             hint="pass one text file, or --limit 1")
        pi2_plain, pi2_by_hint = read_pi2_adapters(pi2_adapter)
        engine = open_backend(backend, model=model, adapter=adapter, options=read_options(option),
                              pi2_adapter=pi2_plain, pi2_by_hint=pi2_by_hint)
        try:
            if ndjson:
                result = run(inputs[0].document, inputs[0].metadata, engine, config, schema=schema)
                if result.error:
                    console.print(f"[bold red]error:[/] {result.error}", highlight=False)
                    raise typer.Exit(code=1)
                names = result.schema.names if result.schema else []
                sys.stdout.write(dump_rows(result.rows, names))
            elif one_table and out is not None:
                from text2table.cli.one_table import one_table as write_one_table

                write_one_table(inputs, engine, out, config, schema, sample=schema_sample,
                                batch_size=batch_size or default_batch_size(backend), run=_run_with_progress)
            elif out is not None:
                summary = _run_with_progress(inputs, engine, out, config, schema,
                                             batch_size or default_batch_size(backend), "extract", retry_failed)
                if summary.failed:
                    shown = ", ".join(summary.failed_ids[:MAX_LISTED])
                    console.print(f"[bold red]failed:[/] {summary.failed} document(s) failed unexpectedly: "
                                  f"{shown}{' ...' if summary.failed > MAX_LISTED else ''} (their 'error' says why;"
                                  " rerun with --retry-failed to try them again)", highlight=False)
                    raise typer.Exit(code=1)
        finally:
            engine.close()


def _sample_path() -> Path:
    for base in (Path.cwd(), Path(__file__).resolve().parents[3]):
        if (base / SAMPLE_TEST).exists():
            return base / SAMPLE_TEST
    raise InputError("the bundled sample test split was not found", source=str(SAMPLE_TEST),
                     hint="run from the repository root, or generate it with `python scripts/make_sample.py`,"
                          " or pass --data")


def _show(record: dict[str, Any], document: str, limit_rows: int = 8) -> None:
    """One predicted table; document text and values are shown as plain text (never as rich markup)."""
    schema = record.get("schema") or {}
    names = [f["name"] for f in schema.get("fields", [])]
    parsed = (record.get("diagnostics") or {}).get("parsed_table")
    source = f"parsed from the document's {parsed['kind']} table" if parsed else "model"
    console.print(Text.assemble((record["id"], "bold"), f"  {schema.get('structure', 'no schema')}, "
                                f"{len(record['rows'])} rows, {source}: ",
                                (" ".join(document.split())[:120] + "...", "dim")))
    if not names:
        console.print(Text(f"no table {record.get('error') or ''}", style="yellow"))
        return
    table = Table()
    for name in names:
        table.add_column(name, overflow="fold", max_width=28)
    for row in record["rows"][:limit_rows]:
        table.add_row(*[Text("null", style="dim") if row.get(n) is None else Text(str(row[n])) for n in names])
    if len(record["rows"]) > limit_rows:
        table.caption = f"... {len(record['rows']) - limit_rows} more rows"
    console.print(table)


def _evaluate(gold: Path, pred: Path, out_dir: Path) -> dict[str, Any] | None:
    """Score ``pred`` against ``gold`` with the eval library and write ``metrics.json``; None if not installed."""
    try:
        from text2table.metrics.evaluate import evaluate_files
    except ImportError as exc:
        console.print(f"[yellow]eval skipped:[/] text2table.metrics.evaluate is not available ({exc})")
        return None
    from text2table.core.jsonio import write_json

    metrics, _ = evaluate_files(gold, pred)
    write_json(out_dir / "metrics.json", metrics)
    return metrics


def _metrics_table(metrics: dict[str, Any], title: str) -> Table:
    try:
        from text2table.metrics.evaluate import REQUIRED_KEYS as keys
    except ImportError:
        keys = tuple(metrics)
    table = Table(title=title, title_justify="left")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for key in keys:
        value = metrics.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            table.add_row(key, f"{value:.4f}" if isinstance(value, float) else str(value))
        elif value is None and key in metrics:
            table.add_row(key, "-")
    return table


def demo_cmd(
    limit: int = typer.Option(DEMO_LIMIT, min=1,
                              help="Documents to run, taken in turn from each kind (invoice-003: an invoice)."),
    backend: str = typer.Option("llamacpp", help="rules | llamacpp | transformers | openai"),
    model: str | None = typer.Option(None, help="Model path; default: the embedded SmolLM2-135M-Instruct."),
    adapter: str | None = typer.Option(None, help="LoRA adapter path; 'none' for the base model."),
    data: Path | None = typer.Option(None, help="Gold JSONL to run on (default: examples/data/test.jsonl)."),
    out_dir: Path = typer.Option(Path("runs/demo"), help="Where pred.jsonl, gold.jsonl and the eval report go."),
    show: int = typer.Option(3, min=0, help="Tables to print."),
    batch_size: int | None = typer.Option(None, min=1, help=BATCH_HELP),
    option: list[str] = typer.Option([], "--option", "-O", help="Backend option KEY=VALUE (repeatable)."),
) -> None:
    """Run the whole pipeline on the bundled sample, show a few tables and print the eval metrics."""
    from text2table.backends.choose import default_batch_size, open_backend
    from text2table.backends.staged import adapters_in_use
    from text2table.pipeline.batch import read_inputs
    from text2table.core.jsonio import iter_jsonl, write_jsonl
    from text2table.core.records import read_gold

    with friendly_errors():
        gold_path = data or _sample_path()
        inputs = spread_by_kind(read_inputs(gold_path), limit)
        out_dir.mkdir(parents=True, exist_ok=True)
        gold_subset, pred = out_dir / "gold.jsonl", out_dir / "pred.jsonl"
        wanted = {d.id for d in inputs}
        write_jsonl(gold_subset, (r.to_dict() for r in read_gold(gold_path) if r.id in wanted))
        pred.unlink(missing_ok=True)  # the demo always starts fresh
        engine = open_backend(backend, model=model, adapter=adapter, options=read_options(option))
        try:
            console.print(f"demo: {len(inputs)} documents from {gold_path}, backend {backend}", highlight=False)
            if used := adapters_in_use(engine.describe()):
                console.print(used, highlight=False)
            # row budgets sized for the sample (tables of up to 20 rows) so that a CPU run takes minutes;
            # pi1 keeps extract's default budget
            config = _config(True, 50, 384, max_continuations=1)
            _run_with_progress(inputs, engine, pred, config, None, batch_size or default_batch_size(backend), "demo")
        finally:
            engine.close()
        documents = {d.id: d.document for d in inputs}
        for _, record in list(iter_jsonl(pred))[:show]:
            _show(record, documents.get(record["id"], ""))
        metrics = _evaluate(gold_subset, pred, out_dir)
        if metrics is not None:
            console.print(_metrics_table(metrics, f"eval: {len(inputs)} documents, backend {backend}"))
            console.print(f"metrics: {out_dir / 'metrics.json'}; full report: text2table eval --gold {gold_subset}"
                          f" --pred {pred} --out {out_dir / 'eval'}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add `extract` and `demo` to the app."""
    app.command("extract")(extract_cmd)
    app.command("demo")(demo_cmd)
