"""bench/quality: one table of extraction quality on held-back dev parts, for every system we ship.

Rows: the ``rules`` baseline, the base model zero-shot (constrained), the trained adapter (constrained and
unconstrained), all with the pipeline's default evidence check (``verify``: cells the document does not
support are nulled), and the trained constrained row once more without it (same decode, scored raw). Every
model row measures the model: it is decoded with ``parse_tables`` off. The last trained row, ``default``, is
what ``extract`` returns out of the box: documents that hold a grid table are answered by the pipeline's
table parser (``explicit_tables.py``, no model), the others by the verified trained constrained decode;
its docs/s counts the model's seconds on the documents it ran on.
datasets: the held-back part of E2E dev and of WikiTableText dev (made with ``text2table split ...
--parts train=0.8,heldout=0.2``; never trained on), the bundled sample's dev split, and with ``--rotowire``
Rotowire-class game summaries (a team and a player table each; their own table, from
``quality_rotowire.py``, with rows missing and duplicated and seconds per summary; ``--limit`` counts games).
Columns: the number of documents; Text-to-Table non-header cell precision, recall and F1 (exact ``E``) with
the F1's 95% bootstrap interval over documents (:mod:`text2table.metrics.bootstrap`, 1000 resamples, seed
0); row-header F1 (``E``), row-header and cell F1 (``chrf``), aligned cell F1, schema F1, JSON validity,
grounding rate, documents/s. The published numbers of the Text-to-Table paper's best model sit beside them.
By default every document of each held-back part is scored (``make heldout`` builds them with the paper's
preprocessing); ``--limit N`` takes N documents spread evenly over a part, for a quick look. Predictions
are cached (resumable) under ``--work``; rerunning only scores. The run time is printed under the table.

    python bench/quality.py --e2e data/gold/e2e-dev-heldout.jsonl --wtt data/gold/wtt-dev-heldout.jsonl --limit 20
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from text2table.backends.choose import open_backend
from text2table.cli.hint_options import read_options, read_pi2_adapters, read_schemas
from text2table.pipeline.batch import read_inputs, run_batch
from text2table.core.jsonio import write_jsonl
from text2table.metrics.bootstrap import bootstrap_ci
from text2table.metrics.evaluate import evaluate_files
from text2table.layout.explicit_tables import find_explicit_table
from text2table.pipeline.config import PipelineConfig
from text2table.pipeline.run import run_many
from text2table.core.records import read_gold
from text2table.checks.config import CheckConfig
from text2table.checks.verify import verify_record

from quality_rotowire import HEADER as ROTOWIRE_HEADER, rotowire_lines, subset_games

ROOT = Path(__file__).resolve().parents[1]
SYSTEMS = {  # name -> (backend, adapter, constrained)
    "rules": ("rules", None, True),
    "base (constrained)": ("llamacpp", "none", True),
    "trained (constrained)": ("llamacpp", None, True),
    "trained (unconstrained)": ("llamacpp", None, False),
}
UNVERIFIED = {"trained (constrained)"}  # also shown without the pipeline's evidence check (--no-verify)
DEFAULT = "trained (constrained)"  # the decode behind the "default" row (grid tables parsed, the rest this)
CELL = [("E cell P", "wu.exact.cell_precision"), ("E cell R", "wu.exact.cell_recall")]  #: then F1 [95% CI]
COLUMNS = [("E row F1", "wu.exact.row_header_f1"),
           ("chrf row F1", "wu.chrf.row_header_f1"), ("chrf cell F1", "wu.chrf.cell_f1"),
           ("aligned F1", "aligned_cell_f1"), ("schema F1", "schema_f1"), ("JSON valid", "json_valid_rate"),
           ("grounded", "grounding_rate")]
PUBLISHED = {  # Wu et al. 2022, best model, test split (ours: held-back dev parts, not comparable 1:1)
    "e2e": {"wu.exact.row_header_f1": 99.64, "wu.exact.cell_f1": 97.90, "wu.chrf.cell_f1": 98.03},
    "wikitabletext": {"wu.exact.row_header_f1": 78.54, "wu.exact.cell_f1": 59.94, "wu.chrf.cell_f1": 69.63},
}


def config_changes(text: str) -> dict[str, object]:
    """``name=value,...`` (PipelineConfig fields) -> keyword arguments; ``""`` or ``default`` -> none."""
    changes: dict[str, object] = {}
    for part in ([] if text in ("", "default") else text.split(",")):
        name, _, value = (x.strip() for x in part.partition("="))
        if name not in PipelineConfig.__dataclass_fields__ or not value:
            raise SystemExit(f"setting {part!r}: write name=value with a PipelineConfig field, e.g."
                             " row_chunk_chars=500")
        current = getattr(PipelineConfig(), name)
        if isinstance(current, bool):
            changes[name] = value.lower() in ("1", "true", "yes")
        else:
            changes[name] = type(current)(value) if current is not None else int(value)
    return changes


def system_id(system: str) -> str:
    """The short name of a system (``--systems`` and the prediction file): rules, base, trained, trained-free."""
    return system.split(" ")[0] + ("" if SYSTEMS[system][2] else "-free")


def _subset(path: Path, limit: int, out: Path) -> Path:
    """Every k-th record (spread over the file, so many E2E meaning representations are covered)."""
    records = list(read_gold(path))
    step = max(1, len(records) // limit) if limit else 1
    chosen = records[::step][:limit] if limit else records
    write_jsonl(out, (r.to_dict() for r in chosen))
    return out


def verified(pred: Path, gold: Path, *, config: CheckConfig | None = None, out: Path | None = None) -> Path:
    """The predictions as the pipeline's checks return them (``config``: which checks; default the pipeline's),
    written to ``out`` (default ``<name>.verified.pred.jsonl`` beside ``pred``)."""
    records = {r.id: r for r in read_gold(gold)}
    out = out or pred.with_name(pred.name.replace(".pred.jsonl", ".verified.pred.jsonl"))
    lines = []
    for line in pred.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        gold_record = records.get(record.get("id"))
        if gold_record is not None:
            missing = gold_record.metadata.get("missing_value_tokens", ())
            record = verify_record(record, gold_record.document, metadata=gold_record.metadata, missing=missing,
                                   config=config)
        lines.append(record)
    write_jsonl(out, lines)
    return out


def _with_parsed_tables(verified: Path, gold: Path) -> tuple[Path, float]:
    """The pipeline's default answers: grid-table documents parsed (no model), the others as decoded.

    Returns the prediction file and the share of the decode's model seconds spent on the documents it keeps
    (parsed documents cost none).
    """
    records = {r.id: r for r in read_gold(gold)}
    out = verified.with_name(verified.name.replace(".verified.pred.jsonl", ".default.pred.jsonl"))
    lines, kept, total = [], 0.0, 0.0
    rules = open_backend("rules")  # never asked: every document given to run_many below holds a table
    for line in verified.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        spent = float((record.get("diagnostics") or {}).get("seconds") or 0.0)
        total += spent
        doc = records.get(record.get("id"))
        if doc is not None and find_explicit_table(doc.document, doc.metadata) is not None:
            result = run_many([doc.document], rules, PipelineConfig(), metadatas=[doc.metadata])[0]
            assert "parsed_table" in result.diagnostics, record["id"]
            record = result.to_record(doc.id)
        else:
            kept += spent
        lines.append(record)
    write_jsonl(out, lines)
    return out, kept / total if total else 1.0


def _pct(value: object) -> str:
    if not isinstance(value, (int, float)):
        return "-"
    return f"{100 * value:.2f}" if value <= 1.0 else f"{value:.2f}"


def cell_f1_ci(docs: list[dict]) -> str:
    """``F1 [low, high]`` (percent) of the per-document exact cell F1 over the documents that have gold cells."""
    scores = [d["wu"]["exact"]["cell"][2] for d in docs if d["wu"]["exact"] and d["wu"]["exact"]["cell"]]
    if not scores:
        return "-"
    ci = bootstrap_ci(scores)
    return f"{100 * ci.mean:.2f} [{100 * ci.low:.2f}, {100 * ci.high:.2f}]"


def run(args: argparse.Namespace) -> list[str]:
    work = Path(args.work)
    datasets = {} if args.no_sample else {"sample": Path(args.sample)}
    if args.e2e:
        datasets = {"e2e": Path(args.e2e), "wikitabletext": Path(args.wtt) if args.wtt else None, **datasets}
    elif args.wtt:
        datasets = {"wikitabletext": Path(args.wtt), **datasets}
    if args.rotowire:
        datasets["rotowire"] = Path(args.rotowire)
    systems = [s for s in SYSTEMS if not args.systems or system_id(s) in args.systems.split(",")]
    lines = ["| dataset | system | n | " + " | ".join(c for c, _ in CELL) + " | E cell F1 [95% CI] | "
             + " | ".join(c for c, _ in COLUMNS) + " | docs/s |",
             "|---|---|---|" + "---|" * (len(CELL) + 1 + len(COLUMNS) + 1)]
    games = [ROTOWIRE_HEADER, "|---" * ROTOWIRE_HEADER.count(" | ") + "|---|"]
    for name, path in datasets.items():
        if path is None or not path.exists():
            print(f"skip {name}: {path} not found", file=sys.stderr)
            continue
        limit, out = (args.limit if name != "sample" else 0), work / f"{name}.gold.jsonl"
        gold = subset_games(path, limit, out) if name == "rotowire" else _subset(path, limit, out)
        inputs = read_inputs(gold)
        for system in systems:
            backend_name, adapter, constrained = SYSTEMS[system]
            pred = work / f"{name}.{system_id(system)}.pred.jsonl"
            timing = pred.with_suffix(".seconds.json")
            if not timing.exists():
                trained = adapter is None  # a trained row: the shipped adapter unless --adapter names another
                if trained and args.adapter:  # e.g. a checkpoint
                    adapter = args.adapter
                pi2_plain, pi2_by_hint = read_pi2_adapters(args.pi2_adapter if trained else [])
                backend = open_backend(backend_name, adapter=adapter, pi2_adapter=pi2_plain, pi2_by_hint=pi2_by_hint,
                                       options=read_options(args.option) if trained else None)
                # verified below, from the same run; the model answers every document (tables are not parsed)
                config = PipelineConfig(constrained=constrained, verify=False, parse_tables=False,
                                        **config_changes(args.config))
                start = time.perf_counter()
                summary = run_batch(inputs, backend, pred, config=config, batch_size=args.batch_size,
                                    schema=read_schemas(args.schema) if trained else None)
                seconds = time.perf_counter() - start
                backend.close()
                timing.write_text(json.dumps({"seconds": seconds, "written": summary.written}))
            spent = json.loads(timing.read_text())
            rate = spent["written"] / spent["seconds"] if spent["seconds"] else 0.0
            checked = verified(pred, gold)
            shown = [(system, checked, rate)]
            if system in UNVERIFIED:
                shown.append((f"{system[:-1]}, unverified)", pred, rate))
            if system == DEFAULT:
                default, share = _with_parsed_tables(checked, gold)
                seconds = spent["seconds"] * share
                shown.append(("trained (default: tables parsed)", default,
                              spent["written"] / seconds if seconds else float("inf")))
            for label, path, docs_per_s in shown:
                if name == "rotowire":
                    games.extend(rotowire_lines(name, label, gold, path))
                    print("\n".join(games[-2:]), flush=True)
                    continue
                metrics, docs = evaluate_files(gold, path)
                lines.append(f"| {name} | {label} | {metrics['n_documents']} | "
                             + " | ".join(_pct(metrics.get(key)) for _, key in CELL) + f" | {cell_f1_ci(docs)} | "
                             + " | ".join(_pct(metrics.get(key)) for _, key in COLUMNS) + f" | {docs_per_s:.2f} |")
                print(lines[-1], flush=True)
        if name in PUBLISHED:
            pub = PUBLISHED[name]
            lines.append(f"| {name} | Wu et al. 2022 (published, test) | - | - | - | {pub['wu.exact.cell_f1']:.2f} | "
                         + " | ".join(f"{pub[k]:.2f}" if k in pub else "-" for _, k in COLUMNS) + " | - |")
    return lines + (["", *games] if len(games) > 2 else [])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--e2e", help="held-back E2E dev part (gold JSONL)")
    parser.add_argument("--wtt", help="held-back WikiTableText dev part (gold JSONL)")
    parser.add_argument("--rotowire", help="held-back Rotowire-class summaries (gold JSONL, team and player records"
                        " grouped by metadata.group), e.g. data/gold/nba/valid.jsonl")
    parser.add_argument("--limit", type=int, default=0, help="documents per public dataset, spread evenly over the"
                        " part (default 0: every document of the held-back part)")
    parser.add_argument("--no-sample", action="store_true", help="leave out the bundled sample's dev split (to"
                        " run the data sets in two processes: one with it, one without)")
    parser.add_argument("--sample", default=str(ROOT / "examples" / "data" / "dev.jsonl"),
                        help="gold JSONL scored as the sample (default: the bundled dev split), e.g. more documents"
                             " from scripts/make_sample.py with a seed no training run used")
    parser.add_argument("--systems", default="", help="comma list of: rules,base,trained,trained-free (default: all)")
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--adapter", default=None,
                        help="llama.cpp LoRA (.gguf) for the trained rows (default: the shipped adapter);"
                             " use a fresh --work folder per adapter, predictions are cached by system name")
    parser.add_argument("--pi2-adapter", action="append", default=[], metavar="[HINT=]PATH",
                        help="pi2's own llama.cpp LoRA (.gguf) for the trained rows; --adapter (or the shipped one)"
                             " then serves pi1 only (default: one adapter for both stages); HINT=PATH (repeatable):"
                             " pi2's adapter for the documents with that table_hint (as extract --pi2-adapter)")
    parser.add_argument("--schema", action="append", default=[], metavar="HINT=PATH",
                        help="the trained rows read the documents with that metadata.table_hint under this schema"
                             " (pi1 skipped for them; repeatable; as extract --schema); use a fresh --work folder")
    parser.add_argument("--config", default="", help="PipelineConfig changes for the model rows (name=value,...),"
                                                      " e.g. row_chunk_chars=500; use a fresh --work folder")
    parser.add_argument("--option", "-O", action="append", default=[], metavar="KEY=VALUE",
                        help="backend option for the trained rows (as extract -O, repeatable), e.g. cache_type_k=q8_0;"
                             " use a fresh --work folder")
    parser.add_argument("--work", default=str(ROOT / "runs" / "quality"), help="prediction cache folder")
    parser.add_argument("--out", default=None, help="also write the table (markdown) here")
    args = parser.parse_args()
    start = time.perf_counter()
    lines = run(args)
    lines.append(f"\nrun time {time.perf_counter() - start:.0f} s (limit {args.limit or 'none'})")
    table = "\n".join(lines)
    print("\n" + table)
    if args.out:
        Path(args.out).write_text(table + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
