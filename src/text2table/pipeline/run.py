"""The two-stage pipeline: document -> pi1 -> schema -> pi2 -> rows, for one document or a batch.

- One ``generate`` call per stage for a whole batch (and one per continuation round), so batched
  backends (transformers) run at batch speed.
- Each stage asks ``backend.for_stage("pi1"|"pi2")`` for its backend: the same one, or with
  :class:`~text2table.backends.staged.StagedBackend` one per stage (pi1 and pi2 with their own adapters);
  pi2's may differ by ``metadata.table_hint`` (``for_stage("pi2", hint)``): one ``generate`` call per pi2 backend.
- :func:`induce_schemas` runs pi1 alone (schemas without rows). A user-given schema skips pi1. Under constraints pi1 is nudged to list more fields
  (``field_list_end_bias``); a list the nudge pushed past the token budget is decoded again without it
  (``diagnostics["pi1"]["unbiased_retry"]``). Invalid pi1 output never crashes: a schema cut by the token
  budget keeps its complete fields (unless the model was looping), otherwise the schema falls back to the
  rules baseline, then to the fields written before the loop, then to none (an empty table); the reason is
  recorded in the diagnostics.
- With ``verify`` (the default) the rows go through the check chain (:mod:`text2table.checks.chain`, switched by
  ``PipelineConfig.checks``): ``diagnostics["evidence"]`` holds each cell's span of the document,
  ``diagnostics["check_actions"]`` each nulled or corrected cell, and ``raw["pi2_schema"]`` keeps the schema pi2
  wrote under when invented columns were dropped.
- Long tables are not lost: when pi2 stops at its token budget (``finish_reason == "length"``) the
  partial last row is dropped and pi2 continues after the complete rows (the prompt gets an assistant
  message holding them) until the table ends, ``max_rows`` or ``max_continuations``; duplicates are removed.
  ``raw["pi2"]`` is the model's text across calls without those cut partial rows (they are listed, with
  every other dropped line, in ``diagnostics["pi2"]["dropped"]``).
- With ``parse_tables`` (the default) a document that holds a grid table (pipe, CSV, fixed-width columns)
  is answered by parsing that table, without the model (with a given schema, only when each of its fields
  names a column): :mod:`text2table.layout.explicit_tables`; ``diagnostics["parsed_table"]`` says so.
- With ``item_lists`` (the default) a document whose table is written as a list (bullets, numbered lines, a
  semicolon enumeration: :mod:`text2table.layout.item_lists`; sentences of one pattern:
  :mod:`text2table.layout.sentence_lists`) gets one pi2 call per item and one row from each,
  checked against its item, when the schema has a row per entity; ``diagnostics["item_list"]`` says so. Where
  pi2's adapter card names the passage size it was trained to read the table in, sentences of one pattern are
  read in those passages instead (``diagnostics["pi2"]["sentence_list"]``).
- Documents longer than ``chunk_chars`` are split with overlap (:mod:`text2table.pipeline.chunking`); pi1 reads the
  first chunk, pi2 every chunk, and the rows are merged. With ``row_chunk_chars`` pi2 reads a table with a row per
  entity passage by passage (prose only: cut at paragraph or sentence ends, no overlap; a chunk with consecutive
  lines is read whole), one call each, and rows that name one entity in two passages are merged. The size may
  depend on ``metadata.table_hint`` (:func:`text2table.pipeline.config.row_chunk_chars`: an adapter's card).

Backend exceptions propagate (the batch runner isolates the failing document); a per-prompt generation
error (``finish_reason == "error"``) is recorded in the result's ``error``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from text2table.backends.base import Backend, Generation, Prompt, distinct
from text2table.decoding.constraint import Constraint
from text2table.layout.blocks import induce_schema
from text2table.pipeline.config import (PipelineConfig, pi1_form, pi2_form, row_chunk_chars,
                                       trained_row_chunk_chars)
from text2table.pipeline.chunking import Chunk, row_passages, split_document
from text2table.pipeline.row_merge import merge_chunk_rows
from text2table.decoding.constraints import rows_constraint, schema_constraint
from text2table.errors import BackendError, ConfigError
from text2table.decoding.parsing import parse_schema_text, salvage_schema
from text2table.pipeline.pi2_job import Pi2Job, item_list_jobs, parsed_table_jobs
from text2table.decoding.prompts import pi1_messages
from text2table.core.schema import Schema
from text2table.core.table import Row
from text2table.checks.verify import verify_rows
from text2table.text.spans import locate_items

@dataclass
class PipelineResult:
    schema: Schema | None
    rows: list[Row]
    raw: dict[str, Any]
    diagnostics: dict[str, Any]
    error: str | None = None

    def to_record(self, doc_id: str) -> dict[str, Any]:
        """The prediction line ``extract`` writes and ``eval`` reads."""
        record: dict[str, Any] = {"id": doc_id, "schema": self.schema.to_dict() if self.schema else None,
                                  "rows": self.rows, "raw": self.raw, "diagnostics": self.diagnostics}
        if self.error:
            record["error"] = self.error
        return record


# --- constraints and schema parsing ----------------------------------------------------------------

def _rows_constraint(schema: Schema, remaining: int, config: PipelineConfig, form: str) -> Constraint:
    if config.max_string_length is None:
        return rows_constraint(schema, max_rows=remaining, form=form)
    return rows_constraint(schema, max_rows=remaining, max_string_length=config.max_string_length, form=form)


def _parse_schema(text: str) -> tuple[Schema | None, str | None]:
    """pi1 text -> (schema, None) or (None, reason); forgiving: fences, prose and unusual names are repaired."""
    schema, reason = parse_schema_text(text, normalize=True)
    return schema, None if schema is not None else (reason or "invalid schema")


# --- stage state ----------------------------------------------------------------------------------

def _stage_stats() -> dict[str, Any]:
    return {"prompt_tokens": 0, "completion_tokens": 0, "seconds": 0.0, "calls": 0}


def _account(stats: dict[str, Any], gen: Generation, share: float) -> None:
    stats["prompt_tokens"] += gen.prompt_tokens
    stats["completion_tokens"] += gen.completion_tokens
    stats["seconds"] += gen.seconds or share
    stats["calls"] += 1
    if gen.error and gen.finish_reason != "error":  # e.g. a grammar that stopped matching
        stats.setdefault("warnings", []).append(gen.error[:200])


def _generate(backend: Backend, prompts: list[Prompt], constraints: list[Constraint | None],
              max_new_tokens: int, config: PipelineConfig) -> tuple[list[Generation], float]:
    began = time.perf_counter()
    gens = backend.generate(prompts, constraint=constraints, max_new_tokens=max_new_tokens,
                            temperature=config.temperature, seed=config.seed)
    if len(gens) != len(prompts):
        raise BackendError(f"backend {backend.name!r} returned {len(gens)} generations for {len(prompts)} prompts")
    return gens, (time.perf_counter() - began) / max(1, len(prompts))


def _fallback_schema(document: str, metadata: dict[str, Any] | None, config: PipelineConfig) -> Schema | None:
    if config.schema_fallback != "rules":
        return None
    return induce_schema(document, metadata)


def _pi1_generate(documents: Sequence[str], metadatas: Sequence[dict[str, Any] | None], todo: list[int],
                  backend: Backend, config: PipelineConfig, bias: float,
                  diags: list[dict[str, Any]]) -> list[Generation]:
    if not todo:
        return []
    constraint = (schema_constraint(list_end_bias=bias, pin_defaults=config.pin_field_defaults,
                                    form=pi1_form(config, backend)) if config.constrained else None)
    prompts = [pi1_messages(documents[i], metadatas[i]) for i in todo]
    gens, share = _generate(backend, prompts, [constraint] * len(prompts), config.max_new_tokens_schema, config)
    for i, gen in zip(todo, gens):
        _account(diags[i]["pi1"], gen, share)
    return gens


def _run_pi1(documents: Sequence[str], metadatas: Sequence[dict[str, Any] | None], todo: list[int],
             backend: Backend, config: PipelineConfig, schemas: list[Schema | None],
             diags: list[dict[str, Any]], raws: list[dict[str, Any]]) -> None:
    if not todo:
        return
    bias = config.field_list_end_bias if config.constrained else 0.0
    gens = dict(zip(todo, _pi1_generate(documents, metadatas, todo, backend, config, bias, diags)))
    # the bias is a nudge: a list it pushed past the token budget is decoded again without it
    again = [i for i in todo if bias and gens[i].finish_reason == "length"]
    for i, gen in zip(again, _pi1_generate(documents, metadatas, again, backend, config, 0.0, diags)):
        gens[i] = gen
        diags[i]["pi1"]["unbiased_retry"] = True
    for i in todo:
        gen, stats = gens[i], diags[i]["pi1"]
        stats["finish_reason"] = gen.finish_reason
        raws[i]["pi1"] = gen.text
        schema, reason = (None, gen.error or "generation failed") if gen.finish_reason == "error" \
            else _parse_schema(gen.text)
        stats["valid"] = schema is not None
        if schema is None:
            stats["error"] = reason
            schema = salvage_schema(gen.text) if gen.finish_reason == "length" else None
            if schema is not None:
                stats["fallback"] = "salvaged"
            else:
                schema = _fallback_schema(documents[i], metadatas[i], config)
                stats["fallback"] = config.schema_fallback if schema is not None else "empty"
            if schema is None:  # last resort: the fields a looping model wrote before it looped
                schema = salvage_schema(gen.text, before_loop=True)
                stats["fallback"] = "before_loop" if schema is not None else "empty"
        schemas[i] = schema


def _run_pi2(jobs: list[Pi2Job], backend: Backend, config: PipelineConfig, diags: list[dict[str, Any]]) -> None:
    active = [j for j in jobs if not j.done]
    form = pi2_form(config, backend)
    for job in active:
        job.form = form
    while active:
        constraints = [_rows_constraint(j.schema, j.remaining(config), config, form) if config.constrained else None
                       for j in active]
        gens, share = _generate(backend, [j.prompt() for j in active], constraints,
                                config.max_new_tokens_table, config)
        for job, gen in zip(active, gens):
            _account(diags[job.doc]["pi2"], gen, share)
            diags[job.doc]["pi2"]["finish_reasons"].append(gen.finish_reason)
            job.absorb(gen, config)
        active = [j for j in active if not j.done]


def _finish(document: str, metadata: dict[str, Any] | None, schema: Schema | None, jobs: list[Pi2Job],
            diag: dict[str, Any], raw: dict[str, Any], config: PipelineConfig, began: float,
            schema_given: bool) -> PipelineResult:
    pi2 = diag["pi2"]
    rows: list[Row] = []
    error = None
    if schema is not None:
        sources: list[Any] | None = None
        if "item_list" in diag:  # one row per item, each checked against its item
            pairs = [(row, k) for k, j in enumerate(jobs) for row in j.rows][:config.max_rows]
            rows, merged_away = [r for r, _ in pairs], 0
            spans = locate_items(document, [j.chunk for j in jobs])
            diag["item_list"]["item_spans"] = [list(s) if s else None for s in spans]  # found once, read by re-checks
            diag["item_list"]["rows_from"] = [k for _, k in pairs]  # the item of each row before the check
            sources = [spans[k] for _, k in pairs]
        else:
            rows, merged_away = merge_chunk_rows(schema.structure, [j.rows for j in jobs], schema.names,
                                                  row_key=schema.row_key)
            rows = rows[:config.max_rows]
        if config.verify and rows:
            checked = verify_rows(document, schema, rows, metadata=metadata, schema_given=schema_given,
                                  config=config.checks, sources=sources)
            if checked.dropped_columns:  # the raw text keeps the columns: structural metrics read it with them
                raw["pi2_schema"] = schema.to_dict()
            schema, rows = checked.schema, checked.rows
            diag.update(checked.diagnostics())
        pi2.update(continuations=sum(j.continuations for j in jobs), stop_reasons=[j.stop for j in jobs],
                   duplicates_removed=sum(j.duplicates for j in jobs) + merged_away,
                   dropped=[{"chunk": k, **d} for k, j in enumerate(jobs) for d in j.dropped])
        if any(j.not_numeric for j in jobs):  # quoted values of integer/number fields that were no number
            pi2["not_numeric"] = sum(j.not_numeric for j in jobs)
        raw["pi2"] = "\n".join(t.rstrip("\n") for j in jobs for t in j.texts if t.strip())
        errors = [j.error for j in jobs if j.error]
        error = f"pi2: {errors[0]}" if errors else None
    if diag["pi1"].get("finish_reason") == "error" and error is None:
        error = f"pi1: {diag['pi1'].get('error')}"
    diag["tokens"] = {"in": diag["pi1"]["prompt_tokens"] + pi2["prompt_tokens"],
                      "out": diag["pi1"]["completion_tokens"] + pi2["completion_tokens"]}
    diag["rows"] = len(rows)
    diag["seconds"] = round(diag["pi1"]["seconds"] + pi2["seconds"], 4)
    diag["batch_seconds"] = round(time.perf_counter() - began, 4)
    return PipelineResult(schema, rows, raw, diag, error)


def run_many(documents: Sequence[str], backend: Backend, config: PipelineConfig | None = None, *,
             metadatas: Sequence[dict[str, Any] | None] | None = None,
             schemas: Sequence[Schema | None] | Schema | None = None) -> list[PipelineResult]:
    """Run the pipeline on a batch of documents: one ``generate`` call per stage (and continuation round).

    ``schemas``: one schema for all documents, one per document (``None`` entries run pi1), or None.
    """
    config = config or PipelineConfig()
    began = time.perf_counter()
    n = len(documents)
    metas = list(metadatas) if metadatas is not None else [None] * n
    given = list(schemas) if isinstance(schemas, (list, tuple)) else [schemas] * n
    if len(metas) != n or len(given) != n:
        raise ConfigError(f"got {n} documents, {len(metas)} metadata entries and {len(given)} schemas")
    chunks: list[list[Chunk]] = [split_document(d, config.chunk_chars, config.overlap_chars) for d in documents]
    diags: list[dict[str, Any]] = [{"pi1": {**_stage_stats(), "skipped": s is not None},
                                    "pi2": {**_stage_stats(), "chunks": len(c), "finish_reasons": []}}
                                   for s, c in zip(given, chunks)]
    raws: list[dict[str, Any]] = [{"pi1": None, "pi2": ""} for _ in range(n)]
    resolved: list[Schema | None] = list(given)
    parsed = parsed_table_jobs(documents, metas, list(range(n)), resolved, diags, raws) if config.parse_tables else []
    _run_pi1([c[0].text for c in chunks], metas, [i for i in range(n) if resolved[i] is None],
             backend.for_stage("pi1"), config, resolved, diags, raws)
    done = {j.doc for j in parsed}
    hints = [(m or {}).get("table_hint") for m in metas]
    pi2s = [backend.for_stage("pi2", hint if isinstance(hint, str) else None) for hint in hints]
    trained = {i for i, hint in enumerate(hints) if trained_row_chunk_chars(pi2s[i], hint) is not None}
    items = item_list_jobs(documents, metas, [i for i in range(n) if i not in done], resolved, diags, trained) \
        if config.item_lists else []
    done |= {j.doc for j in items}
    sizes = [row_chunk_chars(config, pi2s[i], hint) for i, hint in enumerate(hints)]
    jobs = parsed + items + [Pi2Job(i, passage, schema, metas[i]) for i, schema in enumerate(resolved)
                             if schema is not None and i not in done
                             for passage in row_passages(chunks[i], schema.structure, sizes[i])]
    for pi2 in distinct(pi2s):  # one generate call per pi2 backend (one per adapter when pi2's differ by hint)
        _run_pi2([j for j in jobs if pi2s[j.doc] is pi2], pi2, config, diags)
    return [_finish(documents[i], metas[i], resolved[i], [j for j in jobs if j.doc == i], diags[i], raws[i],
                    config, began, given[i] is not None) for i in range(n)]


def induce_schemas(documents: Sequence[str], backend: Backend, config: PipelineConfig | None = None, *,
                   metadatas: Sequence[dict[str, Any] | None] | None = None) -> list[Schema | None]:
    """pi1 alone on a batch (one ``generate`` call, as :func:`run_many` makes it): each document's schema, with
    the same retries and fallbacks, read from the first chunk as :func:`run_many` reads it; pi2 does not run."""
    config = config or PipelineConfig()
    metas = list(metadatas) if metadatas is not None else [None] * len(documents)
    if len(metas) != len(documents):
        raise ConfigError(f"got {len(documents)} documents and {len(metas)} metadata entries")
    firsts = [split_document(d, config.chunk_chars, config.overlap_chars)[0].text for d in documents]
    schemas: list[Schema | None] = [None] * len(documents)
    diags: list[dict[str, Any]] = [{"pi1": _stage_stats()} for _ in documents]
    raws: list[dict[str, Any]] = [{"pi1": None} for _ in documents]
    _run_pi1(firsts, metas, list(range(len(documents))), backend.for_stage("pi1"), config, schemas, diags, raws)
    return schemas


def run(document: str, metadata: dict[str, Any] | None, backend: Backend, config: PipelineConfig | None = None,
        schema: Schema | None = None) -> PipelineResult:
    """Run the pipeline on one document; a given ``schema`` skips pi1."""
    return run_many([document], backend, config, metadatas=[metadata], schemas=[schema])[0]
