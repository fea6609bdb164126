"""The ``rules`` backend: a no-model baseline for semi-structured text, pure Python.

It reads the tables a document writes out (:mod:`text2table.layout.blocks`: ``key: value`` lines, pipe
tables, CSV-like blocks, fixed-width columns) and answers pi1 prompts with a schema (answer form) and pi2
prompts with NDJSON rows, reading the document, metadata and schema back out of the rendered prompt. It knows
nothing of prose: a document without such structure gets an empty answer. It is the floor in benchmark
tables and makes the pipeline usable without a model. Token counts are estimates (4 characters a token),
and ``max_new_tokens`` cuts the answer like a model's budget would (``finish_reason="length"``).
"""

from __future__ import annotations

import json
import time
from typing import Any

from text2table.decoding.prompts import find_blocks
from text2table.core.schema import Schema, schema_answer
from text2table.core.table import dump_rows, parse_ndjson_lenient
from text2table.backends.base import Backend, Generation, Prompt, per_prompt, register_backend
from text2table.decoding.constraint import Constraint
from text2table.layout.blocks import extract_rows, induce_schema

CHARS_PER_TOKEN = 4


def _answer(prompt: Prompt, max_rows: int | None) -> tuple[str, str | None]:
    """The rules answer to one prompt, and an error when the prompt is not ours to read."""
    user = next((m["content"] for m in reversed(prompt) if m.get("role") == "user"), "")
    blocks = find_blocks(user)
    document = blocks.get("DOCUMENT")
    if document is None:
        return "", "rules backend: the prompt has no [DOCUMENT] block; render it with text2table.decoding.prompts"
    try:
        metadata = json.loads(blocks.get("METADATA") or "{}")
    except json.JSONDecodeError:
        metadata = {}
    if "SCHEMA" not in blocks:
        schema = induce_schema(document, metadata)
        return (schema_answer(schema) if schema is not None else ""), None
    try:
        schema = Schema.from_dict(json.loads(blocks["SCHEMA"]))
    except ValueError as exc:
        return "", f"rules backend: unreadable [SCHEMA] block ({exc})"
    rows = extract_rows(document, schema, metadata)
    if prompt and prompt[-1].get("role") == "assistant":
        done = parse_ndjson_lenient(prompt[-1]["content"], schema.names).rows
        rows = [r for r in rows if r not in done]
    if max_rows is not None:
        rows = rows[:max_rows]
    return dump_rows(rows, schema.names), None


@register_backend("rules")
class RulesBackend(Backend):
    """No model: answers from the document's own structure. ``constraint`` only caps rows (output is valid)."""

    def __init__(self, **options: Any) -> None:
        if options:
            from text2table.errors import ConfigError

            raise ConfigError(f"the rules backend takes no options (got {sorted(options)}); drop --model/--adapter")

    def generate(self, prompts: list[Prompt], *, constraint: Constraint | list[Constraint | None] | None = None,
                 max_new_tokens: int = 512, temperature: float = 0.0, seed: int | None = 0) -> list[Generation]:
        out = []
        for prompt, con in zip(prompts, per_prompt(constraint, len(prompts))):
            began = time.perf_counter()
            text, error = _answer(prompt, con.max_rows if con is not None else None)
            finish = "error" if error else "stop"
            budget = max_new_tokens * CHARS_PER_TOKEN
            if len(text) > budget:
                text, finish = text[:budget], "length"
            prompt_chars = sum(len(m.get("content", "")) for m in prompt)
            out.append(Generation(text=text, finish_reason=finish, error=error,
                                  prompt_tokens=-(-prompt_chars // CHARS_PER_TOKEN),
                                  completion_tokens=-(-len(text) // CHARS_PER_TOKEN),
                                  seconds=time.perf_counter() - began))
        return out
