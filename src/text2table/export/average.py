"""Averaging two LoRA adapters of one base model exactly: ``w * delta_1 + (1 - w) * delta_2``.

A LoRA adapter adds ``s * B @ A`` to a weight (``s = lora_alpha / r``). Averaging ``A`` and ``B`` separately
would not average the deltas, so the result is one adapter of rank ``r_1 + r_2``: ``A`` is both ``A``
stacked, ``B`` both ``B`` side by side, each scaled by its weight and its own ``s``, and ``lora_alpha``
equals the new rank (``s = 1``). Used to combine a continued stage with the adapter it started from, so that
what the new stage learned is kept without forgetting what the old one knew (the adapter's model card).
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from text2table.adapters.card import read_card, write_card
from text2table.core.jsonio import atomic_writer, write_json
from text2table.errors import InputError
from text2table.export.lora_gguf import DTYPES
from text2table.export.peft_adapter import AdapterExport
from text2table.export.readers import read_peft_adapter


def _scale(config: dict, source: Path) -> float:
    if config.get("rank_pattern") or config.get("alpha_pattern") or config.get("use_rslora"):
        raise InputError("adapters with rank_pattern, alpha_pattern or use_rslora are not supported",
                         source=str(source), hint="average adapters trained with one rank and alpha for every module")
    return float(config["lora_alpha"]) / float(config["r"])


def average_deltas(first: dict[str, np.ndarray], second: dict[str, np.ndarray], scale_1: float, scale_2: float,
                   weight: float) -> dict[str, np.ndarray]:
    """The stacked tensors (see the module docstring) of two adapters with the same tensor names."""
    out: dict[str, np.ndarray] = {}
    for name in sorted(first):
        a, b = first[name].astype(np.float32), second[name].astype(np.float32)
        if name.endswith("lora_A.weight"):
            out[name] = np.concatenate([a, b], axis=0)
        elif name.endswith("lora_B.weight"):
            out[name] = np.concatenate([weight * scale_1 * a, (1 - weight) * scale_2 * b], axis=1)
        else:
            raise InputError(f"tensor {name!r} is neither lora_A nor lora_B", hint="average plain LoRA adapters")
    return out


def average_adapters(first_dir: str | Path, second_dir: str | Path, out_dir: str | Path, *, weight: float = 0.5,
                     dtype: str = "f16") -> AdapterExport:
    """Write the average adapter (``weight`` on the first) to ``out_dir`` (config and safetensors, atomically).

    Its ``text2table.json`` card (the pi1 answer form) is that of the adapter with the larger share."""
    from safetensors.numpy import save

    if not 0.0 <= weight <= 1.0:
        raise InputError(f"weight {weight!r} is outside [0, 1]", hint="give the first adapter's share, e.g. 0.5")
    if dtype not in DTYPES:
        raise InputError(f"dtype {dtype!r} is not one of {sorted(DTYPES)}", hint="use --dtype f16 or f32")
    began = time.perf_counter()
    first, second = Path(first_dir), Path(second_dir)
    config_1, tensors_1 = read_peft_adapter(first)
    config_2, tensors_2 = read_peft_adapter(second)
    if set(tensors_1) != set(tensors_2):
        raise InputError("the two adapters adapt different weights", source=str(second),
                         hint="average adapters trained with the same target_modules on the same base model")
    merged = average_deltas(tensors_1, tensors_2, _scale(config_1, first), _scale(config_2, second), weight)
    rank = int(config_1["r"]) + int(config_2["r"])
    config = {**config_1, "r": rank, "lora_alpha": rank}
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    blob = save({k: np.ascontiguousarray(v.astype(DTYPES[dtype])) for k, v in merged.items()},
                metadata={"format": "pt"})
    with atomic_writer(out / "adapter_model.safetensors", "wb") as handle:
        handle.write(blob)
    write_json(out / "adapter_config.json", config)
    card_1, card_2 = read_card(first), read_card(second)
    card = card_1 if weight >= 0.5 else card_2
    if card or card_1 != card_2:
        # the pi1 form of the adapter with the larger share; both cards are kept for the record
        write_card(out, {**card, "averaged": [{"adapter": str(first), "weight": weight, "card": card_1},
                                              {"adapter": str(second), "weight": 1 - weight, "card": card_2}]})
    return AdapterExport(out, len(merged), dtype, len(blob), time.perf_counter() - began)
