"""One pi2 job: schema-conditioned extraction on one chunk of one document, over one or more calls.

When a call stops at its token budget the partial last row is dropped and the next call continues after the
complete rows (the prompt gets an assistant message holding them); duplicate rows are removed; the job ends
at the table's end, ``max_rows``, ``max_continuations`` or a call that adds nothing (``stop`` says which).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .backends.base import Generation, Prompt
from .prompts import pi2_messages
from .schema import Schema
from .table import Row, dump_rows, parse_ndjson_lenient

if TYPE_CHECKING:
    from .pipeline import PipelineConfig


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

    def prompt(self) -> Prompt:
        messages = pi2_messages(self.chunk, self.schema, self.metadata)
        if self.rows:
            messages.append({"role": "assistant", "content": dump_rows(self.rows, self.schema.names)})
        return messages

    def remaining(self, config: PipelineConfig) -> int:
        """Rows the constraint still allows: one for ``kv_single`` (the grammar then ends the table)."""
        cap = 1 if self.schema.structure == "kv_single" else config.max_rows
        return max(cap - len(self.rows), 1)

    def absorb(self, gen: Generation, config: PipelineConfig) -> None:
        if gen.finish_reason == "error":
            self.texts.append(gen.text)
            self.done, self.stop, self.error = True, "error", gen.error or "generation failed"
            return
        parsed = parse_ndjson_lenient(gen.text, self.schema.names, reorder=True)
        last_line = gen.text.count("\n") + 1  # the line the budget may have cut
        cut_partial = gen.finish_reason == "length" and any(d.line == last_line for d in parsed.dropped)
        # raw keeps what the model wrote, less the partial row that the budget cut and a continuation redoes
        self.texts.append(gen.text[:gen.text.rfind("\n") + 1] if cut_partial else gen.text)
        for d in parsed.dropped:
            cut = cut_partial and d.line == last_line
            self.dropped.append({"call": len(self.texts), "line": d.line, "text": d.text[:120],
                                 "reason": "partial row at the token budget" if cut else d.reason})
        new = 0
        for row in parsed.rows:
            key = json.dumps(row, sort_keys=True, ensure_ascii=False)
            if key in self.seen:
                self.duplicates += 1
            elif len(self.rows) < config.max_rows:
                self.seen.add(key)
                self.rows.append(row)
                new += 1
        if gen.finish_reason != "length":
            self.done, self.stop = True, "end"
        elif len(self.rows) >= config.max_rows:
            self.done, self.stop = True, "max_rows"
        elif self.schema.structure == "kv_single" and self.rows:
            self.done, self.stop = True, "kv_single_complete"
        elif new == 0:
            self.done, self.stop = True, "no_progress"
        elif self.continuations >= config.max_continuations:
            self.done, self.stop = True, "max_continuations"
        else:
            self.continuations += 1
