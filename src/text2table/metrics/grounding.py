"""Grounding: the share of predicted cells whose value the document supports.

A cell is grounded when :meth:`text2table.text.document_index.DocumentIndex.supports` accepts its text
(canonical tokens, verbatim or in another spelling; a yes/no value through its field name's words).
The check chain (:mod:`text2table.checks`) matches values with its own code (:mod:`text2table.text.spans`) and
never calls this one, so the rate of a checked run and of an unchecked run are measured by the same rule,
not by the filter itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from text2table.text.document_index import DocumentIndex
from text2table.text.normalise import cell_text


@dataclass
class GroundingCounts:
    """Non-empty predicted cells, how many are grounded, and the ones that are not (row, field, value)."""

    cells: int = 0
    grounded: int = 0
    ungrounded: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def rate(self) -> float:
        """Share of non-empty predicted cells that are grounded; 0.0 when there are none."""
        return self.grounded / self.cells if self.cells else 0.0


def ground_rows(rows: Iterable[Any], document: str | DocumentIndex, *, missing: Iterable[str] = ()) -> GroundingCounts:
    """Check every non-empty cell of ``rows`` against the document.

    >>> c = ground_rows([{"player": "Smith", "points": 4, "team": "Bulls"}], "Smith scored four points.")
    >>> c.cells, c.grounded, c.ungrounded
    (3, 2, [(0, 'team', 'Bulls')])
    """
    index = document if isinstance(document, DocumentIndex) else DocumentIndex.build(document)
    missing = frozenset(missing)
    counts = GroundingCounts()
    seen: dict[tuple[str, str], bool] = {}
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            continue
        for name, value in row.items():
            text = cell_text(value, missing)
            if text is None:
                continue
            counts.cells += 1
            key = (str(name), text)
            ok = seen.get(key)
            if ok is None:
                ok = seen[key] = index.supports(text, str(name))
            if ok:
                counts.grounded += 1
            else:
                counts.ungrounded.append((i, str(name), text))
    return counts
