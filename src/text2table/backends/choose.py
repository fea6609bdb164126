"""Which backend ``extract`` opens, in one place: the model, the default (shipped) adapter, and the batch size.

- ``--adapter`` not given: the backend loads :data:`DEFAULT_ADAPTERS` (the adapter trained for the embedded
  model), never when the user chose another model; ``"none"`` means the base model.
- ``--pi2-adapter`` given: pi2 gets its own backend with that adapter (same model and options) and pi1 keeps
  ``--adapter``'s (:class:`~text2table.backends.staged.StagedBackend`). Not given: with neither ``--adapter`` nor
  ``--model``, pi2 gets :data:`DEFAULT_PI2_ADAPTERS` where one is shipped; otherwise one backend serves both.
- ``--pi2-adapter HINT=PATH``: pi2 answers the documents whose ``metadata.table_hint`` is ``HINT`` with that
  adapter (one backend per adapter); the other documents get pi2's adapter as above.
- ``--adapter`` and ``--pi2-adapter`` may name an adapter shipped for one kind of document
  (:data:`text2table.adapters.NAMED`, e.g. ``box-score``), for the embedded model only.
- :func:`default_batch_size`: documents per ``generate`` call for a backend.

The pipeline itself never opens or names a backend: it receives one (:class:`text2table.backends.base.Backend`).
"""

from __future__ import annotations

from typing import Any

from text2table.adapters import default_adapter_paths, default_pi2_adapter_paths, named_adapter_paths
from text2table.backends.base import Backend, create_backend
from text2table.errors import ConfigError

#: The adapter each backend loads when ``--adapter`` is not given (``None``: the base model). Trained
#: adapters shipped with the package (issue 7) become the default here, and only here.
DEFAULT_ADAPTERS: dict[str, str | None] = default_adapter_paths()
#: pi2's own shipped adapter per backend, used with the default adapter (neither ``adapter`` nor ``model`` given).
DEFAULT_PI2_ADAPTERS: dict[str, str | None] = default_pi2_adapter_paths()
NO_ADAPTER = "none"
#: The constructor option through which each backend takes an adapter (llama.cpp: a LoRA in GGUF form).
ADAPTER_OPTION = {"llamacpp": "lora", "transformers": "adapter"}


def open_backend(name: str, *, model: str | None = None, adapter: str | None = None,
                 options: dict[str, Any] | None = None, pi2_adapter: str | None = None,
                 pi2_by_hint: dict[str, str] | None = None) -> Backend:
    """Create a backend the way ``extract`` does: the model and the default adapter are chosen here.

    ``adapter``: a path, ``"none"`` for the base model, or None for :data:`DEFAULT_ADAPTERS`. ``pi2_adapter``: pi2's
    own adapter (a path, a shipped name or ``"none"``), or None: :data:`DEFAULT_PI2_ADAPTERS` when both ``adapter``
    and ``model`` are None, else ``adapter`` in both stages. ``pi2_by_hint``: ``{table_hint: adapter}``, pi2's
    adapter (as ``pi2_adapter``) for the documents with that ``metadata.table_hint``.
    """
    if pi2_adapter is None and adapter is None and model is None:
        pi2_adapter = DEFAULT_PI2_ADAPTERS.get(name)
    by_hint = dict(pi2_by_hint or {})
    if pi2_adapter is None and not by_hint:
        return _open_one(name, model, adapter, options)
    from text2table.backends.staged import StagedBackend

    opened: list[Backend] = []
    try:
        opened.append(_open_one(name, model, adapter, options))
        if pi2_adapter is not None:
            opened.append(_open_one(name, model, pi2_adapter, options))
        hinted = {}
        for hint, path in by_hint.items():
            opened.append(_open_one(name, model, path, options))
            hinted[hint] = opened[-1]
    except BaseException:
        for backend in opened:
            backend.close()
        raise
    return StagedBackend(opened[0], opened[1] if pi2_adapter is not None else opened[0], hinted)


def _open_one(name: str, model: str | None, adapter: str | None, options: dict[str, Any] | None) -> Backend:
    """One backend with one adapter (``adapter`` as in :func:`open_backend`)."""
    opts = dict(options or {})
    if name == "rules" and model:
        raise ConfigError("the rules backend uses no model; drop --model")
    # The shipped adapter was trained for the embedded model: never apply it to a model the user chose.
    default = DEFAULT_ADAPTERS.get(name) if model is None else None
    if adapter is not None and model is not None and named_adapter_paths(adapter) is not None:
        raise ConfigError(f"the shipped adapter {adapter!r} was trained for the embedded model; drop --model, or"
                          " pass an adapter trained for your model")
    chosen = default if adapter is None else (None if adapter == NO_ADAPTER else _named(adapter, name))
    if chosen is not None:
        if name not in ADAPTER_OPTION:
            raise ConfigError(f"the {name} backend takes no adapter (--adapter {chosen}); backends with adapters:"
                              f" {sorted(ADAPTER_OPTION)}")
        opts[ADAPTER_OPTION[name]] = chosen
    if model is not None:
        opts["model"] = model
    return create_backend(name, **opts)


def _named(adapter: str, backend: str) -> str:
    """A shipped adapter's name (``box-score``) -> its file for ``backend``; any other value is a path."""
    paths = named_adapter_paths(adapter)
    if paths is None:
        return adapter
    if not paths.get(backend):
        shipped = sorted(k for k, v in paths.items() if v) or ["none: the package was installed without it"]
        raise ConfigError(f"the shipped adapter {adapter!r} has no {backend} form; it is shipped for {shipped}")
    return str(paths[backend])


#: Documents per ``generate`` call. A backend that decodes prompts one at a time gains nothing from a batch,
#: and with one document at a time llama.cpp reuses the prompt it has just evaluated for a continuation.
BATCH_SIZES = {"llamacpp": 1}
DEFAULT_BATCH_SIZE = 8


def default_batch_size(backend_name: str) -> int:
    return BATCH_SIZES.get(backend_name, DEFAULT_BATCH_SIZE)
