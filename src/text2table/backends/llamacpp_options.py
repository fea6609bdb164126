"""Options of the ``llamacpp`` backend checked before a model is loaded, and the KV-cache key type.

``cache_type_k`` keeps the KV cache's keys as ``f16`` (llama.cpp's default) or ``q8_0`` (llama.cpp's
``--cache-type-k``: attention over a long prompt reads half the bytes; answers can differ by greedy ties). Given
as an option it wins; else an adapter's card (``text2table.json``, :func:`~text2table.adapters.card.cache_type_k_of`)
may name the type the adapter was measured with; else f16. ``workers`` likewise: given, it wins; else the card's
(:func:`~text2table.adapters.card.workers_of`); else 1.
"""

from __future__ import annotations

from text2table.adapters.card import cache_type_k_of, card_path, workers_of
from text2table.errors import ConfigError, InputError

#: KV-cache key types (llama.cpp's ggml type names); values need flash attention to be quantised, keys do not
CACHE_TYPES = {"f16": "GGML_TYPE_F16", "q8_0": "GGML_TYPE_Q8_0"}


def check_options(*, n_ctx: int, parallel: int, parallel_ctx: int, cache_type_k: str | None,
                  workers: int = 1) -> None:
    """Raise :class:`ConfigError` for a context, parallel or workers setting or key type the backend cannot
    serve."""
    if n_ctx < 16:
        raise ConfigError(f"n_ctx={n_ctx}; expected at least 16 tokens")
    if parallel < 1 or parallel_ctx < 16:
        raise ConfigError(f"parallel={parallel}, parallel_ctx={parallel_ctx}; expected parallel >= 1 and"
                          " parallel_ctx >= 16 (parallel=1 decodes one prompt at a time)")
    if workers < 1 or (workers > 1 and parallel > 1):
        raise ConfigError(f"workers={workers}, parallel={parallel}; expected workers >= 1, and not both above 1"
                          " (workers decodes a call's prompts in several contexts, parallel in one; pick one)")
    if cache_type_k is not None and cache_type_k not in CACHE_TYPES:
        raise ConfigError(f"cache_type_k={cache_type_k!r}; expected one of {', '.join(CACHE_TYPES)}")


def card_cache_type_k(lora: str | None) -> str:
    """The KV-cache key type ``lora``'s card names (``f16`` without an adapter, card or key); a type not in
    :data:`CACHE_TYPES` raises :class:`InputError` naming the card."""
    try:
        named = cache_type_k_of(lora)
    except ValueError as exc:
        raise InputError(str(exc)) from exc
    if named is not None and named not in CACHE_TYPES:
        raise InputError(f"cache_type_k {named!r} is not one of {', '.join(CACHE_TYPES)}",
                         source=str(card_path(lora or ".")), hint='write "q8_0" or "f16", or delete the key')
    return named or "f16"


def card_workers(lora: str | None) -> int:
    """The llama.cpp contexts ``lora``'s card names (1 without an adapter, card or key); anything but a whole
    number from 1 to 16 raises :class:`InputError` naming the card."""
    try:
        named = workers_of(lora)
    except ValueError as exc:
        raise InputError(str(exc)) from exc
    if named is None:
        return 1
    if isinstance(named, bool) or not isinstance(named, int) or not 1 <= named <= 16:
        raise InputError(f"workers {named!r} is not a whole number from 1 to 16", source=str(card_path(lora or ".")),
                         hint='write e.g. "workers": 2, or delete the key')
    return named
