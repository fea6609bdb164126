"""Seconds per long many-entity report (Rotowire-class game summaries) under pipeline settings, in one run.

    python bench/bench_long_reports.py [--gold data/gold/nba/valid.jsonl] [--games 12] [--chunk 3]
                                       [--settings "default;max_new_tokens_table=1024"]
                                       [--adapter runs/roto2/ship/adapter.gguf] [--pi2-adapter A.gguf]
                                       [--schema player=examples/schemas/rotowire-player.json ...]
                                       [--work runs/bench-long-reports]

Each summary yields a player and a team table (``metadata.table_hint``). Every ``--settings`` entry (``;``
between entries) is one row: the pipeline's defaults (``default``) or with ``PipelineConfig`` fields changed
(``name=value,name=value``), e.g. ``max_new_tokens_table=1024`` (pi2's token budget per call; a longer table
continues in another call, which drops the row the budget cut) or ``field_list_end_bias=0`` (no nudge
towards longer pi1 field lists, so no second pi1 call when the nudge ran into the budget). A ``backend.NAME=VALUE``
part is a llama.cpp backend option instead (as ``extract -O NAME=VALUE``), e.g. ``backend.parallel=4`` (the
prompts of one call, such as a table's passages, decoded side by side); each set of backend options gets its own
backend on the same model and adapters. A ``pi2_adapter=PATH`` part gives that row another pi2 adapter (its own
backend), e.g. ``pi2_adapter=runs/box-pi2j/ship/adapter.gguf`` beside ``default`` to time two adapters, such as a
full-form and a sparse-form one, on the same games. Games are the
``--games`` spread evenly over the file (as ``bench/quality.py --limit`` picks them) and are run in chunks of
``--chunk``, every setting on a chunk before the next chunk, so that a change of load on the machine hits all
rows alike. Threads are left to the backend (the cores the load leaves free).

``--schema HINT=PATH`` (repeatable) gives the tables of that ``metadata.table_hint`` a fixed schema, as
``extract --schema`` does: pi1 is skipped for them and pi2 fills that schema.

Columns: wall seconds per summary, model seconds per summary (pi1 and pi2 of both tables), pi2 calls per
table, pi1 calls per table, tokens written per summary, rows per table, and then ``bench/quality``'s Rotowire
columns for the same predictions after the default checks (exact cell F1 with its 95% interval, row and
column header F1, rows missing and duplicated). The first row is the baseline of the ratio column.
Predictions are kept under ``--work`` (one file per setting; a second run resumes them, so delete the folder
to time again).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from quality import config_changes, verified  # noqa: E402
from quality_rotowire import HEADER, rotowire_lines, subset_games  # noqa: E402
from text2table.backends.choose import open_backend  # noqa: E402
from text2table.cli.hint_options import read_schemas  # noqa: E402
from text2table.pipeline.batch import read_inputs, run_batch  # noqa: E402
from text2table.pipeline.config import PipelineConfig  # noqa: E402

VALID = ROOT / "data" / "gold" / "nba" / "valid.jsonl"


def stats(pred: Path) -> dict[str, float]:
    """Sums over a prediction file: tables, pi1/pi2 calls, tokens written, rows."""
    out = {"tables": 0, "pi1_calls": 0, "pi2_calls": 0, "tokens_out": 0, "rows": 0}
    for line in pred.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        diag = record.get("diagnostics") or {}
        out["tables"] += 1
        out["pi1_calls"] += (diag.get("pi1") or {}).get("calls", 0)
        out["pi2_calls"] += (diag.get("pi2") or {}).get("calls", 0)
        out["tokens_out"] += (diag.get("tokens") or {}).get("out", 0)
        out["rows"] += len(record.get("rows") or [])
    return out


def _game(doc) -> str:  # type: ignore[no-untyped-def]
    """The summary a table belongs to (``metadata.group``, as ``quality_rotowire.subset_games`` groups them)."""
    return str((doc.metadata or {}).get("group") or doc.id)


def setting(text: str) -> PipelineConfig:
    """``default`` or ``name=value,...`` -> the benchmark's PipelineConfig (model answers only, checks after);
    ``backend.`` parts are left to :func:`backend_options`."""
    pipeline = ",".join(p for p in text.split(",") if p.strip() and not p.strip().startswith(("backend.",
                                                                                                "pi2_adapter=")))
    return PipelineConfig(verify=False, parse_tables=False, **config_changes(pipeline or "default"))


def backend_options(text: str) -> dict[str, object]:
    """The ``backend.NAME=VALUE`` parts of a setting -> ``{NAME: VALUE}``, values read as JSON where they parse.

    >>> backend_options("row_chunk_chars=500,backend.parallel=4,backend.model=m.gguf")
    {'parallel': 4, 'model': 'm.gguf'}
    """
    options = {}
    for part in (p.strip() for p in text.split(",")):
        if part.startswith("backend."):
            name, _, value = part[len("backend."):].partition("=")
            if not name or not value:
                raise SystemExit(f"setting {part!r}: write backend.NAME=VALUE, e.g. backend.parallel=4")
            try:
                options[name] = json.loads(value)
            except json.JSONDecodeError:
                options[name] = value
    return options


def pi2_adapter(text: str, default: str | None) -> str | None:
    """The ``pi2_adapter=PATH`` part of a setting, else ``default``.

    >>> pi2_adapter("row_chunk_chars=500,pi2_adapter=runs/a.gguf", None), pi2_adapter("default", "b.gguf")
    ('runs/a.gguf', 'b.gguf')
    """
    parts = [p.strip()[len("pi2_adapter="):] for p in text.split(",") if p.strip().startswith("pi2_adapter=")]
    return parts[-1] if parts else default


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gold", default=None, help=f"gold JSONL of game summaries (default {VALID.relative_to(ROOT)})")
    parser.add_argument("--games", type=int, default=12)
    parser.add_argument("--chunk", type=int, default=3, help="games per chunk; settings alternate per chunk")
    parser.add_argument("--settings", default="default;max_new_tokens_table=1024",
                        help="';'-separated PipelineConfig changes (name=value,...); the first is the baseline")
    parser.add_argument("--adapter", default=None,
                        help="llama.cpp LoRA (.gguf); default: the shipped adapters (pi1's and pi2's)")
    parser.add_argument("--pi2-adapter", default=None,
                        help="pi2's own llama.cpp LoRA (.gguf) or none; default: --adapter in both stages when it is"
                             " given, else the shipped pi2 adapter")
    parser.add_argument("--schema", action="append", default=[], metavar="HINT=PATH",
                        help="a fixed schema for the tables of one table_hint (pi1 skipped for them); repeatable")
    parser.add_argument("--work", default=str(ROOT / "runs" / "bench-long-reports"))
    args = parser.parse_args()
    gold_path = Path(args.gold) if args.gold else VALID
    if not gold_path.exists():
        message = (f"{gold_path}: not found; build it with `make data/gold/nba/valid.jsonl`"
                   " (convert --format rotowire of nba_data, docs/rotowire.md)")
        if args.gold:
            raise SystemExit(message)
        print(f"skip bench_long_reports: {message}")  # `make bench` on a fresh clone
        return
    schemas = read_schemas(args.schema)
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    gold = subset_games(gold_path, args.games, work / "gold.jsonl")
    inputs = read_inputs(gold)
    groups = list(dict.fromkeys(_game(doc) for doc in inputs))
    names = [s.strip() for s in args.settings.split(";") if s.strip()]
    configs = {n: setting(n) for n in names}
    preds = {n: work / f"{n.replace('=', '-').replace(',', '_').replace('/', '_')}.pred.jsonl" for n in names}
    wall = {n: 0.0 for n in names}
    backends: dict[str, object] = {}  # one per set of backend options, opened on first use
    for start in range(0, len(groups), args.chunk):
        upto = set(groups[:start + args.chunk])
        part = [d for d in inputs if _game(d) in upto]
        for name in names:
            config = configs[name]
            pi2 = pi2_adapter(name, args.pi2_adapter)
            key = json.dumps([backend_options(name), pi2], sort_keys=True)
            if key not in backends:
                backends[key] = open_backend("llamacpp", adapter=args.adapter, pi2_adapter=pi2,
                                             options=backend_options(name))
            began = time.perf_counter()
            run_batch(part, backends[key], preds[name], config=config, schema=schemas)
            wall[name] += time.perf_counter() - began
        print(f"games {min(len(groups), start + args.chunk)}/{len(groups)}", file=sys.stderr, flush=True)
    for backend in backends.values():
        backend.close()  # type: ignore[attr-defined]
    games = len(groups)
    fixed = ", ".join(args.schema) or "none (pi1)"
    print(f"{games} summaries, {len(inputs)} tables, adapter {args.adapter or 'shipped'}, fixed schemas {fixed}\n")
    print("| setting | wall s/summary | vs first | pi1 calls/table | pi2 calls/table | tokens out/summary"
          " | rows/table |")
    print("|---|---|---|---|---|---|---|")
    base = wall[names[0]] / games
    for name in names:
        s = stats(preds[name])
        per = wall[name] / games
        print(f"| {name} | {per:.1f} | {per / base:.2f} | {s['pi1_calls'] / s['tables']:.2f} | "
              f"{s['pi2_calls'] / s['tables']:.2f} | {s['tokens_out'] / games:.0f} | {s['rows'] / s['tables']:.1f} |")
    print()
    print(HEADER)
    print("|---" * HEADER.count(" | ") + "|---|")
    for name in names:
        for line in rotowire_lines("rotowire", f"{name}, checked", gold, verified(preds[name], gold)):
            print(line)


if __name__ == "__main__":
    main()
