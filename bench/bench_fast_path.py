"""The llamacpp fast path against today's configuration, on the same documents, in one run.

    python bench/bench_fast_path.py [--data data/gold/wu/e2e-dev-heldout.jsonl] [--limit 8] [--threads N]
                                    [--parallel 8]

Rows of the printed table (all with the shipped adapter unless named "base"):
- ``raw decode``: plain llama.cpp greedy completion of a fixed length: the base model, the adapter applied
  at run time (``lora_path``), and the adapter merged into the weights (the cached Q8_0 GGUF);
- ``pipeline today``: ``run_many`` with the adapter applied at run time, no prefix snapshots, no forced
  text, pi1 types and ``required`` left to the model (``-O merge_lora=false -O prefix_cache=false
  -O fast_forward=false`` and ``PipelineConfig(pin_field_defaults=False)``);
- ``pipeline default``: today's defaults (merged adapter, prefix snapshots, forced text, pinned defaults, pi1
  in the form the adapter's card names), on one thread like ``today``;
- ``pipeline default, threads by load``: the same with the thread count left to the backend (the cores the
  load leaves free, adjusted while it runs); ``today`` runs on the threads a77bf99 chose (all cores but one);
- ``pipeline default, parallel N`` (with ``--parallel N``): N documents per call, their prompts decoded side by
  side.
``--threads N`` runs every row on N threads instead (the ``threads by load`` row is then left out).
``--today-adapter`` serves the ``today`` rows with another adapter (the one shipped when the baseline was taken,
in the pi1 form its card names, full without one); the raw decode rows always use the shipped adapter.
Columns: documents/s (wall clock), CPU seconds per document (this process; llama.cpp runs in it with one
thread: on a shared machine the wall clock also counts other people's work), generated tokens per document
split into decoded (one step each) and forced (appended in batches), tokens/s over wall seconds, tokens per
CPU second, and the ratio of tokens per CPU second to the runtime-adapter raw decode's. Every row runs
twice, interleaved (raw decodes, today, default, today, default, raw decodes), and is summed, so that a
load change on the machine hits all rows alike.
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
HELDOUT = ROOT / "data" / "gold" / "wu" / "e2e-dev-heldout.jsonl"
SAMPLE_DEV = ROOT / "examples" / "data" / "dev.jsonl"


class Counting(Backend):
    """Delegates to a backend and sums the forced tokens its generations report (over both stages where the
    backend answers each stage with its own adapter)."""

    name = "counting"

    def __init__(self, inner: Backend, total: list[int] | None = None) -> None:
        self.inner, self.total = inner, total if total is not None else [0]

    @property
    def forced(self) -> int:
        return self.total[0]

    @property
    def pi1_form(self) -> str:  # type: ignore[override]
        return self.inner.pi1_form  # the form the wrapped adapter answers in (auto reads it from here)

    def for_stage(self, stage: str, hint: str | None = None) -> Backend:
        inner = self.inner.for_stage(stage, hint)
        return self if inner is self.inner else Counting(inner, self.total)

    def generate(self, prompts, **kwargs):  # type: ignore[no-untyped-def]
        gens = self.inner.generate(prompts, **kwargs)
        self.total[0] += sum(g.extra.get("forced_tokens", 0) for g in gens)
        return gens


def raw_decode(model: Path, lora: str | None, threads: int, n_tokens: int = 128) -> dict[str, float]:
    """A plain greedy llama.cpp completion (the decode-speed ceiling): tokens, wall and CPU seconds."""
    from llama_cpp import Llama

    llm = Llama(model_path=str(model), n_ctx=1024, n_threads=threads, n_threads_batch=threads, lora_path=lora,
                verbose=False)
    llm.create_completion("Count:", max_tokens=8, temperature=0.0)  # warm-up
    wall, cpu = time.perf_counter(), time.process_time()
    out = llm.create_completion("Write a long list of European cities, one per line:\n", max_tokens=n_tokens,
                                temperature=0.0)
    got = {"tokens": out["usage"]["completion_tokens"], "wall": time.perf_counter() - wall,
           "cpu": time.process_time() - cpu}
    llm.close()
    return got


def add(a: dict[str, float], b: dict[str, float]) -> dict[str, float]:
    return {k: a.get(k, 0.0) + v for k, v in b.items()}


def pipeline(docs: list[Any], backend: Counting, config: PipelineConfig, per_call: int = 1) -> dict[str, float]:
    wall, cpu, forced = time.perf_counter(), time.process_time(), backend.forced
    results = []
    for start in range(0, len(docs), per_call):  # one document per call, as extract does for llamacpp
        batch = docs[start:start + per_call]
        results += run_many([d.document for d in batch], backend, config, metadatas=[d.metadata for d in batch])
    tokens = sum(r.diagnostics["tokens"]["out"] for r in results)
    return {"docs": len(docs), "wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu,
            "tokens": tokens, "forced": backend.forced - forced}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=HELDOUT if HELDOUT.exists() else SAMPLE_DEV,
                        help="gold JSONL (default: the E2E held-back dev part from `make heldout`, else the"
                             " sample's dev split)")
    parser.add_argument("--limit", type=int, default=8)
    parser.add_argument("--threads", type=int, default=None,
                        help="threads for every row (default: one, and the backends' own choice where named)")
    parser.add_argument("--parallel", type=int, default=0, help="add a row with N documents decoded side by side")
    parser.add_argument("--today-adapter", default=None,
                        help="llama.cpp LoRA GGUF for the `today` rows (default: the shipped adapter), e.g. the"
                             " adapter that shipped when the baseline was measured; its card sets its pi1 form")
    args = parser.parse_args()
    from text2table.backends.lora_merge import merged_gguf
    from text2table.backends.models import embedded_gguf_path

    lora = DEFAULT_ADAPTERS["llamacpp"]
    if lora is None:
        sys.exit("the shipped llama.cpp adapter is missing")
    docs = read_inputs(args.data, limit=args.limit)
    base = embedded_gguf_path()
    merged = merged_gguf(base, Path(lora))
    one = args.threads or 1
    today_threads = args.threads or max(1, (os.cpu_count() or 2) - 1)  # a77bf99's rule
    today = Counting(open_backend("llamacpp", adapter=args.today_adapter,
                                  options={"threads": today_threads, **TODAY}))
    engines = {"today": today, "default": Counting(open_backend("llamacpp", options={"threads": one}))}
    configs = {"today": PipelineConfig(pin_field_defaults=False), "default": PipelineConfig()}
    per_call = {name: 1 for name in engines}
    if args.threads is None:
        engines["default, threads by load"] = Counting(open_backend("llamacpp"))
        configs["default, threads by load"] = PipelineConfig()
    if args.parallel > 1:
        name = f"default, parallel {args.parallel}"
        engines[name] = Counting(open_backend("llamacpp", options={"threads": args.threads, "parallel": args.parallel}))
        configs[name], per_call[name] = PipelineConfig(), args.parallel
    for name in engines:  # warm-up: grammar compilation, first prefix snapshots
        run_many([docs[0].document], engines[name], configs[name], metadatas=[docs[0].metadata])
    variants = {"base": (base, None), "adapter at run time": (base, lora), "adapter merged (Q8_0)": (merged, None)}
    raw: dict[str, dict[str, float]] = {}
    runs: dict[str, dict[str, float]] = {}
    loads = [os.getloadavg()[0]]
    for name, (model, adapter) in variants.items():
        raw[name] = raw_decode(model, adapter, one)
    for _ in range(2):
        for name in engines:
            runs[name] = add(runs.get(name, {}), pipeline(docs, engines[name], configs[name], per_call.get(name, 1)))
            loads.append(os.getloadavg()[0])
    for name, (model, adapter) in variants.items():
        raw[name] = add(raw[name], raw_decode(model, adapter, one))
    threads = {name: engine.inner.for_stage("pi1").threads for name, engine in engines.items()}
    print(f"{len(docs)} documents of {args.data.name} (each twice), 1-minute load average"
          f" {min(loads):.1f}-{max(loads):.1f} on {os.cpu_count()} cores; raw decodes on {one} thread(s), threads"
          f" at the end: " + ", ".join(f"{name} {n}" for name, n in threads.items()))
    print(f"\n{'run':<34} {'docs/s':>7} {'cpu s/doc':>9} {'decoded/doc':>11} {'forced/doc':>10} {'tok/s':>7}"
          f" {'tok/cpu-s':>9} {'ratio':>6}")
    ceiling = raw["adapter at run time"]["tokens"] / raw["adapter at run time"]["cpu"]
    for name, r in raw.items():
        print(f"{'raw decode, ' + name:<34} {'-':>7} {'-':>9} {'-':>11} {'-':>10} {r['tokens'] / r['wall']:>7.1f}"
              f" {r['tokens'] / r['cpu']:>9.1f} {r['tokens'] / r['cpu'] / ceiling:>6.2f}")
    for name, r in runs.items():
        print(f"{'pipeline ' + name:<34} {r['docs'] / r['wall']:>7.3f} {r['cpu'] / r['docs']:>9.2f}"
              f" {(r['tokens'] - r['forced']) / r['docs']:>11.1f} {r['forced'] / r['docs']:>10.1f}"
              f" {r['tokens'] / r['wall']:>7.1f} {r['tokens'] / r['cpu']:>9.1f} {r['tokens'] / r['cpu'] / ceiling:>6.2f}")
    t = runs["today"]
    rate = {name: r["tokens"] / r["cpu"] for name, r in raw.items()}
    print()
    for name, d in runs.items():
        if name != "today":
            print(f"{name} vs today: {(d['docs'] / d['wall']) / (t['docs'] / t['wall']):.2f}x documents/s (wall),"
                  f" {(t['cpu'] / t['docs']) / (d['cpu'] / d['docs']):.2f}x (CPU per document)")
    print(f"merged adapter decode at"
          f" {rate['adapter merged (Q8_0)'] / rate['base']:.0%} of the base model's, runtime adapter at"
          f" {rate['adapter at run time'] / rate['base']:.0%} (tokens per CPU second)")
    for engine in engines.values():
        engine.inner.close()


if __name__ == "__main__":
    main()
