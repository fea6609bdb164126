"""One llama.cpp context on all threads against one context per thread decoding at once, in one run.

    python bench/bench_contexts.py [--threads 2] [--steps 150] [--rounds 2] [--adapter box-score]

Would prompts decoded in several contexts at once (one thread each, on the same weights) beat one context on
all threads? Each row evaluates ``--steps`` steps of 1 and of 6 tokens (a chosen token, and a chosen token with
the forced key text after it, as the ``llamacpp`` backend does) after a 400-token prompt, KV keys at 8 bits,
on the embedded model with ``--adapter`` merged (as served). Rows: one context on ``--threads`` threads (the
baseline), one context on one thread, and ``--threads`` contexts on one thread each, each on its own Python
thread (llama.cpp runs without the GIL). Columns: evaluations a second summed over the contexts, and the ratio
to the baseline; each setting keeps its best of ``--rounds`` rounds, the rounds interleaved.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

PROMPT = list(range(1000, 1400))


def context(model: Path, threads: int):  # type: ignore[no-untyped-def]
    import llama_cpp

    return llama_cpp.Llama(model_path=str(model), n_ctx=2048, n_threads=threads, n_threads_batch=threads,
                           verbose=False, type_k=llama_cpp.GGML_TYPE_Q8_0)


def steps_per_second(llm, tokens: int, steps: int,  # type: ignore[no-untyped-def]
                     ready: threading.Barrier | None = None) -> float:
    """Evaluations of ``tokens`` tokens a second after the prompt (the KV cut back to the prompt when full);
    ``ready``: waited on between the prompt and the steps."""
    llm.reset()
    llm.eval(PROMPT)
    if ready is not None:
        ready.wait()
    start = time.perf_counter()
    for k in range(steps):
        llm.eval([2000 + k % 50] * tokens)
        if llm.n_tokens > 1500:
            llm.n_tokens = len(PROMPT)
    return steps / (time.perf_counter() - start)


def together(llms: list, tokens: int, steps: int) -> float:  # type: ignore[type-arg]
    """Evaluations a second of all ``llms`` at once, one Python thread each (timed from when every prompt is in)."""
    ready = threading.Barrier(len(llms) + 1)
    workers = [threading.Thread(target=steps_per_second, args=(llm, tokens, steps, ready)) for llm in llms]
    for w in workers:
        w.start()
    ready.wait()
    start = time.perf_counter()
    for w in workers:
        w.join()
    return len(llms) * steps / (time.perf_counter() - start)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=150)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--adapter", default="box-score", help="a shipped adapter's name or a LoRA GGUF")
    args = ap.parse_args()
    from text2table.backends.choose import named_adapter_paths
    from text2table.backends.lora_merge import merged_gguf
    from text2table.backends.models import resolve_model_path

    lora = (named_adapter_paths(args.adapter) or {}).get("llamacpp") or args.adapter
    model = merged_gguf(resolve_model_path(None), Path(lora), dtype="q8_0")
    one = context(model, args.threads)
    single = [context(model, 1) for _ in range(args.threads)]
    rows = {"1 context, %d threads" % args.threads: lambda t: steps_per_second(one, t, args.steps),
            "1 context, 1 thread": lambda t: steps_per_second(single[0], t, args.steps),
            "%d contexts, 1 thread each, at once" % args.threads: lambda t: together(single, t, args.steps)}
    best = {(name, t): 0.0 for name in rows for t in (1, 6)}
    for _ in range(args.rounds):
        for t in (1, 6):
            for name, run in rows.items():
                best[name, t] = max(best[name, t], run(t))
    print(f"model {model.name} (embedded + {args.adapter}, merged Q8_0), {args.steps} steps, best of {args.rounds}\n")
    print("| setting | 1-token evals/s | vs first | 6-token evals/s | vs first |")
    print("|---|---|---|---|---|")
    base = list(rows)[0]
    for name in rows:
        print(f"| {name} | {best[name, 1]:.1f} | {best[name, 1] / best[base, 1]:.2f} | {best[name, 6]:.1f} |"
              f" {best[name, 6] / best[base, 6]:.2f} |")


if __name__ == "__main__":
    main()
