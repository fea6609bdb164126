"""Fold a llama.cpp LoRA adapter (GGUF) into its base model's weights once, and cache the merged GGUF.

A LoRA applied at run time costs llama.cpp two extra small matrix products per adapted weight at every
step; a merged model runs without them. For every weight ``W`` (llama.cpp's numpy layout:
``out x in``) with tensors ``W.lora_a`` (``r x in``) and ``W.lora_b`` (``out x r``) the merged weight is
``W + (alpha / r) * lora_b @ lora_a`` (``adapter.lora.alpha`` from the adapter's metadata, ``r`` its rank;
llama.cpp scales a run-time adapter the same way with the user scale 1.0). The base weight is dequantised
with the ``gguf`` package (numpy only), the sum is written as ``dtype`` (``q8_0``, ``f16`` or ``f32``; a
4- or 5-bit grid is too coarse for the LoRA delta, which rounds away); untouched tensors and every metadata
key are copied unchanged.

:func:`merged_gguf` caches the result under ``$TEXT2TABLE_CACHE/merged/<key>.gguf`` (default
``~/.cache/text2table``), the key hashing the base file, the adapter file and ``dtype``; the file is
written to a temporary name and renamed, so an interrupted merge leaves nothing behind, and a missing
file is rebuilt.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from text2table.backends.models import cache_root, file_sha256
from text2table.errors import InputError, MissingDependencyError

log = logging.getLogger(__name__)

MERGE_DTYPES = ("q8_0", "f16", "f32")
#: Bump when the merged file's content would change for the same inputs (cache key).
MERGE_VERSION = "1"


def _gguf() -> Any:
    try:
        import gguf
    except ImportError as exc:
        raise MissingDependencyError("gguf", "llamacpp") from exc
    return gguf


def merge_key(base: Path, adapter: Path, dtype: str) -> str:
    """The cache key of a merged file: sha256 over both files' hashes, ``dtype`` and the merge version."""
    text = "\n".join([file_sha256(base), file_sha256(adapter), dtype, MERGE_VERSION])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def merged_path(base: Path, adapter: Path, dtype: str = "q8_0") -> Path:
    return cache_root() / "merged" / f"{merge_key(base, adapter, dtype)}.gguf"


def lora_pairs(adapter: Any, source: str) -> tuple[dict[str, tuple[Any, Any]], float]:
    """``{weight name: (lora_a, lora_b)}`` and the scale ``alpha / r`` of a LoRA GGUF read by ``GGUFReader``."""
    gguf = _gguf()
    field = adapter.fields.get("adapter.type")
    if field is None or field.contents() != "lora":
        raise InputError("not a llama.cpp LoRA adapter (adapter.type is not 'lora')", source=source,
                         hint="convert a PEFT adapter with `text2table export-gguf`")
    parts: dict[str, dict[str, Any]] = {}
    for t in adapter.tensors:
        name, _, kind = t.name.rpartition(".")
        if kind not in ("lora_a", "lora_b"):
            raise InputError(f"unexpected tensor {t.name!r} in a LoRA adapter", source=source)
        parts.setdefault(name, {})[kind] = gguf.dequantize(t.data, t.tensor_type).astype("float32")
    pairs = {}
    for name, ab in parts.items():
        if set(ab) != {"lora_a", "lora_b"}:
            raise InputError(f"{name}: lora_a or lora_b is missing", source=source)
        pairs[name] = (ab["lora_a"], ab["lora_b"])
    if not pairs:
        raise InputError("the adapter holds no LoRA tensors", source=source)
    rank = next(iter(pairs.values()))[0].shape[0]
    alpha_field = adapter.fields.get("adapter.lora.alpha")
    alpha = float(alpha_field.contents()) if alpha_field is not None else 0.0
    return pairs, (alpha / rank if alpha else 1.0)


def _copy_metadata(reader: Any, writer: Any) -> None:
    gguf = _gguf()
    for key, field in reader.fields.items():
        if key.startswith("GGUF.") or key == "general.architecture":
            continue  # written by GGUFWriter itself
        vtype = field.types[0]
        sub = field.types[-1] if vtype == gguf.GGUFValueType.ARRAY else None
        writer.add_key_value(key, field.contents(), vtype, sub_type=sub)


def merge_lora(base: Path, adapter: Path, out: Path, *, dtype: str = "q8_0") -> dict[str, int]:
    """Write ``base`` with ``adapter`` folded in to ``out``; returns counts of merged and copied tensors."""
    if dtype not in MERGE_DTYPES:
        raise InputError(f"unknown merge dtype {dtype!r}", hint=f"use one of {', '.join(MERGE_DTYPES)}")
    gguf = _gguf()
    import numpy as np

    quant = {"q8_0": gguf.GGMLQuantizationType.Q8_0,
             "f16": gguf.GGMLQuantizationType.F16, "f32": gguf.GGMLQuantizationType.F32}[dtype]
    reader = gguf.GGUFReader(str(base))
    pairs, scale = lora_pairs(gguf.GGUFReader(str(adapter)), str(adapter))
    arch = reader.fields["general.architecture"].contents()
    writer = gguf.GGUFWriter(str(out), arch)
    _copy_metadata(reader, writer)
    merged = 0
    for t in reader.tensors:
        shape = [int(n) for n in reversed(t.shape.tolist())]  # numpy order: out x in
        if t.name not in pairs:
            writer.add_tensor(t.name, t.data, raw_shape=t.data.shape, raw_dtype=t.tensor_type)
            continue
        lora_a, lora_b = pairs.pop(t.name)
        weight = gguf.dequantize(t.data, t.tensor_type).reshape(shape).astype(np.float32)
        if lora_b.shape[0] != weight.shape[0] or lora_a.shape[1] != weight.shape[1]:
            raise InputError(f"{t.name}: adapter shapes {lora_b.shape} @ {lora_a.shape} do not fit the weight"
                             f" {weight.shape}", source=str(adapter), hint="the adapter is for another model")
        weight += scale * (lora_b @ lora_a)
        if quant in (gguf.GGMLQuantizationType.F16, gguf.GGMLQuantizationType.F32):
            writer.add_tensor(t.name, weight.astype(np.float16 if dtype == "f16" else np.float32))
        else:
            data = gguf.quantize(weight, quant)
            writer.add_tensor(t.name, data, raw_shape=data.shape, raw_dtype=quant)
        merged += 1
    if pairs:
        raise InputError(f"the base model has no weight {sorted(pairs)[0]!r} (and {len(pairs) - 1} more)",
                         source=str(adapter), hint="the adapter is for another model")
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return {"merged": merged, "copied": len(reader.tensors) - merged}


def merged_gguf(base: Path, adapter: Path, *, dtype: str = "q8_0") -> Path:
    """The cached merged GGUF of ``base`` + ``adapter`` (built on first use, atomically)."""
    target = merged_path(base, adapter, dtype)
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    log.info("merging %s into %s once (%s): %s", adapter, base, dtype, target)
    fd, tmp = tempfile.mkstemp(prefix=".merge-", suffix=".gguf", dir=target.parent)
    os.close(fd)
    try:
        merge_lora(base, adapter, Path(tmp), dtype=dtype)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target
