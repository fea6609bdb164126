"""Local SFT with TRL: a PEFT LoRA trained stage by stage over the length curriculum (CPU or accelerate GPUs).

Each stage trains on its planned examples in TRL's conversational prompt/completion form, so the loss covers
only the assistant answer (SmolLM2's chat template has no generation markers). Stage *k* starts from stage
*k-1*'s adapter with its own learning rate and warm-up. ``RUN_DIR`` layout::

    state.json            finished stages (``--resume`` skips them and continues the current one)
    plan/                 the planner's stage files and plan.json
    stages/NAME/          checkpoint-N/ (resume points), adapter/ (the stage's adapter)
    tensorboard/NAME/     TensorBoard logs
    sanity.json           the after-stage sanity checks (and ``base``: the untrained model, with --baseline)
    adapter/              the final adapter (PEFT, safetensors)
    train_summary.json    steps, seconds per step, losses, data, recipe
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from text2table.adapters.card import started_from, write_card
from text2table.errors import ConfigError
from text2table.core.jsonio import write_json
from text2table.training.data import ChatExample, load_chat_records, load_task, sample_examples, to_dataset
from text2table.training.plan import Plan, format_table, plan_folder, stage_paths, tokenizer_counter
from text2table.training.recipe import LoraSpec, Recipe
from text2table.training.sanity import run_sanity, summary_line

Log = Callable[[str], None]


@dataclass(frozen=True)
class SftOptions:
    """Run options that are not part of the recipe (CLI flags)."""

    task: str | None = None
    max_steps: int | None = None
    limit_examples: int | None = None
    resume: bool = False
    dev_dir: Path | None = None
    sanity: bool = True
    baseline: bool = False
    stages: tuple[str, ...] | None = None  # train only these stages now (resume later for the rest)
    seed: int = 0
    init_adapter: Path | None = None  # warm start: the first stage continues this PEFT adapter

    def __post_init__(self) -> None:
        if self.init_adapter is not None and not (Path(self.init_adapter) / "adapter_config.json").is_file():
            raise ConfigError(f"--init-adapter {self.init_adapter}: no adapter_config.json there; pass a PEFT"
                              " adapter folder (a run's adapter/ or stages/NAME/checkpoint-N/)")


def lora_config(lora: LoraSpec) -> Any:
    """The PEFT LoraConfig of a recipe (dropout honoured)."""
    from peft import LoraConfig

    return LoraConfig(r=lora.rank, lora_alpha=lora.alpha, lora_dropout=lora.dropout,
                      target_modules=list(lora.target_modules), bias="none", task_type="CAUSAL_LM")


def new_adapter(model: Any, lora: LoraSpec) -> Any:
    """Wrap a base model with a fresh trainable LoRA adapter."""
    from peft import get_peft_model

    return get_peft_model(model, lora_config(lora))


def load_adapter(model: Any, adapter_dir: str | Path, *, trainable: bool) -> Any:
    """Put a saved PEFT adapter on a base model (its saved config, dropout included, is used)."""
    from peft import PeftModel

    return PeftModel.from_pretrained(model, str(adapter_dir), is_trainable=trainable)


EMBEDDED_NAMES = ("embedded", "embedded:smollm2-135m-instruct")


def model_ref(spec: str) -> str | None:
    """A recipe's ``base_model`` as :mod:`text2table.backends.models` takes it (None: the embedded model)."""
    if spec.startswith("embedded"):
        if spec not in EMBEDDED_NAMES:
            raise ConfigError(f"unknown embedded model {spec!r}; the embedded model is {EMBEDDED_NAMES[1]!r}")
        return None
    return spec


def load_base_model(spec: str, *, dtype: str = "float32") -> tuple[Any, Any]:
    """``(model, tokenizer)`` of a recipe's ``base_model``: ``embedded:smollm2-135m-instruct``, a ``.gguf``
    file (dequantised and cached once) or a local Hugging Face folder; nothing is downloaded."""
    from text2table.backends.models import load_causal_lm

    return load_causal_lm(model_ref(spec), dtype=dtype)


def load_tokenizer(spec: str) -> Any:
    """The tokenizer of a recipe's ``base_model`` (for exact token counts)."""
    from text2table.backends.models import load_tokenizer as load

    return load(model_ref(spec))


def token_counter(recipe: Recipe) -> Any:
    """Exact token counts with the model's tokenizer when ``buckets.exact_tokens`` is set, else None."""
    if not recipe.buckets.exact_tokens:
        return None
    return tokenizer_counter(load_tokenizer(recipe.base_model))


def effective_recipe(recipe: Recipe, options: SftOptions) -> Recipe:
    """The recipe with the CLI overrides applied (``--stage-model``, ``--max-steps``)."""
    changes: dict[str, Any] = {}
    if options.task is not None:
        changes["task"] = options.task
    if options.max_steps is not None:
        changes["max_steps"] = options.max_steps
        changes["stages"] = tuple(dataclasses.replace(s, max_steps=None) for s in recipe.stages)
    return recipe.replace(**changes) if changes else recipe


def fingerprint(recipe: Recipe, options: SftOptions) -> str:
    sft_part = {k: v for k, v in recipe.to_dict().items() if k != "rl"}  # RL settings do not change SFT
    sft_part["trl"].pop("threads", None)  # speed only, not the result
    if not sft_part["trl"].get("padding_free"):  # runs started before the option keep their fingerprint
        sft_part["trl"].pop("padding_free", None)
    data = {"recipe": sft_part, "limit": options.limit_examples, "seed": options.seed}
    if options.init_adapter is not None:
        data["init_adapter"] = str(Path(options.init_adapter).resolve())
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def _read_state(run_dir: Path, fp: str, resume: bool, log: Log) -> dict[str, Any]:
    path = run_dir / "state.json"
    if not path.is_file():
        if resume:
            log(f"--resume: no finished stage in {run_dir} (no state.json); the first stage continues from its"
                " last checkpoint-N if it has one")
        return {"fingerprint": fp, "stages": {}}
    state = json.loads(path.read_text(encoding="utf-8"))
    if not resume:
        raise ConfigError(f"{run_dir} already holds a run (state.json); pass --resume to continue it"
                          " or choose another --out")
    if state.get("fingerprint") != fp:
        raise ConfigError(f"{run_dir} was started with another recipe or options (fingerprint"
                          f" {state.get('fingerprint')} != {fp}); use the same recipe and flags, or a new --out")
    return state


def _has_cuda() -> bool:
    import torch

    return torch.cuda.is_available()


def _sft_config(recipe: Recipe, stage_index: int, steps: int, output_dir: Path, has_eval: bool) -> Any:
    from trl import SFTConfig

    stage, trl = recipe.stages[stage_index], recipe.trl
    workers = recipe.loader.workers
    return SFTConfig(
        output_dir=str(output_dir), max_steps=steps, learning_rate=stage.lr,
        warmup_steps=stage.warmup_ratio,  # transformers 5: a float below 1 is a ratio
        lr_scheduler_type=trl.lr_scheduler, weight_decay=trl.weight_decay, max_grad_norm=trl.max_grad_norm,
        per_device_train_batch_size=stage.micro_batch_size, per_device_eval_batch_size=stage.micro_batch_size,
        gradient_accumulation_steps=stage.grad_accum,
        max_length=None if trl.padding_free else stage.max_length,  # padding-free: the plan already fits examples
        completion_only_loss=True, packing=False, padding_free=trl.padding_free,
        gradient_checkpointing=trl.gradient_checkpointing,
        train_sampling_strategy="group_by_length" if trl.group_by_length else "random",
        logging_steps=min(recipe.eval.log_freq, max(1, steps)), save_strategy="steps",
        save_steps=min(trl.save_steps, max(1, steps)), save_total_limit=trl.save_total_limit,
        eval_strategy="steps" if has_eval else "no", eval_steps=recipe.eval.eval_freq if has_eval else None,
        bf16=trl.dtype == "bfloat16", fp16=trl.dtype == "float16", seed=trl.seed, data_seed=trl.seed,
        dataloader_num_workers=workers, dataloader_prefetch_factor=recipe.loader.prefetch_factor if workers else None,
        dataloader_persistent_workers=recipe.loader.persistent_workers if workers else False,
        dataloader_pin_memory=_has_cuda(),
        use_cpu=trl.dtype == "bfloat16" and not _has_cuda(),  # transformers runs bf16 autocast on a CPU only so
        report_to="none", disable_tqdm=True, save_only_model=False)


def _progress_callback(stage: str, steps: int, log: Log, record: list[dict[str, Any]]) -> Any:
    from transformers import TrainerCallback

    class Progress(TrainerCallback):
        """Console progress: step, loss, learning rate, seconds per step, time left."""

        def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            self.start, self.first_step = time.perf_counter(), state.global_step

        def on_log(self, args: Any, state: Any, control: Any, logs: Any = None, **kwargs: Any) -> None:
            logs = dict(logs or {})
            done = state.global_step - self.first_step
            per_step = (time.perf_counter() - self.start) / done if done else 0.0
            entry = {"step": state.global_step, **{k: v for k, v in logs.items() if isinstance(v, (int, float))}}
            record.append(entry)
            if "loss" in logs:
                log(f"{stage} step {state.global_step}/{steps} loss {logs['loss']:.4f} "
                    f"lr {logs.get('learning_rate', 0):.2e} {per_step:.2f} s/step "
                    f"eta {per_step * (steps - state.global_step) / 60:.1f} min")
            elif "eval_loss" in logs:
                log(f"{stage} step {state.global_step}/{steps} eval_loss {logs['eval_loss']:.4f}")

    return Progress()


def build_trainer(recipe: Recipe, index: int, steps: int, model: Any, tokenizer: Any, train: list[ChatExample],
                  dev: list[ChatExample], output_dir: Path, callbacks: list[Any]) -> Any:
    """TRL's SFTTrainer for one stage (prompt/completion datasets: the loss covers only the answer)."""
    from transformers import PrinterCallback
    from trl import SFTTrainer

    trainer = SFTTrainer(model=model, args=_sft_config(recipe, index, steps, output_dir, bool(dev)),
                         train_dataset=to_dataset(train), eval_dataset=to_dataset(dev) if dev else None,
                         processing_class=tokenizer, callbacks=callbacks)
    trainer.remove_callback(PrinterCallback)
    return trainer


def _train_stage(recipe: Recipe, index: int, stage_plan: Any, run_dir: Path, prev_adapter: Path | None,
                 train: list[ChatExample], dev: list[ChatExample], resume: bool, log: Log,
                 extra_callbacks: list[Any]) -> tuple[dict[str, Any], Any, Any]:
    from torch.utils.tensorboard import SummaryWriter
    from transformers.integrations import TensorBoardCallback
    from transformers.trainer_utils import get_last_checkpoint

    name = stage_plan.name
    out = run_dir / "stages" / name
    model, tokenizer = load_base_model(recipe.base_model, dtype=recipe.trl.dtype)
    model = new_adapter(model, recipe.lora) if prev_adapter is None else load_adapter(model, prev_adapter,
                                                                                       trainable=True)
    if recipe.trl.gradient_checkpointing:
        model.enable_input_require_grads()
    history: list[dict[str, Any]] = []
    writer = SummaryWriter(log_dir=str(run_dir / "tensorboard" / name))
    callbacks = [_progress_callback(name, stage_plan.steps, log, history), TensorBoardCallback(tb_writer=writer),
                 *extra_callbacks]
    trainer = build_trainer(recipe, index, stage_plan.steps, model, tokenizer, train, dev, out, callbacks)
    checkpoint = get_last_checkpoint(str(out)) if resume and out.is_dir() else None
    if checkpoint:
        log(f"{name}: resuming from {checkpoint}")
    start, cpu_start = time.perf_counter(), time.process_time()
    try:
        result = trainer.train(resume_from_checkpoint=checkpoint)
    finally:
        writer.close()
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
    adapter = out / "adapter"
    trainer.model.save_pretrained(str(adapter), safe_serialization=True)
    losses = [h["loss"] for h in history if "loss" in h]
    done_steps = trainer.state.global_step - (int(Path(checkpoint).name.split("-")[-1]) if checkpoint else 0)
    info = {"status": "done", "adapter": str(adapter.relative_to(run_dir)), "steps": trainer.state.global_step,
            "examples": len(train), "seconds": round(seconds, 2),
            "seconds_per_step": round(seconds / max(done_steps, 1), 3),
            "cpu_seconds_per_step": round(cpu_seconds / max(done_steps, 1), 3), "train_loss": result.training_loss,
            "first_loss": losses[0] if losses else None, "last_loss": losses[-1] if losses else None,
            "resumed_from": checkpoint, "log": history}
    return info, trainer.model, tokenizer


def _check(sanity: dict[str, Any], path: Path, name: str, model: Any, tokenizer: Any, dev: list[ChatExample],
           split: str, recipe: Recipe, log: Log) -> None:
    """Run the sanity check, store it under ``name`` in sanity.json and log one line."""
    result = run_sanity(model, tokenizer, dev, max_new_tokens_schema=recipe.eval.max_new_tokens_schema,
                        max_new_tokens_table=recipe.eval.max_new_tokens_table)
    result["split"] = split
    sanity[name] = result
    write_json(path, sanity)
    log(f"{name} sanity ({split}, {result['seconds']} s): {summary_line(result)}")


def _dev_examples(recipe: Recipe, options: SftOptions, train_examples: list[ChatExample]) -> tuple[list, str]:
    n = recipe.eval.per_step_eval_samples
    if options.dev_dir is not None:
        return sample_examples(load_task(options.dev_dir, recipe.task, seed=options.seed), n,
                               seed=options.seed), "dev"
    return sample_examples(train_examples, n, seed=options.seed), "train"


def train_sft(recipe: Recipe, data_dir: str | Path, run_dir: str | Path, options: SftOptions | None = None,
              *, log: Log = print, callbacks: list[Any] | None = None) -> dict[str, Any]:
    """Run every stage of ``recipe`` with TRL; returns the summary (also in ``RUN_DIR/train_summary.json``).

    ``callbacks`` (transformers ``TrainerCallback``) are added to every stage's trainer."""
    options = options or SftOptions()
    recipe = effective_recipe(recipe, options)
    run = Path(run_dir)
    run.mkdir(parents=True, exist_ok=True)
    fp = fingerprint(recipe, options)
    state = _read_state(run, fp, options.resume, log)
    plan: Plan = plan_folder(recipe, data_dir, out_dir=run / "plan", count_tokens=token_counter(recipe),
                             limit=options.limit_examples, seed=options.seed)
    log(format_table(plan))
    all_train = [ex for s in plan.stages for ex in load_chat_records(stage_paths(run / "plan", s.name)["jsonl"],
                                                                     recipe.task)]
    dev, dev_split = _dev_examples(recipe, options, all_train)
    sanity_path = run / "sanity.json"
    sanity: dict[str, Any] = json.loads(sanity_path.read_text()) if sanity_path.is_file() else {}
    if options.baseline and dev and "base" not in sanity:
        model, tokenizer = load_base_model(recipe.base_model, dtype=recipe.trl.dtype)
        _check(sanity, sanity_path, "base", model, tokenizer, dev, dev_split, recipe, log)
        del model
    prev: Path | None = Path(options.init_adapter) if options.init_adapter is not None else None
    unknown = sorted(set(options.stages or ()) - {s.name for s in plan.stages})
    if unknown:
        raise ConfigError(f"unknown stage(s) {unknown}; the recipe has {[s.name for s in plan.stages]}")
    for index, sp in enumerate(plan.stages):
        if options.stages is not None and sp.name not in options.stages:
            log(f"{sp.name}: not selected (--stages), skipped")
            continue
        done = state["stages"].get(sp.name)
        if done and done.get("status") == "done":
            log(f"{sp.name}: already done, skipped")
            prev = run / done["adapter"]
            continue
        if sp.examples == 0:
            log(f"{sp.name}: no examples, skipped")
            state["stages"][sp.name] = {"status": "empty"}
            continue
        train = load_chat_records(stage_paths(run / "plan", sp.name)["jsonl"], recipe.task)
        log(f"{sp.name}: {sp.examples} examples, {sp.steps} steps, lr {sp.lr:g}, max_length {sp.max_length}")
        eval_set = dev if dev_split == "dev" else []  # eval loss only on held-out examples
        info, model, tokenizer = _train_stage(recipe, index, sp, run, prev, train, eval_set, options.resume, log,
                                              list(callbacks or []))
        if options.sanity and dev:
            _check(sanity, sanity_path, sp.name, model, tokenizer, dev, dev_split, recipe, log)
        state["stages"][sp.name] = info
        write_json(run / "state.json", state)
        prev = run / info["adapter"]
        del model
    if prev is None:
        raise ConfigError(f"no stage had examples to train on in {data_dir}; check the plan (text2table plan)")
    final = run / "adapter"
    if final.exists():
        shutil.rmtree(final)
    shutil.copytree(prev, final)
    card = {**data_card(data_dir), "base_model": recipe.base_model, "recipe": recipe.name,
            "task": recipe.task}  # task: the stage(s) it learned (pi1, pi2, both); a pi2-only one is a --pi2-adapter
    if options.init_adapter is not None:
        card["started_from"] = started_from(options.init_adapter)
    write_card(final, card)
    summary = _summary(recipe, plan, state, data_dir, options, dev_split, len(dev))
    write_json(run / "train_summary.json", summary)
    log(f"adapter saved to {final}")
    return summary


def data_card(data_dir: str | Path) -> dict[str, Any]:
    """What an adapter trained on a prepared folder answers, for its card (``stats.json``): ``pi1_form`` ("full" when
    it does not say), ``pi2_form`` when not "full", ``row_passages`` when pi2's examples were passages of that
    size and ``row_passages_by_hint`` when some table hints were cut at another (0: read whole; then
    ``row_passages`` is 0 when the other hints' examples were whole documents)."""
    stats = Path(data_dir) / "stats.json"
    data = json.loads(stats.read_text(encoding="utf-8")) if stats.is_file() else {}
    card = {"pi1_form": str(data.get("pi1_form", "full"))}
    if data.get("pi2_form", "full") != "full":
        card["pi2_form"] = str(data["pi2_form"])
    if data.get("row_passages"):
        card["row_passages"] = int(data["row_passages"])
    if data.get("row_passages_by_hint"):
        card["row_passages_by_hint"] = {str(k): int(v) for k, v in data["row_passages_by_hint"].items()}
        card.setdefault("row_passages", 0)  # the other hints' examples were whole documents: read them whole
    return card


def _summary(recipe: Recipe, plan: Plan, state: dict[str, Any], data_dir: str | Path, options: SftOptions,
             dev_split: str, dev_n: int) -> dict[str, Any]:
    stages = {n: {k: v for k, v in s.items() if k != "log"} for n, s in state["stages"].items()}
    trained = [s for s in stages.values() if s.get("status") == "done"]
    steps = sum(s["steps"] for s in trained)
    seconds = sum(s["seconds"] for s in trained)
    return {"engine": "trl", "task": recipe.task, "steps": steps, "seconds": round(seconds, 2),
            "seconds_per_step": round(seconds / steps, 3) if steps else None,
            "losses": {n: {"first": s.get("first_loss"), "last": s.get("last_loss"), "mean": s.get("train_loss")}
                       for n, s in stages.items() if s.get("status") == "done"},
            "stages": stages, "plan": plan.to_json(),
            "init_adapter": str(options.init_adapter) if options.init_adapter is not None else None,
            "data": {"dir": str(data_dir), "limit_examples": options.limit_examples,
                     "sanity_split": dev_split, "sanity_examples": dev_n},
            "recipe": recipe.to_dict()}
