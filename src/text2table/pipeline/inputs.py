"""Reading ``extract``'s inputs one document at a time, so that one bad document never stops a batch.

Inputs are a text file, a folder of text files (``.txt``/``.md``/``.text``, recursively, sorted) or a JSONL
in the native gold format (``id``, ``document``, ``metadata``; a ``table`` is ignored). Each document becomes
an :class:`InputDoc`. What is wrong with one document is recorded on it, not raised:

- an empty or whitespace-only document is kept (the batch answers it with an empty table, without a model
  call, and says so in ``diagnostics.input``);
- a file that is not UTF-8, a JSONL line that is not JSON or not an object, a record without a usable
  ``id``/``document``/``metadata``, a repeated id, and a document over :attr:`InputPolicy.max_doc_bytes`
  get ``problem`` set: the batch reports and skips them. A line without a usable id is named
  ``<file name>:<line>``.

With ``on_error="fail"`` the first such document (an empty one included) raises :class:`InputError` naming
the file and line instead. A missing input path, or a folder without text files, always raises.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from text2table.core.records import default_metadata
from text2table.errors import ConfigError, InputError

TEXT_SUFFIXES = (".txt", ".md", ".text")
ON_ERROR = ("skip", "fail")
DEFAULT_MAX_DOC_BYTES = 2_000_000


@dataclass(frozen=True)
class InputPolicy:
    """What to do with a bad document: ``skip`` (report it, go on) or ``fail`` (stop with a file:line error)."""

    on_error: str = "skip"
    max_doc_bytes: int = DEFAULT_MAX_DOC_BYTES  # a longer document (UTF-8 bytes) is skipped

    def __post_init__(self) -> None:
        if self.on_error not in ON_ERROR:
            raise ConfigError(f"on_error {self.on_error!r}; expected one of {ON_ERROR}")
        if not isinstance(self.max_doc_bytes, int) or self.max_doc_bytes < 1:
            raise ConfigError(f"max_doc_bytes must be a positive integer, got {self.max_doc_bytes!r}")


@dataclass(frozen=True)
class InputDoc:
    id: str
    document: str
    metadata: dict[str, Any]
    problem: str | None = None  # why the batch skips this document (source:line: reason); None: run it

    @property
    def is_empty(self) -> bool:
        return self.problem is None and not self.document.strip()


def _where(source: str, line: int | None) -> str:
    return f"{source}:{line}" if line is not None else source


def _bad(doc_id: str, source: str, line: int | None, reason: str) -> InputDoc:
    return InputDoc(doc_id, "", default_metadata(), f"{_where(source, line)}: {reason}")


def _text_doc(doc_id: str, path: Path, policy: InputPolicy) -> InputDoc:
    """One text file; a file over the size limit is not read at all."""
    size = path.stat().st_size
    if size > policy.max_doc_bytes:
        return _bad(doc_id, str(path), None, f"document of {size} bytes is over the limit of "
                    f"{policy.max_doc_bytes} (raise it with --max-doc-mb)")
    data = path.read_bytes()
    try:
        return InputDoc(doc_id, data.decode("utf-8-sig"), default_metadata())
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        return _bad(doc_id, str(path), line, f"not valid UTF-8 at byte {exc.start} (re-encode the file as UTF-8)")


def _record_doc(obj: Any, source: str, line: int, seen: dict[str, int], policy: InputPolicy) -> InputDoc:
    """One parsed JSONL line; only ``id``, ``document`` and ``metadata`` are read."""
    fallback = f"{Path(source).name}:{line}"
    if not isinstance(obj, dict):
        return _bad(fallback, source, line, f"expected a JSON object, got {type(obj).__name__}")
    rid = obj.get("id")
    if isinstance(rid, bool) or not isinstance(rid, (str, int)) or str(rid) == "":
        return _bad(fallback, source, line, "missing or empty 'id' (give every record a unique string id)")
    rid = str(rid)
    if rid in seen:
        return _bad(fallback, source, line, f"duplicate id {rid!r} (first at line {seen[rid]})")
    seen[rid] = line
    document, metadata = obj.get("document"), obj.get("metadata") or {}
    if not isinstance(document, str):
        return _bad(rid, source, line, f"record {rid!r}: 'document' must be a string, got "
                    f"{type(document).__name__}")
    if not isinstance(metadata, dict):
        return _bad(rid, source, line, f"record {rid!r}: 'metadata' must be an object")
    size = len(document.encode("utf-8", "surrogatepass"))
    if size > policy.max_doc_bytes:
        return _bad(rid, source, line, f"document of {size} bytes is over the limit of {policy.max_doc_bytes}"
                    " (raise it with --max-doc-mb)")
    return InputDoc(rid, document, default_metadata(metadata))


def _jsonl_docs(path: Path, policy: InputPolicy) -> Iterator[InputDoc]:
    source, seen = str(path), {}
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                yield _bad(f"{path.name}:{number}", source, number, f"not valid UTF-8 at column {exc.start + 1}")
                continue
            if not text.strip():
                continue
            try:
                obj = json.loads(text)
            except json.JSONDecodeError as exc:
                yield _bad(f"{path.name}:{number}", source, number,
                           f"invalid JSON at column {exc.colno}: {exc.msg} (each line must be one JSON object)")
                continue
            yield _record_doc(obj, source, number, seen, policy)


def iter_inputs(path: str | Path, policy: InputPolicy | None = None) -> Iterator[InputDoc]:
    """Every document of ``path`` in order, bad ones marked (see the module docstring); never raises for one."""
    policy = policy or InputPolicy()
    p = Path(path)
    if not p.exists():
        raise InputError("input not found", source=str(p), hint="give a text file, a folder or a .jsonl file")
    if p.is_dir():
        files = sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in TEXT_SUFFIXES)
        if not files:
            raise InputError(f"no {'/'.join(TEXT_SUFFIXES)} files in the folder", source=str(p))
        for f in files:
            yield _text_doc(f.relative_to(p).with_suffix("").as_posix(), f, policy)
    elif p.suffix.lower() == ".jsonl":
        yield from _jsonl_docs(p, policy)
    else:
        yield _text_doc(p.stem, p, policy)


def read_inputs(path: str | Path, *, limit: int | None = None, policy: InputPolicy | None = None) -> list[InputDoc]:
    """The first ``limit`` documents of ``path``; under ``on_error="fail"`` a bad or empty one raises."""
    policy = policy or InputPolicy()
    out: list[InputDoc] = []
    for doc in iter_inputs(path, policy):
        if limit is not None and len(out) >= limit:
            break
        if policy.on_error == "fail" and (doc.problem or doc.is_empty):
            reason = doc.problem or f"{path}: document {doc.id!r} is empty or whitespace only"
            raise InputError(reason, hint="fix or remove that document, or use --on-error skip to report it and go on")
        out.append(doc)
    return out
