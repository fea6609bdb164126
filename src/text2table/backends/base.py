"""The one small interface every model backend implements, and the registry that names them.

A backend turns a batch of chat prompts into texts. The pipeline never knows which backend it talks to.

- A prompt is a list of chat messages (``{"role", "content"}``). When the last message has role
  ``"assistant"``, the backend *continues* that message (no end-of-turn is added): the pipeline uses this to
  resume a table after the last complete row.
- A :class:`Constraint` asks for schema-constrained decoding: ``kind="schema"`` (pi1: one schema object,
  ``json_schema`` describes it) or ``kind="rows"`` (pi2: NDJSON, every line one object matching
  ``json_schema``, keys in order, one row per line, no flexible whitespace). Backends translate it to
  their own mechanism (llama.cpp grammar, llguidance, a server's structured outputs).
"""

from __future__ import annotations

import abc
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from text2table.errors import ConfigError

Message = dict[str, str]
Prompt = list[Message]


@dataclass(frozen=True)
class Constraint:
    """What the output must be (``kind``, ``json_schema``, ``max_rows``), plus one soft preference:
    ``list_end_bias`` is added to the logit of every token that closes a JSON array (holds ``]``). In a
    schema answer the only array is the field list, so a negative bias makes pi1 list more fields when it
    hesitates between one more field and the end. Model backends with logit access (llamacpp,
    transformers) apply it; a server backend cannot (token ids are the server's) and notes that it did not."""

    kind: Literal["schema", "rows"]
    json_schema: dict[str, Any]
    max_rows: int | None = None
    list_end_bias: float = 0.0

    def __post_init__(self) -> None:
        if self.kind not in ("schema", "rows"):
            raise ConfigError(f"constraint kind {self.kind!r} is not 'schema' or 'rows'")
        if not -10.0 <= self.list_end_bias <= 10.0:
            raise ConfigError(f"list_end_bias={self.list_end_bias}; expected a logit shift within [-10, 10]")


@dataclass
class Generation:
    """One completion. ``finish_reason``: ``"stop"`` (ended by itself), ``"length"`` (hit the budget),
    or ``"error"`` (``error`` says why; ``text`` may be empty)."""

    text: str
    finish_reason: str = "stop"
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0
    error: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class Backend(abc.ABC):
    """Subclasses set ``name`` and implement :meth:`generate`; constructors take keyword options only."""

    name: ClassVar[str] = ""

    @abc.abstractmethod
    def generate(self, prompts: list[Prompt], *, constraint: Constraint | list[Constraint | None] | None = None,
                 max_new_tokens: int = 512, temperature: float = 0.0, seed: int | None = 0) -> list[Generation]:
        """Complete every prompt. ``constraint`` may be one for all prompts or one per prompt."""

    def describe(self) -> dict[str, Any]:
        """What to record next to results (model path, adapter, options); never secrets."""
        return {"backend": self.name}

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources (threads, sessions)."""


_REGISTRY: dict[str, Callable[..., Backend]] = {}


def register_backend(name: str) -> Callable[[type[Backend]], type[Backend]]:
    """Class decorator: make a backend available to :func:`create_backend` under ``name``."""

    def wrap(cls: type[Backend]) -> type[Backend]:
        cls.name = name
        _REGISTRY[name] = cls
        return cls

    return wrap


def available_backends() -> list[str]:
    from text2table.backends import _load_builtin  # noqa: F401 - registers the built-in backends

    return sorted(_REGISTRY)


def create_backend(name: str, **options: Any) -> Backend:
    """Instantiate a registered backend; an unknown name raises with the known ones listed."""
    names = available_backends()
    if name not in _REGISTRY:
        raise ConfigError(f"unknown backend {name!r}; available: {names}")
    return _REGISTRY[name](**options)


def per_prompt(constraint: Constraint | list[Constraint | None] | None, n: int) -> list[Constraint | None]:
    """Expand the ``constraint`` argument to one entry per prompt."""
    if isinstance(constraint, list):
        if len(constraint) != n:
            raise ConfigError(f"got {len(constraint)} constraints for {n} prompts")
        return constraint
    return [constraint] * n
