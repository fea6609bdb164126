"""What produced a prediction file: its signature, kept in a sidecar JSON next to it and copied into ``metrics.json``.

A signature records the pipeline settings, the check settings, the backend's ``describe()``, a given
schema (or none: pi1 induced one) and the package version, plus a short readable line in the manner of
sacrebleu's (``backend:llamacpp|model:smollm2.gguf|adapter:shipped.gguf|constrained:yes|...|hash:1a2b3c4d5e6f``).
The hash covers everything that can change an answer; execution details (:data:`EXECUTION_KEYS`: threads,
timeouts, retries, whether an API key is set) are recorded but not hashed, so a resumed run on another
machine keeps the same hash.

``extract`` writes ``PRED.meta.json`` next to ``PRED`` (:data:`SIDECAR_SUFFIX`) before the first line;
``eval`` copies it into ``metrics.json`` (``prediction_signature``).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
from pathlib import Path
from typing import Any

from text2table.core.jsonio import read_text, write_json
from text2table.errors import InputError

SIDECAR_SUFFIX = ".meta.json"
#: Backend options that change how fast an answer comes, not which answer: recorded, left out of the hash.
EXECUTION_KEYS = frozenset({"threads", "concurrency", "timeout", "retries", "api_key_set", "api_key_env"})
_SHOWN = (("constrained", "constrained"), ("verify", "verify"), ("parse_tables", "tables"), ("item_lists", "lists"),
          ("chunk_chars", "chunk"), ("max_new_tokens_table", "pi2_tokens"))


def package_version() -> str:
    """The installed text2table version (the package metadata; ``unknown`` when not installed)."""
    try:
        return importlib.metadata.version("text2table")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def make_signature(*, pipeline: dict[str, Any], checks: dict[str, Any] | None, backend: dict[str, Any],
                   schema: dict[str, Any] | None, version: str) -> dict[str, Any]:
    """The signature record (JSON-ready): the four settings, the version, the hash and the readable line.

    >>> sig = make_signature(pipeline={"constrained": True}, checks={"verify": True},
    ...                      backend={"backend": "rules"}, schema=None, version="0.1.0")
    >>> sig["signature"].startswith("backend:rules|constrained:yes|checks:"), len(sig["hash"])
    (True, 12)
    """
    record: dict[str, Any] = {"version": version, "pipeline": pipeline, "checks": checks, "backend": backend,
                              "schema": schema}
    record["hash"] = signature_hash(record)
    record["signature"] = signature_string(record)
    return record


def signature_hash(record: dict[str, Any]) -> str:
    """12 hex digits of SHA-256 over the settings that can change an answer (not the version)."""
    backend = {k: v for k, v in (record.get("backend") or {}).items() if k not in EXECUTION_KEYS}
    hashed = {"pipeline": record.get("pipeline"), "checks": record.get("checks"), "backend": backend,
              "schema": record.get("schema")}
    text = json.dumps(hashed, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def _short(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return "none"
    text = str(value)
    return Path(text).name if "/" in text else text


def signature_string(record: dict[str, Any]) -> str:
    """The readable line: backend, model, adapter, the main switches, a checks digest, schema, version, hash."""
    backend = record.get("backend") or {}
    parts = [f"backend:{_short(backend.get('backend'))}"]
    if backend.get("model") is not None:
        parts.append(f"model:{_short(backend['model'])}")
    adapter = backend.get("lora", backend.get("adapter"))
    if "lora" in backend or "adapter" in backend:
        parts.append(f"adapter:{_short(adapter)}")
    pipeline = record.get("pipeline") or {}
    parts += [f"{label}:{_short(pipeline[key])}" for key, label in _SHOWN if key in pipeline]
    checks = record.get("checks")
    if checks is not None:
        digest = hashlib.sha256(json.dumps(checks, sort_keys=True, default=str).encode()).hexdigest()[:6]
        parts.append(f"checks:{digest}")
    parts.append("schema:" + ("given" if record.get("schema") else "induced"))
    parts += [f"version:{record.get('version')}", f"hash:{record.get('hash') or signature_hash(record)}"]
    return "|".join(parts)


def sidecar_path(pred: str | Path) -> Path:
    """``pred.jsonl`` -> ``pred.jsonl.meta.json``."""
    return Path(f"{pred}{SIDECAR_SUFFIX}")


def read_signature(pred: str | Path) -> dict[str, Any] | None:
    """The signature next to ``pred``, or None when there is none."""
    path = sidecar_path(pred)
    if not path.exists():
        return None
    try:
        record = json.loads(read_text(path))
    except json.JSONDecodeError as exc:
        raise InputError(f"not JSON ({exc.msg})", source=str(path), line=exc.lineno,
                         hint="delete it: extract writes it again on the next run") from None
    if not isinstance(record, dict) or "hash" not in record:
        raise InputError("not a prediction signature (an object with a 'hash')", source=str(path),
                         hint="delete it: extract writes it again on the next run")
    return record


def differences(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """The settings (``pipeline.max_rows``, ``backend.model``, ...) whose values differ, hashed ones only."""
    out = []
    for part in ("pipeline", "checks", "backend", "schema"):
        a, b = old.get(part), new.get(part)
        if isinstance(a, dict) and isinstance(b, dict) and part != "schema":
            out += [f"{part}.{k}" for k in sorted(set(a) | set(b))
                    if a.get(k) != b.get(k) and not (part == "backend" and k in EXECUTION_KEYS)]
        elif a != b:
            out.append(part)
    return out


def write_signature(pred: str | Path, record: dict[str, Any]) -> Path:
    """Write the sidecar atomically; returns its path."""
    path = sidecar_path(pred)
    write_json(path, record)
    return path
