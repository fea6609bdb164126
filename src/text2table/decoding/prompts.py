"""pi1/pi2 prompt rendering and the functions that find each block again in a rendered prompt.

pi1 user message::

    <|policy|>
    [POLICY]
    ...rules...
    [METADATA]
    {"language": ..., "locale": ..., "table_hint": ..., "missing_value_tokens": [...]}
    [DOCUMENT]
    ...document text...
    [TASK]
    ...

pi2 adds ``[SCHEMA]`` (schema_id, structure, fields) after ``[METADATA]``. Its policy names the answer form
(``PI2_FORMS``): ``full`` writes every key (``null`` where the document gives no value), ``sparse`` only the
keys with a value (:mod:`text2table.core.table`). Training and serving use these same functions, so the format
cannot drift. Policies are short on purpose: every prompt token costs
compute in training and on a CPU at inference.
"""

from __future__ import annotations

import json
from typing import Any

from text2table.core.records import METADATA_KEYS, default_metadata
from text2table.core.schema import Schema
from text2table.errors import ConfigError

POLICY_TAG = "<|policy|>"
BLOCKS = ("POLICY", "METADATA", "SCHEMA", "DOCUMENT", "TASK")

PI1_SYSTEM = "You design table schemas: list the columns of the table that the document supports, as JSON."
PI2_SYSTEM = "You extract tables: fill the given schema with facts from the document, as NDJSON rows."

PI1_POLICY = """\
- Names: lower_snake_case, unique.
- Evidence: only fields whose value the document states.
- Types: "string", "required": false, unless sure.
- "kv_single": one entity; "flat_single_row": one row per entity."""

PI2_POLICY = """\
- One JSON object per line, the schema's keys in order.
- Evidence: copy values from the document; null if not given.
- "kv_single": one line; "flat_single_row": one line per entity, no duplicates."""

PI2_POLICY_SPARSE = """\
- One JSON object per line, only the schema's keys with a value, in order.
- Evidence: copy values from the document; leave out a key if not given.
- "kv_single": one line; "flat_single_row": one line per entity, no duplicates."""

PI2_FORMS = ("full", "sparse")

#: schema constraints the pipeline acts on after decoding, left out of the prompt (no adapter was trained on them)
PIPELINE_CONSTRAINTS = frozenset({"row_key", "row_needs_value"})

PI1_TASK = "Answer with the schema JSON only."
PI2_TASK = "Answer with the NDJSON rows only."


def render_metadata(metadata: dict[str, Any] | None) -> str:
    """The [METADATA] JSON: language, locale, table_hint, missing_value_tokens, in that order.

    Keys whose value is null are left out; other metadata keys (ids, groups, domains) are bookkeeping and
    never reach the prompt.
    """
    full = default_metadata(metadata)
    return json.dumps({k: full[k] for k in METADATA_KEYS if full[k] is not None}, ensure_ascii=False)


def render_schema_block(schema: Schema) -> str:
    """The [SCHEMA] block: schema_id, structure and fields, compact JSON.

    Field defaults are left out to save prompt tokens: no ``type`` means ``"string"``, no ``required``
    means ``false``; bookkeeping keys (``source_header``) and the constraints that tell the pipeline, not the
    model, what to do (:data:`PIPELINE_CONSTRAINTS`: ``row_key``, ``row_needs_value``) are never shown.
    """
    fields = [f.to_dict(answer=True, defaults=False) for f in schema.fields]
    data = {"schema_id": schema.schema_id, "structure": schema.structure, "fields": fields}
    shown = {k: v for k, v in schema.constraints.items() if k not in PIPELINE_CONSTRAINTS}
    if shown:
        data["constraints"] = shown
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _user(blocks: list[tuple[str, str]]) -> str:
    parts = [POLICY_TAG]
    for tag, body in blocks:
        parts.append(f"[{tag}]\n{body}")
    return "\n".join(parts)


def pi1_messages(document: str, metadata: dict[str, Any] | None = None) -> list[dict[str, str]]:
    """System + user messages for schema induction."""
    user = _user([("POLICY", PI1_POLICY), ("METADATA", render_metadata(metadata)),
                  ("DOCUMENT", document.strip()), ("TASK", PI1_TASK)])
    return [{"role": "system", "content": PI1_SYSTEM}, {"role": "user", "content": user}]


def pi2_messages(document: str, schema: Schema, metadata: dict[str, Any] | None = None, *,
                 form: str = "full") -> list[dict[str, str]]:
    """System + user messages for schema-conditioned extraction; ``form`` is the answer form (``PI2_FORMS``)."""
    if form not in PI2_FORMS:
        raise ConfigError(f"pi2 answer form {form!r}; expected one of {PI2_FORMS}")
    policy = PI2_POLICY_SPARSE if form == "sparse" else PI2_POLICY
    user = _user([("POLICY", policy), ("METADATA", render_metadata(metadata)),
                  ("SCHEMA", render_schema_block(schema)), ("DOCUMENT", document.strip()),
                  ("TASK", PI2_TASK)])
    return [{"role": "system", "content": PI2_SYSTEM}, {"role": "user", "content": user}]


def find_blocks(user_text: str) -> dict[str, str]:
    """Split a rendered user message into its blocks: ``{"POLICY": ..., "DOCUMENT": ..., ...}``.

    Documents are untrusted and may contain tag-like lines, so the DOCUMENT block runs from the first
    ``[DOCUMENT]`` line to the *last* ``[TASK]`` line; blocks before it end at the next known tag.
    """
    lines = user_text.split("\n")
    try:
        doc_start = lines.index("[DOCUMENT]")
    except ValueError:
        doc_start = len(lines)
    task_start = max((i for i, ln in enumerate(lines) if ln == "[TASK]" and i > doc_start), default=None)
    blocks: dict[str, str] = {}
    current: str | None = None
    buffer: list[str] = []
    for i, line in enumerate(lines[:doc_start]):
        tag = line[1:-1] if line.startswith("[") and line.endswith("]") else None
        if tag in BLOCKS and tag not in blocks:
            if current is not None:
                blocks[current] = "\n".join(buffer)
            current, buffer = tag, []
        elif current is not None:
            buffer.append(line)
    if current is not None:
        blocks[current] = "\n".join(buffer)
    if doc_start < len(lines):
        end = task_start if task_start is not None else len(lines)
        blocks["DOCUMENT"] = "\n".join(lines[doc_start + 1:end])
        if task_start is not None:
            blocks["TASK"] = "\n".join(lines[task_start + 1:])
    return blocks


def find_block(messages_or_text: list[dict[str, str]] | str, tag: str) -> str | None:
    """One block of a prompt given as messages (the user message is searched) or as user text."""
    if tag not in BLOCKS:
        raise ValueError(f"unknown block {tag!r}; expected one of {BLOCKS}")
    if isinstance(messages_or_text, str):
        text = messages_or_text
    else:
        text = next((m["content"] for m in messages_or_text if m.get("role") == "user"), "")
    return find_blocks(text).get(tag)
