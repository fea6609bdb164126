"""Adapters shipped with the package: LoRA weights trained by this project for the embedded model.

``smollm2-135m/`` holds one LoRA adapter for SmolLM2-135M-Instruct that serves both stages (pi1 and pi2
were trained together on a shuffled mixture), in two forms: PEFT safetensors (``transformers`` backend)
and llama.cpp's LoRA GGUF (``llamacpp`` backend). Its ``MODEL_CARD.md`` says how it was trained and how
well it does. These defaults apply only to the embedded base model.
"""

from __future__ import annotations

from pathlib import Path

SMOLLM2_DIR = Path(__file__).resolve().parent / "smollm2-135m"


def default_adapter_paths() -> dict[str, str | None]:
    """Backend name -> the shipped adapter for the embedded model (None where it is not installed)."""
    peft = SMOLLM2_DIR if (SMOLLM2_DIR / "adapter_model.safetensors").exists() else None
    gguf = SMOLLM2_DIR / "adapter.gguf"
    return {"llamacpp": str(gguf) if gguf.exists() else None, "transformers": str(peft) if peft else None}
