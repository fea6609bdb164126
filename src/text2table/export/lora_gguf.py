"""PEFT LoRA adapter (safetensors) -> llama.cpp LoRA adapter (GGUF), for Llama-architecture base models.

llama.cpp applies an adapter at run time as ``W x + scale * B (A x)`` with ``scale = alpha / rank`` (times the
user's ``lora_scale``). Its GGUF holds, per adapted weight ``blk.N.<name>.weight``, two tensors
``blk.N.<name>.weight.lora_a`` (PEFT's ``lora_A``, rows = rank) and ``...lora_b`` (PEFT's ``lora_B``,
columns = rank), plus ``general.type=adapter``, ``adapter.type=lora`` and ``adapter.lora.alpha``.
Two facts make a naive copy wrong, and both are handled here:

* the base GGUF stores ``q_proj``/``k_proj`` with their rows permuted per head (llama.cpp's rotary layout), so
  the output rows of ``lora_B`` of q and k must get the same permutation;
* PEFT's scaling can differ from ``alpha / rank`` (rsLoRA, ``alpha_pattern``): the difference is folded into
  ``lora_B`` so that llama.cpp's ``alpha / rank`` gives PEFT's result.

Per-module ranks (``rank_pattern``) need nothing special: llama.cpp reads each rank from its tensor. Not handled
(a clear error names them): DoRA, LoRA biases, embedding / ``lm_head`` adapters, ``modules_to_save``, trainable
tokens and the other options in ``_UNSUPPORTED``; those need a merged model instead.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from text2table.adapters.card import copy_card
from text2table.errors import InputError
from text2table.export.readers import read_gguf_header, read_peft_adapter

# HF Llama module (relative to a decoder layer) -> llama.cpp tensor name inside ``blk.N``.
LLAMA_MODULES: dict[str, str] = {
    "self_attn.q_proj": "attn_q",
    "self_attn.k_proj": "attn_k",
    "self_attn.v_proj": "attn_v",
    "self_attn.o_proj": "attn_output",
    "mlp.gate_proj": "ffn_gate",
    "mlp.up_proj": "ffn_up",
    "mlp.down_proj": "ffn_down",
}
_KEY = re.compile(r"^(?:base_model\.model\.)?(?P<module>(?:model\.)?layers\.(?P<layer>\d+)\.(?P<proj>"
                  + "|".join(re.escape(k) for k in LLAMA_MODULES) + r"))\.lora_(?P<ab>[AB])\.weight$")
DTYPES = {"f32": np.float32, "f16": np.float16}
# adapter_config.json options that change what the adapter computes beyond W + s * B @ A on linear layers
_UNSUPPORTED = {"use_dora": "DoRA", "lora_bias": "LoRA biases", "modules_to_save": "modules_to_save",
                "trainable_token_indices": "trainable tokens", "layer_replication": "layer replication",
                "target_parameters": "LoRA on parameters", "use_qalora": "QA-LoRA", "fan_in_fan_out": "fan_in_fan_out"}


@dataclass(frozen=True)
class BaseSpec:
    """What the converter needs to know about the base GGUF: architecture, heads, and weight shapes (out, in)."""

    path: Path
    arch: str
    n_layers: int
    n_head: int
    n_head_kv: int
    shapes: dict[str, tuple[int, int]] = field(repr=False)


@dataclass(frozen=True)
class LoraExport:
    """What one export wrote: the file, how many weights it adapts, their ranks, alpha and the time it took."""

    out: Path
    n_weights: int
    ranks: tuple[int, ...]
    alpha: float
    dtype: str
    bytes: int
    seconds: float


def read_base_spec(gguf_path: str | Path) -> BaseSpec:
    """Read architecture, layer/head counts and the (out, in) shape of every 2-D weight of a base GGUF."""
    path = Path(gguf_path)
    if not path.is_file():
        raise InputError("base model GGUF not found", source=str(path), hint="pass --base PATH.gguf or 'embedded'")
    meta, shapes = read_gguf_header(path)
    if meta.get("general.type", "model") != "model":
        raise InputError(f"general.type is {meta.get('general.type')!r}, expected a base model", source=str(path),
                         hint="pass the base model's GGUF, not an adapter")
    arch = str(meta.get("general.architecture"))
    if arch != "llama":
        raise InputError(f"base architecture {arch!r} is not supported (only 'llama')", source=str(path),
                         hint="merge the adapter and export the full model with llama.cpp's own tools")
    for key in ("block_count", "attention.head_count"):
        if f"{arch}.{key}" not in meta:
            raise InputError(f"GGUF metadata key {arch}.{key!r} is missing", source=str(path))
    n_head = int(meta[f"{arch}.attention.head_count"])
    n_head_kv = int(meta.get(f"{arch}.attention.head_count_kv", n_head))
    matrices = {name: (int(shape[1]), int(shape[0])) for name, shape in shapes.items() if len(shape) == 2}
    return BaseSpec(path, arch, int(meta[f"{arch}.block_count"]), n_head, n_head_kv, matrices)


def rope_permute_rows(matrix: np.ndarray, n_head: int) -> np.ndarray:
    """Reorder the output rows of a q/k projection (or its ``lora_B``) as llama.cpp's GGUF stores them.

    Within each head, HF keeps the two rotary halves apart (rows ``0..d/2-1`` then ``d/2..d-1``); the GGUF
    interleaves them (row ``2i`` = HF row ``i``, row ``2i+1`` = HF row ``d/2+i``).

    >>> rope_permute_rows(np.arange(8).reshape(8, 1), n_head=2)[:, 0].tolist()
    [0, 2, 1, 3, 4, 6, 5, 7]
    """
    rows = matrix.shape[0]
    if rows % (2 * n_head):
        raise InputError(f"cannot split {rows} rows into {n_head} heads of two rotary halves",
                         hint="check that the adapter was trained on this base model")
    half = rows // n_head // 2
    return matrix.reshape(n_head, 2, half, *matrix.shape[1:]).swapaxes(1, 2).reshape(matrix.shape)


def peft_scaling(config: dict, module: str, rank: int) -> float:
    """The factor PEFT multiplies ``B @ A`` by for ``module`` (``alpha_pattern`` and rsLoRA included)."""
    alpha = float(config.get("lora_alpha", 8))
    for pattern, value in (config.get("alpha_pattern") or {}).items():
        if re.match(rf"(.*\.)?({pattern})$", module):
            alpha = float(value)
            break
    return alpha / math.sqrt(rank) if config.get("use_rslora") else alpha / rank


def _read_adapter(adapter_dir: Path) -> tuple[dict, dict[str, np.ndarray]]:
    """A PEFT LoRA adapter that llama.cpp can express (no DoRA, biases, modules_to_save, ...)."""
    config, tensors = read_peft_adapter(adapter_dir)
    for flag, why in _UNSUPPORTED.items():
        if config.get(flag):
            raise InputError(f"{why} cannot be expressed as a llama.cpp LoRA adapter",
                             source=str(adapter_dir / "adapter_config.json"),
                             hint=f"train without {flag}, or merge the adapter into the base model")
    return config, tensors


def _pair_tensors(tensors: dict[str, np.ndarray], source: str) -> dict[tuple[int, str], dict[str, np.ndarray]]:
    """Group ``lora_A``/``lora_B`` by (layer, HF module); anything else is an error naming the key."""
    pairs: dict[tuple[int, str], dict[str, np.ndarray]] = {}
    for name, tensor in sorted(tensors.items()):
        match = _KEY.match(name)
        if match is None:
            hint = ("adapt only the linear projections (q/k/v/o/gate/up/down): embeddings and lm_head are tied in"
                    " this base and llama.cpp cannot adapt them" if re.search(r"embed|lm_head", name)
                    else "only PEFT LoRA weights of Llama decoder projections are supported")
            raise InputError(f"unsupported tensor {name!r}", source=source, hint=hint)
        entry = pairs.setdefault((int(match["layer"]), match["proj"]), {"module": match["module"]})
        entry[match["ab"]] = tensor
    for (layer, proj), entry in pairs.items():
        if "A" not in entry or "B" not in entry:
            raise InputError(f"layer {layer} {proj}: lora_A or lora_B is missing", source=source,
                             hint="the adapter file is incomplete; save it again")
    return pairs


def llama_lora_tensors(pairs: dict[tuple[int, str], dict[str, np.ndarray]], base: BaseSpec, config: dict, *,
                       permute_qk: bool = True, source: str = "adapter"
                       ) -> Iterator[tuple[str, np.ndarray, np.ndarray]]:
    """Yield ``(base tensor name, lora_a, lora_b)`` in llama.cpp's layout, checked against the base shapes.

    ``lora_b`` carries PEFT's scaling beyond ``alpha / rank`` and, for q/k, the rotary row permutation.
    """
    alpha = float(config.get("lora_alpha", 8))
    for (layer, proj), entry in sorted(pairs.items()):
        name = f"blk.{layer}.{LLAMA_MODULES[proj]}.weight"
        lora_a, lora_b = entry["A"], entry["B"]
        rank = lora_a.shape[0]
        expected = base.shapes.get(name)
        if expected is None or layer >= base.n_layers:
            raise InputError(f"the base model has no tensor {name}", source=str(base.path),
                             hint="the adapter was trained on another base model")
        if lora_b.shape[1] != rank or (lora_b.shape[0], lora_a.shape[1]) != expected:
            raise InputError(f"{entry['module']}: LoRA shapes A{lora_a.shape} B{lora_b.shape} do not fit the base"
                             f" weight {name} of shape (out, in) {expected}", source=source,
                             hint="the adapter was trained on another base model")
        fold = peft_scaling(config, entry["module"], rank) / (alpha / rank if alpha else 1.0)
        if fold != 1.0:
            lora_b = lora_b * fold
        if permute_qk and proj == "self_attn.q_proj":
            lora_b = rope_permute_rows(lora_b, base.n_head)
        elif permute_qk and proj == "self_attn.k_proj":
            lora_b = rope_permute_rows(lora_b, base.n_head_kv)
        yield name, lora_a, lora_b


def convert_lora(adapter_dir: str | Path, base_gguf: str | Path, out: str | Path, *, dtype: str = "f32",
                 permute_qk: bool = True, card: bool = True) -> LoraExport:
    """Write ``out`` (a llama.cpp LoRA GGUF) from a PEFT adapter folder trained on the model in ``base_gguf``,
    and (``card``) the adapter's ``text2table.json`` card, if it has one, into ``out``'s folder.

    ``dtype`` is the storage type of the LoRA matrices (``f32`` or ``f16``). ``permute_qk=False`` skips the q/k
    row permutation: it exists only to measure what a converter that forgets it gets wrong. The file is
    written to a temporary name first and renamed, so a reader never sees half a file.
    """
    import gguf

    start = time.perf_counter()
    if dtype not in DTYPES:
        raise InputError(f"dtype {dtype!r} is not supported", hint=f"use one of {sorted(DTYPES)}")
    adapter_dir, out = Path(adapter_dir), Path(out)
    base = read_base_spec(base_gguf)
    config, tensors = _read_adapter(adapter_dir)
    pairs = _pair_tensors(tensors, str(adapter_dir / "adapter_model.safetensors"))
    if not pairs:
        raise InputError("the adapter holds no LoRA weights", source=str(adapter_dir))
    alpha = float(config.get("lora_alpha", 8))
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    writer = gguf.GGUFWriter(str(tmp), arch=base.arch)
    ranks: set[int] = set()
    try:
        writer.add_type(gguf.GGUFType.ADAPTER)
        writer.add_string(gguf.Keys.Adapter.TYPE, "lora")
        writer.add_float32(gguf.Keys.Adapter.LORA_ALPHA, alpha)
        writer.add_name(adapter_dir.resolve().name)
        for name, lora_a, lora_b in llama_lora_tensors(pairs, base, config, permute_qk=permute_qk,
                                                        source=str(adapter_dir)):
            # numpy (rows, cols) is ggml ne = (cols, rows): A -> (in, rank), B -> (rank, out), what llama.cpp wants.
            writer.add_tensor(f"{name}.lora_a", np.ascontiguousarray(lora_a, dtype=DTYPES[dtype]))
            writer.add_tensor(f"{name}.lora_b", np.ascontiguousarray(lora_b, dtype=DTYPES[dtype]))
            ranks.add(lora_a.shape[0])
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_tensors_to_file()
        writer.close()
        os.replace(tmp, out)
    except BaseException:
        writer.close()
        tmp.unlink(missing_ok=True)
        raise
    if card:  # the pi1 form the adapter answers, beside the file (adapters/card.py)
        copy_card(adapter_dir, out.parent)
    return LoraExport(out, len(pairs), tuple(sorted(ranks)), alpha, dtype, out.stat().st_size,
                      time.perf_counter() - start)


CONVERTER_VERSION = "1"


def cached_lora_gguf(adapter_dir: str | Path, base_gguf: str | Path, *, cache_dir: str | Path | None = None,
                     dtype: str = "f32") -> Path:
    """The llama.cpp GGUF of a PEFT adapter, converted once and kept under ``<cache>/lora/<hash>.gguf``.

    The hash covers the adapter's files, the base GGUF's content and the converter version, so a retrained
    adapter or another base gets a new file. ``cache_dir`` defaults to ``$TEXT2TABLE_CACHE`` (see
    :func:`text2table.backends.models.cache_root`).
    """
    from text2table.backends.models import cache_root, file_sha256

    adapter_dir, base_gguf = Path(adapter_dir), Path(base_gguf)
    digest = hashlib.sha256(f"{CONVERTER_VERSION}:{dtype}:{file_sha256(base_gguf)}".encode())
    for name in ("adapter_config.json", "adapter_model.safetensors"):
        if not (adapter_dir / name).is_file():
            raise InputError(f"{name} not found", source=str(adapter_dir),
                             hint="pass a folder written by PEFT's save_pretrained (safetensors)")
        digest.update(file_sha256(adapter_dir / name).encode())
    out = Path(cache_dir or cache_root()) / "lora" / f"{adapter_dir.resolve().name}-{digest.hexdigest()[:16]}.gguf"
    if not out.is_file():  # no card: the cache folder holds many adapters (the card stays with the PEFT folder)
        convert_lora(adapter_dir, base_gguf, out, dtype=dtype, card=False)
    return out
