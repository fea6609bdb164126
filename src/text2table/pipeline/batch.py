"""The resumable batch runner behind ``text2table extract``: inputs in, one prediction line per document out.

- Inputs: a text file, a folder of text files (``.txt``/``.md``, recursively, sorted), or a JSONL in the
  native gold format (document and metadata used, table ignored), read by :mod:`text2table.pipeline.inputs`.
- One bad document never stops the batch: an empty one is answered with an empty table without a model call
  (``diagnostics.input``); one that could not be read (not UTF-8, not a JSON object, over the size limit)
  gets a line with ``skipped`` saying why. Both are counted in the summary.
- Output: one JSON object per document, appended and flushed (fsync) as soon as its batch is done. A rerun
  with the same output resumes: ids already written are skipped, and a torn last line (``kill -9`` in the
  middle of a write) is cut away first, so nothing is lost and nothing is written twice.
- What produced the file is written next to it before the first line (``OUT.meta.json``:
  :mod:`text2table.pipeline.signature`); resuming with other settings is refused.
- A document that fails records ``error`` and the batch goes on: when a batched call raises, each of its
  documents is retried alone, so only the culprit fails.
- It receives an open backend; which one, with which adapter, is chosen in :mod:`text2table.backends.choose`.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from text2table.backends.base import Backend
from text2table.errors import ConfigError, InputError
from text2table.core.jsonio import append_jsonl, atomic_writer
from text2table.pipeline.inputs import TEXT_SUFFIXES, InputDoc, InputPolicy, read_inputs  # noqa: F401
from text2table.pipeline.config import PipelineConfig
from text2table.pipeline.run import PipelineResult, run_many
from text2table.pipeline.signature import prediction_signature, sign_output
from text2table.core.schema import Schema

def resume_output(path: str | Path, *, retry_failed: bool = False) -> set[str]:
    """Prepare ``path`` for appending: cut a torn last line away and return the ids already written.

    ``retry_failed``: lines holding an ``error`` (a backend failure) are removed first (the file is rewritten
    atomically), so that their documents run again and are still written once."""
    p = Path(path)
    if not p.exists():
        return set()
    data = p.read_bytes()
    complete = data.rfind(b"\n") + 1
    if complete < len(data):
        with p.open("r+b") as handle:
            handle.truncate(complete)
            handle.flush()
            os.fsync(handle.fileno())
    done: set[str] = set()
    kept: list[bytes] = []
    for number, line in enumerate(data[:complete].split(b"\n"), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            doc_id = str(record["id"])
        except (ValueError, KeyError, TypeError):
            raise InputError("not a prediction line (a JSON object with an 'id')", source=str(p), line=number,
                             hint="write to a new --out file, or delete this line") from None
        if not (retry_failed and record.get("error")):
            done.add(doc_id)
            kept.append(line + b"\n")
    if retry_failed and len(kept) < sum(1 for line in data[:complete].split(b"\n") if line.strip()):
        with atomic_writer(p, "wb") as handle:
            handle.write(b"".join(kept))
    return done


@dataclass
class BatchSummary:
    total: int = 0  # documents in the input (after --limit)
    skipped: int = 0  # already in the output (resumed)
    written: int = 0
    failed: int = 0  # written with an unexpected error (a backend failure); ids in failed_ids
    empty: int = 0  # empty or whitespace-only documents, answered with an empty table without a model call
    rejected: int = 0  # skipped by rule (unreadable, not a record, over the size limit); reasons in problems
    completion_tokens: int = 0
    seconds: float = 0.0
    failed_ids: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


Progress = Callable[[int, int], None]  # (documents just written, completion tokens of those documents)
#: What ``run_batch`` is given: no schema (pi1 for all), one schema for all, or a schema per ``table_hint``.
SchemaChoice = Schema | Mapping[str, Schema] | None


def _error_result(exc: BaseException) -> PipelineResult:
    message = f"{type(exc).__name__}: {exc}"
    return PipelineResult(None, [], {"pi1": None, "pi2": ""}, {"error_stage": "backend"}, message)


def _input_result(doc: InputDoc) -> PipelineResult:
    """The answer to a document the model never sees: empty (an empty table) or skipped by rule."""
    if doc.problem is not None:
        return PipelineResult(None, [], {"pi1": None, "pi2": ""}, {"input": {"status": "skipped",
                                                                             "reason": doc.problem}})
    return PipelineResult(None, [], {"pi1": None, "pi2": ""},
                          {"input": {"status": "empty", "reason": "the document is empty or whitespace only;"
                                                                  " no model call"}})


def given_schema(doc: InputDoc, schema: SchemaChoice) -> Schema | None:
    """The schema given for ``doc``: the one schema, or the one for its ``metadata.table_hint`` (``None``: pi1
    induces one)."""
    if schema is None or isinstance(schema, Schema):
        return schema
    hint = (doc.metadata or {}).get("table_hint")
    return schema.get(str(hint)) if hint is not None else None


def _run_isolated(batch: list[InputDoc], backend: Backend, config: PipelineConfig,
                  schema: SchemaChoice) -> list[PipelineResult]:
    """Run a batch; if the batched call raises, run each document alone so only the culprit fails."""
    try:
        return run_many([d.document for d in batch], backend, config, metadatas=[d.metadata for d in batch],
                        schemas=[given_schema(d, schema) for d in batch])
    except Exception as exc:  # noqa: BLE001 - any backend failure becomes a per-document error
        if len(batch) == 1:
            return [_error_result(exc)]
    results = []
    for doc in batch:
        try:
            results.extend(run_many([doc.document], backend, config, metadatas=[doc.metadata],
                                    schemas=[given_schema(doc, schema)]))
        except Exception as exc:  # noqa: BLE001
            results.append(_error_result(exc))
    return results


def run_batch(inputs: list[InputDoc], backend: Backend, out: str | Path, *, config: PipelineConfig | None = None,
              schema: SchemaChoice = None, batch_size: int = 8, on_progress: Progress | None = None,
              retry_failed: bool = False) -> BatchSummary:
    """Extract every input not yet in ``out``, appending one line per document; returns counts.

    ``schema``: one schema for every document, or a schema per ``metadata.table_hint`` (a document whose hint
    has none, or that has no hint, gets pi1's schema); pi1 is skipped where a schema is given.

    ``retry_failed``: documents whose line holds an error run again (see :func:`resume_output`)."""
    if batch_size < 1:
        raise ConfigError(f"batch_size must be >= 1, got {batch_size}")
    config = config or PipelineConfig()
    done = resume_output(out, retry_failed=retry_failed)
    sign_output(out, prediction_signature(config, backend, schema), lines_before=len(done))
    todo = [d for d in inputs if d.id not in done]
    summary = BatchSummary(total=len(inputs), skipped=len(inputs) - len(todo))
    began = time.perf_counter()
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    with open(out, "a", encoding="utf-8") as handle:
        for start in range(0, len(todo), batch_size):
            batch = todo[start:start + batch_size]
            runnable = [d for d in batch if d.problem is None and not d.is_empty]
            answers = iter(_run_isolated(runnable, backend, config, schema) if runnable else [])
            tokens = 0
            for doc in batch:
                model_run = doc.problem is None and not doc.is_empty
                result = next(answers) if model_run else _input_result(doc)
                result.diagnostics["backend"] = backend.name
                record = result.to_record(doc.id)
                if doc.problem is not None:
                    record["skipped"] = doc.problem
                    summary.problems.append(doc.problem)
                append_jsonl(handle, record)
                summary.written += 1
                summary.empty += doc.is_empty
                summary.rejected += doc.problem is not None
                if result.error is not None:
                    summary.failed += 1
                    summary.failed_ids.append(doc.id)
                tokens += result.diagnostics.get("tokens", {}).get("out", 0)
            summary.completion_tokens += tokens
            if on_progress is not None:
                on_progress(len(batch), tokens)
    summary.seconds = time.perf_counter() - began
    return summary
