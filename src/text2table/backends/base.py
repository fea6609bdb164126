"""The one small interface every model backend implements, and the registry that names them.

A backend turns a batch of chat prompts into texts. The pipeline never knows which backend it talks to.

- A prompt is a list of chat messages (``{"role", "content"}``). When the last message has role
  ``"assistant"``, the backend *continues* that message (no end-of-turn is added): the pipeline uses this to
  resume a table after the last complete row.
- A :class:`~text2table.decoding.constraint.Constraint` asks for schema-constrained decoding; backends
  translate it to their own mechanism (llama.cpp grammar, llguidance, a server's structured outputs).
"""

from __future__ import annotations

import abc
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from text2table.adapters.card import card_path, pi1_form_of, pi2_form_of, row_passages_by_hint_of, row_passages_of
from text2table.decoding.compact import PI1_FORMS
from text2table.decoding.prompts import PI2_FORMS
from text2table.decoding.constraint import Constraint
from text2table.errors import ConfigError, InputError

Message = dict[str, str]
Prompt = list[Message]


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
    #: The pi1 answer form the loaded adapter was trained on ("full" or "compact", from its card:
    #: :mod:`text2table.adapters.card`); the pipeline constrains pi1 to it unless told otherwise.
    pi1_form: str = "full"
    #: The pi2 answer form the loaded adapter was trained on ("full" or "sparse": rows without their null cells,
    #: :mod:`text2table.core.table`), from its card; the pipeline prompts, constrains and parses pi2 in it.
    pi2_form: str = "full"
    #: The passage size (characters) the loaded adapter's card names for pi2 (``row_passages``: the size its pi2
    #: examples were cut at, or one chosen on a dev split); None: no card or key. The pipeline reads prose in
    #: passages of this size unless told otherwise.
    row_passages: int | None = None
    #: Passage sizes for the tables of one ``metadata.table_hint`` (0: read whole), from the card's
    #: ``row_passages_by_hint``; they win over :attr:`row_passages` for that hint. None: no card or key.
    row_passages_by_hint: dict[str, int] | None = None

    @abc.abstractmethod
    def generate(self, prompts: list[Prompt], *, constraint: Constraint | list[Constraint | None] | None = None,
                 max_new_tokens: int = 512, temperature: float = 0.0, seed: int | None = 0) -> list[Generation]:
        """Complete every prompt. ``constraint`` may be one for all prompts or one per prompt."""

    def describe(self) -> dict[str, Any]:
        """What to record next to results (model path, adapter, options); never secrets."""
        return {"backend": self.name}

    def for_stage(self, stage: str, hint: str | None = None) -> Backend:
        """The backend that answers ``stage`` (``"pi1"`` or ``"pi2"``) for a document whose
        ``metadata.table_hint`` is ``hint``: this one, unless it routes each stage (and pi2 per hint) to its own
        backend (:class:`text2table.backends.staged.StagedBackend`, one adapter per stage or table)."""
        return self

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources (threads, sessions)."""


def _card_value(read: Callable[[str | None], Any], adapter: str | None) -> Any:
    """``read(adapter)``, an unreadable card raised as :class:`InputError`."""
    try:
        return read(adapter)
    except ValueError as exc:
        raise InputError(str(exc)) from exc


def _is_size(value: Any) -> bool:
    """A passage size: characters >= 0 (0: read whole)."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def adapter_row_passages(adapter: str | None) -> int | None:
    """The passage size an adapter's card names for pi2 (0: pi2 reads whole chunks; None: no adapter, card or
    key)."""
    size = _card_value(row_passages_of, adapter)
    if size is not None and not _is_size(size):
        raise InputError(f"row_passages {size!r} is not a number of characters >= 0",
                         source=str(card_path(adapter or ".")),
                         hint="write the passage size (characters) to read prose in for pi2 with this adapter,"
                              " e.g. 250, or delete the key")
    return size


def adapter_row_passages_by_hint(adapter: str | None) -> dict[str, int] | None:
    """The passage sizes an adapter's card names per ``metadata.table_hint`` (None: no adapter, card or key)."""
    sizes = _card_value(row_passages_by_hint_of, adapter)
    if sizes is None:
        return None
    if not isinstance(sizes, dict) or not all(isinstance(k, str) and k and _is_size(v) for k, v in sizes.items()):
        raise InputError(f"row_passages_by_hint {sizes!r} is not an object of table_hint -> characters >= 0",
                         source=str(card_path(adapter or ".")),
                         hint='write e.g. {"team": 0} (0: pi2 reads tables of that hint whole), or delete the key')
    return dict(sizes)


def _card_form(stage: str, read: Callable[[str | None], Any], forms: tuple[str, ...], adapter: str | None) -> str:
    """The answer form of ``stage`` (pi1/pi2) that an adapter's card names, checked against ``forms``."""
    form = _card_value(read, adapter)
    if form not in forms:
        written = " or ".join(f'"{f}"' for f in forms)
        raise InputError(f"{stage}_form {form!r} is not one of {forms}", source=str(card_path(adapter or ".")),
                         hint=f"write {written}, the form of the adapter's {stage} training targets")
    return form


def adapter_pi2_form(adapter: str | None) -> str:
    """The pi2 form an adapter was trained on, from its card (``"full"`` for no adapter, no card or no key)."""
    return _card_form("pi2", pi2_form_of, PI2_FORMS, adapter)


def adapter_pi1_form(adapter: str | None) -> str:
    """The pi1 form an adapter was trained on, from its card (``"full"`` for no adapter or no card)."""
    return _card_form("pi1", pi1_form_of, PI1_FORMS, adapter)


_REGISTRY: dict[str, Callable[..., Backend]] = {}
#: The built-in backends by name and the module that registers each. A module is imported only when its
#: backend is created, so the interface never imports an implementation (and ``rules`` never loads torch).
BUILTIN_MODULES = {"rules": "text2table.backends.rules", "llamacpp": "text2table.backends.llamacpp",
                   "transformers": "text2table.backends.hf", "openai": "text2table.backends.openai"}


def register_backend(name: str) -> Callable[[type[Backend]], type[Backend]]:
    """Class decorator: make a backend available to :func:`create_backend` under ``name``."""

    def wrap(cls: type[Backend]) -> type[Backend]:
        cls.name = name
        _REGISTRY[name] = cls
        return cls

    return wrap


def available_backends() -> list[str]:
    """The built-in backends and any registered since (none of them imported)."""
    return sorted(set(BUILTIN_MODULES) | set(_REGISTRY))


def create_backend(name: str, **options: Any) -> Backend:
    """Instantiate a backend by name (a built-in one's module is imported now); an unknown name raises with
    the known ones listed."""
    if name not in _REGISTRY and name in BUILTIN_MODULES:
        importlib.import_module(BUILTIN_MODULES[name])
    if name not in _REGISTRY:
        raise ConfigError(f"unknown backend {name!r}; available: {available_backends()}")
    return _REGISTRY[name](**options)


def per_prompt(constraint: Constraint | list[Constraint | None] | None, n: int) -> list[Constraint | None]:
    """Expand the ``constraint`` argument to one entry per prompt."""
    if isinstance(constraint, list):
        if len(constraint) != n:
            raise ConfigError(f"got {len(constraint)} constraints for {n} prompts")
        return constraint
    return [constraint] * n


def distinct(backends: list[Backend]) -> list[Backend]:
    """Each backend once, in first-seen order (compared by identity: one backend may serve several stages)."""
    out: list[Backend] = []
    for backend in backends:
        if not any(backend is seen for seen in out):
            out.append(backend)
    return out
