"""Gold records -> SFT and RL training files for pi1 and pi2 (deterministic, streaming).

``prepare(gold, out_dir)`` writes, into ``out_dir``:

- ``pi1.jsonl`` / ``pi2.jsonl``: chat records ``{"id", "messages": [system, user, assistant]}``;
- ``pi1_sft.parquet`` / ``pi2_sft.parquet``: columns ``id`` and ``messages`` (VERL's multi-turn SFT layout);
- ``pi1_rl.parquet`` / ``pi2_rl.parquet``: VERL's RL layout ``data_source``, ``prompt`` (system + user),
  ``ability``, ``reward_model`` ``{"style": "rule", "ground_truth": JSON}``, ``extra_info``;
- ``stats.json``: counts, structures, characters and estimated tokens per stage.

The pi2 target is the gold rows keyed by the normalised names of the pi1 target. With
``PrepareConfig.item_lists`` a record whose table is written as a list, one item per gold row
(:mod:`text2table.layout.item_lists`), also gives one pi2 example per item: the item as the document and its row
as the answer (a cell the item does not support is null), as the pipeline asks pi2 at inference. With
``PrepareConfig.row_passages`` (characters, as ``PipelineConfig.row_chunk_chars``) a prose record with a row per
entity gives one pi2 example per passage the pipeline would read (:mod:`text2table.data.passages`) in place of
its whole-document pi2 example; ``row_passages_by_hint`` gives the tables of one ``metadata.table_hint`` another
size (0: whole documents), ``max_empty_share`` caps the share of passages without a gold row and
``passage_facts_only`` leaves out of a passage's target the rows it names but states no cell of;
``passage_family_names`` keeps the rows a passage names by the family name alone, so headed. The same input
gives byte-identical files; every file is written to a temporary name and renamed at the end.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from text2table.errors import ConfigError
from text2table.data.passages import passage_rows, passages_kept
from text2table.layout.item_lists import find_item_list
from text2table.text.document_index import DocumentIndex
from text2table.text.normalise import cell_text
from text2table.decoding.prompts import PI2_FORMS, pi1_messages, pi2_messages
from text2table.core.records import GoldRecord, gold_rows, gold_schema
from text2table.core.schema import Schema, schema_answer
from text2table.decoding.compact import PI1_FORMS, compact_answer
from text2table.core.table import dump_rows

STAGES = ("pi1", "pi2")
DATA_SOURCES = {"pi1": "text2table/pi1", "pi2": "text2table/pi2"}
ABILITIES = {"pi1": "schema_induction", "pi2": "table_extraction"}

#: What a ``schema_for`` callback returns: nothing (gold schema), a schema, or a schema and mapped rows.
SchemaOverride = Schema | tuple[Schema, list[dict[str, Any]]] | None

_MESSAGE = pa.struct([("role", pa.string()), ("content", pa.string())])
SFT_SCHEMA = pa.schema([("id", pa.string()), ("messages", pa.list_(_MESSAGE))])
RL_SCHEMA = pa.schema([
    ("data_source", pa.string()),
    ("prompt", pa.list_(_MESSAGE)),
    ("ability", pa.string()),
    ("reward_model", pa.struct([("style", pa.string()), ("ground_truth", pa.string())])),
    ("extra_info", pa.struct([("id", pa.string()), ("index", pa.int64()), ("stage", pa.string()),
                              ("document", pa.string()), ("schema", pa.string())])),
])


@dataclass(frozen=True)
class PrepareConfig:
    """``chars_per_token`` estimates token counts in stats; ``batch_rows`` sizes parquet row groups."""

    chars_per_token: float = 4.0
    batch_rows: int = 512
    item_lists: bool = False  # also one pi2 example per item of a list whose items are the gold rows
    pi1_form: str = "full"  # pi1's target: "full" or "compact" (decoding/compact.py; serve with the same form)
    pi2_form: str = "full"  # pi2's target: "full" or "sparse" (rows without null cells: core/table.py)
    row_passages: int = 0  # >0: pi2 examples per passage of this many characters, as extract reads such tables
    row_passages_by_hint: dict[str, int] = field(default_factory=dict)  # table_hint -> size for its tables (0: whole)
    max_empty_share: float = 1.0  # passages without a gold row kept up to this share of a document's passages
    passage_facts_only: bool = False  # a passage's target keeps only rows it states a cell of besides the header
    multi_row_repeat: int = 1  # passages whose target has two or more rows are written this many times
    passage_family_names: bool = False  # a passage naming an entity by its family name alone keeps its row so

    def __post_init__(self) -> None:
        if self.chars_per_token <= 0:
            raise ConfigError(f"chars_per_token must be > 0, got {self.chars_per_token}")
        if self.batch_rows < 1:
            raise ConfigError(f"batch_rows must be >= 1, got {self.batch_rows}")
        if self.row_passages < 0:
            raise ConfigError(f"row_passages must be >= 0 (0: whole documents), got {self.row_passages}")
        if any(not hint or size < 0 for hint, size in self.row_passages_by_hint.items()):
            raise ConfigError(f"row_passages_by_hint needs table hints and sizes >= 0, got {self.row_passages_by_hint}")
        if not 0.0 <= self.max_empty_share <= 1.0:
            raise ConfigError(f"max_empty_share must be within [0, 1], got {self.max_empty_share}")
        if self.multi_row_repeat < 1:
            raise ConfigError(f"multi_row_repeat must be >= 1 (1: each passage once), got {self.multi_row_repeat}")
        if self.pi1_form not in PI1_FORMS:
            raise ConfigError(f"pi1_form must be one of {PI1_FORMS}, got {self.pi1_form!r}")
        if self.pi2_form not in PI2_FORMS:
            raise ConfigError(f"pi2_form must be one of {PI2_FORMS}, got {self.pi2_form!r}")

    def passage_size(self, record: GoldRecord) -> int:
        """The passage size of the record's pi2 examples: its table hint's, else ``row_passages`` (0: whole)."""
        return self.row_passages_by_hint.get((record.metadata or {}).get("table_hint"), self.row_passages)


@dataclass
class Example:
    """Everything one (record, stage) contributes to the output files."""

    id: str
    stage: str
    messages: list[dict[str, str]]
    ground_truth: str
    document: str
    schema_json: str


def ground_truth_json(schema: Schema, rows: list[dict[str, Any]]) -> str:
    """The RL ground truth: ``{"schema": <gold schema>, "rows": [<gold rows>]}`` as compact JSON."""
    return json.dumps({"schema": schema.to_dict(), "rows": rows}, ensure_ascii=False, separators=(",", ":"))


def pi2_chat(document: str, schema: Schema, metadata: dict[str, Any] | None, rows: list[dict[str, Any]],
             form: str) -> list[dict[str, str]]:
    """pi2's prompt for ``document`` and its target: ``rows`` as NDJSON in answer form ``form``."""
    messages = pi2_messages(document, schema, metadata, form=form)
    messages.append({"role": "assistant", "content": dump_rows(rows, schema.names, sparse=form == "sparse")})
    return messages


def build_examples(record: GoldRecord, schema_override: Schema | None = None,
                   rows_override: list[dict[str, Any]] | None = None, *, pi1_form: str = "full",
                   pi2_form: str = "full") -> list[Example]:
    """The pi1 and pi2 examples of one gold record.

    ``schema_override`` (pipeline RL: a schema predicted by pi1) replaces the gold schema in pi2's prompt;
    then pi1 is not emitted and the caller maps gold rows onto that schema. ``rows_override`` (those mapped
    rows, keyed by the override's names) becomes pi2's target and its RL ground truth, with the override
    as the ground-truth schema. ``pi1_form``/``pi2_form``: the answer forms of the targets (and pi2's prompt).
    """
    schema = gold_schema(record)
    rows = gold_rows(record, schema)
    truth = ground_truth_json(schema, rows)
    if schema_override is not None and rows_override is not None:
        rows, truth = rows_override, ground_truth_json(schema_override, rows_override)
    examples = []
    if schema_override is None:
        pi1 = pi1_messages(record.document, record.metadata)
        answer = compact_answer(schema) if pi1_form == "compact" else schema_answer(schema)
        pi1.append({"role": "assistant", "content": answer})
        examples.append(Example(record.id, "pi1", pi1, truth, record.document, schema.to_json()))
    target_schema = schema_override or schema
    pi2 = pi2_chat(record.document, target_schema, record.metadata, rows, pi2_form)
    examples.append(Example(record.id, "pi2", pi2, truth, record.document, target_schema.to_json()))
    return examples


def item_examples(record: GoldRecord, *, pi2_form: str = "full") -> list[Example]:
    """One pi2 example per list item when the record's table is that list, one gold row per item
    (multi-row tables only); cells the item does not support are null. Ids end in ``#item1``, ``#item2``..."""
    schema = gold_schema(record)
    rows = gold_rows(record, schema)
    found = find_item_list(record.document) if schema.structure != "kv_single" else None
    if found is None or len(found.items) != len(rows):
        return []
    missing = (record.metadata or {}).get("missing_value_tokens", ())
    examples = []
    for k, (item, row) in enumerate(zip(found.items, rows), start=1):
        index = DocumentIndex.build(item)
        kept = {}
        for name, value in row.items():
            text = cell_text(value, missing)
            kept[name] = value if text is None or index.supports(text, name) else None
        messages = pi2_chat(item, schema, record.metadata, [kept], pi2_form)
        examples.append(Example(f"{record.id}#item{k}", "pi2", messages, ground_truth_json(schema, [kept]), item,
                                schema.to_json()))
    return examples


def passage_examples(record: GoldRecord, size: int, schema: Schema | None = None,
                     rows: list[dict[str, Any]] | None = None, *, max_empty_share: float = 1.0,
                     pi2_form: str = "full", facts_only: bool = False, multi_row_repeat: int = 1,
                     family_names: bool = False) -> list[Example]:
    """One pi2 example per passage of ``size`` characters pi2 would read of the record's document, with the
    rows that passage states (:func:`text2table.data.passages.passage_rows`); ``[]`` when pi2 reads it whole.
    Passages without a row are kept up to ``max_empty_share`` of them (:func:`text2table.data.passages.
    passages_kept`); ``facts_only``: rows the passage names without a fact left out; ``family_names``: rows it
    names by the family name alone kept under that name; a passage whose target has
    two or more rows is written ``multi_row_repeat`` times (a mixture weight for passages naming several
    entities). ``schema``/``rows``: a
    schema with the gold rows mapped onto it (default: the gold's). Ids end in ``#passage1``, ``#passage2``...
    (the passage's place in the document, before the cap)."""
    if schema is None or rows is None:
        schema = gold_schema(record)
        rows = gold_rows(record, schema)
    missing = tuple((record.metadata or {}).get("missing_value_tokens", ()))
    examples = []
    parts = passage_rows(record.document, schema.structure, schema.names, rows, size, missing=missing,
                         facts_only=facts_only, family_names=family_names)
    for i in passages_kept(parts, max_empty_share):
        passage, kept = parts[i]
        messages = pi2_chat(passage, schema, record.metadata, kept, pi2_form)
        example = Example(f"{record.id}#passage{i + 1}", "pi2", messages, ground_truth_json(schema, kept), passage,
                          schema.to_json())
        examples.extend([example] * (multi_row_repeat if len(kept) >= 2 else 1))
    return examples


class _StageWriter:
    """Streams one stage's jsonl + two parquet files to temporary paths; ``commit`` renames them."""

    def __init__(self, out_dir: Path, stage: str, config: PrepareConfig) -> None:
        self.stage = stage
        self.config = config
        self.paths = {kind: out_dir / name for kind, name in
                      (("jsonl", f"{stage}.jsonl"), ("sft", f"{stage}_sft.parquet"), ("rl", f"{stage}_rl.parquet"))}
        self.tmp = {k: p.with_name(f".{p.name}.tmp") for k, p in self.paths.items()}
        self.jsonl = self.tmp["jsonl"].open("w", encoding="utf-8")
        self.sft = pq.ParquetWriter(self.tmp["sft"], SFT_SCHEMA)
        self.rl = pq.ParquetWriter(self.tmp["rl"], RL_SCHEMA)
        self.sft_rows: list[dict[str, Any]] = []
        self.rl_rows: list[dict[str, Any]] = []
        self.count = 0
        self.chars: list[int] = []

    def add(self, ex: Example) -> None:
        self.jsonl.write(json.dumps({"id": ex.id, "messages": ex.messages}, ensure_ascii=False) + "\n")
        self.sft_rows.append({"id": ex.id, "messages": ex.messages})
        self.rl_rows.append({
            "data_source": DATA_SOURCES[ex.stage], "prompt": ex.messages[:-1], "ability": ABILITIES[ex.stage],
            "reward_model": {"style": "rule", "ground_truth": ex.ground_truth},
            "extra_info": {"id": ex.id, "index": self.count, "stage": ex.stage, "document": ex.document,
                           "schema": ex.schema_json}})
        self.chars.append(sum(len(m["content"]) for m in ex.messages))
        self.count += 1
        if len(self.sft_rows) >= self.config.batch_rows:
            self.flush()

    def flush(self) -> None:
        if self.sft_rows:
            self.sft.write_table(pa.Table.from_pylist(self.sft_rows, schema=SFT_SCHEMA))
            self.rl.write_table(pa.Table.from_pylist(self.rl_rows, schema=RL_SCHEMA))
            self.sft_rows, self.rl_rows = [], []

    def close(self) -> None:
        self.flush()
        self.jsonl.close()
        self.sft.close()
        self.rl.close()

    def commit(self) -> None:
        for kind, path in self.paths.items():
            os.replace(self.tmp[kind], path)

    def discard(self) -> None:
        for tmp in self.tmp.values():
            tmp.unlink(missing_ok=True)

    def stats(self) -> dict[str, Any]:
        chars = sorted(self.chars)

        def pct(q: float) -> int:
            return chars[min(len(chars) - 1, int(q * len(chars)))] if chars else 0

        cpt = self.config.chars_per_token
        return {"examples": self.count, "chars": {"min": chars[0] if chars else 0, "p50": pct(0.5),
                                                   "p95": pct(0.95), "max": chars[-1] if chars else 0,
                                                   "mean": round(sum(chars) / len(chars), 1) if chars else 0},
                "est_tokens": {"p50": round(pct(0.5) / cpt), "p95": round(pct(0.95) / cpt),
                               "max": round((chars[-1] if chars else 0) / cpt),
                               "total": round(sum(chars) / cpt)}}


def prepare(records: Iterable[GoldRecord], out_dir: str | Path, *, config: PrepareConfig | None = None,
            on_record: Callable[[GoldRecord], None] | None = None,
            schema_for: Callable[[GoldRecord], SchemaOverride] | None = None,
            stages_for: Callable[[GoldRecord], Collection[str]] | None = None) -> dict[str, Any]:
    """Write all training files for ``records`` into ``out_dir``; returns the stats (also in stats.json).

    ``stages_for`` (optional) names the stages a record gives examples for (default: all of
    :data:`STAGES`), a per-stage mixture weight: e.g. only pi1 examples from a set that pi2 already masters.

    ``schema_for`` (optional) gives a predicted schema per record for pipeline-pi2 data, alone or as
    ``(schema, rows)`` with the gold rows mapped onto it (see :func:`build_examples`); ``None`` from it
    keeps the gold schema. ``on_record`` is called after each record (progress bars).
    """
    config = config or PrepareConfig()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    writers = {stage: _StageWriter(out, stage, config) for stage in STAGES}
    structures: Counter[str] = Counter()
    rows_hist: Counter[str] = Counter()
    records_seen = 0
    try:
        for record in records:
            override = schema_for(record) if schema_for else None
            mapped = None
            if isinstance(override, tuple):
                override, mapped = override
            wanted = stages_for(record) if stages_for else STAGES
            extra = item_examples(record, pi2_form=config.pi2_form) if config.item_lists and override is None else []
            size = config.passage_size(record)
            passages = passage_examples(record, size, override, mapped, max_empty_share=config.max_empty_share,
                                        pi2_form=config.pi2_form, facts_only=config.passage_facts_only,
                                        multi_row_repeat=config.multi_row_repeat,
                                        family_names=config.passage_family_names) \
                if size and record.table is not None else []
            whole = build_examples(record, override, mapped, pi1_form=config.pi1_form, pi2_form=config.pi2_form)
            if passages:  # the pipeline never asks pi2 for this table whole
                whole = [ex for ex in whole if ex.stage != "pi2"]
            for ex in [*whole, *extra, *passages]:
                if ex.stage in wanted:
                    writers[ex.stage].add(ex)
            schema = gold_schema(record)
            structures[schema.structure] += 1
            n = len(record.table.rows) if record.table else 0
            rows_hist[_bucket(n)] += 1
            records_seen += 1
            if on_record:
                on_record(record)
        for w in writers.values():
            w.close()
    except BaseException:
        for w in writers.values():
            w.discard()
        raise
    stats = {"records": records_seen, "structures": dict(sorted(structures.items())),
             "rows_per_table": {k: rows_hist[k] for k in _BUCKETS if rows_hist[k]},
             "chars_per_token": config.chars_per_token, "pi1_form": config.pi1_form,
             **({"pi2_form": config.pi2_form} if config.pi2_form != "full" else {}),
             **({"row_passages": config.row_passages} if config.row_passages else {}),
             **({"row_passages_by_hint": dict(sorted(config.row_passages_by_hint.items()))}
                if config.row_passages_by_hint else {}),
             **({"max_empty_share": config.max_empty_share} if config.max_empty_share < 1.0 else {}),
             **({"passage_facts_only": True} if config.passage_facts_only else {}),
             **({"multi_row_repeat": config.multi_row_repeat} if config.multi_row_repeat > 1 else {}),
             **({"passage_family_names": True} if config.passage_family_names else {}),
             "stages": {stage: w.stats() for stage, w in writers.items()}}
    for w in writers.values():
        w.commit()
    tmp = out / ".stats.json.tmp"
    tmp.write_text(json.dumps(stats, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, out / "stats.json")
    return stats


_BUCKETS = ("0", "1", "2-5", "6-10", "11-20", "21-50", ">50")


def _bucket(n: int) -> str:
    if n <= 1:
        return str(n)
    for bound, name in ((5, "2-5"), (10, "6-10"), (20, "11-20"), (50, "21-50")):
        if n <= bound:
            return name
    return ">50"

