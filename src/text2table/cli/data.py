"""`convert` (public formats -> native gold JSONL) and `prepare` (gold -> SFT/RL training files)."""

from __future__ import annotations

import contextlib
import dataclasses
import time
from collections.abc import Iterator
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from text2table.errors import InputError
from text2table.core.jsonio import atomic_writer, dumps_line
from text2table.core.records import GoldRecord, read_gold
from text2table.cli.common import console, friendly_errors


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    TextColumn("{task.fields[rate]}"), console=console, transient=False)


def _count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for line in handle if line.strip())


def convert_cmd(
    inputs: list[Path] = typer.Argument(..., help="Input files of the format (e.g. a .text file, a CSV, a TSV;"
                                        " webnlg: XML files or folders; dart: the release JSON)."),
    fmt: str = typer.Option(..., "--format", "-f", help="text2table | e2e | rotowire | webnlg | dart |"
                                                                   " wikitabletext"),
    out: Path = typer.Option(..., "--out", "-o", help="Output gold JSONL (written atomically)."),
    on_error: str = typer.Option("raise", help="raise: stop at the first bad line; skip: keep going and report."),
    filter_name: str = typer.Option(None, "--filter", help="e2e: wu (default: the Text-to-Table paper's slot"
                                    " rules) or evidence (our evidence rule); wikitabletext, rotowire (released"
                                    " train/valid.json): wu (default); webnlg, dart: text (default: values as the"
                                    " sentence states them)."),
    no_filter: bool = typer.Option(False, "--no-filter", help="e2e, wikitabletext, rotowire: keep every slot or"
                                   " cell as released (the paper's preprocessing is on by default); webnlg, dart:"
                                   " the labels."),
) -> None:
    """Convert a public dataset's files to native gold JSONL (one record per document and table)."""
    from text2table.data.formats import convert

    with friendly_errors():
        if on_error not in ("raise", "skip"):
            raise typer.BadParameter("--on-error must be 'raise' or 'skip'")
        start = time.perf_counter()
        if no_filter and filter_name:
            raise typer.BadParameter("give --filter or --no-filter, not both")
        options = {"filter": "none"} if no_filter else {"filter": filter_name} if filter_name else None
        records, report = convert(fmt, list(inputs), on_error=on_error, options=options)
        count = 0
        with atomic_writer(out) as handle:
            for record in records:
                handle.write(dumps_line(record.to_dict()))
                count += 1
        seconds = time.perf_counter() - start
        console.print(f"wrote {count} records to {out} in {seconds:.2f} s")
        for file, line, reason in report.skipped[:20]:
            console.print(f"[yellow]skipped[/] {file}:{line}: {reason}", highlight=False)
        if len(report.skipped) > 20:
            console.print(f"[yellow]... and {len(report.skipped) - 20} more skipped lines[/]")
        for line in getattr(report, "notes", []) or []:
            console.print(line, highlight=False)


def prepare_cmd(
    gold: list[Path] = typer.Argument(..., help="Gold JSONL file(s) in the native format (concatenated in order)."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder for pi1/pi2 SFT and RL files."),
    chars_per_token: float = typer.Option(4.0, help="Characters per token for the length estimates in stats."),
    schemas_from: Path = typer.Option(None, "--schemas-from", help="pipeline-pi2: pi1 predictions (pred.jsonl);"
                                      " pi2 examples use each record's predicted schema with the gold table mapped"
                                      " onto it (unmatched predicted fields are null)."),
    oversample: list[str] = typer.Option([], help="PATH=N: repeat that input's records N times (mixture weight)."),
    only: list[str] = typer.Option([], help="PATH=STAGE: that input gives only pi1 or only pi2 examples"
                                            " (a per-stage mixture weight)."),
    item_lists: bool = typer.Option(False, "--item-lists", help="Also a pi2 example per item of a list whose"
                                    " items are the gold rows (as extract reads such lists)."),
    pi1_form: str = typer.Option("full", "--pi1-form", help="pi1 target: full (every field's type and required)"
                                 " or compact (defaults left out: {\"fields\":[\"name\",...]})."),
    pi2_form: str = typer.Option("full", "--pi2-form", help="pi2 target: full (every key of every row, null where"
                                 " the text gives no value) or sparse (only the keys with a value; an adapter"
                                 " trained on it answers so in extract, from its card)."),
    schema: list[str] = typer.Option([], "--schema", help="HINT=PATH: pi2 examples of records with that"
                                     " metadata.table_hint use this schema JSON (as extract --schema), the gold"
                                     " table mapped onto it by field name (repeatable; no pi1 examples for them)."),
    row_passages: int = typer.Option(0, "--row-passages", min=0, help="pi2 examples per passage of at most N"
                                     " characters for prose tables with a row per entity, as extract"
                                     " --row-chunk-chars N reads them (0: whole documents)."),
    row_passages_hint: list[str] = typer.Option([], "--row-passages-hint", help="HINT=N: records with that"
                                                " metadata.table_hint are cut at N characters instead (0: whole"
                                                " documents; repeatable); the adapter's card says so to extract."),
    max_empty_passages: float = typer.Option(1.0, "--max-empty-passages", min=0.0, max=1.0, help="Keep passages"
                                             " without a gold row up to this share of a document's passages"
                                             " (1: all)."),
    passage_facts_only: bool = typer.Option(False, "--passage-facts-only", help="A passage's pi2 target leaves"
                                            " out the rows it names but states none of the cells of (their facts"
                                            " are in other passages)."),
    multi_row_passages: int = typer.Option(1, "--multi-row-passages", min=1, help="Write each passage whose pi2"
                                           " target has two or more rows N times (a mixture weight; 1: once)."),
    passage_family_names: bool = typer.Option(False, "--passage-family-names", help="A passage that names an"
                                              " entity by its family name alone ('Harris' after 'Tobias Harris')"
                                              " keeps its row, headed as the passage writes it."),
) -> None:
    """Build pi1/pi2 SFT (jsonl, parquet) and RL (parquet) files from gold records, deterministically."""
    from text2table.data.prepare import STAGES, PrepareConfig, prepare

    with friendly_errors():
        weights = _parse_oversample(oversample)
        only_stage = _parse_only(only)
        for flag, named in (("--oversample", weights), ("--only", only_stage)):
            unknown = set(named) - {str(Path(g)) for g in gold}
            if unknown:
                raise InputError(f"{flag} names {sorted(unknown)}, which is not among the inputs",
                                 hint="use the same path spelling as the positional argument")
        total = sum(_count_lines(g) * weights.get(str(g), 1) for g in gold if g.exists())
        start = time.perf_counter()
        with _progress() as progress:
            task = progress.add_task("prepare", total=total, rate="")

            def tick(_record: object) -> None:
                done = progress.tasks[0].completed + 1
                rate = done / max(time.perf_counter() - start, 1e-9)
                progress.update(task, advance=1, rate=f"{rate:,.0f} records/s")

            schema_for = None
            if schemas_from is not None and schema:
                raise InputError("--schemas-from and --schema both give pi2's schemas", hint="pass one of them")
            if schemas_from is not None:
                from text2table.training.pipeline_rl import schemas_from as read_schemas

                schema_for = read_schemas(schemas_from)
            elif schema:
                from text2table.cli.hint_options import read_schemas
                from text2table.training.pipeline_rl import PredictedSchemas

                if any("=" not in item for item in schema):
                    raise InputError(f"--schema {', '.join(schema)}: prepare expected HINT=PATH each",
                                     hint="e.g. --schema player=schemas/player.json (records with that table_hint)")
                given = read_schemas(schema)
                schema_for = PredictedSchemas(given, by_hint=True)
            source: dict[str, str] = {}  # record id -> input path, filled as records are read

            def stages_for(record: GoldRecord) -> tuple[str, ...]:
                stage = only_stage.get(source[record.id])
                return (stage,) if stage else STAGES

            config = PrepareConfig(chars_per_token=chars_per_token, item_lists=item_lists, pi1_form=pi1_form,
                                   pi2_form=pi2_form,
                                   row_passages=row_passages, row_passages_by_hint=_parse_sizes(row_passages_hint),
                                   max_empty_share=max_empty_passages, passage_facts_only=passage_facts_only,
                                   multi_row_repeat=multi_row_passages, passage_family_names=passage_family_names)
            stats = prepare(_read_all(gold, weights, source), out, config=config,
                            on_record=tick, schema_for=schema_for,
                            stages_for=stages_for if only_stage else None)
        seconds = time.perf_counter() - start
        console.print(f"prepared {stats['records']} records in {seconds:.2f} s -> {out}")
        for stage, s in stats["stages"].items():
            console.print(f"  {stage}: {s['examples']} examples, est. tokens p50 {s['est_tokens']['p50']},"
                          f" p95 {s['est_tokens']['p95']}, max {s['est_tokens']['max']}")
        console.print(f"  structures: {stats['structures']}  rows per table: {stats['rows_per_table']}")
        if schema_for is not None:
            console.print(f"  given schemas ({schemas_from or ', '.join(schema)}): {schema_for.stats.to_dict()}")


def _parse_sizes(items: list[str]) -> dict[str, int]:
    """``--row-passages-hint HINT=N`` items -> {hint: N}."""
    sizes = {}
    for item in items:
        hint, _, size = item.partition("=")
        if not hint.strip() or not size.strip().isdigit():
            raise InputError(f"bad --row-passages-hint {item!r}",
                             hint="write HINT=N with N characters >= 0, e.g. team=0 (read team tables whole)")
        sizes[hint.strip()] = int(size)
    return sizes


def _parse_oversample(items: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for item in items:
        path, sep, times = item.rpartition("=")
        if not sep or not times.isdigit() or int(times) < 1:
            raise InputError(f"bad --oversample {item!r}", hint="write PATH=N with N >= 1, e.g. examples/data/train.jsonl=4")
        out[str(Path(path))] = int(times)
    return out


def _parse_only(items: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        path, sep, stage = item.rpartition("=")
        if not sep or stage not in ("pi1", "pi2"):
            raise InputError(f"bad --only {item!r}", hint="write PATH=pi1 or PATH=pi2, e.g. data/gold/e2e.jsonl=pi1")
        out[str(Path(path))] = stage
    return out


def _read_all(paths: list[Path], oversample: dict[str, int] | None = None,
              source: dict[str, str] | None = None) -> Iterator[GoldRecord]:
    """Records of several gold files in order; an id repeated across files is an error.

    ``oversample`` maps a path to N: its records are emitted N times, copies k >= 2 with ids ``<id>#k``
    (a mixture weight for small but important sets).
    """
    seen: set[str] = set()
    for path in paths:
        times = (oversample or {}).get(str(path), 1)
        for record in read_gold(path):
            if record.id in seen:
                raise InputError(f"id {record.id!r} also appears in an earlier input file", source=str(path),
                                 hint="give records unique ids across the files you combine")
            seen.add(record.id)
            copies = [record] + [dataclasses.replace(record, id=f"{record.id}#{k}") for k in range(2, times + 1)]
            for copy in copies:
                if source is not None:
                    source[copy.id] = str(Path(path))
                yield copy


def split_cmd(
    gold: Path = typer.Argument(..., help="Gold JSONL to split."),
    parts: str = typer.Option("train=0.8,heldout=0.2", help="NAME=FRACTION,... (fractions sum to 1)."),
    out_dir: Path = typer.Option(..., "--out-dir", "-o", help="Writes OUT_DIR/<prefix><name>.jsonl per part."),
    prefix: str = typer.Option("", help="File name prefix, e.g. 'e2e-dev-'."),
    group_key: str = typer.Option("group", help="metadata key that groups records (falls back to the id)."),
    seed: str = typer.Option("text2table", help="Seed of the deterministic assignment."),
) -> None:
    """Split gold records into parts by a hash of their group (no group straddles two parts)."""
    from text2table.data.splits import SplitSpec, split_records

    with friendly_errors():
        spec = SplitSpec.parse(parts, group_key=group_key, seed=seed)
        counts = {name: 0 for name, _ in spec.parts}
        with contextlib.ExitStack() as stack:
            handles = {name: stack.enter_context(atomic_writer(out_dir / f"{prefix}{name}.jsonl"))
                       for name, _ in spec.parts}
            for part, record in split_records(read_gold(gold), spec):
                handles[part].write(dumps_line(record.to_dict()))
                counts[part] += 1
        for name, n in counts.items():
            console.print(f"{out_dir / f'{prefix}{name}.jsonl'}: {n} records")


def register(app: typer.Typer) -> None:
    app.command("convert")(convert_cmd)
    app.command("split")(split_cmd)
    app.command("prepare")(prepare_cmd)
