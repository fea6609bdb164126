"""Benchmark: `train sft` (TRL) throughput on a CPU for several configurations, in one run, on one fixed set.

Run: ``.venv/bin/python bench/bench_train.py [--configs base,bf16,...] [--steps 10]``; ``--curve N`` instead trains
the reference and the fast configuration N steps each and prints the loss on a fixed probe set every few steps.

The set (built once under ``data/bench-train/`` from files in the repository, see :func:`build_sets`): the first
32 distinct E2E dev meaning representations (pi1 + pi2 = 64 examples) and 16 sample examples of 600-2048 tokens
from ``examples/data/train.jsonl``, 80 in all. They are cut into global batches of 8 of similar length and the
batches are shuffled once (seeded), the ones with sample examples last (so that a small ``--steps`` measures
E2E batches only); every configuration trains on exactly these batches in this order
(sequential sampler), from the same LoRA initialisation, so the times compare the same work. The first optimiser
step is a warm-up; the table reports the rest: examples/s, real tokens/s (padding excluded), seconds per step,
peak resident memory of the configuration's own process (VmHWM; each configuration runs in a fresh
process) and the ratios of examples/s and of CPU seconds per step to ``base``, the shipped recipe's
configuration (micro-batch 1 x accumulation 8, fp32, 2 threads unless ``--threads``).
The baseline runs again at the end (``base-again``) to show how much the shared machine drifted.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from text2table.training import sft  # noqa: E402
from text2table.training.data import ChatExample, load_chat_records  # noqa: E402
from text2table.training.recipe import load_recipe  # noqa: E402

DATA = ROOT / "data" / "bench-train"
E2E_CSV = ROOT / "data" / "raw" / "e2e" / "devset.csv"
SAMPLE = ROOT / "examples" / "data" / "train.jsonl"
RECIPE = ROOT / "recipes" / "smollm2-135m-default.yaml"
GLOBAL_BATCH = 8


@dataclass(frozen=True)
class Config:
    """One way to train the same global batch of 8."""

    micro_batch: int = 1
    dtype: str = "float32"
    padding_free: bool = False
    checkpointing: bool = False
    threads: int = 2
    compile: bool = False


CONFIGS = {
    "base": Config(),
    "bf16": Config(dtype="bfloat16"),
    "ckpt": Config(checkpointing=True),
    "threads1": Config(threads=1),
    "mb2-pad": Config(micro_batch=2),
    "mb8-pad": Config(micro_batch=8),
    "mb4-free": Config(micro_batch=4, padding_free=True),
    "mb8-free": Config(micro_batch=8, padding_free=True),
    "mb8-free-t1": Config(micro_batch=8, padding_free=True, threads=1),
    "mb8-free-bf16": Config(micro_batch=8, padding_free=True, dtype="bfloat16"),
    "mb8-free-compile": Config(micro_batch=8, padding_free=True, compile=True),
    "mb8-pad-bf16": Config(micro_batch=8, dtype="bfloat16"),
    "mb4-pad-bf16": Config(micro_batch=4, dtype="bfloat16"),
}
DEFAULT_RUN = "base,bf16,ckpt,threads1,mb2-pad,mb8-pad,mb4-free,mb8-free,mb8-free-t1,mb8-free-bf16,base-again"


def _cli(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "text2table", *args], check=True, stdout=subprocess.DEVNULL)


def build_sets(records: int = 150) -> None:
    """Convert the first ``records`` distinct E2E dev meaning representations and prepare them and the sample."""
    if (DATA / "e2e" / "pi1.jsonl").is_file() and (DATA / "sample" / "pi2.jsonl").is_file():
        return
    import csv

    DATA.mkdir(parents=True, exist_ok=True)
    with E2E_CSV.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    seen: dict[str, list[str]] = {}
    for row in rows[1:]:
        if row[0] not in seen and len(seen) < records:
            seen[row[0]] = row
    with (DATA / "e2e-dev.csv").open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([rows[0], *seen.values()])
    _cli("convert", str(DATA / "e2e-dev.csv"), "--format", "e2e", "--out", str(DATA / "e2e-gold.jsonl"))
    _cli("prepare", str(DATA / "e2e-gold.jsonl"), "--out", str(DATA / "e2e"))
    _cli("prepare", str(SAMPLE), "--out", str(DATA / "sample"))


def _both(folder: Path) -> list[ChatExample]:
    return load_chat_records(folder / "pi1.jsonl", "pi1") + load_chat_records(folder / "pi2.jsonl", "pi2")


def token_length(tokenizer, example: ChatExample) -> int:
    return len(tokenizer.apply_chat_template(list(example.messages), tokenize=True, return_dict=False))


def bench_examples(tokenizer, *, e2e_records: int = 32, e2e_skip: int = 0, long_n: int = 16,
                   seed: int = 0) -> list[ChatExample]:
    """E2E records ``[e2e_skip, e2e_skip + e2e_records)`` (both tasks) + ``long_n`` sample examples of 600-2048
    tokens, ordered as global batches of similar length in a seeded random batch order."""
    ids = sorted({e.id for e in _both(DATA / "e2e")}, key=lambda i: int(i.rsplit("-", 1)[-1]) if
                 i.rsplit("-", 1)[-1].isdigit() else i)[e2e_skip:e2e_skip + e2e_records]
    short = [e for e in _both(DATA / "e2e") if e.id in set(ids)]
    long = [e for e in _both(DATA / "sample") if 600 <= token_length(tokenizer, e) <= 2048]
    random.Random(seed).shuffle(long)
    chosen = sorted(short + long[:long_n], key=lambda e: token_length(tokenizer, e))
    batches = [chosen[i:i + GLOBAL_BATCH] for i in range(0, len(chosen), GLOBAL_BATCH)]
    random.Random(seed).shuffle(batches)
    batches.sort(key=lambda b: any(e in long for e in b))  # short batches first: --steps 3 stays cheap
    return [e for b in batches for e in b]


def recipe_for(config: Config, steps: int, lr: float | None = None):
    base = load_recipe(RECIPE)
    stage = replace(base.stages[0], micro_batch_size=config.micro_batch, grad_accum=GLOBAL_BATCH // config.micro_batch,
                    max_steps=steps, lr=lr or base.stages[0].lr)
    trl = replace(base.trl, dtype=config.dtype, padding_free=config.padding_free, group_by_length=False,
                  gradient_checkpointing=config.checkpointing, save_steps=10**6)
    return base.replace(stages=(stage,), trl=trl, max_steps=None)


def _peak_reset() -> None:
    Path("/proc/self/clear_refs").write_text("5")


def _peak_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def train_config(config: Config, examples: list[ChatExample], steps: int, out: Path, *, callbacks=(),
                 lr: float | None = None):
    """Train ``steps`` optimiser steps; returns (trainer, times at the end of each step, tokens per example)."""
    import torch
    from transformers import TrainerCallback

    torch.set_num_threads(config.threads)
    recipe = recipe_for(config, steps, lr)
    model, tokenizer = sft.load_base_model(recipe.base_model, dtype=recipe.trl.dtype)
    torch.manual_seed(0)
    model = sft.new_adapter(model, recipe.lora)
    if config.checkpointing:
        model.enable_input_require_grads()
    stamps: list[float] = []
    cpu: list[float] = []

    class Clock(TrainerCallback):
        def on_step_begin(self, args, state, control, **kwargs):
            if not stamps:  # the start of the first step: --warmup 0 measures from here
                stamps.append(time.perf_counter())
                cpu.append(time.process_time())

        def on_step_end(self, args, state, control, **kwargs):
            stamps.append(time.perf_counter())
            cpu.append(time.process_time())
            print(f"  step {state.global_step}: {stamps[-1] - stamps[-2]:.2f} s", file=sys.stderr, flush=True)

    trainer = sft.build_trainer(recipe, 0, steps, model, tokenizer, examples[:steps * GLOBAL_BATCH], [], out,
                                [Clock(), *callbacks])
    trainer.args.train_sampling_strategy = "sequential"
    trainer.args.torch_compile = config.compile
    lengths = [len(ids) for ids in trainer.train_dataset["input_ids"]]
    trainer.train()
    return trainer, stamps, cpu, lengths


def bench(names: list[str], steps: int, out: Path, warmup: int = 1, threads: int | None = None) -> list[dict]:
    _, tokenizer = sft.load_base_model(load_recipe(RECIPE).base_model)
    examples = bench_examples(tokenizer)
    rows = []
    for name in names:
        config = CONFIGS[name.removesuffix("-again")]
        config = replace(config, threads=threads) if threads else config
        load = os.getloadavg()[0]
        _peak_reset()
        start = time.perf_counter()
        _, stamps, cpu, lengths = train_config(config, examples, steps, out / name)
        measured = len(stamps) - 1 - warmup  # stamps: start of step 1, then the end of each step
        seconds = stamps[-1] - stamps[warmup]
        tokens = sum(lengths[warmup * GLOBAL_BATCH:(warmup + measured) * GLOBAL_BATCH])
        rows.append({"config": name, **config.__dict__, "steps": measured, "seconds": round(seconds, 2),
                     "s_per_step": round(seconds / measured, 2),
                     "cpu_s_per_step": round((cpu[-1] - cpu[warmup]) / measured, 2),
                     "examples_s": round(measured * GLOBAL_BATCH / seconds, 3),
                     "tokens_s": round(tokens / seconds, 1), "peak_mib": round(_peak_mib()),
                     "load1": round(load, 2), "wall_s": round(time.perf_counter() - start, 1)})
        print(json.dumps(rows[-1]), flush=True)
    return rows


def table(rows: list[dict]) -> str:
    base = next((r["examples_s"] for r in rows if r["config"] == "base"), None)
    base_cpu = next((r["cpu_s_per_step"] for r in rows if r["config"] == "base"), None)
    lines = ["| config | micro x accum | dtype | padding-free | ckpt | threads | s/step | CPU s/step | examples/s |"
             " tokens/s | peak MiB | vs base | vs base, CPU s | load1 |", "|" + "---|" * 14]
    for r in rows:
        ratio = f"{r['examples_s'] / base:.2f}x" if base else "-"
        cpu_ratio = f"{base_cpu / r['cpu_s_per_step']:.2f}x" if base_cpu else "-"
        lines.append(f"| {r['config']} | {r['micro_batch']} x {GLOBAL_BATCH // r['micro_batch']} | {r['dtype']} |"
                     f" {'yes' if r['padding_free'] else 'no'} | {'on' if r['checkpointing'] else 'off'} |"
                     f" {r['threads']} | {r['s_per_step']} | {r['cpu_s_per_step']} | {r['examples_s']} |"
                     f" {r['tokens_s']} | {r['peak_mib']} |"
                     f" {ratio} | {cpu_ratio} | {r['load1']} |")
    return "\n".join(lines)


def curve(names: list[str], steps: int, every: int, out: Path, threads: int | None = None) -> list[dict]:
    """Probe-set loss (16 held-out E2E examples) every ``every`` steps for each configuration (same batches, same
    LoRA initialisation)."""
    from text2table.training.probe import probe_callback

    _, tokenizer = sft.load_base_model(load_recipe(RECIPE).base_model)
    train = bench_examples(tokenizer, e2e_records=120, long_n=16)
    probe = bench_examples(tokenizer, e2e_records=8, e2e_skip=120, long_n=0)
    rows = []
    for name in names:
        callback = probe_callback(probe, tokenizer, every=every)
        start = time.perf_counter()
        config = CONFIGS[name.removesuffix("-again")]
        train_config(replace(config, threads=threads) if threads else config, train, steps, out / f"curve-{name}",
                     callbacks=[callback])
        for step, loss in callback.points:
            rows.append({"config": name, "step": step, "examples": step * GLOBAL_BATCH,
                         "probe_loss": round(loss, 4)})
        print(f"{name}: {time.perf_counter() - start:.0f} s, {callback.points}", flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", default=DEFAULT_RUN, help=f"comma-separated, from {sorted(CONFIGS)}")
    parser.add_argument("--steps", type=int, default=10, help="optimiser steps per configuration (first: warm-up)")
    parser.add_argument("--threads", type=int, help="torch threads for every configuration (a loaded machine: 1)")
    parser.add_argument("--warmup", type=int, default=1, help="steps left out of the timing (0: time them all)")
    parser.add_argument("--curve", type=int, default=0, help="train N steps per configuration, probe loss curve")
    parser.add_argument("--every", type=int, default=5, help="--curve: probe every N steps")
    parser.add_argument("--json", type=Path, help="also write the rows here")
    parser.add_argument("--in-process", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, default=Path("/tmp/bench_train"), help="scratch folder")
    args = parser.parse_args()
    build_sets()
    names = [n.strip() for n in args.configs.split(",") if n.strip()]
    unknown = [n for n in names if n.removesuffix("-again") not in CONFIGS]
    if unknown:
        parser.error(f"unknown configs {unknown}; choose from {sorted(CONFIGS)}")
    if args.curve:
        rows = curve(names, args.curve, args.every, args.out, args.threads)
        print("| config | step | examples | probe loss |\n|---|---|---|---|")
        print("\n".join(f"| {r['config']} | {r['step']} | {r['examples']} | {r['probe_loss']} |" for r in rows))
    else:
        rows = []
        for name in names:  # one process per configuration: its own peak memory, no warm caches from another
            child = args.out / f"{name}.json"
            args.out.mkdir(parents=True, exist_ok=True)
            command = [sys.executable, __file__, "--configs", name, "--steps", str(args.steps), "--warmup",
                       str(args.warmup), "--out", str(args.out), "--json", str(child), "--in-process"]
            if len(names) == 1 and args.in_process:
                rows = bench(names, args.steps, args.out, args.warmup, args.threads)
                break
            subprocess.run(command + (["--threads", str(args.threads)] if args.threads else []), check=True)
            rows += json.loads(child.read_text(encoding="utf-8"))
        print(f"\nCPU: {os.cpu_count()} cores; {args.steps - args.warmup} measured steps of {GLOBAL_BATCH} examples\n")
        print(table(rows))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
