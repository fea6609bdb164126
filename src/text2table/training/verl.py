"""VERL 0.9 launch commands: Hydra overrides, ``torchrun`` SFT commands, stage chaining by checkpoint merges.

The helpers at the top are generic and shared with the GRPO commands (``verl_grpo.py``): turn values into
Hydra override text (:func:`hydra_value`, :func:`overrides`), check a set of overrides against VERL's own
installed configs offline (:func:`validate_overrides`), and build/print/run :class:`Command` lists.

SFT (the reference path for the 8B model): per stage ``torchrun -m verl.trainer.sft_trainer`` with the
stage's planned parquet, ``data.use_dynamic_bsz=False`` so that accumulation is exact, and the LoRA adapter
of the previous stage. VERL's FSDP path has no LoRA dropout, so the first stage starts from an adapter
created with PEFT (``text2table train init-adapter``, dropout from the recipe) and passed as
``model.lora_adapter_path``; each stage's last checkpoint is merged (``python -m verl.model_merger merge``)
and its ``lora_adapter/`` starts the next stage.
"""

from __future__ import annotations

import math
import re
import shlex
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from text2table.errors import ConfigError
from text2table.training.recipe import Recipe, StageSpec

SFT_CONFIG = "sft_trainer_engine"
CONFIG_MODULE = "verl.trainer.config"
_BARE = re.compile(r"^[A-Za-z0-9_./:~+@-]+$")
_KEYWORDS = {"true", "false", "null", "none", "nan", "inf", "-inf"}


def hydra_value(value: Any) -> str:
    """A Python value as Hydra override text (lists as ``[a,b]``, odd strings single-quoted).

    >>> hydra_value(["q_proj", "k_proj"]), hydra_value(None), hydra_value(True), hydra_value("a b")
    ('[q_proj,k_proj]', 'null', 'true', "'a b'")
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(hydra_value(v) for v in value) + "]"
    text = str(value)
    if _BARE.match(text) and text.lower() not in _KEYWORDS and not _looks_numeric(text):
        return text
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _looks_numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def overrides(mapping: dict[str, Any]) -> list[str]:
    """``key=value`` overrides in the mapping's order; a key may carry Hydra's ``+`` (add) prefix."""
    return [f"{key}={hydra_value(value)}" for key, value in mapping.items()]


def validate_overrides(items: Iterable[str], config_name: str = SFT_CONFIG) -> Any:
    """Compose VERL's installed Hydra config with ``items`` (offline); an unknown or misspelt key raises
    :class:`ConfigError`. Returns the composed config."""
    from hydra import compose, initialize_config_module
    from hydra.core.global_hydra import GlobalHydra
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    GlobalHydra.instance().clear()
    try:
        with initialize_config_module(config_module=CONFIG_MODULE, version_base=None):
            return compose(config_name=config_name, overrides=list(items))
    except (HydraException, OmegaConfBaseException) as exc:
        raise ConfigError(f"VERL config {config_name!r} rejects the overrides: {exc}") from None
    finally:
        GlobalHydra.instance().clear()


@dataclass(frozen=True)
class Command:
    """One launch step: its argv, what it does, and a path whose existence means it is already done."""

    argv: tuple[str, ...]
    what: str
    done_when: str | None = None

    def shell(self) -> str:
        return shlex.join(self.argv)


def run_commands(commands: list[Command], *, dry_run: bool, log: Callable[[str], None] = print) -> None:
    """Print (``dry_run``) or run the commands in order; steps whose ``done_when`` path exists are skipped."""
    for cmd in commands:
        log(f"# {cmd.what}")
        if dry_run:
            log(cmd.shell())
            continue
        if cmd.done_when and Path(cmd.done_when).exists():
            log(f"# done already ({cmd.done_when} exists), skipped")
            continue
        proc = subprocess.run(list(cmd.argv), check=False)
        if proc.returncode != 0:
            raise ConfigError(f"step failed with exit code {proc.returncode}: {cmd.what}\n{cmd.shell()}")


@dataclass(frozen=True)
class SftLayout:
    """Where a VERL SFT run reads and writes. Values may be shell variables (``$RUN``) for scripts."""

    model: str
    run_dir: str
    plan_dir: str
    val_files: tuple[str, ...] = ()

    def checkpoints(self, stage: str) -> str:
        return f"{self.run_dir}/{stage}/ckpt"

    def merged(self, stage: str) -> str:
        return f"{self.run_dir}/{stage}/merged"

    def initial_adapter(self) -> str:
        return f"{self.run_dir}/adapter_init"


def sft_overrides(recipe: Recipe, stage: StageSpec, layout: SftLayout, *, steps: int, epochs: int,
                  adapter_path: str, num_workers: int | None = None) -> list[str]:
    """The Hydra overrides of one stage for ``verl.trainer.sft_trainer`` (config ``sft_trainer_engine``).

    ``num_workers`` None leaves VERL's default (8, the recipe default ``min(8, cpus)`` on a GPU node)."""
    v = recipe.verl
    val = list(layout.val_files)
    mapping: dict[str, Any] = {
        "model.path": layout.model,
        "model.lora_rank": recipe.lora.rank,
        "model.lora_alpha": recipe.lora.alpha,
        "model.target_modules": list(recipe.lora.target_modules),
        "model.lora_adapter_path": adapter_path,
        "model.use_remove_padding": v.use_remove_padding,
        "model.enable_gradient_checkpointing": v.gradient_checkpointing,
        "+model.override_config.attn_implementation": v.attn_implementation,
        "data.train_files": f"{layout.plan_dir}/{stage.name}.parquet",
        "data.val_files": (val[0] if len(val) == 1 else val) if val else None,
        "data.messages_key": "messages",
        "data.max_length": stage.max_length,
        "data.truncation": v.truncation,
        "data.micro_batch_size_per_gpu": stage.micro_batch_size,
        "data.train_batch_size": stage.global_batch(recipe.devices * v.nnodes),
        "data.use_dynamic_bsz": False,
        "engine": "fsdp",
        "engine.strategy": v.strategy,
        "engine.ulysses_sequence_parallel_size": v.ulysses_sequence_parallel_size,
        "optim.lr": stage.lr,
        "optim.lr_warmup_steps_ratio": stage.warmup_ratio,
        "optim.lr_scheduler_type": v.lr_scheduler_type,
        "trainer.total_training_steps": steps,
        "trainer.total_epochs": max(1, epochs),
        "trainer.default_local_dir": layout.checkpoints(stage.name),
        "trainer.project_name": v.project_name,
        "trainer.experiment_name": f"{recipe.name}-{stage.name}",
        "trainer.logger": list(v.logger),
        "trainer.nnodes": v.nnodes,
        "trainer.n_gpus_per_node": recipe.devices,
        "trainer.save_freq": v.save_freq,
        "trainer.test_freq": recipe.eval.eval_freq if val else -1,
        "trainer.resume_mode": "auto",
    }
    if num_workers is not None:
        mapping["data.num_workers"] = num_workers
    return overrides(mapping) + list(v.extra_overrides)


def init_adapter_command(recipe: Recipe, layout: SftLayout, cli: tuple[str, ...]) -> Command:
    lora = recipe.lora
    argv = (*cli, "train", "init-adapter", layout.model, "--out", layout.initial_adapter(),
            "--rank", str(lora.rank), "--alpha", str(lora.alpha), "--dropout", str(lora.dropout),
            "--targets", ",".join(lora.target_modules))
    return Command(argv, f"initial LoRA adapter with PEFT (dropout {lora.dropout})",
                   f"{layout.initial_adapter()}/adapter_config.json")


def sft_commands(recipe: Recipe, layout: SftLayout, stages: list[tuple[StageSpec, int, float]], *,
                 cli: tuple[str, ...] = ("text2table",), python: str = "python", torchrun: str = "torchrun",
                 extra: tuple[str, ...] = (),
                 num_workers: int | None = None) -> list[Command]:
    """Initial adapter, then per stage (``(spec, steps, epochs)``, empty stages left out) the torchrun
    command and the merge of its last checkpoint; each stage starts from the previous stage's adapter."""
    commands = [init_adapter_command(recipe, layout, cli)]
    adapter = layout.initial_adapter()
    nproc = recipe.devices
    for spec, steps, epochs in stages:
        if steps <= 0:
            continue
        ov = sft_overrides(recipe, spec, layout, steps=steps, epochs=math.ceil(epochs), adapter_path=adapter,
                           num_workers=num_workers)
        argv = (torchrun, "--standalone", f"--nnodes={recipe.verl.nnodes}", f"--nproc_per_node={nproc}",
                "-m", "verl.trainer.sft_trainer", *ov, *extra)
        ckpt = f"{layout.checkpoints(spec.name)}/global_step_{steps}"
        commands.append(Command(argv, f"{spec.name}: SFT, max_length {spec.max_length}, {steps} steps", ckpt))
        merged = layout.merged(spec.name)
        commands.append(Command((python, "-m", "verl.model_merger", "merge", "--backend", "fsdp", "--local_dir",
                                 ckpt, "--target_dir", merged), f"{spec.name}: merge checkpoint -> adapter",
                                f"{merged}/lora_adapter/adapter_config.json"))
        adapter = f"{merged}/lora_adapter"
    return commands


def create_initial_adapter(base_model: str, lora: Any, out_dir: str | Path, *, seed: int = 0) -> Path:
    """Save a freshly initialised PEFT LoRA adapter (B = 0, so it starts as the base model) without loading
    the base weights: the model is built on the meta device from its config and only the adapter is made real.
    ``base_model`` is a local folder or a cached hub id (nothing is downloaded)."""
    import torch
    from accelerate import init_empty_weights
    from peft import get_peft_model
    from peft.tuners.lora import LoraLayer
    from transformers import AutoConfig, AutoModelForCausalLM

    from text2table.training.sft import lora_config

    config = AutoConfig.from_pretrained(base_model, local_files_only=True, trust_remote_code=False)
    with init_empty_weights():
        model = AutoModelForCausalLM.from_config(config)
    peft_model = get_peft_model(model, lora_config(lora))
    torch.manual_seed(seed)
    for module in peft_model.modules():
        if isinstance(module, LoraLayer):
            for name in module.lora_A:
                module.lora_A[name].to_empty(device="cpu")
                module.lora_B[name].to_empty(device="cpu")
                module.reset_lora_parameters(name, True)
    peft_model.peft_config["default"].base_model_name_or_path = base_model
    out = Path(out_dir)
    peft_model.save_pretrained(str(out), safe_serialization=True)
    return out


def val_files(dev_dir: str | None, task: str) -> tuple[str, ...]:
    """The prepared SFT parquet files of a dev folder for ``task`` (both tasks for ``both``)."""
    if dev_dir is None:
        return ()
    tasks = ("pi1", "pi2") if task == "both" else (task,)
    return tuple(f"{dev_dir}/{t}_sft.parquet" for t in tasks)


def check_base_model(spec: str) -> None:
    if spec.startswith("embedded:") or spec.endswith(".gguf"):
        raise ConfigError(f"the VERL path needs a Hugging Face model folder or hub id, got {spec!r}"
                          " (fix: use --engine trl for the embedded model, or set base_model to an HF folder)")


SCRIPT_HEAD = """#!/usr/bin/env bash
# {title}
# Generated from {recipe_path} by text2table.training.verl.render_script; regenerate it, do not edit by hand.
# Usage: {script} DATA_DIR DEV_DIR RUN_DIR [extra Hydra overrides for every stage...]
#   DATA_DIR, DEV_DIR: folders written by `text2table prepare`; MODEL (env) overrides the base model.
#   Every stage must get examples; `text2table train sft --engine verl` runs the same commands and skips
#   empty stages, resumes finished steps and sets trainer.total_epochs from the plan.
set -euo pipefail
DATA=$1
DEV=$2
RUN=$3
shift 3
MODEL=${{MODEL:-{model}}}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
"""


def _shell_word(word: str) -> str:
    """Quote for bash, keeping ``$VAR`` expansion inside double quotes."""
    if "$" not in word:
        return shlex.quote(word)
    return '"' + re.sub(r'(["\\`])', r"\\\1", word) + '"'


def render_script(recipe: Recipe, recipe_path: str, script: str, *, epochs_cap: int = 100) -> str:
    """A thin bash launcher with the same commands as ``train sft --engine verl``; the plan's epochs are not
    known without data, so ``trainer.total_epochs`` is ``epochs_cap`` (training stops at the step budget)."""
    check_base_model(recipe.base_model)
    layout = SftLayout(model="$MODEL", run_dir="$RUN", plan_dir="$RUN/plan", val_files=val_files("$DEV", recipe.task))
    stages = [(s, recipe.stage_steps(s), float(epochs_cap)) for s in recipe.stages]
    lines = [SCRIPT_HEAD.format(title=f"VERL SFT for recipe {recipe.name} ({recipe.task}).", recipe_path=recipe_path,
                                script=script, model=recipe.base_model)]
    lines.append("# plan: per-stage training files (and plan.json) from the length curriculum")
    lines.append(" ".join(_shell_word(w) for w in ("text2table", "plan", f"$ROOT/{recipe_path}", "--data", "$DATA",
                                                   "--out", "$RUN/plan")))
    for cmd in sft_commands(recipe, layout, stages):
        lines.append(f"# {cmd.what}")
        words = [_shell_word(w) for w in cmd.argv]
        if "verl.trainer.sft_trainer" not in cmd.argv:
            lines.append(" ".join(words))
            continue
        head = words.index("verl.trainer.sft_trainer") + 1
        lines.append(" \\\n    ".join([" ".join(words[:head]), *words[head:], '"$@"']))
    return "\n".join(lines) + "\n"


def _torchrun(python: str) -> str:
    """``torchrun`` from PATH, else the one next to ``python`` (a virtual environment that is not activated)."""
    import shutil

    sibling = Path(python).with_name("torchrun")
    return "torchrun" if shutil.which("torchrun") or not sibling.is_file() else str(sibling)


def train_verl(recipe: Recipe, data_dir: str | Path, run_dir: str | Path, *, dev_dir: str | Path | None = None,
               dry_run: bool = False, limit: int | None = None, extra: tuple[str, ...] = (),
               cli: tuple[str, ...] = ("text2table",), log: Callable[[str], None] = print) -> list[Command]:
    """Plan into ``RUN_DIR/plan`` (stage parquet files), then print or run the VERL commands of every stage.

    ``cli`` launches text2table itself (``(sys.executable, "-m", "text2table")`` from the CLI); its Python
    also runs the checkpoint merges."""
    from text2table.adapters.card import write_card
    from text2table.training.plan import plan_folder
    from text2table.training.sft import data_card, token_counter

    check_base_model(recipe.base_model)
    run = Path(run_dir).resolve()
    plan = plan_folder(recipe, data_dir, out_dir=run / "plan", count_tokens=token_counter(recipe), limit=limit)
    layout = SftLayout(model=recipe.base_model, run_dir=str(run), plan_dir=str(run / "plan"),
                       val_files=val_files(str(Path(dev_dir).resolve()) if dev_dir else None, recipe.task))
    for path in layout.val_files:
        if not Path(path).is_file():
            raise ConfigError(f"validation file {path} not found (fix: --dev must be a `text2table prepare` folder)")
    specs = {s.name: s for s in recipe.stages}
    stages = [(specs[s.name], s.steps, s.epochs) for s in plan.stages]
    python = cli[0] if len(cli) > 2 and cli[1] == "-m" else "python"
    commands = sft_commands(recipe, layout, stages, cli=cli, python=python, torchrun=_torchrun(python), extra=extra,
                            num_workers=recipe.loader.workers)
    card = {**data_card(data_dir), "base_model": recipe.base_model, "recipe": recipe.name}
    for spec, _, _ in stages:  # before the run, so that a printed script's merges land beside their card
        write_card(Path(layout.merged(spec.name)).resolve(), card)
    run_commands(commands, dry_run=dry_run, log=log)
    if not dry_run:  # again, in case a merge replaced the folder
        for spec, _, _ in stages:
            write_card(Path(layout.merged(spec.name)), card)
    return commands
