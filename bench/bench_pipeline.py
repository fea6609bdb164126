"""Pipeline throughput against the raw backend on the same documents, measured in one run.

    python bench/bench_pipeline.py [--limit 6] [--threads N] [--data examples/data/test.jsonl]

Rows of the printed table:
- ``rules pipeline``: documents/s of the no-model baseline (pi1 + pi2, pure Python);
- ``llama.cpp raw decode``: a plain llama.cpp completion of a fixed length (the decode-speed ceiling),
  measured before and after the pipeline rows and summed, so that a load change on a shared machine
  shows up as a gap between the two (printed) rather than as a skewed ratio;
- ``backend.generate, pi2 prompts``: the llamacpp backend on the constrained pipeline's pi2 prompts, one call,
  no pipeline logic (prompt evaluation included, as in the pipeline);
- ``pipeline constrained`` / ``unconstrained``: ``run_many`` end to end (both stages, parsing,
  continuations), wall-clock time.
All llamacpp rows run the base embedded model (no adapter) with the same threads and the demo's budgets.
Generated tokens/s is completion tokens over wall-clock seconds; ``ratio`` is against the raw decode row.
Target: the constrained pipeline reaches >= 80% of the raw decode speed. The llamacpp rows are skipped,
with a message, when llama-cpp-python or the embedded model is missing.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from text2table.backends.choose import open_backend  # noqa: E402
from text2table.pipeline.batch import read_inputs  # noqa: E402
from text2table.pipeline.config import PipelineConfig  # noqa: E402
from text2table.pipeline.run import run_many  # noqa: E402
from text2table.decoding.prompts import pi2_messages  # noqa: E402

FALLBACK_DOCS = [
    "Specifications:\nName: Korvane X2\nWeight: 1.2 kg\nBattery: 10 h\nColour: slate\n",
    "Results.\n\n| Rank | Driver | Team |\n|---|---|---|\n| 1 | Ann Lee | Red |\n| 2 | Bob Quayle | Blue |\n",
    "Quarter,Revenue,Growth\nQ1,1200,3%\nQ2,1350,4%\nQ3,1500,5%\n",
]


def load_docs(data: Path, limit: int) -> list[tuple[str, dict]]:
    if data.exists():
        return [(d.document, d.metadata) for d in read_inputs(data, limit=limit)]
    print(f"note: {data} not found; using {len(FALLBACK_DOCS)} built-in documents")
    return [(d, {}) for d in FALLBACK_DOCS[:limit]]


def timed_pipeline(docs, backend, config, batch_size: int) -> tuple[float, int, int, list]:
    """(seconds, completion tokens, documents, results) of run_many over ``docs`` in batches."""
    began, results = time.perf_counter(), []
    for start in range(0, len(docs), batch_size):
        part = docs[start:start + batch_size]
        results += run_many([d for d, _ in part], backend, config, metadatas=[m for _, m in part])
    tokens = sum(r.diagnostics["tokens"]["out"] for r in results)
    return time.perf_counter() - began, tokens, len(docs), results


def raw_decode(threads: int, n_tokens: int = 192) -> tuple[float, int]:
    """Plain llama.cpp completion speed on the embedded model (the ceiling)."""
    from llama_cpp import Llama

    from text2table.backends.models import embedded_gguf_path

    llm = Llama(model_path=str(embedded_gguf_path()), n_ctx=2048, n_threads=threads, n_threads_batch=threads,
                verbose=False)
    llm.create_completion("Count:", max_tokens=8, temperature=0.0)  # warm-up
    began = time.perf_counter()
    out = llm.create_completion("Write a long list of European cities, one per line:\n", max_tokens=n_tokens,
                                temperature=0.0)
    return time.perf_counter() - began, out["usage"]["completion_tokens"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=6, help="documents for the llamacpp rows")
    parser.add_argument("--data", type=Path, default=ROOT / "examples" / "data" / "test.jsonl")
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="llama.cpp threads")
    args = parser.parse_args()
    # budgets of the demo: the untrained model often runs to the budget, so they bound the run time
    # grid tables are not parsed here: every document goes through the model, as the raw rows do
    config = PipelineConfig(max_new_tokens_schema=192, max_new_tokens_table=256, max_continuations=1,
                            parse_tables=False)
    rows: list[tuple[str, float, int, int]] = []  # (name, seconds, tokens, documents)

    rules_docs = load_docs(args.data, 10_000)
    rules_config = PipelineConfig(parse_tables=False)
    rows.append(("rules pipeline", *timed_pipeline(rules_docs, open_backend("rules"), rules_config, 32)[:3]))

    docs = load_docs(args.data, args.limit)
    try:
        backend = open_backend("llamacpp", adapter="none", options={"threads": args.threads})
    except Exception as exc:  # noqa: BLE001 - any reason to skip is printed
        print(f"skipped the llamacpp rows: {type(exc).__name__}: {exc}")
        backend = None
    if backend is not None:
        run_many([docs[0][0]], backend, config, metadatas=[docs[0][1]])  # warm-up (grammar compilation)
        before = raw_decode(args.threads)
        results = []
        for constrained in (True, False):
            name = f"pipeline {'constrained' if constrained else 'unconstrained'}"
            run_config = replace(config, constrained=constrained)
            seconds, tokens, ndocs, results_now = timed_pipeline(docs, backend, run_config, args.batch_size)
            rows.append((name, seconds, tokens, ndocs))
            results = results or results_now
        # the backend alone on the pi2 prompts the constrained pipeline built (schemas from its pi1 or fallback)
        prompts = [pi2_messages(d, r.schema, m) for (d, m), r in zip(docs, results) if r.schema is not None]
        if prompts:
            began = time.perf_counter()
            gens = backend.generate(prompts, max_new_tokens=config.max_new_tokens_table)
            rows.append(("backend.generate, pi2 prompts", time.perf_counter() - began,
                         sum(g.completion_tokens for g in gens), len(prompts)))
        backend.close()
        after = raw_decode(args.threads)
        print(f"raw decode: {before[1] / before[0]:.1f} tok/s before the pipeline rows,"
              f" {after[1] / after[0]:.1f} after")
        rows.insert(1, ("llama.cpp raw decode", before[0] + after[0], before[1] + after[1], 0))

    base = next((tok / sec for name, sec, tok, _ in rows if name == "llama.cpp raw decode"), None)
    print(f"\n{'run':<32} {'docs':>5} {'docs/s':>8} {'gen tokens':>10} {'tok/s':>8} {'ratio':>6}")
    for name, seconds, tokens, ndocs in rows:
        rate = tokens / seconds if seconds else 0.0
        ratio = f"{rate / base:.2f}" if base and tokens and name != "rules pipeline" else "-"
        docs_s = f"{ndocs / seconds:.2f}" if ndocs else "-"
        print(f"{name:<32} {ndocs:>5} {docs_s:>8} {tokens:>10} {rate:>8.1f} {ratio:>6}")
    pipeline = next((tok / sec for name, sec, tok, _ in rows if name == "pipeline constrained"), None)
    if base and pipeline:
        verdict = "meets" if pipeline / base >= 0.8 else "misses"
        print(f"\nconstrained pipeline at {pipeline / base:.0%} of raw decode: {verdict} the >= 80% target")


if __name__ == "__main__":
    main()
