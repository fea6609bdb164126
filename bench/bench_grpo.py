"""Benchmark: seconds per local GRPO step (`train grpo --engine trl`) on a CPU, and where they go.

Run: ``.venv/bin/python bench/bench_grpo.py [--configs today,mb8,...] [--steps 3] [--stage pi2]``.

Every configuration trains the same 8 prompts x 4 generations per step (E2E dev meaning representations,
``data/bench-train/e2e``, built by ``bench/bench_train.py``'s :func:`build_sets`), from the same LoRA initialisation,
seed and recipe (``recipes/smollm2-135m-cpu.yaml``'s ``rl`` section with ``prompts_per_step: 8``), starting from
the shipped adapter (``--init-adapter``), each in a fresh process. The first step is a warm-up; the table reports the mean of the others: seconds per step (wall and
CPU), and the part of a step spent generating the group (TRL's ``_generate_single_turn``), scoring it (the reward
function) and in the rest (log-probabilities, loss, backward, optimiser), with the ratio to ``today``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("TRL_EXPERIMENTAL_SILENCE", "1")

RECIPE = ROOT / "recipes" / "smollm2-135m-cpu.yaml"
DATA = ROOT / "data" / "bench-train" / "e2e"
ADAPTER = ROOT / "src" / "text2table" / "adapters" / "smollm2-135m"
PROMPTS, GENERATIONS = 8, 4


@dataclass(frozen=True)
class Config:
    """One way to run the same GRPO step."""

    micro_batch: int = 4  # completions per forward/backward pass (the CPU recipe's)
    threads: int = 1
    max_completion: int = 128
    shared_prefix: bool = False  # each prompt run once per micro-batch (training/shared_prefix.py)
    shared_generation: bool = True  # with shared_prefix: the group sampled from one prompt cache too


CONFIGS = {
    "today": Config(),
    "mb8": Config(micro_batch=8),
    "mb16": Config(micro_batch=16),
    "mb32": Config(micro_batch=32),  # TRL's full pass over 32 completions: ran out of memory here (24 GiB)
    "shared-mb16": Config(micro_batch=16, shared_prefix=True),
    "shared-logps-mb32": Config(micro_batch=32, shared_prefix=True, shared_generation=False),
    "shared-mb32": Config(micro_batch=32, shared_prefix=True),
    "threads2": Config(threads=2),
    "today-again": Config(),
}


class Clock:
    """Wall and CPU seconds spent inside wrapped calls, per optimiser step."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}

    def wrap(self, name: str, fn):
        def timed(*args, **kwargs):
            w, c = time.perf_counter(), time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                self.wall[name] = self.wall.get(name, 0.0) + time.perf_counter() - w
                self.cpu[name] = self.cpu.get(name, 0.0) + time.process_time() - c

        return timed


def timed_generation(trainer_class, clock: Clock, own: bool):
    """The shared-prefix trainer, its own ``_generate_single_turn`` on the clock too when it samples itself
    (``own``; otherwise it hands over to TRL's, which is on the clock already)."""
    if own:
        trainer_class._generate_single_turn = clock.wrap("generate", trainer_class._generate_single_turn)
    return trainer_class


def run_one(name: str, steps: int, stage: str, init_adapter: str | None) -> dict:
    import torch
    from transformers import TrainerCallback
    from trl import GRPOTrainer

    from text2table.training import grpo
    from text2table.training.recipe import load_recipe

    config = CONFIGS[name]
    torch.manual_seed(0)
    base = load_recipe(RECIPE)
    rl = replace(base.rl, prompts_per_step=PROMPTS, num_generations=GENERATIONS, micro_batch_size=config.micro_batch,
                 max_completion_length_schema=config.max_completion, max_completion_length_table=config.max_completion,
                 save_steps=10**6, steps=steps, shared_prefix=config.shared_prefix)
    recipe = base.replace(rl=rl)
    clock = Clock()
    GRPOTrainer._generate_single_turn = clock.wrap("generate", GRPOTrainer._generate_single_turn)
    shared = grpo.with_shared_prefix
    grpo.with_shared_prefix = lambda cls: timed_generation(shared(cls, generation=config.shared_generation), clock,
                                                           config.shared_generation)
    grpo.score_batch = clock.wrap("reward", grpo.score_batch)
    marks: list[tuple[float, float, dict, dict]] = []

    class Mark(TrainerCallback):
        def on_step_end(self, args, state, control, **kwargs):
            marks.append((time.perf_counter(), time.process_time(), dict(clock.wall), dict(clock.cpu)))

    original = GRPOTrainer.__init__

    def init(self, *args, **kwargs):
        kwargs["callbacks"] = [*kwargs.get("callbacks", []), Mark()]
        original(self, *args, **kwargs)

    GRPOTrainer.__init__ = init
    out = ROOT / "runs" / "bench-grpo" / name
    began = (time.perf_counter(), time.process_time())
    options = grpo.GrpoOptions(max_steps=steps, threads=config.threads, seed=0, limit_examples=PROMPTS * steps,
                               init_adapter=init_adapter)
    grpo.train_grpo(recipe, DATA, stage, out, options, log=lambda _: None)
    rows = []
    previous = (*began, {}, {})
    for mark in marks:
        wall, cpu = mark[0] - previous[0], mark[1] - previous[1]
        parts = {k: mark[2].get(k, 0.0) - previous[2].get(k, 0.0) for k in ("generate", "reward")}
        rows.append({"wall": wall, "cpu": cpu, **parts, "rest": wall - sum(parts.values())})
        previous = mark
    metrics = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    lengths = [m.get("completions/mean_length") for m in metrics if "completions/mean_length" in m]
    return {"name": name, "config": config.__dict__, "steps": rows, "completion_length": lengths,
            "peak_mib": _peak_mib(), "load1": os.getloadavg()[0]}


def _peak_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def table(results: list[dict]) -> str:
    def mean(rows, key):
        rows = rows[1:] or rows  # the first step is a warm-up
        return sum(r[key] for r in rows) / len(rows)

    ref = next((r for r in results if r["name"] == "today"), results[0])
    ref_wall = mean(ref["steps"], "wall")
    lines = ["| config | micro | shared prefix | threads | s/step | CPU s/step | generate s | reward s | rest s | tokens/completion"
             " | peak MiB | vs today | load1 |", "|" + "---|" * 13]
    for r in results:
        c, s = r["config"], r["steps"]
        length = sum(r["completion_length"][1:] or r["completion_length"]) / max(1, len(r["completion_length"][1:]
                                                                                       or r["completion_length"]))
        lines.append(f"| {r['name']} | {c['micro_batch']} | {'yes' if c['shared_prefix'] else 'no'} | {c['threads']} | {mean(s, 'wall'):.1f} | "
                     f"{mean(s, 'cpu'):.1f} | {mean(s, 'generate'):.1f} | {mean(s, 'reward'):.2f} | "
                     f"{mean(s, 'rest'):.1f} | {length:.1f} | {r['peak_mib']:.0f} | "
                     f"{ref_wall / mean(s, 'wall'):.2f}x | {r['load1']:.2f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", default="today,mb32,shared-mb32,today-again")
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--stage", default="pi2", choices=["pi1", "pi2"])
    parser.add_argument("--init-adapter", default=str(ADAPTER),
                        help="PEFT adapter the policy starts from (default: the shipped one; 'none': a fresh LoRA)")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        init = None if args.init_adapter == "none" else args.init_adapter
        print("RESULT " + json.dumps(run_one(args.one, args.steps, args.stage, init)))
        return
    from bench_train import build_sets

    build_sets()
    results = []
    for name in args.configs.split(","):
        if name not in CONFIGS:
            raise SystemExit(f"unknown config {name!r}; known: {sorted(CONFIGS)}")
        proc = subprocess.run([sys.executable, __file__, "--one", name, "--steps", str(args.steps), "--stage",
                               args.stage, "--init-adapter", args.init_adapter], capture_output=True, text=True)
        line = next((x for x in proc.stdout.splitlines() if x.startswith("RESULT ")), None)
        if line is None:
            sys.stderr.write(proc.stderr[-2000:])
            why = " (killed: out of memory?)" if proc.returncode == -9 else ""
            print(f"{name}: no result, exit {proc.returncode}{why}", flush=True)
            continue
        results.append(json.loads(line[len("RESULT "):]))
        print(f"{name}: {[round(s['wall'], 1) for s in results[-1]['steps']]} s per step", flush=True)
    print(table(results))


if __name__ == "__main__":
    main()
