"""GRPO settings: the ``rl:`` section of a recipe (typed, validated at construction).

One :class:`RLSpec` serves both engines: TRL's GRPOTrainer (CPU or accelerate GPUs) and VERL's
``main_ppo`` (the reference GPU path). Group size, completion budgets, learning rate, KL coefficient,
temperature and steps mean the same thing in both; :class:`PipelineSpec` says how pipeline-pi1 reaches its
frozen pi2 (in-process model, or an OpenAI-compatible endpoint such as vLLM). Nothing here loads a model.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from text2table.errors import ConfigError
from text2table.rewards.config import RewardWeights

#: GRPO stages: local RL of each model, then the two pipeline stages.
RL_STAGES = ("pi1", "pi2", "pipeline-pi1", "pipeline-pi2", "both")
#: ``both``: pi1 and pi2 prompts mixed in one run, each scored by its own local reward (one adapter serves both
#: stages, so GRPO on one stage's prompts alone moves the other stage's answers too); TRL only.
MIXED_STAGE = "both"
VERL_STAGES = tuple(s for s in RL_STAGES if s != MIXED_STAGE)
KL_LOSS_TYPES = ("kl", "k1", "abs", "mse", "k2", "low_var_kl", "k3")


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise ConfigError(f"rl: {message}")


def stage_model(stage: str) -> str:
    """The model a stage trains: ``pi1`` for pi1 and pipeline-pi1, ``pi2`` for pi2 and pipeline-pi2.

    >>> stage_model("pipeline-pi1"), stage_model("pi2")
    ('pi1', 'pi2')
    """
    if stage not in RL_STAGES:
        raise ConfigError(f"unknown RL stage {stage!r}; use one of {RL_STAGES}")
    if stage == MIXED_STAGE:
        raise ConfigError("RL stage 'both' trains pi1 and pi2 together: local GRPO only (--engine trl)")
    return "pi1" if stage.endswith("pi1") else "pi2"


def stage_models(stage: str) -> tuple[str, ...]:
    """The models whose prompts a stage samples: both for ``both``, else the one of :func:`stage_model`.

    >>> stage_models("both"), stage_models("pipeline-pi1")
    (('pi1', 'pi2'), ('pi1',))
    """
    return ("pi1", "pi2") if stage == MIXED_STAGE else (stage_model(stage),)


@dataclass(frozen=True)
class PipelineSpec:
    """The frozen pi2 that executes pi1's sampled schemas in pipeline-pi1, and the reward mix.

    The reward mix (the share of pi1's local schema score next to the end-to-end table score) is the
    reward weight ``pipeline_schema_share`` of :class:`RLSpec`. In process, pi2 runs on any registered
    backend (``pi2_backend``, with ``pi2_options`` as ``KEY=VALUE`` entries, values read as JSON when they
    parse); for ``transformers`` the model is ``pi2_model`` + ``pi2_adapter``. ``pi2_base_url`` (an OpenAI-compatible ``.../v1`` endpoint) wins over the
    in-process ``pi2_model`` (+ ``pi2_adapter``); with neither, the policy's own base model is used as pi2.
    ``constrained``: pi2 decodes rows under the schema's grammar, as the inference pipeline does (in process
    with the backend's constraint support; on a server through vLLM's ``structured_outputs``). Results are cached per (document, schema_id); a failed pi2 call scores as an empty table.
    """

    pi2_backend: str = "transformers"
    pi2_options: tuple[str, ...] = ()
    pi2_model: str | None = None
    pi2_adapter: str | None = None
    pi2_base_url: str | None = None
    pi2_served_model: str = "pi2"
    max_new_tokens: int = 512
    constrained: bool = True
    timeout_s: float = 120.0
    max_concurrency: int = 32

    def __post_init__(self) -> None:
        _check(self.max_new_tokens >= 1, f"pipeline.max_new_tokens must be >= 1, got {self.max_new_tokens}")
        _check(self.timeout_s > 0, f"pipeline.timeout_s must be > 0, got {self.timeout_s}")
        _check(self.max_concurrency >= 1, f"pipeline.max_concurrency must be >= 1, got {self.max_concurrency}")
        _check(self.pi2_base_url is None or self.pi2_base_url.startswith(("http://", "https://")),
               f"pipeline.pi2_base_url must start with http:// or https://, got {self.pi2_base_url!r}")
        object.__setattr__(self, "pi2_options", tuple(self.pi2_options))
        self.backend_options()

    def backend_options(self) -> dict[str, Any]:
        """``pi2_options`` as keyword arguments of the backend.

        >>> PipelineSpec(pi2_backend="llamacpp", pi2_options=("threads=1", "model=pi2.gguf")).backend_options()
        {'threads': 1, 'model': 'pi2.gguf'}
        """
        out: dict[str, Any] = {}
        for pair in self.pi2_options:
            key, sep, value = pair.partition("=")
            _check(bool(sep) and key.strip().isidentifier(),
                   f"pipeline.pi2_options entry {pair!r} must be KEY=VALUE (e.g. threads=1)")
            try:
                out[key.strip()] = json.loads(value)
            except ValueError:
                out[key.strip()] = value
        return out


@dataclass(frozen=True)
class RLSpec:
    """GRPO hyper-parameters.

    Batches count *completions*: each optimiser step sees ``prompts_per_step * num_generations`` of them,
    ``micro_batch_size`` per forward/backward pass and device (TRL's ``per_device_train_batch_size``, VERL's
    ``ppo_micro_batch_size_per_gpu``). ``kl_coef`` is TRL's ``beta`` and VERL's ``kl_loss_coef`` (0 turns the
    reference model off). ``reward_weights`` are the weights of the pi1, pi2 and pipeline rewards
    (:class:`text2table.rewards.config.RewardWeights`; unset keys keep their defaults).
    """

    num_generations: int = 8
    prompts_per_step: int = 16
    micro_batch_size: int = 4
    max_prompt_length: int = 2048
    max_completion_length_schema: int = 256
    max_completion_length_table: int = 512
    lr: float = 1e-5
    warmup_ratio: float = 0.0
    kl_coef: float = 0.001
    kl_loss_type: str = "low_var_kl"
    clip_ratio: float = 0.2
    temperature: float = 1.0
    top_p: float = 1.0
    steps: int = 200
    save_steps: int = 50
    log_steps: int = 1
    reward_weights: RewardWeights = field(default_factory=RewardWeights)
    rollout_gpu_memory_utilization: float = 0.6
    rollout_tensor_parallel_size: int = 1
    seed: int = 42
    #: local TRL engine: run each distinct prompt of a micro-batch once for its completions' log-probabilities
    #: (same values and gradient, fewer tokens: training/shared_prefix.py); pays when a micro-batch holds
    #: several completions of a prompt, i.e. micro_batch_size near prompts_per_step x num_generations
    shared_prefix: bool = False
    pipeline: PipelineSpec = field(default_factory=PipelineSpec)

    def __post_init__(self) -> None:
        _check(self.num_generations >= 2, f"num_generations must be >= 2 (GRPO compares a group), "
                                          f"got {self.num_generations}")
        _check(self.prompts_per_step >= 1, f"prompts_per_step must be >= 1, got {self.prompts_per_step}")
        _check(self.micro_batch_size >= 1, f"micro_batch_size must be >= 1, got {self.micro_batch_size}")
        for name in ("max_prompt_length", "max_completion_length_schema", "max_completion_length_table"):
            _check(getattr(self, name) >= 8, f"{name} must be >= 8 tokens, got {getattr(self, name)}")
        _check(math.isfinite(self.lr) and self.lr > 0, f"lr must be > 0, got {self.lr}")
        _check(0.0 <= self.warmup_ratio < 1.0, f"warmup_ratio must be in [0, 1), got {self.warmup_ratio}")
        _check(self.kl_coef >= 0, f"kl_coef must be >= 0, got {self.kl_coef}")
        _check(self.kl_loss_type in KL_LOSS_TYPES, f"kl_loss_type must be one of {KL_LOSS_TYPES}, "
                                                   f"got {self.kl_loss_type!r}")
        _check(0.0 < self.clip_ratio < 1.0, f"clip_ratio must be in (0, 1), got {self.clip_ratio}")
        _check(0.0 < self.temperature <= 5.0, f"temperature must be in (0, 5], got {self.temperature}")
        _check(0.0 < self.top_p <= 1.0, f"top_p must be in (0, 1], got {self.top_p}")
        _check(self.steps >= 1 and self.save_steps >= 1 and self.log_steps >= 1,
               "steps, save_steps and log_steps must be >= 1")
        _check(0.0 < self.rollout_gpu_memory_utilization < 1.0, "rollout_gpu_memory_utilization must be in (0, 1)")
        _check(self.rollout_tensor_parallel_size >= 1, "rollout_tensor_parallel_size must be >= 1")

    def weight_overrides(self) -> dict[str, float]:
        """The reward weights that differ from the defaults (what has to travel to a remote scorer).

        >>> RLSpec(reward_weights=RewardWeights(copy_penalty=0.3)).weight_overrides()
        {'copy_penalty': 0.3}
        """
        default = RewardWeights().to_dict()
        return {k: v for k, v in self.reward_weights.to_dict().items() if v != default[k]}

    def max_completion_length(self, stage: str) -> int:
        """The completion budget of a stage: the schema budget for pi1 stages, the table budget for pi2, the larger
        for ``both``."""
        budgets = {"pi1": self.max_completion_length_schema, "pi2": self.max_completion_length_table}
        return max(budgets[m] for m in stage_models(stage))

    def completions_per_step(self) -> int:
        return self.prompts_per_step * self.num_generations

    def grad_accum(self, devices: int = 1) -> int:
        """Accumulation steps so that one optimiser step covers ``completions_per_step`` completions."""
        per_pass = self.micro_batch_size * devices
        total = self.completions_per_step()
        if total % per_pass:
            raise ConfigError(f"rl: prompts_per_step x num_generations = {total} completions is not a multiple of "
                              f"micro_batch_size x devices = {per_pass}; change one of them")
        return total // per_pass
