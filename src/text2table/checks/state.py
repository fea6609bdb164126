"""What flows through the check chain: the table being checked, the context it is checked in, the actions.

Every check is a pure function ``(CheckedTable, CheckContext) -> (CheckedTable, list[Action])``. A
:class:`CheckedTable` carries, beside the schema and rows, each cell's evidence span and each row's source
(the ``[start, end)`` of the document the row was read from: the whole document, or one list item), so that
later checks and a later re-check read the evidence instead of finding it again.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from text2table.checks.config import CheckConfig
from text2table.core.schema import Schema
from text2table.core.table import Row
from text2table.text.lexicons import Lexicon
from text2table.text.normalise import cell_text
from text2table.text.spans import SourceText, Span


@dataclass(frozen=True)
class CheckedTable:
    """Schema and rows under check; ``spans[i][name]`` is a cell's evidence, ``origins[i]`` the index of row
    ``i`` in the rows given to the chain, ``sources[i]`` the part of the document row ``i`` was read from;
    ``filled``: the columns that had a value in the rows given to the chain."""

    schema: Schema
    rows: list[Row]
    spans: list[dict[str, Span | None]]
    origins: list[int]
    sources: list[Span]
    filled: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Action:
    """One cell a check nulled or corrected; ``row`` is the row's index in the rows given to the chain."""

    row: int
    field: str
    check: str
    action: str  # "nulled" or "corrected"
    old: Any
    new: Any
    reason: str

    def to_dict(self, row: int | None) -> dict[str, Any]:
        """The ``diagnostics["check_actions"]`` entry, ``row`` renumbered to the output rows (None: dropped)."""
        return {"row": row, "field": self.field, "check": self.check, "action": self.action, "old": self.old,
                "new": self.new, "reason": self.reason}


@dataclass(frozen=True)
class CheckContext:
    """The document, its language's lexicon (None: language-neutral checks only), the missing-value tokens,
    whether the user gave the schema (then no column is dropped) and the switches."""

    document: str
    lexicon: Lexicon | None = None
    missing: frozenset[str] = frozenset()
    schema_given: bool = False
    config: CheckConfig = CheckConfig()
    _sources: dict[Span, SourceText] = field(default_factory=dict, compare=False, repr=False)

    def source(self, span: Span) -> SourceText:
        """The part of the document in ``span``, tokenised once (a cache; results do not depend on it)."""
        if span not in self._sources:
            self._sources[span] = SourceText(self.document, span[0], span[1])
        return self._sources[span]

    def text(self, value: Any) -> str | None:
        """A cell's text, or None when it is empty (null, blank, a missing-value token)."""
        return cell_text(value, self.missing)


def null_cell(table: CheckedTable, i: int, name: str) -> CheckedTable:
    """A copy of the table with cell ``(i, name)`` set to null (and its span)."""
    rows = [dict(r) for r in table.rows]
    spans = [dict(s) for s in table.spans]
    rows[i][name] = None
    spans[i][name] = None
    return replace(table, rows=rows, spans=spans)
