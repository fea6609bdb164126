"""Pipeline RL: pi1 rewarded through a frozen pi2 (pipeline-pi1), and pi2 data on pi1's schemas (pipeline-pi2).

**pipeline-pi1.** Each schema pi1 samples is executed by a frozen pi2 (:class:`BackendPi2` in process, or
:class:`text2table.rewards.pipeline_remote.RemotePi2` for an OpenAI-compatible server such as vLLM); the
reward is :func:`text2table.rewards.scores.pipeline_score` of the resulting table against the gold table
(pi1's local schema score mixed in by the weight ``pipeline_schema_share``). pi2's table is cached per
(document, schema_id), so the same schema sampled twice for a document costs one pi2 call; a pi2 failure
scores as an empty table and is not cached (a later step may retry it). Invalid schemas never reach pi2.

**pipeline-pi2.** :func:`schemas_from` reads pi1 predictions (``pred.jsonl`` from ``extract``) and gives
``prepare`` each record's predicted schema with the gold table mapped onto it
(:func:`text2table.metrics.end_to_end.map_gold_to_schema`: fields aligned by the soft schema matching,
predicted fields with no gold match are null), so pi2 trains on realistic schemas.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from text2table.errors import InputError, SchemaError
from text2table.core.jsonio import iter_jsonl
from text2table.metrics.end_to_end import map_gold_to_schema
from text2table.text.document_index import DocumentIndex
from text2table.metrics.schema_match import DEFAULT_THRESHOLD, match_schemas
from text2table.decoding.parsing import parse_schema_text
from text2table.pipeline.config import PipelineConfig
from text2table.pipeline.run import run_many
from text2table.decoding.prompts import find_block
from text2table.core.records import GoldRecord, gold_rows, gold_schema
from text2table.rewards.config import RewardWeights
from text2table.rewards.pipeline_remote import Pi2Cache, Pi2Job, document_key, table_text
from text2table.rewards.scores import RewardResult, pipeline_score
from text2table.core.schema import Schema
from text2table.core.table import dump_rows

log = logging.getLogger(__name__)


# ----------------------------------------------------------------------------- pipeline-pi2 data

@dataclass
class MappingStats:
    """What :class:`PredictedSchemas` did: records mapped, kept on gold, and how many fields found gold."""

    predictions: int = 0
    unusable: int = 0  #: prediction lines whose schema is missing or invalid
    mapped: int = 0
    kept_gold: int = 0  #: records with no usable prediction (their gold schema is used)
    fields: int = 0  #: predicted fields over the mapped records
    matched_fields: int = 0  #: of those, fields matched to a gold field (the others are null in the target)

    def to_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


def read_predicted_schemas(path: str | Path) -> tuple[dict[str, Schema], MappingStats]:
    """``{id: schema}`` from a predictions file (``{"id", "schema", ...}`` per line, as ``extract`` writes).

    A line without a usable schema (null, or one that breaks the contract) is counted, not fatal.
    """
    stats = MappingStats()
    schemas: dict[str, Schema] = {}
    for line, obj in iter_jsonl(path):
        if not isinstance(obj, dict) or not isinstance(obj.get("id"), (str, int)):
            raise InputError("expected an object with an 'id'", source=str(path), line=line,
                             hint="predictions look like {\"id\", \"schema\", \"rows\"}, as `extract` writes them")
        stats.predictions += 1
        raw = obj.get("schema")
        try:
            schema = Schema.from_dict(json.loads(raw) if isinstance(raw, str) else raw) if raw else None
        except (SchemaError, ValueError):
            schema = None
        if schema is None:
            stats.unusable += 1
            continue
        schemas[str(obj["id"])] = schema
    return schemas, stats


class PredictedSchemas:
    """``prepare``'s ``schema_for`` callback: a record -> (predicted schema, gold rows mapped onto it), or None."""

    def __init__(self, schemas: dict[str, Schema], stats: MappingStats | None = None, *,
                 threshold: float = DEFAULT_THRESHOLD, by_hint: bool = False) -> None:
        self.schemas = schemas  # keyed by record id, or by ``metadata.table_hint`` with ``by_hint``
        self.stats = stats or MappingStats()
        self.threshold = threshold
        self.by_hint = by_hint

    def __call__(self, record: GoldRecord) -> tuple[Schema, list[dict[str, Any]]] | None:
        key = (record.metadata or {}).get("table_hint") if self.by_hint else record.id
        schema = self.schemas.get(str(key)) if key is not None else None
        if schema is None or record.table is None:
            self.stats.kept_gold += 1
            return None
        gold = gold_schema(record)
        mapped = map_gold_to_schema(schema, gold, gold_rows(record, gold), threshold=self.threshold)
        self.stats.mapped += 1
        self.stats.fields += len(schema.fields)
        self.stats.matched_fields += len(match_schemas(schema.names, gold.names, threshold=self.threshold).pairs)
        return schema, mapped


def schemas_from(path: str | Path, *, threshold: float = DEFAULT_THRESHOLD) -> PredictedSchemas:
    """The ``schema_for`` callback of ``text2table prepare --schemas-from pred.jsonl``."""
    schemas, stats = read_predicted_schemas(path)
    return PredictedSchemas(schemas, stats, threshold=threshold)


# ----------------------------------------------------------------------------- pipeline-pi1 reward

class Pi2Runner(Protocol):
    """A frozen pi2: one table text per job (NDJSON), or None when pi2 failed on that job."""

    def run(self, jobs: Sequence[Pi2Job]) -> list[str | None]: ...


class BackendPi2:
    """pi2 through any :class:`text2table.backends.base.Backend` and the pipeline (one batched call)."""

    def __init__(self, backend: Any, *, max_new_tokens: int = 512, constrained: bool = False) -> None:
        self.backend = backend
        self.config = PipelineConfig(max_new_tokens_table=max_new_tokens, constrained=constrained,
                                     temperature=0.0, max_continuations=0, parse_tables=False,
                                     verify=False)  # the reward itself scores grounding; pi2 always runs

    def run(self, jobs: Sequence[Pi2Job]) -> list[str | None]:
        if not jobs:
            return []
        try:
            results = run_many([j.document for j in jobs], self.backend, self.config,
                               metadatas=[j.metadata for j in jobs], schemas=[j.schema for j in jobs])
        except Exception as exc:  # a crashing backend must not stop training: every job scores empty
            log.warning("pi2 failed on a batch of %d jobs: %s", len(jobs), exc)
            return [None] * len(jobs)
        return [None if r.error else dump_rows(r.rows, j.schema.names) for j, r in zip(jobs, results)]


def metadata_from_prompt(prompt: Any) -> dict[str, Any] | None:
    """The [METADATA] block of a rendered pi1/pi2 prompt (messages or user text) as a dict, or None."""
    try:
        block = find_block(prompt, "METADATA")
        value = json.loads(block) if block else None
    except (ValueError, TypeError, AttributeError):
        return None
    return value if isinstance(value, dict) else None


@dataclass
class PipelinePi1Scorer:
    """Scores batches of pi1 completions end to end through ``pi2``; keeps cache and failure counts."""

    pi2: Pi2Runner
    weights: RewardWeights = field(default_factory=RewardWeights)
    cache: Pi2Cache = field(default_factory=Pi2Cache)
    pi2_calls: int = 0
    pi2_failures: int = 0

    def score(self, completions: Sequence[str], truths: Sequence[Any], documents: Sequence[str],
              metadatas: Sequence[dict[str, Any] | None] | None = None) -> list[RewardResult]:
        n = len(completions)
        metas = list(metadatas) if metadatas is not None else [None] * n
        schemas = [parse_schema_text(c)[0] if isinstance(c, str) else None for c in completions]
        keys = [(document_key(d), s.schema_id) if s is not None else None for d, s in zip(documents, schemas)]
        tables: dict[tuple[str, str], str | None] = {}
        jobs: dict[tuple[str, str], Pi2Job] = {}
        for i, key in enumerate(keys):
            if key is None or key in tables or key in jobs:
                continue
            cached = self.cache.get(key)
            if cached is not None:
                tables[key] = cached
            else:
                jobs[key] = Pi2Job(documents[i], schemas[i], metas[i])  # type: ignore[arg-type]
        if jobs:
            outputs = self.pi2.run(list(jobs.values()))
            self.pi2_calls += len(jobs)
            for (key, job), text in zip(jobs.items(), outputs):
                if text is None:
                    self.pi2_failures += 1
                    tables[key] = None
                else:
                    tables[key] = table_text(text, job.schema)
                    self.cache.put(key, tables[key])
        indexes: dict[str, DocumentIndex] = {}
        out = []
        for i in range(n):
            index = indexes.get(documents[i])
            if index is None:
                index = indexes[documents[i]] = DocumentIndex.build(documents[i])
            key = keys[i]
            rows = tables.get(key) if key is not None else None
            result = pipeline_score(completions[i], rows if rows is not None else "", truths[i], index, self.weights)
            extra = {"pi2_failed": float(key is not None and rows is None), "pi2_fresh": float(key in jobs)}
            out.append(RewardResult(result.score, {**result.metrics, **extra}, result.reason))
        return out
