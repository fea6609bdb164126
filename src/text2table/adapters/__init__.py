"""Adapters shipped with the package: LoRA weights trained by this project for the embedded model.

``smollm2-135m/`` holds the LoRA adapter for SmolLM2-135M-Instruct that answers pi1 (and pi2 where the pi2 folder
is absent); ``smollm2-135m-pi2/`` holds pi2's own adapter (that one continued on table examples only, so that
training pi2 leaves pi1's schemas as they were). Each comes in two forms: PEFT safetensors
(``transformers`` backend) and llama.cpp's LoRA GGUF (``llamacpp`` backend), with ``MODEL_CARD.md`` saying how it
was trained and how well it does. These defaults apply only to the embedded base model.

Adapters for one kind of document are shipped beside them and chosen by name (:data:`NAMED`, e.g.
``extract --pi2-adapter box-score``); they are never a default.
"""

from __future__ import annotations

from pathlib import Path

SMOLLM2_DIR = Path(__file__).resolve().parent / "smollm2-135m"
SMOLLM2_PI2_DIR = Path(__file__).resolve().parent / "smollm2-135m-pi2"
#: Name -> folder of an adapter for one kind of document (for the embedded model; see its MODEL_CARD.md).
#: ``box-score``: pi2 for game summaries read with a given player or team schema (examples/schemas/).
NAMED = {"box-score": Path(__file__).resolve().parent / "smollm2-135m-box-score-pi2"}


def _paths(folder: Path) -> dict[str, str | None]:
    peft = folder / "adapter_model.safetensors"
    gguf = folder / "adapter.gguf"
    return {"llamacpp": str(gguf) if gguf.exists() else None,
            "transformers": str(folder) if peft.exists() else None}


def default_adapter_paths() -> dict[str, str | None]:
    """Backend name -> the shipped adapter for the embedded model (pi1's, and pi2's without a pi2 adapter;
    None where it is not installed)."""
    return _paths(SMOLLM2_DIR)


def default_pi2_adapter_paths() -> dict[str, str | None]:
    """Backend name -> the shipped pi2 adapter for the embedded model (None where none is shipped: the default
    adapter then answers both stages)."""
    return _paths(SMOLLM2_PI2_DIR)


def named_adapter_paths(name: str) -> dict[str, str | None] | None:
    """Backend name -> the named shipped adapter's file (None where that form is not shipped), or None when no
    adapter has that name."""
    folder = NAMED.get(name)
    return _paths(folder) if folder is not None else None
