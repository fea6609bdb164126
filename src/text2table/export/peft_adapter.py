"""A trained PEFT LoRA checkpoint -> a small adapter folder to ship (fp16 safetensors + its config).

A training checkpoint holds optimiser and scheduler state next to the adapter, in fp32. What
``transformers`` (PEFT) needs to serve it is ``adapter_config.json`` and ``adapter_model.safetensors``;
storing the LoRA matrices as fp16 halves the file and changes the outputs of a 135M model by less than its
bf16 training noise (the llama.cpp GGUF of the shipped adapter is f16 as well).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from text2table.adapters.card import copy_card
from text2table.errors import InputError
from text2table.core.jsonio import atomic_writer, write_json
from text2table.export.lora_gguf import DTYPES
from text2table.export.readers import read_peft_adapter


@dataclass(frozen=True)
class AdapterExport:
    out: Path
    n_tensors: int
    dtype: str
    bytes: int
    seconds: float


def export_adapter(adapter_dir: str | Path, out_dir: str | Path, *, dtype: str = "f16") -> AdapterExport:
    """Write ``out_dir/adapter_config.json`` and ``adapter_model.safetensors`` (``dtype``), each atomically,
    and the adapter's ``text2table.json`` card if it has one."""
    from safetensors.numpy import save

    if dtype not in DTYPES:
        raise InputError(f"dtype {dtype!r} is not one of {sorted(DTYPES)}", hint="use --dtype f16 or f32")
    began = time.perf_counter()
    config, tensors = read_peft_adapter(Path(adapter_dir))
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    cast = {name: np.ascontiguousarray(t.astype(DTYPES[dtype])) for name, t in sorted(tensors.items())}
    blob = save(cast, metadata={"format": "pt"})
    with atomic_writer(out / "adapter_model.safetensors", "wb") as handle:
        handle.write(blob)
    write_json(out / "adapter_config.json", config)
    copy_card(adapter_dir, out)
    return AdapterExport(out, len(cast), dtype, len(blob), time.perf_counter() - began)
