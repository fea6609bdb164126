"""Local GRPO with TRL: a LoRA policy (fresh, or the SFT adapter) trained on ``prepare``'s RL parquet.

One reward function per run (``text2table_<stage>``): TRL logs it as ``rewards/<name>/mean`` next to the total
``reward``, and every sub-metric of :mod:`text2table.rewards.scores` (schema F1, cell F1, JSON validity, key
order, grounding, duplicate and copy rates, ...) is logged per step as ``<stage>/<key>`` through TRL's
``log_metric`` hook. pipeline-pi1 scores each sampled schema through a frozen pi2
(:mod:`text2table.training.pipeline_rl`); pipeline-pi2 is pi2 GRPO on data prepared with
``--schemas-from`` (the pi2 reward against the gold table mapped onto pi1's schemas). ``both`` alternates pi1
and pi2 prompts in one run, each completion scored by its own stage's reward and logged as ``pi1/<key>`` or
``pi2/<key>``: the shipped adapter serves both stages, and GRPO on pi2 prompts alone moved pi1's schemas
(docs/training-cpu.md). ``RUN_DIR`` layout::

    adapter/            the trained LoRA adapter (PEFT, safetensors)
    trainer/            TRL checkpoints
    metrics.jsonl       one line per logged step (reward, sub-metrics, KL, seconds per step)
    grpo_summary.json   steps, seconds per step, the reward curve, update norm, pi2 cache figures
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import math
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from text2table.adapters.card import read_card, started_from, write_card
from text2table.errors import ConfigError
from text2table.core.jsonio import write_json
from text2table.rewards.config import RewardWeights
from text2table.rewards.scores import RewardResult
from text2table.rewards.trl import completion_text, score_batch
from text2table.training.pipeline_rl import BackendPi2, PipelinePi1Scorer, Pi2Runner, metadata_from_prompt
from text2table.training.recipe import Recipe
from text2table.training.rl_config import MIXED_STAGE, RLSpec, stage_model, stage_models
from text2table.training.shared_prefix import with_shared_prefix
from text2table.training.verl_grpo import rl_parquet

Log = Callable[[str], None]
Scorer = Callable[[Sequence[Any], Sequence[Any], dict[str, Any]], list[RewardResult | None]]


@dataclass(frozen=True)
class GrpoOptions:
    """Run options that are not part of the recipe (CLI flags)."""

    init_adapter: str | None = None
    max_steps: int | None = None
    limit_examples: int | None = None
    threads: int | None = None  #: torch CPU threads (None: torch's default)
    seed: int | None = None


# ----------------------------------------------------------------------------- data

def load_rl_rows(data_dir: str | Path, stage: str, *, limit: int | None = None) -> list[dict[str, Any]]:
    """The RL parquet of ``stage`` as TRL rows: ``prompt`` (chat), ``ground_truth``, ``document``, ``metadata``,
    ``id`` and ``stage`` (the model the prompt asks: pi1 or pi2). For ``both``, the pi1 and pi2 rows alternate
    (``limit`` applies to each)."""
    import pyarrow.parquet as pq

    per_model = []
    for model in stage_models(stage):
        path = rl_parquet(data_dir, model if stage == MIXED_STAGE else stage)
        table = pq.read_table(str(path), columns=["prompt", "reward_model", "extra_info"])
        rows = []
        for prompt, reward, extra in zip(*(table.column(c).to_pylist() for c in table.column_names)):
            rows.append({"prompt": [{"role": m["role"], "content": m["content"]} for m in prompt],
                         "ground_truth": reward["ground_truth"], "document": extra["document"],
                         "metadata": json.dumps(metadata_from_prompt(prompt), ensure_ascii=False), "id": extra["id"],
                         "stage": model})
            if limit is not None and len(rows) >= limit:
                break
        per_model.append(rows)
    mixed = [row for group in itertools.zip_longest(*per_model) for row in group if row is not None]
    return mixed


# ----------------------------------------------------------------------------- rewards

def logged_reward(stage: str, scorer: Scorer) -> Callable[..., list[float | None]]:
    """A TRL reward function that returns the scores and logs the mean of every sub-metric per step."""

    def reward(prompts: Sequence[Any] = (), completions: Sequence[Any] = (), completion_ids: Any = None,
               log_metric: Callable[[str, float], None] | None = None, log_extra: Callable[..., None] | None = None,
               trainer_state: Any = None, **columns: Any) -> list[float | None]:
        results = scorer(prompts, completions, columns)
        labels = columns.get("stage") if stage == MIXED_STAGE else None
        for label in sorted(set(labels)) if labels else [stage]:
            scored = [r for i, r in enumerate(results) if r is not None and (not labels or labels[i] == label)]
            if log_metric is not None and scored:
                for key in scored[0].metrics:
                    log_metric(f"{label}/{key}", sum(r.metrics.get(key, 0.0) for r in scored) / len(scored))
        if log_extra is not None:
            log_extra("reason", [r.reason if r is not None else "no ground truth" for r in results])
        return [r.score if r is not None else None for r in results]

    reward.__name__ = f"text2table_{stage.replace('-', '_')}"
    return reward


def local_scorer(stage: str, weights: RewardWeights) -> Scorer:
    """pi1 / pi2 local rewards (pipeline-pi2 trains pi2 with the pi2 reward; ``both`` scores each completion
    with the reward of the model its prompt asks, from the ``stage`` column)."""
    if stage != MIXED_STAGE:
        name = stage_model(stage)

        def score(prompts: Sequence[Any], completions: Sequence[Any],
                  columns: dict[str, Any]) -> list[RewardResult | None]:
            rest = {k: v for k, v in columns.items() if k != "stage"}  # the row's model: this stage's
            return score_batch(name, prompts, completions, weights=weights, **rest)

        return score

    def mixed(prompts: Sequence[Any], completions: Sequence[Any], columns: dict[str, Any]) -> list[RewardResult | None]:
        out: list[RewardResult | None] = [None] * len(completions)
        labels = columns["stage"]
        for model in stage_models(MIXED_STAGE):
            picked = [i for i, label in enumerate(labels) if label == model]
            if not picked:
                continue
            sub = {k: [v[i] for i in picked] if isinstance(v, list) and len(v) == len(completions) else v
                   for k, v in columns.items() if k != "stage"}
            results = score_batch(model, [prompts[i] for i in picked] if prompts else [],
                                  [completions[i] for i in picked], weights=weights, **sub)
            for i, result in zip(picked, results):
                out[i] = result
        return out

    return mixed


def pipeline_scorer(scorer: PipelinePi1Scorer) -> Scorer:
    """pipeline-pi1: each sampled schema is executed by the frozen pi2 and scored end to end."""

    def score(prompts: Sequence[Any], completions: Sequence[Any], columns: dict[str, Any]) -> list[RewardResult | None]:
        metas = [json.loads(m) if isinstance(m, str) else None for m in columns["metadata"]]
        return list(scorer.score([completion_text(c) for c in completions], columns["ground_truth"],
                                 columns["document"], metas))

    return score


def make_pi2(recipe: Recipe, rl: RLSpec) -> Pi2Runner:
    """The frozen pi2 of pipeline-pi1: a served endpoint if configured, else a transformers model in process."""
    spec = rl.pipeline
    if spec.pi2_base_url:
        from text2table.rewards.pipeline_remote import RemotePi2

        return RemotePi2(spec.pi2_base_url, spec.pi2_served_model, max_tokens=spec.max_new_tokens,
                         timeout_s=spec.timeout_s, max_concurrency=spec.max_concurrency, constrained=spec.constrained)
    from text2table.backends.base import create_backend

    options = spec.backend_options()
    if spec.pi2_backend == "transformers":
        options = {"model": model_arg(spec.pi2_model or recipe.base_model), "adapter": spec.pi2_adapter,
                   "batch_size": rl.num_generations * rl.prompts_per_step, **options}
    try:
        backend = create_backend(spec.pi2_backend, **options)
    except TypeError as exc:
        raise ConfigError(f"rl.pipeline: backend {spec.pi2_backend!r} does not take these pi2_options: {exc}") from None
    return BackendPi2(backend, max_new_tokens=spec.max_new_tokens, constrained=spec.constrained)


# ----------------------------------------------------------------------------- training

def model_arg(spec: str) -> str | None:
    """A recipe's ``base_model`` as :func:`text2table.backends.models.load_causal_lm` takes it."""
    return None if spec == "embedded" or spec.startswith("embedded:") else spec


def load_policy(recipe: Recipe, init_adapter: str | None) -> tuple[Any, Any, Any]:
    """``(model, tokenizer, peft_config)``: the SFT adapter made trainable (its KL reference is a frozen copy of
    it), or the base model and the recipe's fresh LoRA config (the reference is the base, adapters disabled)."""
    from text2table.backends.models import load_causal_lm
    from text2table.training.sft import lora_config

    model, tokenizer = load_causal_lm(model_arg(recipe.base_model), adapter=init_adapter, dtype=recipe.trl.dtype,
                                      trainable_adapter=init_adapter is not None)
    return model, tokenizer, None if init_adapter is not None else lora_config(recipe.lora)


def grpo_config(recipe: Recipe, rl: RLSpec, stage: str, out: Path, steps: int, seed: int) -> Any:
    """TRL's GRPOConfig for a stage: one optimiser step covers ``prompts_per_step x num_generations`` completions."""
    import torch
    from trl import GRPOConfig

    processes = int(os.environ.get("WORLD_SIZE", "1"))
    return GRPOConfig(
        output_dir=str(out), max_steps=steps, learning_rate=rl.lr, warmup_steps=rl.warmup_ratio,
        lr_scheduler_type="constant_with_warmup" if rl.warmup_ratio else "constant",
        per_device_train_batch_size=rl.micro_batch_size, gradient_accumulation_steps=rl.grad_accum(processes),
        num_generations=rl.num_generations, max_completion_length=rl.max_completion_length(stage),
        temperature=rl.temperature, top_p=rl.top_p, beta=rl.kl_coef, epsilon=rl.clip_ratio,
        logging_steps=rl.log_steps, save_strategy="steps", save_steps=min(rl.save_steps, steps),
        save_total_limit=recipe.trl.save_total_limit, gradient_checkpointing=recipe.trl.gradient_checkpointing,
        bf16=recipe.trl.dtype == "bfloat16", fp16=recipe.trl.dtype == "float16", max_grad_norm=recipe.trl.max_grad_norm,
        seed=seed, data_seed=seed, report_to="none", disable_tqdm=True, log_completions=False,
        dataloader_num_workers=0, dataloader_pin_memory=torch.cuda.is_available())


def _history_callback(stage: str, steps: int, path: Path, log: Log, record: list[dict[str, Any]]) -> Any:
    from transformers import TrainerCallback

    class History(TrainerCallback):
        """Appends every log to ``metrics.jsonl`` and prints reward, sub-metrics and seconds per step."""

        def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            self.last_time, self.last_step = time.perf_counter(), state.global_step

        def on_log(self, args: Any, state: Any, control: Any, logs: Any = None, **kwargs: Any) -> None:
            now, done = time.perf_counter(), state.global_step - self.last_step
            entry = {"step": state.global_step, **{k: v for k, v in (logs or {}).items()
                                                   if isinstance(v, (int, float)) and math.isfinite(v)}}
            if done:  # seconds per step since the previous log
                entry["seconds_per_step"] = round((now - self.last_time) / done, 3)
                self.last_time, self.last_step = now, state.global_step
            record.append(entry)
            with path.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(entry) + "\n")
            if "reward" in entry:
                subs = " ".join(f"{k}={v:.3f}" if stage == MIXED_STAGE else f"{k.split('/', 1)[1]}={v:.3f}"
                                for k, v in entry.items() if k.split("/", 1)[0] in (stage, *stage_models(stage))
                                and "/" in k and not k.startswith("rewards/"))
                log(f"{stage} step {state.global_step}/{steps} reward {entry['reward']:.4f}"
                    f" (std {entry.get('reward_std', 0):.3f}) {subs} kl {entry.get('kl', 0):.4f}"
                    f" {entry.get('seconds_per_step', 0):.1f} s/step")

    return History()


def drop_long_prompts(rows: list[dict[str, Any]], tokenizer: Any, limit: int) -> tuple[list[dict[str, Any]], int]:
    """Rows whose chat-templated prompt has at most ``limit`` tokens (as VERL's ``filter_overlong_prompts``)."""
    kept = [r for r in rows if len(tokenizer.apply_chat_template(r["prompt"], add_generation_prompt=True,
                                                                  tokenize=True, return_dict=False)) <= limit]
    return kept, len(rows) - len(kept)


def _trainable(model: Any) -> dict[str, Any]:
    return {n: p.detach().clone() for n, p in model.named_parameters() if p.requires_grad}


def train_grpo(recipe: Recipe, data_dir: str | Path, stage: str, run_dir: str | Path,
               options: GrpoOptions | None = None, *, pi2: Pi2Runner | None = None, log: Log = print) -> dict[str, Any]:
    """Run GRPO for ``stage`` with TRL; returns the summary (also in ``RUN_DIR/grpo_summary.json``).

    ``pi2`` (pipeline-pi1 only) replaces the frozen pi2 built from the recipe (tests, shared models).
    """
    import torch
    from datasets import Dataset
    from transformers import PrinterCallback
    from trl import GRPOTrainer

    options = options or GrpoOptions()
    rl = recipe.rl or RLSpec()
    stage_models(stage)  # validates the stage name
    if options.threads:
        torch.set_num_threads(options.threads)
    steps = options.max_steps or rl.steps
    seed = options.seed if options.seed is not None else rl.seed
    run = Path(run_dir)
    run.mkdir(parents=True, exist_ok=True)
    rows = load_rl_rows(data_dir, stage, limit=options.limit_examples)
    if not rows:
        raise ConfigError(f"no RL examples for {stage} in {data_dir}; run `text2table prepare` first")
    if stage == "pi2" and options.init_adapter is not None and read_card(options.init_adapter).get("pi2_form",
                                                                                                  "full") != "full":
        raise ConfigError(f"{options.init_adapter} answers pi2 in the sparse form (its text2table.json), and the pi2"
                          " reward reads rows with every key; start GRPO from a full-form adapter")
    scorer = None
    if stage == "pipeline-pi1":
        scorer = PipelinePi1Scorer(pi2 or make_pi2(recipe, rl), rl.reward_weights)
        reward = logged_reward(stage, pipeline_scorer(scorer))
    else:
        reward = logged_reward(stage, local_scorer(stage, rl.reward_weights))
    model, tokenizer, peft_config = load_policy(recipe, options.init_adapter)
    rows, dropped = drop_long_prompts(rows, tokenizer, rl.max_prompt_length)
    if dropped:
        log(f"{stage}: {dropped} prompts longer than rl.max_prompt_length={rl.max_prompt_length} tokens left out")
    if not rows:
        raise ConfigError(f"every prompt is longer than rl.max_prompt_length={rl.max_prompt_length} tokens;"
                          " raise it in the recipe's rl section")
    history: list[dict[str, Any]] = []
    metrics_path = run / "metrics.jsonl"
    metrics_path.unlink(missing_ok=True)
    trainer_class = with_shared_prefix(GRPOTrainer) if rl.shared_prefix else GRPOTrainer
    trainer = trainer_class(model=model, reward_funcs=[reward],
                            args=grpo_config(recipe, rl, stage, run / "trainer", steps, seed),
                            train_dataset=Dataset.from_list(rows), processing_class=tokenizer,
                            peft_config=peft_config,
                            callbacks=[_history_callback(stage, steps, metrics_path, log, history)])
    trainer.remove_callback(PrinterCallback)
    before = _trainable(trainer.model)
    log(f"{stage}: {len(rows)} prompts, {steps} steps, {rl.prompts_per_step} prompts x {rl.num_generations}"
        f" generations per step, max {rl.max_completion_length(stage)} new tokens, lr {rl.lr:g}, beta {rl.kl_coef:g}")
    start = time.perf_counter()
    trainer.train()
    seconds = time.perf_counter() - start
    update = math.sqrt(sum(float((p.detach() - before[n]).pow(2).sum()) for n, p in trainer.model.named_parameters()
                           if n in before))
    trainer.model.save_pretrained(str(run / "adapter"), safe_serialization=True, selected_adapters=["default"])
    if options.init_adapter is not None:  # the policy answers pi1 in the form its SFT adapter was trained on
        write_card(run / "adapter", {**read_card(options.init_adapter), "recipe": recipe.name, "rl_stage": stage,
                                     "started_from": started_from(options.init_adapter)})
    curve = [(h["step"], h["reward"]) for h in history if "reward" in h]
    summary = {"engine": "trl", "stage": stage, "steps": trainer.state.global_step, "seconds": round(seconds, 2),
               "seconds_per_step": round(seconds / max(1, trainer.state.global_step), 3),
               "reward_curve": curve, "update_norm": update, "prompts": len(rows), "prompts_too_long": dropped,
               "init_adapter": options.init_adapter, "adapter": str(run / "adapter"),
               "rl": dataclasses.asdict(rl)}
    if scorer is not None:
        summary["pi2"] = {"calls": scorer.pi2_calls, "failures": scorer.pi2_failures,
                          "cache_hits": scorer.cache.hits, "cache_entries": len(scorer.cache)}
    write_json(run / "grpo_summary.json", summary)
    log(f"{stage}: {summary['steps']} steps in {seconds:.1f} s ({summary['seconds_per_step']} s/step);"
        f" update norm {update:.3g}; adapter saved to {run / 'adapter'}")
    return summary
