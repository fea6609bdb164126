"""The llamacpp fast path against today's configuration, on the same documents, in one run.

    python bench/bench_fast_path.py [--data data/gold/e2e-dev-heldout.jsonl] [--limit 8] [--threads 1]

Rows of the printed table (all with the shipped adapter unless named "base"):
- ``raw decode``: plain llama.cpp greedy completion of a fixed length: the base model, the adapter applied
  at run time (``lora_path``), and the adapter merged into the weights (the cached Q8_0 GGUF);
- ``pipeline today``: ``run_many`` with the adapter applied at run time, no prefix snapshots, no forced
  text, pi1 types and ``required`` left to the model (``-O merge_lora=false -O prefix_cache=false
  -O fast_forward=false`` and ``PipelineConfig(pin_field_defaults=False)``);
- ``pipeline default``: today's defaults (merged adapter, prefix snapshots, forced text, pinned defaults).
Columns: documents/s (wall clock), CPU seconds per document (this process: on a shared machine the wall
clock also counts other people's work), generated tokens per document split into decoded (one step each)
and forced (appended in batches), tokens/s (all completion tokens over wall seconds) and the ratio of
tokens/s to the runtime-adapter raw decode. The pipeline rows run twice, interleaved (today, default,
today, default), and are summed, so that a load change on the machine hits both alike.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from text2table.backends.base import Backend  # noqa: E402
from text2table.backends.choose import DEFAULT_ADAPTERS, open_backend  # noqa: E402
from text2table.pipeline.batch import read_inputs  # noqa: E402
from text2table.pipeline.config import PipelineConfig  # noqa: E402
from text2table.pipeline.run import run_many  # noqa: E402

TODAY = {"merge_lora": False, "prefix_cache": False, "fast_forward": False}


class Counting(Backend):
    """Delegates to a backend and sums the forced tokens its generations report."""

    name = "counting"

    def __init__(self, inner: Backend) -> None:
        self.inner, self.forced = inner, 0

    def generate(self, prompts, **kwargs):  # type: ignore[no-untyped-def]
        gens = self.inner.generate(prompts, **kwargs)
        self.forced += sum(g.extra.get("forced_tokens", 0) for g in gens)
        return gens


def raw_decode(model: Path, lora: str | None, threads: int, n_tokens: int = 128) -> float:
    """Tokens/s of a plain greedy llama.cpp completion (the decode-speed ceiling)."""
    from llama_cpp import Llama

    llm = Llama(model_path=str(model), n_ctx=1024, n_threads=threads, n_threads_batch=threads, lora_path=lora,
                verbose=False)
    llm.create_completion("Count:", max_tokens=8, temperature=0.0)  # warm-up
    began = time.perf_counter()
    out = llm.create_completion("Write a long list of European cities, one per line:\n", max_tokens=n_tokens,
                                temperature=0.0)
    seconds = time.perf_counter() - began
    llm.close()
    return out["usage"]["completion_tokens"] / seconds


def pipeline(docs: list[Any], backend: Counting, config: PipelineConfig) -> dict[str, float]:
    wall, cpu, forced = time.perf_counter(), time.process_time(), backend.forced
    results = []
    for doc in docs:  # one document per call, as extract does for llamacpp
        results += run_many([doc.document], backend, config, metadatas=[doc.metadata])
    tokens = sum(r.diagnostics["tokens"]["out"] for r in results)
    return {"docs": len(docs), "wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu,
            "tokens": tokens, "forced": backend.forced - forced}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT / "data" / "gold" / "e2e-dev-heldout.jsonl")
    parser.add_argument("--limit", type=int, default=8)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    from text2table.backends.lora_merge import merged_gguf
    from text2table.backends.models import embedded_gguf_path

    lora = DEFAULT_ADAPTERS["llamacpp"]
    if lora is None:
        sys.exit("the shipped llama.cpp adapter is missing")
    docs = read_inputs(args.data, limit=args.limit)
    base = embedded_gguf_path()
    merged = merged_gguf(base, Path(lora))
    options = {"threads": args.threads}
    today = Counting(open_backend("llamacpp", options={**options, **TODAY}))
    fast = Counting(open_backend("llamacpp", options=options))
    configs = {"today": PipelineConfig(pin_field_defaults=False), "default": PipelineConfig()}
    engines = {"today": today, "default": fast}
    for name in engines:  # warm-up: grammar compilation, first prefix snapshots
        run_many([docs[0].document], engines[name], configs[name], metadatas=[docs[0].metadata])
    raw = {"base": raw_decode(base, None, args.threads), "adapter at run time": raw_decode(base, lora, args.threads)}
    runs: dict[str, dict[str, float]] = {}
    for _ in range(2):
        for name in ("today", "default"):
            got = pipeline(docs, engines[name], configs[name])
            runs[name] = {k: runs.get(name, {}).get(k, 0.0) + v for k, v in got.items()}
    raw["adapter merged (Q8_0)"] = raw_decode(merged, None, args.threads)
    raw_after = raw_decode(base, lora, args.threads)
    print(f"{len(docs)} documents of {args.data.name}, {args.threads} thread(s), load average"
          f" {os.getloadavg()[0]:.1f}; runtime-adapter raw decode {raw['adapter at run time']:.1f} tok/s before"
          f" the pipeline rows, {raw_after:.1f} after")
    print(f"\n{'run':<34} {'docs/s':>7} {'cpu s/doc':>9} {'decoded/doc':>11} {'forced/doc':>10} {'tok/s':>7}"
          f" {'ratio':>6}")
    ceiling = (raw["adapter at run time"] + raw_after) / 2
    for name, rate in raw.items():
        print(f"{'raw decode, ' + name:<34} {'-':>7} {'-':>9} {'-':>11} {'-':>10} {rate:>7.1f} {rate / ceiling:>6.2f}")
    for name, r in runs.items():
        rate = r["tokens"] / r["wall"]
        print(f"{'pipeline ' + name:<34} {r['docs'] / r['wall']:>7.3f} {r['cpu'] / r['docs']:>9.2f}"
              f" {(r['tokens'] - r['forced']) / r['docs']:>11.1f} {r['forced'] / r['docs']:>10.1f} {rate:>7.1f}"
              f" {rate / ceiling:>6.2f}")
    t, d = runs["today"], runs["default"]
    print(f"\ndefault vs today: {(d['docs'] / d['wall']) / (t['docs'] / t['wall']):.2f}x docs/s (wall),"
          f" {(t['cpu'] / t['docs']) / (d['cpu'] / d['docs']):.2f}x (CPU per document);"
          f" merged adapter decode at {raw['adapter merged (Q8_0)'] / raw['base']:.0%} of the base model")
    for engine in engines.values():
        engine.inner.close()


if __name__ == "__main__":
    main()
