"""SFT recipes: typed, validated dataclasses and a strict YAML loader (unknown keys are errors).

A recipe holds everything a run needs: the base model, the LoRA settings, the length-curriculum stages
(context length, hours, learning rate, warm-up, micro batch x accumulation), bucketing, evaluation,
data loading, and the options of each engine (``trl`` here on CPU, ``verl`` on GPUs). It does not read
data or load models; :mod:`text2table.training.plan` turns a recipe and a data folder into a plan.
"""

from __future__ import annotations

import dataclasses
import math
import os
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from text2table.errors import ConfigError
from text2table.training.rl_config import RLSpec

TASKS = ("pi1", "pi2", "both")
OVERFLOW = ("drop", "truncate")
DEFAULT_TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise ConfigError(message)


@dataclass(frozen=True)
class LoraSpec:
    """LoRA adapter: ``rank``, ``alpha`` (scale = alpha / rank), ``dropout`` and the projections it wraps."""

    rank: int = 128
    alpha: int = 256
    dropout: float = 0.05
    target_modules: tuple[str, ...] = DEFAULT_TARGETS

    def __post_init__(self) -> None:
        _check(self.rank > 0, f"lora.rank must be > 0, got {self.rank}")
        _check(self.alpha > 0, f"lora.alpha must be > 0, got {self.alpha}")
        _check(0.0 <= self.dropout < 1.0, f"lora.dropout must be in [0, 1), got {self.dropout}")
        _check(len(self.target_modules) > 0, "lora.target_modules must name at least one module")


@dataclass(frozen=True)
class StageSpec:
    """One curriculum stage. ``micro_batch_size`` is per device; ``max_steps`` overrides the hour budget."""

    name: str
    max_length: int
    hours: float
    lr: float
    warmup_ratio: float
    micro_batch_size: int
    grad_accum: int
    max_steps: int | None = None

    def __post_init__(self) -> None:
        where = f"stage {self.name!r}"
        _check(bool(self.name) and self.name.replace("_", "").replace("-", "").isalnum(),
               f"{where}: name must be letters, digits, '_' or '-'")
        _check(self.max_length >= 16, f"{where}: max_length must be >= 16 tokens, got {self.max_length}")
        _check(self.hours > 0 or self.max_steps is not None, f"{where}: hours must be > 0 (or set max_steps)")
        _check(math.isfinite(self.lr) and self.lr > 0, f"{where}: lr must be > 0, got {self.lr}")
        _check(0.0 <= self.warmup_ratio < 1.0, f"{where}: warmup_ratio must be in [0, 1), got {self.warmup_ratio}")
        _check(self.micro_batch_size >= 1, f"{where}: micro_batch_size must be >= 1")
        _check(self.grad_accum >= 1, f"{where}: grad_accum must be >= 1")
        _check(self.max_steps is None or self.max_steps >= 1, f"{where}: max_steps must be >= 1 when set")

    def global_batch(self, devices: int) -> int:
        """Examples per optimiser step: micro batch x accumulation x devices."""
        return self.micro_batch_size * self.grad_accum * devices


@dataclass(frozen=True)
class BucketSpec:
    """How examples are assigned to stages (the rule is in :mod:`text2table.training.plan`).

    ``exact_tokens`` counts tokens with the model's tokenizer instead of ``characters / chars_per_token``.
    ``overflow``: what happens to an example that fits no stage: ``drop`` (counted and listed in the plan)
    or ``truncate`` (its document is cut until it fits the last stage).
    """

    use_buckets: bool = True
    chars_per_token: float = 4.0
    bucket_margin: float = 0.25
    exact_tokens: bool = False
    overflow: str = "drop"

    def __post_init__(self) -> None:
        _check(self.chars_per_token > 0, f"buckets.chars_per_token must be > 0, got {self.chars_per_token}")
        _check(0.0 <= self.bucket_margin < 4.0, f"buckets.bucket_margin must be in [0, 4), got {self.bucket_margin}")
        _check(self.overflow in OVERFLOW, f"buckets.overflow must be one of {OVERFLOW}, got {self.overflow!r}")


@dataclass(frozen=True)
class EvalSpec:
    """After-stage sanity check size, final evaluation size, logging cadence and generation budgets."""

    per_step_eval_samples: int = 200
    final_eval_samples: int = 1000
    log_freq: int = 50
    eval_freq: int = 200
    max_new_tokens_schema: int = 256
    max_new_tokens_table: int = 512

    def __post_init__(self) -> None:
        for name in ("per_step_eval_samples", "final_eval_samples"):
            _check(getattr(self, name) >= 0, f"eval.{name} must be >= 0")
        for name in ("log_freq", "eval_freq", "max_new_tokens_schema", "max_new_tokens_table"):
            _check(getattr(self, name) >= 1, f"eval.{name} must be >= 1")


@dataclass(frozen=True)
class LoaderSpec:
    """Data loading. ``num_workers`` unset means ``min(8, cpu count)``."""

    num_workers: int | None = None
    prefetch_factor: int = 2
    persistent_workers: bool = False

    def __post_init__(self) -> None:
        _check(self.num_workers is None or self.num_workers >= 0, "loader.num_workers must be >= 0")
        _check(self.prefetch_factor >= 1, "loader.prefetch_factor must be >= 1")

    @property
    def workers(self) -> int:
        return self.num_workers if self.num_workers is not None else min(8, os.cpu_count() or 1)


@dataclass(frozen=True)
class TrlSpec:
    """Options of the local TRL trainer. Gradient checkpointing is off: on CPU it is about 3x slower.

    ``padding_free``: each micro-batch is one sequence, its examples concatenated with position ids that restart
    at 0; transformers turns those position ids into a block-causal mask (attention stays within each example,
    with sdpa, eager or flash attention), so there is no padding and the loss equals the unpacked one. On a CPU it
    is slower (sdpa then runs attention over the whole packed length with a materialised mask; docs/training-cpu.md).
    ``threads``: torch CPU threads for ``train sft`` (None: torch's default; ``--threads`` overrides it).
    """

    gradient_checkpointing: bool = False
    group_by_length: bool = True
    padding_free: bool = False
    lr_scheduler: str = "cosine"
    weight_decay: float = 0.0
    max_grad_norm: float = 1.0
    save_steps: int = 50
    save_total_limit: int = 2
    dtype: str = "float32"
    seed: int = 42
    threads: int | None = None

    def __post_init__(self) -> None:
        _check(self.threads is None or self.threads >= 1, f"trl.threads must be >= 1 when set, got {self.threads}")
        _check(self.dtype in ("float32", "bfloat16", "float16"),
               f"trl.dtype must be float32, bfloat16 or float16, got {self.dtype!r}")
        _check(self.save_steps >= 1, "trl.save_steps must be >= 1")
        _check(self.save_total_limit >= 1, "trl.save_total_limit must be >= 1")


@dataclass(frozen=True)
class VerlSpec:
    """Options of the VERL (FSDP) path; ``extra_overrides`` are Hydra overrides appended as given."""

    attn_implementation: str = "flash_attention_2"
    strategy: str = "fsdp2"
    ulysses_sequence_parallel_size: int = 1
    use_remove_padding: bool = True
    gradient_checkpointing: bool = True
    lr_scheduler_type: str = "cosine"
    truncation: str = "right"
    nnodes: int = 1
    save_freq: int = -1
    logger: tuple[str, ...] = ("console", "tensorboard")
    project_name: str = "text2table-sft"
    extra_overrides: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check(self.strategy in ("fsdp", "fsdp2"), f"verl.strategy must be fsdp or fsdp2, got {self.strategy!r}")
        _check(self.truncation in ("error", "left", "right"),
               f"verl.truncation must be error, left or right, got {self.truncation!r}")
        _check(self.lr_scheduler_type in ("constant", "cosine"),
               f"verl.lr_scheduler_type must be constant or cosine, got {self.lr_scheduler_type!r}")
        _check(self.nnodes >= 1 and self.ulysses_sequence_parallel_size >= 1, "verl: nnodes and ulysses size >= 1")


@dataclass(frozen=True)
class Recipe:
    """A complete SFT recipe. ``base_model``: an HF folder or id, a ``.gguf`` file, or ``embedded:<name>``."""

    name: str
    base_model: str
    stages: tuple[StageSpec, ...]
    task: str = "pi2"
    lora: LoraSpec = field(default_factory=LoraSpec)
    est_step_seconds: float = 22.0
    max_steps: int | None = None
    devices: int = 1
    buckets: BucketSpec = field(default_factory=BucketSpec)
    eval: EvalSpec = field(default_factory=EvalSpec)
    loader: LoaderSpec = field(default_factory=LoaderSpec)
    trl: TrlSpec = field(default_factory=TrlSpec)
    verl: VerlSpec = field(default_factory=VerlSpec)
    rl: RLSpec | None = None  # GRPO settings (text2table train grpo); None: RLSpec defaults

    def __post_init__(self) -> None:
        object.__setattr__(self, "stages", tuple(self.stages))
        _check(bool(self.name), "recipe name must not be empty")
        _check(bool(self.base_model), "base_model must name a model")
        _check(self.task in TASKS, f"task must be one of {TASKS}, got {self.task!r}")
        _check(len(self.stages) >= 1, "a recipe needs at least one stage")
        names = [s.name for s in self.stages]
        _check(len(set(names)) == len(names), f"stage names must be unique, got {names}")
        lengths = [s.max_length for s in self.stages]
        _check(all(a < b for a, b in zip(lengths, lengths[1:])),
               f"stages must have strictly increasing max_length (shortest first), got {lengths}")
        _check(self.est_step_seconds > 0, f"est_step_seconds must be > 0, got {self.est_step_seconds}")
        _check(self.max_steps is None or self.max_steps >= 1, "max_steps must be >= 1 when set")
        _check(self.devices >= 1, f"devices must be >= 1, got {self.devices}")

    def stage_steps(self, stage: StageSpec) -> int:
        """Optimiser steps of a stage: its ``max_steps``, else the recipe's, else hours x 3600 / est_step_seconds."""
        if stage.max_steps is not None:
            return stage.max_steps
        if self.max_steps is not None:
            return self.max_steps
        return max(1, math.floor(stage.hours * 3600 / self.est_step_seconds + 1e-9))

    def to_dict(self) -> dict[str, Any]:
        """Plain data (tuples as lists), the same shape the YAML has."""
        return _plain(dataclasses.asdict(self))

    def replace(self, **changes: Any) -> Recipe:
        return dataclasses.replace(self, **changes)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _convert(value: Any, hint: Any, where: str) -> Any:
    """Check and convert one YAML value against a type hint; errors name the key path."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(hint)
        if value is None and type(None) in args:
            return None
        inner = [a for a in args if a is not type(None)]
        return _convert(value, inner[0], where)
    if origin is tuple:
        if isinstance(value, str) and typing.get_args(hint)[0] is str:
            value = [v.strip() for v in value.split(",") if v.strip()]
        if not isinstance(value, list):
            raise ConfigError(f"{where}: expected a list, got {value!r}")
        item = typing.get_args(hint)[0]
        return tuple(_convert(v, item, f"{where}[{i}]") for i, v in enumerate(value))
    if dataclasses.is_dataclass(hint):
        return _build(hint, value, where)
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: expected true or false, got {value!r}")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{where}: expected an integer, got {value!r}")
        return value
    if hint is float:
        if isinstance(value, str):  # YAML 1.1 reads 8e-5 (no dot) as a string
            try:
                return float(value)
            except ValueError:
                pass
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{where}: expected a number, got {value!r}")
        return float(value)
    if hint is str:
        if not isinstance(value, str):
            raise ConfigError(f"{where}: expected text, got {value!r}")
        return value
    raise ConfigError(f"{where}: unsupported type {hint!r}")  # pragma: no cover - recipe fields only


def _build(cls: Any, data: Any, where: str) -> Any:
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a mapping of {cls.__name__} fields, got {data!r}")
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    unknown = [f"{where}.{k}" if where else str(k) for k in data if k not in names]
    if unknown:
        raise ConfigError(f"unknown key(s) {unknown}; allowed keys{' in ' + where if where else ''}: {names}")
    missing = [f.name for f in dataclasses.fields(cls) if f.name not in data
               and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
    if missing:
        raise ConfigError(f"{where or 'recipe'}: missing required key(s) {missing}")
    kwargs = {k: _convert(v, hints[k], f"{where}.{k}" if where else k) for k, v in data.items()}
    try:
        return cls(**kwargs)
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc}" if where else str(exc)) from None


def recipe_from_dict(data: Any, *, source: str = "recipe") -> Recipe:
    """Build and validate a recipe from parsed YAML; every error names the source and the key."""
    try:
        return _build(Recipe, data, "")
    except ConfigError as exc:
        raise ConfigError(f"{source}: {exc} (fix the recipe file; see recipes/*.yaml)") from None


def load_recipe(path: str | Path) -> Recipe:
    """Read a recipe YAML file (safe loader only)."""
    import yaml

    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"recipe file {p} not found (fix: pass a path such as recipes/smollm2-135m-cpu.yaml)")
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{p}: invalid YAML: {exc}") from None
    return recipe_from_dict(data, source=str(p))
