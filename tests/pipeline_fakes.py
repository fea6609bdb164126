"""Scripted backends for pipeline, batch and CLI tests: canned answers, a token budget, recorded calls."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from text2table.backends.base import Backend, Generation, Prompt, per_prompt
from text2table.decoding.constraint import Constraint
from text2table.decoding.prompts import find_block
from text2table.core.schema import Schema, schema_answer
from text2table.core.table import dump_rows, parse_ndjson_lenient

Answer = Callable[[Prompt, "Constraint | None"], str]


def is_pi2(prompt: Prompt) -> bool:
    return find_block(prompt, "SCHEMA") is not None


def prompt_schema(prompt: Prompt) -> Schema:
    return Schema.from_dict(json.loads(find_block(prompt, "SCHEMA")))


def continued(prompt: Prompt) -> str | None:
    """The assistant prefix the pipeline asked to continue, if any."""
    return prompt[-1]["content"] if prompt[-1]["role"] == "assistant" else None


class ScriptedBackend(Backend):
    """``answer(prompt, constraint) -> text``; the text is cut at ``max_new_tokens`` (one token = one
    character) with ``finish_reason="length"``. Every call's prompts and constraints are recorded."""

    name = "scripted"

    def __init__(self, answer: Answer, delay: float = 0.0, fail_on: str | None = None) -> None:
        self.answer = answer
        self.delay = delay
        self.fail_on = fail_on  # raise when a prompt's document contains this text
        self.calls: list[tuple[list[Prompt], list[Constraint | None], int]] = []

    def generate(self, prompts, *, constraint=None, max_new_tokens=512, temperature=0.0, seed=0):
        constraints = per_prompt(constraint, len(prompts))
        self.calls.append((prompts, constraints, max_new_tokens))
        if self.fail_on is not None and any(self.fail_on in (find_block(p, "DOCUMENT") or "") for p in prompts):
            raise RuntimeError(f"backend crashed on {self.fail_on!r}")
        out = []
        for prompt, con in zip(prompts, constraints):
            time.sleep(self.delay)
            text = self.answer(prompt, con)
            finish = "stop"
            if len(text) > max_new_tokens:
                text, finish = text[:max_new_tokens], "length"
            out.append(Generation(text, finish, prompt_tokens=10, completion_tokens=len(text)))
        return out


def table_model(schema: Schema, rows: list[dict], *, repeat_last: bool = False) -> Answer:
    """A perfect model of one table: pi1 answers ``schema``; pi2 writes the rows that follow the prefix.

    ``repeat_last``: on a continuation, first repeat the last row already given (a typical model habit).
    """

    def answer(prompt: Prompt, constraint: Constraint | None) -> str:
        if not is_pi2(prompt):
            return schema_answer(schema)
        names = prompt_schema(prompt).names
        prefix = continued(prompt)
        done = parse_ndjson_lenient(prefix, names).rows if prefix else []
        rest = rows[len(done):]
        if repeat_last and done:
            rest = [done[-1]] + rest
        return dump_rows(rest, names)

    return answer
