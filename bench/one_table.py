"""bench/one_table: one table for a corpus (``extract --one-table``) against a schema per document (``extract``).

Two measurements, on held-back dev data only (never a test split):

1. **Merged schema**: the schema induced on ``--sample`` documents spread over a corpus of ``--corpus``
   documents of E2E's held-back dev part, against the attributes of that corpus's gold tables (exact and
   soft schema F1, :func:`text2table.metrics.schema_match.match_schemas`).
2. **Cells**: on ``--cells`` of those documents (spread), exact non-header cell F1 of Text-to-Table (``E cell
   F1``) and aligned cell F1 of the one table (every document filled under the merged schema) against the
   per-document pipeline; the same per kind of document on the bundled sample's dev split (one table per kind:
   its three documents are the schema sample, so their per-document schemas are merged).

Predictions are cached (resumable) under ``--work``; rerunning only scores.

    python bench/one_table.py --e2e data/gold/e2e-dev-heldout.jsonl --corpus 300 --cells 40 --backend llamacpp
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from pathlib import Path

from text2table.core.jsonio import iter_jsonl, read_text, write_json, write_jsonl
from text2table.core.records import read_gold
from text2table.core.schema import Schema
from text2table.metrics.evaluate import evaluate_files
from text2table.metrics.schema_match import match_schemas
from text2table.backends.choose import open_backend
from text2table.pipeline.batch import run_batch
from text2table.pipeline.inputs import read_inputs
from text2table.pipeline.config import PipelineConfig
from text2table.pipeline.corpus import induce_corpus_schema, schema_file, spread_sample
from text2table.pipeline.schema_merge import merge_schemas

ROOT = Path(__file__).resolve().parents[1]
SCORES = (("E cell F1", "wu.exact.cell_f1"), ("aligned F1", "aligned_cell_f1"), ("schema F1", "schema_f1"))


def _gold_subset(records: list, out: Path) -> Path:
    write_jsonl(out, (r.to_dict() for r in records))
    return out


def _schema(gold: Path, backend, config: PipelineConfig, sample: int, out: Path) -> Schema | None:
    if not out.exists():
        merged, ids = induce_corpus_schema(read_inputs(gold), backend, config, sample=sample)
        write_json(out, schema_file(merged, ids) if merged.schema else {"schema": None})
    data = json.loads(read_text(out))
    return Schema.from_dict(data) if data.get("fields") else None


def _scores(gold: Path, schema: Schema | None, backend, config: PipelineConfig, work: Path, name: str) -> dict:
    """Per-document and one-table scores; ``schema=None``: merge the per-document schemas (the whole file is
    the sample: the same runs ``induce_corpus_schema`` would make)."""
    inputs = read_inputs(gold)
    out = {}
    per_doc = work / f"{name}.per_document.pred.jsonl"
    run_batch(inputs, backend, per_doc, config=config, batch_size=1)
    if schema is None:
        records = [r for _, r in iter_jsonl(per_doc)]
        merged = merge_schemas([Schema.from_dict(r["schema"]) if r.get("schema") and not r.get("error") else None
                                for r in records])
        write_json(work / f"{name}.schema.json", schema_file(merged, [r["id"] for r in records])
                   if merged.schema else {"schema": None})
        schema = merged.schema
    for system, given in (("per document", None), ("one table", schema)):
        if system == "one table" and given is None:
            continue
        pred = work / f"{name}.{system.replace(' ', '_')}.pred.jsonl"
        run_batch(inputs, backend, pred, config=config, schema=given, batch_size=1)
        metrics, _ = evaluate_files(gold, pred)
        out[system] = {label: metrics.get(key) for label, key in SCORES}
    return out


def _pct(value) -> str:
    return f"{100 * value:.2f}" if isinstance(value, (int, float)) else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--e2e", type=Path, help="E2E held-back dev part (gold JSONL)")
    parser.add_argument("--corpus", type=int, default=300)
    parser.add_argument("--cells", type=int, default=40)
    parser.add_argument("--sample", type=int, default=20)
    parser.add_argument("--backend", default="llamacpp")
    parser.add_argument("--kinds-backend", default=None, help="backend for the sample's kinds (default: --backend)")
    parser.add_argument("--work", type=Path, default=ROOT / "runs" / "bench-one-table")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    config = PipelineConfig()
    lines = []
    if args.e2e:
        backend = open_backend(args.backend)
        corpus = spread_sample(list(read_gold(args.e2e)), args.corpus)
        gold = _gold_subset(corpus, args.work / "e2e.corpus.gold.jsonl")
        schema = _schema(gold, backend, config, args.sample, args.work / f"e2e.{args.backend}.schema.json")
        headers = Counter(h for r in corpus for h in r.table.headers)
        m = match_schemas(schema.names if schema else [], list(headers))
        lines += [f"E2E corpus: {len(corpus)} documents, gold attributes {dict(headers)}",
                  f"merged schema ({args.backend}, sample {args.sample}): {schema.names if schema else None}",
                  f"schema F1 exact {_pct(m.f1)}, soft {_pct(m.soft_f1)} (P {_pct(m.soft_precision)}, "
                  f"R {_pct(m.soft_recall)}); pairs {m.pairs}", ""]
        cells = _gold_subset(spread_sample(corpus, args.cells), args.work / "e2e.cells.gold.jsonl")
        rows = _scores(cells, schema, backend, config, args.work, f"e2e.{args.backend}")
        lines += _table({f"e2e ({args.cells} docs)": rows})
        backend.close()
    kinds_backend = args.kinds_backend or args.backend
    backend = open_backend(kinds_backend)
    sample = list(read_gold(ROOT / "examples" / "data" / "dev.jsonl"))
    by_kind: dict[str, list] = {}
    for record in sample:
        by_kind.setdefault(re.sub(r"-\d+$", "", record.id), []).append(record)
    results = {}
    for kind, records in by_kind.items():
        gold = _gold_subset(records, args.work / f"kind.{kind}.gold.jsonl")
        results[kind] = _scores(gold, None, backend, config, args.work, f"kind.{kind}.{kinds_backend}")
    lines += ["", f"sample dev split, one table per kind ({kinds_backend}):"] + _table(results)
    print("\n".join(lines))


def _table(results: dict) -> list[str]:
    head = "| data | " + " | ".join(f"{label} per doc | {label} one table" for label, _ in SCORES) + " |"
    out = [head, "|---|" + "---|" * (2 * len(SCORES))]
    for name, rows in results.items():
        cells = []
        for label, _ in SCORES:
            cells += [_pct(rows.get("per document", {}).get(label)), _pct(rows.get("one table", {}).get(label))]
        out.append(f"| {name} | " + " | ".join(cells) + " |")
    return out


if __name__ == "__main__":
    main()
