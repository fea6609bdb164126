"""The length-curriculum planner: examples -> stages, steps, batches, epochs, warm-up; writes stage files.

**Token estimate.** ``ceil(characters of all message contents / chars_per_token) + 4 per message`` (4
tokens cover the role header and end-of-turn markers of ChatML-style templates), or, with
``buckets.exact_tokens``, the exact length of the chat-templated conversation from the model's tokenizer.

**Assignment rule.** Stages are ordered by ``max_length`` (shortest first). With buckets on, an example goes
to the *first* stage whose context holds it with the margin: an estimate ``t`` fits a stage when
``ceil(t * (1 + bucket_margin)) <= max_length``; an exact count fits when ``t <= max_length`` (no margin: it
is not an estimate). With buckets off, every stage trains on every example that fits it (the sets nest).
An example that fits no stage is never dropped silently: it is counted in ``unplaced`` and listed by id
(``overflow: drop``), or its document is cut until it fits the last stage (``overflow: truncate``).

**Steps.** ``floor(hours * 3600 / est_step_seconds)`` unless ``max_steps`` is set (stage, then recipe);
``global_batch = micro_batch_size * grad_accum * devices``; ``epochs = steps * global_batch / examples``;
``warmup_steps = floor(warmup_ratio * steps)`` (as VERL computes it). A stage with no examples gets 0 steps.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from text2table.core.jsonio import write_json, write_jsonl
from text2table.training.data import ChatExample, Message, load_task
from text2table.training.recipe import Recipe

MESSAGE_OVERHEAD = 4
TokenCounter = Callable[[list[Message]], int]


def estimate_tokens(messages: list[Message] | tuple[Message, ...], chars_per_token: float) -> int:
    """Estimated tokens of a whole conversation (see the module docstring)."""
    chars = sum(len(m["content"]) for m in messages)
    return math.ceil(chars / chars_per_token) + MESSAGE_OVERHEAD * len(messages)


def fits(tokens: int, max_length: int, margin: float, *, exact: bool) -> bool:
    need = tokens if exact else math.ceil(tokens * (1.0 + margin))
    return need <= max_length


def first_stage(tokens: int, lengths: list[int], margin: float, *, exact: bool) -> int | None:
    """Index of the shortest stage that holds ``tokens``, or None."""
    return next((i for i, n in enumerate(lengths) if fits(tokens, n, margin, exact=exact)), None)


def truncate_document(messages: list[Message], keep_fraction: float) -> list[Message] | None:
    """Copy of ``messages`` with the [DOCUMENT] block of the user message cut to ``keep_fraction`` of its
    characters (the start is kept); None when there is no document block or nothing would be left."""
    out = [dict(m) for m in messages]
    user = next((m for m in out if m["role"] == "user"), None)
    if user is None:
        return None
    text = user["content"]
    start = text.find("\n[DOCUMENT]\n")
    end = text.rfind("\n[TASK]\n")
    if start < 0 or end <= start:
        return None
    start += len("\n[DOCUMENT]\n")
    keep = int((end - start) * keep_fraction)
    if keep <= 0:
        return None
    user["content"] = text[:start] + text[start:start + keep].rstrip() + text[end:]
    return out


@dataclass
class StagePlan:
    name: str
    max_length: int
    examples: int
    steps: int
    lr: float
    warmup_ratio: float
    warmup_steps: int
    micro_batch_size: int
    grad_accum: int
    global_batch: int
    epochs: float
    max_tokens: int = 0


@dataclass
class Plan:
    recipe: str
    task: str
    token_count: str
    stages: list[StagePlan]
    unplaced: int = 0
    unplaced_ids: list[str] = field(default_factory=list)
    truncated: int = 0
    total_examples: int = 0

    def to_json(self) -> dict[str, Any]:
        stages = []
        for s in self.stages:
            d = asdict(s)
            d.pop("max_tokens")
            stages.append(d)
        return {"recipe": self.recipe, "task": self.task, "token_count": self.token_count, "stages": stages,
                "unplaced": self.unplaced, "unplaced_ids": self.unplaced_ids[:100], "truncated": self.truncated,
                "examples": self.total_examples}

    def stage(self, name: str) -> StagePlan:
        return next(s for s in self.stages if s.name == name)


def _fit_by_truncation(ex: ChatExample, max_length: int, margin: float, exact: bool,
                       count: TokenCounter) -> tuple[ChatExample, int] | None:
    messages = list(ex.messages)
    tokens = count(messages)
    keep = 1.0
    for _ in range(8):
        target = max_length / (1.0 if exact else 1.0 + margin)
        keep *= 0.97 * target / max(tokens, 1)
        cut = truncate_document(list(ex.messages), keep)
        if cut is None:
            return None
        tokens = count(cut)
        if fits(tokens, max_length, margin, exact=exact):
            return ChatExample(ex.id, ex.task, tuple(cut)), tokens
    return None


def assign(recipe: Recipe, examples: list[ChatExample], *, task: str,
           count_tokens: TokenCounter | None = None) -> tuple[Plan, list[list[tuple[ChatExample, int]]]]:
    """Apply the assignment rule; returns the plan and, per stage, its ``(example, tokens)`` pairs."""
    b = recipe.buckets
    exact = count_tokens is not None
    count: TokenCounter = count_tokens or (lambda msgs: estimate_tokens(msgs, b.chars_per_token))
    lengths = [s.max_length for s in recipe.stages]
    per_stage: list[list[tuple[ChatExample, int]]] = [[] for _ in recipe.stages]
    unplaced: list[str] = []
    truncated = 0
    for ex in examples:
        tokens = count(list(ex.messages))
        index = first_stage(tokens, lengths, b.bucket_margin, exact=exact)
        if index is None and b.overflow == "truncate":
            cut = _fit_by_truncation(ex, lengths[-1], b.bucket_margin, exact, count)
            if cut is not None:
                ex, tokens = cut
                index = first_stage(tokens, lengths, b.bucket_margin, exact=exact)
                truncated += 1
        if index is None:
            unplaced.append(f"{ex.task}:{ex.id}")
            continue
        targets = [index] if b.use_buckets else range(index, len(lengths))
        for i in targets:
            per_stage[i].append((ex, tokens))
    stages = [_stage_plan(recipe, i, per_stage[i]) for i in range(len(recipe.stages))]
    counted = "tokenizer" if exact else f"chars/{b.chars_per_token:g}"
    plan = Plan(recipe.name, task, counted, stages, len(unplaced), unplaced, truncated, len(examples))
    return plan, per_stage


def _stage_plan(recipe: Recipe, index: int, members: list[tuple[ChatExample, int]]) -> StagePlan:
    spec = recipe.stages[index]
    n = len(members)
    steps = recipe.stage_steps(spec) if n else 0
    global_batch = spec.global_batch(recipe.devices)
    epochs = round(steps * global_batch / n, 3) if n else 0.0
    return StagePlan(name=spec.name, max_length=spec.max_length, examples=n, steps=steps, lr=spec.lr,
                     warmup_ratio=spec.warmup_ratio, warmup_steps=math.floor(spec.warmup_ratio * steps),
                     micro_batch_size=spec.micro_batch_size, grad_accum=spec.grad_accum,
                     global_batch=global_batch, epochs=epochs,
                     max_tokens=max((t for _, t in members), default=0))


def stage_paths(out_dir: str | Path, stage_name: str) -> dict[str, Path]:
    out = Path(out_dir)
    return {"jsonl": out / f"{stage_name}.jsonl", "parquet": out / f"{stage_name}.parquet"}


def write_stage_files(plan: Plan, per_stage: list[list[tuple[ChatExample, int]]], out_dir: str | Path) -> None:
    """Per stage ``NAME.jsonl`` (id, task, tokens, messages) and ``NAME.parquet`` (id, task, messages, as VERL
    reads it), plus ``plan.json``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    message = pa.struct([("role", pa.string()), ("content", pa.string())])
    schema = pa.schema([("id", pa.string()), ("task", pa.string()), ("messages", pa.list_(message))])
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for stage, members in zip(plan.stages, per_stage):
        paths = stage_paths(out, stage.name)
        write_jsonl(paths["jsonl"], ({**ex.to_dict(), "tokens": t} for ex, t in members))
        rows = [ex.to_dict() for ex, _ in members]
        tmp = paths["parquet"].with_name(f".{paths['parquet'].name}.tmp")
        pq.write_table(pa.Table.from_pylist(rows, schema=schema), tmp)
        tmp.replace(paths["parquet"])
    write_json(out / "plan.json", plan.to_json())


def format_table(plan: Plan) -> str:
    """The stage table as aligned plain text (for the console and reports)."""
    head = ("stage", "max_len", "examples", "steps", "lr", "warmup", "warmup_steps", "micro", "accum",
            "global", "epochs")
    rows = [(s.name, str(s.max_length), str(s.examples), str(s.steps), f"{s.lr:g}", f"{s.warmup_ratio:g}",
             str(s.warmup_steps), str(s.micro_batch_size), str(s.grad_accum), str(s.global_batch),
             f"{s.epochs:.2f}") for s in plan.stages]
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    lines = ["  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths)))
             for r in [head, *rows]]
    lines.append(f"recipe {plan.recipe}, task {plan.task}, {plan.total_examples} examples, tokens by "
                 f"{plan.token_count}; unplaced {plan.unplaced}" + (f", truncated {plan.truncated}"
                                                                     if plan.truncated else ""))
    many = [f"{s.name} ({s.epochs:.0f})" for s in plan.stages if s.epochs > 20]
    if many:
        lines.append(f"note: epochs above 20 in {', '.join(many)}: the step budget repeats the data; lower hours"
                     " or set max_steps")
    return "\n".join(lines)


def tokenizer_counter(tokenizer: Any) -> TokenCounter:
    """Exact counts: the length of the chat-templated conversation."""

    def count(messages: list[Message]) -> int:
        ids = tokenizer.apply_chat_template(list(messages), tokenize=True)
        if isinstance(ids, dict) or hasattr(ids, "keys"):
            ids = ids["input_ids"]
        return len(ids)

    return count


def plan_folder(recipe: Recipe, data_dir: str | Path, *, task: str | None = None, out_dir: str | Path | None = None,
                count_tokens: TokenCounter | None = None, limit: int | None = None, seed: int = 0) -> Plan:
    """Plan a prepared folder (``pi1.jsonl`` / ``pi2.jsonl``) and, when ``out_dir`` is given, write the stage files."""
    task = task or recipe.task
    examples = load_task(data_dir, task, seed=seed, limit=limit)
    plan, per_stage = assign(recipe, examples, task=task, count_tokens=count_tokens)
    if out_dir is not None:
        write_stage_files(plan, per_stage, out_dir)
    return plan
