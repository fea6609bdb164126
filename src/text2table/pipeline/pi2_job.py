"""One pi2 job: schema-conditioned extraction on one chunk of one document, over one or more calls.

When a call stops at its token budget the partial last row is dropped and the next call continues after the
complete rows (the prompt gets an assistant message holding them); duplicate rows are removed; the job ends
at the table's end, ``max_rows``, ``max_continuations`` or a call that adds nothing (``stop`` says which).
A job on one item of a list (:mod:`text2table.layout.item_lists`) has ``row_cap=1``: one item, one row.

Two kinds of document get their jobs made here rather than one per chunk: a document holding a grid table
gets a finished job with the parsed rows (:func:`parsed_table_jobs`, no model call), and a document whose
rows are a list gets a job per item (:func:`item_list_jobs`).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from text2table.backends.base import Generation, Prompt
from text2table.checks.verify import document_language
from text2table.layout.explicit_tables import find_explicit_table
from text2table.layout.item_lists import ItemList, find_item_list, item_labels
from text2table.core.naming import normalize_name
from text2table.decoding.prompts import pi2_messages
from text2table.core.schema import Schema, schema_answer
from text2table.core.table import Row, dump_rows, parse_ndjson_lenient
from text2table.pipeline.config import PipelineConfig
from text2table.text.numbers import NUMERIC_TYPES, numeric_value


@dataclass
class Pi2Job:
    """pi2 on one chunk of one document, over one or more calls."""

    doc: int
    chunk: str
    schema: Schema
    metadata: dict[str, Any] | None
    rows: list[Row] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    continuations: int = 0
    done: bool = False
    stop: str = ""
    error: str | None = None
    duplicates: int = 0
    dropped: list[dict[str, Any]] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    row_cap: int | None = None  # at most this many rows (an item of a list: 1)
    not_numeric: int = 0  # quoted values of numeric fields that were no number (nulled; numeric_cells)
    form: str = "full"  # pi2's answer form (decoding.prompts.PI2_FORMS): "sparse" rows hold only non-null cells

    def prompt(self) -> Prompt:
        sparse = self.form == "sparse"
        messages = pi2_messages(self.chunk, self.schema, self.metadata, form=self.form)
        if self.rows and (text := dump_rows(self.rows, self.schema.names, sparse=sparse)):
            messages.append({"role": "assistant", "content": text})
        return messages

    def cap(self, config: PipelineConfig) -> int:
        """The most rows this job keeps: ``max_rows``, ``row_cap`` when set."""
        return min(config.max_rows, self.row_cap or config.max_rows)

    def remaining(self, config: PipelineConfig) -> int:
        """Rows the constraint still allows: one for ``kv_single`` (the grammar then ends the table)."""
        cap = 1 if self.schema.structure == "kv_single" else self.cap(config)
        return max(cap - len(self.rows), 1)

    def absorb(self, gen: Generation, config: PipelineConfig) -> None:
        if gen.finish_reason == "error":
            self.texts.append(gen.text)
            self.done, self.stop, self.error = True, "error", gen.error or "generation failed"
            return
        parsed = parse_ndjson_lenient(gen.text, self.schema.names, reorder=True, sparse=self.form == "sparse")
        last_line = gen.text.count("\n") + 1  # the line the budget may have cut
        cut_partial = gen.finish_reason == "length" and any(d.line == last_line for d in parsed.dropped)
        # raw keeps what the model wrote, less the partial row that the budget cut and a continuation redoes
        self.texts.append(gen.text[:gen.text.rfind("\n") + 1] if cut_partial else gen.text)
        for d in parsed.dropped:
            cut = cut_partial and d.line == last_line
            self.dropped.append({"call": len(self.texts), "line": d.line, "text": d.text[:120],
                                 "reason": "partial row at the token budget" if cut else d.reason})
        new = 0
        language = document_language(self.metadata, config.checks)
        for row in parsed.rows:
            row, nulled = numeric_cells(row, self.schema, language)
            self.not_numeric += nulled
            key = json.dumps(row, sort_keys=True, ensure_ascii=False)
            if key in self.seen:
                self.duplicates += 1
            elif len(self.rows) < self.cap(config):
                self.seen.add(key)
                self.rows.append(row)
                new += 1
        if gen.finish_reason != "length":
            self.done, self.stop = True, "end"
        elif len(self.rows) >= self.cap(config):
            self.done, self.stop = True, "max_rows"
        elif self.schema.structure == "kv_single" and self.rows:
            self.done, self.stop = True, "kv_single_complete"
        elif new == 0:
            self.done, self.stop = True, "no_progress"
        elif self.continuations >= config.max_continuations:
            self.done, self.stop = True, "max_continuations"
        else:
            self.continuations += 1


def numeric_cells(row: Row, schema: Schema, language: str | None) -> tuple[Row, int]:
    """``row`` with each value of an ``integer`` or ``number`` field read as that type (the grammar lets it be
    quoted: ``"24"``, ``"seven"`` in English; :func:`text2table.text.numbers.numeric_value`), and how many
    such values were no number and became null. Other fields, and rows without numeric fields, are unchanged.

    >>> schema = Schema.from_dict({"structure": "flat_single_row", "fields": [
    ...     {"name": "player"}, {"name": "points", "type": "integer"}]})
    >>> numeric_cells({"player": "seven", "points": "seven"}, schema, "en")
    ({'player': 'seven', 'points': 7}, 0)
    >>> numeric_cells({"player": "Ann", "points": "24 points"}, schema, "en")
    ({'player': 'Ann', 'points': None}, 1)
    """
    numeric = [f for f in schema.fields if f.type in NUMERIC_TYPES and f.enum is None and row.get(f.name) is not None]
    if not numeric:
        return row, 0
    out, nulled = dict(row), 0
    for f in numeric:
        out[f.name] = numeric_value(row[f.name], f.type, language)
        nulled += out[f.name] is None
    return out, nulled


def parsed_table_jobs(documents: Sequence[str], metadatas: Sequence[dict[str, Any] | None], todo: list[int],
                      schemas: list[Schema | None], diags: list[dict[str, Any]],
                      raws: list[dict[str, Any]]) -> list[Pi2Job]:
    """Answer the documents that hold a grid table by parsing it: a finished pi2 job each, no model call.

    A given schema (``schemas[i]`` set) is answered only when every field names a column of the table."""
    jobs = []
    for i in todo:
        table = find_explicit_table(documents[i], metadatas[i])
        if table is None:
            continue
        given = schemas[i]
        rows = table.rows if given is None else table.rows_for(given)
        if rows is None:
            continue
        schema = given or table.schema
        text = dump_rows(rows, schema.names)
        if given is None:
            schemas[i] = schema
            diags[i]["pi1"]["skipped"] = True
            raws[i]["pi1"] = schema_answer(schema)
        diags[i]["parsed_table"] = table.diagnostics()
        raws[i]["pi2"] = text
        jobs.append(Pi2Job(i, "", schema, metadatas[i], rows=list(rows), texts=[text], done=True,
                           stop="parsed_table"))
    return jobs


def item_list_jobs(documents: Sequence[str], metadatas: Sequence[dict[str, Any] | None], todo: list[int],
                   schemas: list[Schema | None], diags: list[dict[str, Any]],
                   read_in_passages: Collection[int] = ()) -> list[Pi2Job]:
    """One pi2 job per item for the documents whose rows are written as a list (multi-row schemas only).

    Sentences of one pattern are not read item by item in the documents of ``read_in_passages`` (those whose
    pi2 adapter's card names the passage size it was trained to read their table in; that adapter was not
    trained on items): they are read in those passages (``diagnostics.pi2.sentence_list`` says so; why:
    docs/rotowire.md). A marked list is read item by item there too.

    Sentences of one pattern (kind ``"sentences"``) are rows even when pi1 called the document one record
    (``kv_single``): its schema becomes ``flat_single_row`` (``diagnostics.item_list.structure_from`` says
    so); why: docs/measurements.md. Kept as they are: a given ``kv_single`` schema
    (``--schema``), one next to a marked list, and one whose fields are the labels of half or more of the
    sentences (``training_session`` for "Training session: 8 at 99.72 each": pi1 read each labelled
    sentence as a field, as the ``rules`` backend does)."""
    jobs = []
    for i in todo:
        schema = schemas[i]
        if schema is None:
            continue
        found = find_item_list(documents[i])
        if found is None:
            continue
        if found.kind == "sentences" and i in read_in_passages:
            diags[i]["pi2"]["sentence_list"] = f"{len(found.items)} items read in the adapter's passages"
            continue
        turn = schema.structure == "kv_single"
        if turn and (found.kind != "sentences" or diags[i]["pi1"]["skipped"] or _labels_are_fields(found, schema)):
            continue
        diags[i]["item_list"] = found.diagnostics()
        if turn:
            schema = schemas[i] = replace(schema, structure="flat_single_row")
            diags[i]["item_list"]["structure_from"] = "kv_single"
        jobs.extend(Pi2Job(i, item, schema, metadatas[i], row_cap=1) for item in found.items)
    return jobs


def _labels_are_fields(found: ItemList, schema: Schema) -> bool:
    """Half or more of the items open with ``Label:`` whose normalised label is one of the schema's fields."""
    names = set(schema.names)
    return 2 * sum(normalize_name(label) in names for label in item_labels(found.items)) >= len(found.items)
