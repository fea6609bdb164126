"""VERL GRPO launch: a recipe + a prepared data folder -> the ``python -m verl.trainer.main_ppo`` command.

The command uses verl 0.9's keys: ``algorithm.adv_estimator=grpo``, ``actor_rollout_ref.rollout.n`` (group
size), ``actor_rollout_ref.rollout.name=vllm``, the actor's LoRA keys (``lora_rank``, ``lora_alpha``,
``target_modules``, ``lora_adapter_path``) with ``rollout.load_format=safetensors``, the KL loss, and the reward
as ``reward.custom_reward_function.path`` / ``.name`` (the legacy top-level ``custom_reward_function.*`` keys
still compose but ``main_ppo`` ignores them, so they are never written). Data come from ``prepare``'s RL
parquets; pipeline-pi1 uses a copy of ``pi1_rl.parquet`` whose ``data_source`` is ``text2table/pipeline_pi1``,
scored by :mod:`text2table.rewards.pipeline_remote` against a pi2 served next to training.
Nothing here imports verl; :func:`compose_overrides` checks a set against verl's installed Hydra config.
"""

from __future__ import annotations

import importlib.util
import json
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from text2table.errors import ConfigError, InputError
from text2table.training.recipe import Recipe
from text2table.training.rl_config import RLSpec, stage_model

PIPELINE_PI1_SOURCE = "text2table/pipeline_pi1"
RL_FILES = {"pi1": "pi1_rl.parquet", "pi2": "pi2_rl.parquet"}
REWARD_MODULES = {"local": "text2table.rewards.verl_reward", "pipeline": "text2table.rewards.pipeline_remote"}


def module_file(module: str) -> Path:
    """The source file of an importable module (the path VERL's custom reward loader reads)."""
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.origin:
        raise ConfigError(f"module {module} is not importable; is text2table installed (pip install -e .)?")
    return Path(spec.origin)


def rl_parquet(data_dir: str | Path, stage: str) -> Path:
    """The RL parquet a stage trains on (``pi1_rl.parquet`` or ``pi2_rl.parquet`` of a prepared folder)."""
    path = Path(data_dir) / RL_FILES[stage_model(stage)]
    if not path.is_file():
        hint = ("build it with `text2table prepare gold.jsonl --schemas-from pred.jsonl --out DIR`"
                if stage == "pipeline-pi2" else "build it with `text2table prepare gold.jsonl --out DIR`")
        raise InputError(f"{path.name} not found in the data folder", source=str(data_dir), hint=hint)
    return path


def write_pipeline_parquet(source: str | Path, target: str | Path, *, data_source: str = PIPELINE_PI1_SOURCE) -> int:
    """Copy a pi1 RL parquet for pipeline-pi1; returns the row count.

    Every ``data_source`` becomes ``data_source``, and ``extra_info`` gains ``metadata`` (the prompt's
    [METADATA] block as JSON) so that the remote scorer can render pi2's prompt exactly as ``prepare`` would.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    from text2table.training.pipeline_rl import metadata_from_prompt

    table = pq.read_table(str(source))
    missing = {"data_source", "prompt", "extra_info"} - set(table.column_names)
    if missing:
        raise InputError(f"not an RL parquet (no {sorted(missing)} column)", source=str(source),
                         hint="use pi1_rl.parquet written by `text2table prepare`")
    extra = table.column("extra_info").to_pylist()
    for info, prompt in zip(extra, table.column("prompt").to_pylist()):
        info["metadata"] = json.dumps(metadata_from_prompt(prompt), ensure_ascii=False)
    table = table.set_column(table.column_names.index("data_source"), "data_source",
                             pa.array([data_source] * table.num_rows, type=pa.string()))
    table = table.set_column(table.column_names.index("extra_info"), "extra_info", pa.array(extra))
    out = Path(target)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    pq.write_table(table, str(tmp))
    tmp.replace(out)
    return table.num_rows


@dataclass(frozen=True)
class GrpoLaunch:
    """Everything needed to start one VERL GRPO run: the overrides, and the files to build first."""

    stage: str
    overrides: tuple[str, ...]
    builds: tuple[tuple[Path, Path], ...] = ()  #: (pi1 RL parquet, pipeline parquet) copies to write first
    env: dict[str, str] = field(default_factory=dict)

    @property
    def command(self) -> list[str]:
        return [sys.executable, "-m", "verl.trainer.main_ppo", *self.overrides]

    def shell(self, python: str = "python3") -> str:
        """The command as one shell line (``\\``-continued, one override per line)."""
        lines = [f"{python} -m verl.trainer.main_ppo"] + [f"    {shlex.quote(o)}" for o in self.overrides]
        return " \\\n".join(lines)


def _value(value: Any) -> str:
    """A Hydra override value: lists as ``[a,b]``, booleans as ``True``/``False``, paths and text quoted if needed."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_value(v) for v in value) + "]"
    if value is None:
        return "null"
    text = str(value)
    if any(ch in text for ch in ",[]{}()='\"\\$"):  # characters the Hydra grammar would read as syntax
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
    return text


def grpo_overrides(recipe: Recipe, stage: str, *, train_files: list[Path], val_files: list[Path],
                   run_dir: Path, init_adapter: str | None = None, max_steps: int | None = None,
                   rl: RLSpec | None = None, reward_path: str | None = None) -> list[str]:
    """The Hydra overrides of one GRPO stage (no file is read or written).

    ``reward_path`` replaces the installed reward module's file path (launch scripts use a shell variable).
    """
    rl = rl or recipe.rl or RLSpec()
    devices, nodes = recipe.devices, recipe.verl.nnodes
    if (rl.prompts_per_step * rl.num_generations) % (devices * nodes):
        raise ConfigError(f"rl: prompts_per_step x num_generations ({rl.completions_per_step()}) must be a"
                          f" multiple of the GPU count ({devices * nodes})")
    steps = max_steps or rl.steps
    pipeline = stage == "pipeline-pi1"
    reward_file = reward_path or module_file(REWARD_MODULES["pipeline" if pipeline else "local"])
    lora = recipe.lora
    o: dict[str, Any] = {
        "algorithm.adv_estimator": "grpo",
        "algorithm.use_kl_in_reward": False,
        "data.train_files": [str(p) for p in train_files],
        "data.val_files": [str(p) for p in val_files],
        "data.prompt_key": "prompt",
        "data.reward_fn_key": "data_source",
        "data.train_batch_size": rl.prompts_per_step,
        "data.max_prompt_length": rl.max_prompt_length,
        "data.max_response_length": rl.max_completion_length(stage),
        "data.filter_overlong_prompts": True,
        "data.truncation": "error",
        "data.seed": rl.seed,
        "actor_rollout_ref.model.path": recipe.base_model,
        "actor_rollout_ref.model.lora_rank": lora.rank,
        "actor_rollout_ref.model.lora_alpha": lora.alpha,
        "actor_rollout_ref.model.target_modules": list(lora.target_modules),
        "actor_rollout_ref.model.use_remove_padding": recipe.verl.use_remove_padding,
        "actor_rollout_ref.model.enable_gradient_checkpointing": recipe.verl.gradient_checkpointing,
        "actor_rollout_ref.actor.optim.lr": rl.lr,
        "actor_rollout_ref.actor.optim.lr_warmup_steps_ratio": rl.warmup_ratio,
        "actor_rollout_ref.actor.ppo_mini_batch_size": rl.prompts_per_step,
        "actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu": rl.micro_batch_size,
        "actor_rollout_ref.actor.use_kl_loss": rl.kl_coef > 0,
        "actor_rollout_ref.actor.kl_loss_coef": rl.kl_coef,
        "actor_rollout_ref.actor.kl_loss_type": rl.kl_loss_type,
        "actor_rollout_ref.actor.clip_ratio": rl.clip_ratio,
        "actor_rollout_ref.actor.entropy_coeff": 0,
        "actor_rollout_ref.actor.strategy": recipe.verl.strategy,
        "actor_rollout_ref.actor.ulysses_sequence_parallel_size": recipe.verl.ulysses_sequence_parallel_size,
        "actor_rollout_ref.rollout.name": "vllm",
        "actor_rollout_ref.rollout.n": rl.num_generations,
        "actor_rollout_ref.rollout.temperature": rl.temperature,
        "actor_rollout_ref.rollout.top_p": rl.top_p,
        "actor_rollout_ref.rollout.load_format": "safetensors",
        "actor_rollout_ref.rollout.layered_summon": True,
        "actor_rollout_ref.rollout.tensor_model_parallel_size": rl.rollout_tensor_parallel_size,
        "actor_rollout_ref.rollout.gpu_memory_utilization": rl.rollout_gpu_memory_utilization,
        "actor_rollout_ref.rollout.log_prob_micro_batch_size_per_gpu": rl.micro_batch_size,
        "actor_rollout_ref.ref.log_prob_micro_batch_size_per_gpu": rl.micro_batch_size,
        "reward.custom_reward_function.path": str(reward_file),
        "reward.custom_reward_function.name": "compute_score",
        "reward.reward_manager.name": "naive",
        "trainer.total_training_steps": steps,
        "trainer.n_gpus_per_node": devices,
        "trainer.nnodes": nodes,
        "trainer.default_local_dir": str(run_dir / "checkpoints"),
        "trainer.project_name": "text2table-grpo",
        "trainer.experiment_name": f"{recipe.name}-{stage}",
        "trainer.logger": list(recipe.verl.logger),
        "trainer.save_freq": rl.save_steps,
        "trainer.test_freq": -1,
        "trainer.val_before_train": False,
    }
    if init_adapter:
        o["actor_rollout_ref.model.lora_adapter_path"] = str(init_adapter)
    out = [f"{k}={_value(v)}" for k, v in o.items()]
    if pipeline:
        out += pipeline_reward_kwargs(rl)
    out += list(recipe.verl.extra_overrides)
    return out


def pipeline_reward_kwargs(rl: RLSpec) -> list[str]:
    """``reward_kwargs`` that tell :mod:`text2table.rewards.pipeline_remote` where pi2 is served.

    They are new keys under ``reward.custom_reward_function`` (Hydra's ``+`` prefix); VERL merges them into
    every ``compute_score`` call.
    """
    spec = rl.pipeline
    if not spec.pi2_base_url:
        raise ConfigError("rl.pipeline.pi2_base_url is not set: pipeline-pi1 on VERL scores schemas through a pi2"
                          " served next to training (see docs/verl-pipeline-rl.md); set it in the recipe"
                          " (e.g. http://127.0.0.1:8001/v1)")
    kwargs = {"pi2_base_url": spec.pi2_base_url, "pi2_model": spec.pi2_served_model,
              "max_tokens": spec.max_new_tokens, "timeout_s": spec.timeout_s,
              "max_concurrency": spec.max_concurrency, "constrained": spec.constrained}
    weights = rl.weight_overrides()
    out = [f"+reward.custom_reward_function.reward_kwargs.{k}={_value(v)}" for k, v in kwargs.items()]
    out += [f"+reward.custom_reward_function.reward_kwargs.weights.{k}={v}" for k, v in weights.items()]
    return out


def plan_launch(recipe: Recipe, data_dir: str | Path, stage: str, run_dir: str | Path, *,
                init_adapter: str | None = None, max_steps: int | None = None,
                val_dir: str | Path | None = None) -> GrpoLaunch:
    """The launch of one stage: data files (a pipeline parquet to build for pipeline-pi1) and overrides."""
    run = Path(run_dir).resolve()
    train = rl_parquet(data_dir, stage).resolve()
    val = rl_parquet(val_dir, stage).resolve() if val_dir is not None else None
    builds: list[tuple[Path, Path]] = []
    if stage == "pipeline-pi1":
        builds.append((train, run / "data" / "pipeline_pi1_train.parquet"))
        if val is not None:
            builds.append((val, run / "data" / "pipeline_pi1_val.parquet"))
        train, val = builds[0][1], builds[-1][1] if val is not None else None
    val = val or train
    overrides = grpo_overrides(recipe, stage, train_files=[train], val_files=[val], run_dir=run,
                               init_adapter=init_adapter, max_steps=max_steps)
    env = {"TOKENIZERS_PARALLELISM": "false"}
    return GrpoLaunch(stage, tuple(overrides), tuple(builds), env)


def run_launch(launch: GrpoLaunch) -> int:
    """Build the launch's files and run ``main_ppo`` (needs GPUs, vLLM and Ray); returns the exit code."""
    import os

    for source, target in launch.builds:
        write_pipeline_parquet(source, target)
    return subprocess.call(launch.command, env={**os.environ, **launch.env})


def compose_overrides(overrides: list[str] | tuple[str, ...], config_name: str = "ppo_trainer") -> Any:
    """Compose ``overrides`` against verl's installed Hydra config (offline, about 5 s); unknown keys raise.

    Returns the composed ``DictConfig``. Needs the ``verl`` extra.
    """
    from hydra import compose, initialize_config_module
    from hydra.core.global_hydra import GlobalHydra

    GlobalHydra.instance().clear()
    with initialize_config_module(config_module="verl.trainer.config", version_base=None):
        return compose(config_name=config_name, overrides=list(overrides))


_SLOTS = {"/__DATA__": "${DATA}", "/__RUN__": "${RUN}", "/__ADAPTER__": "${ADAPTER}", "/__REWARD__": "${REWARD}"}


def example_script(recipe: Recipe, stage: str, *, recipe_file: str) -> str:
    """A thin launch script (``examples/grpo/``): positional DATA RUN ADAPTER, then extra overrides ("$@")."""
    module = REWARD_MODULES["pipeline" if stage == "pipeline-pi1" else "local"]
    data, run = Path("/__DATA__"), Path("/__RUN__")
    train = run / "data" / "pipeline_pi1_train.parquet" if stage == "pipeline-pi1" else data / RL_FILES[
        stage_model(stage)]
    overrides = grpo_overrides(recipe, stage, train_files=[train], val_files=[train], run_dir=run,
                               init_adapter="/__ADAPTER__", reward_path="/__REWARD__")
    lines = ["#!/usr/bin/env bash",
             f"# GRPO, stage {stage}: {recipe.name} with VERL (vLLM rollouts, LoRA, FSDP). Written by",
             "# text2table.training.verl_grpo.example_script from " + recipe_file + "; the same command is printed by",
             f"#   text2table train grpo {recipe_file} --data DATA --stage {stage} --engine verl --out RUN"
             " --init-adapter ADAPTER --dry-run",
             "# Extra Hydra overrides go last, e.g. trainer.total_training_steps=20.",
             "set -euo pipefail",
             f'DATA=${{1:?usage: $0 DATA_DIR RUN_DIR SFT_ADAPTER [overrides...]}}',
             'RUN=${2:?usage: $0 DATA_DIR RUN_DIR SFT_ADAPTER [overrides...]}',
             'ADAPTER=${3:?usage: $0 DATA_DIR RUN_DIR SFT_ADAPTER [overrides...]}',
             "shift 3",
             f"REWARD=$(python3 -c 'import {module} as m; print(m.__file__)')"]
    if stage == "pipeline-pi2":
        lines.insert(5, "# DATA: written by `text2table prepare GOLD --schemas-from PI1_PRED.jsonl --out DATA` (pi2 on"
                        " pi1's schemas).")
    if stage == "pipeline-pi1":
        lines += ["# pi1 prompts relabelled text2table/pipeline_pi1 (scored through the pi2 server: serve_pi2_vllm.sh)",
                  "python3 -c 'import sys; from text2table.training.verl_grpo import write_pipeline_parquet as w;"
                  ' w(sys.argv[1], sys.argv[2])\' "${DATA}/pi1_rl.parquet" "${RUN}/data/pipeline_pi1_train.parquet"']
    lines.append("export TOKENIZERS_PARALLELISM=false")
    body = ["python3 -m verl.trainer.main_ppo"] + [f'    "{_slot(o)}"' for o in overrides] + ['    "$@"']
    return "\n".join(lines) + "\n" + " \\\n".join(body) + "\n"


def _slot(override: str) -> str:
    for sentinel, variable in _SLOTS.items():
        override = override.replace(sentinel, variable)
    return override.replace('"', '\\"')
