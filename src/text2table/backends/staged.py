"""One backend per pipeline stage: pi1 answers with one adapter, pi2 with another.

The design trains each stage on its own (SFT, then GRPO per stage, then pipeline RL), but one LoRA adapter that
serves both stages carries every stage's update into the other: RL on pi2 moves pi1's schemas too. With
:class:`StagedBackend` each stage keeps the adapter trained for it; the pipeline asks
:meth:`~text2table.backends.base.Backend.for_stage` for the backend of the stage it runs. pi2 may also answer
each ``metadata.table_hint`` with its own adapter (``pi2_by_hint``: e.g. one trained for player tables and one
for team tables of the same game summaries); a document with another hint, or none, gets ``pi2``.
"""

from __future__ import annotations

from typing import Any

from text2table.backends.base import Backend, Generation, Prompt, distinct
from text2table.decoding.constraint import Constraint
from text2table.errors import ConfigError

STAGES = ("pi1", "pi2")


class StagedBackend(Backend):
    """pi1 prompts go to ``pi1``, pi2 prompts to ``pi2`` (two backends, e.g. two adapters on one model), or to
    ``pi2_by_hint[hint]`` for a document whose ``metadata.table_hint`` is ``hint``.

    It answers only through :meth:`for_stage`: a prompt given to :meth:`generate` names no stage. One backend
    may serve several places (e.g. ``pi1`` also as ``pi2``); :meth:`close` closes each once.
    """

    name = "staged"

    def __init__(self, pi1: Backend, pi2: Backend, pi2_by_hint: dict[str, Backend] | None = None) -> None:
        self.stages = {"pi1": pi1, "pi2": pi2}
        self.pi2_by_hint = dict(pi2_by_hint or {})
        self.pi1_form = pi1.pi1_form

    def for_stage(self, stage: str, hint: str | None = None) -> Backend:
        if stage not in self.stages:
            raise ConfigError(f"unknown pipeline stage {stage!r}; stages: {list(STAGES)}")
        if stage == "pi2" and hint is not None and hint in self.pi2_by_hint:
            return self.pi2_by_hint[hint]
        return self.stages[stage]

    def generate(self, prompts: list[Prompt], *, constraint: Constraint | list[Constraint | None] | None = None,
                 max_new_tokens: int = 512, temperature: float = 0.0, seed: int | None = 0) -> list[Generation]:
        raise ConfigError("a staged backend answers per stage: call for_stage('pi1') or for_stage('pi2') first")

    def describe(self) -> dict[str, Any]:
        described = {"backend": self.name, **{stage: b.describe() for stage, b in self.stages.items()}}
        if self.pi2_by_hint:
            described["pi2_by_hint"] = {hint: b.describe() for hint, b in sorted(self.pi2_by_hint.items())}
        return described

    def close(self) -> None:
        for backend in distinct([*self.stages.values(), *self.pi2_by_hint.values()]):
            backend.close()


def adapters_in_use(described: dict[str, Any]) -> str:
    """One line naming the adapter each stage answers with, from a backend's :meth:`describe` (``none``: the base
    model; a backend that records no adapter, e.g. ``rules`` or ``openai``, gives an empty string)."""
    def adapter(d: dict[str, Any]) -> str | None:
        if "lora" not in d and "adapter" not in d:
            return None
        return str(d.get("lora") or d.get("adapter") or "none")

    if all(isinstance(described.get(stage), dict) for stage in STAGES):
        pi1, pi2 = adapter(described["pi1"]), adapter(described["pi2"])
        by_hint = "".join(f", pi2 for {hint} {adapter(d) or '-'}"
                          for hint, d in described.get("pi2_by_hint", {}).items())
        return f"adapters: pi1 {pi1 or '-'}, pi2 {pi2 or '-'}{by_hint}"
    both = adapter(described)
    return f"adapter: {both} (both stages)" if both else ""
