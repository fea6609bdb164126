"""Lists in a document whose items are a table's rows: bullets, numbered lines, a semicolon enumeration.

An ingredient list ("- 800 g chicken thighs, boneless, skin on") or a career list ("* 1996–1999: senior
engineer, Virael Systems") is a table written one row per item. A small model asked for the whole table at
once drops, merges and invents rows; asked for one item at a time, it gives one row per item. The pipeline
(:mod:`text2table.pipeline.run`) runs pi2 once per item of the list :func:`find_item_list` finds, when the
schema has one row per entity (not ``kv_single``), and checks each row's cells against its own item.

A list is three or more consecutive lines opening with the same marker (one of ``-``, ``*``, ``•``, ``–``,
``·``, or numbers ``1.``/``1)``), or one sentence holding three or more semicolons (four or more items) on a line that
no neighbouring line matches in its count of semicolons (that would be CSV). A list whose items mostly read
``Label: value`` with a word label (``Prix: 217 000 €``) is one record's fields, not rows, and is not
returned. When a document holds several lists, the longest wins (the first among equals). A document with
no marked list may tell its rows in sentences of one pattern (:mod:`text2table.layout.sentence_lists`): kind
``"sentences"``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from text2table.layout.sentence_lists import find_sentence_rows

_BULLET = re.compile(r"^\s*([-*•–·])\s+(\S.*)$")
_NUMBERED = re.compile(r"^\s*(\d{1,3})[.)]\s+(\S.*)$")
_LABEL = re.compile(r"^([^\W\d_][^\W\d_ '’.-]*(?:[ '’.-][^\W\d_]+){0,3})\s*:\s*\S")
_LEAD = re.compile(r"^(?:and\s+(?:finally\s+|lastly\s+)?|finally\s+|lastly\s+|or\s+)", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[^\W\d_])")
MIN_ITEMS = 3


@dataclass(frozen=True)
class ItemList:
    """The items' texts (markers stripped), the kind of list and the line it starts on (1-based)."""

    kind: str  # "bullets", "numbered", "semicolons" or "sentences"
    items: tuple[str, ...]
    line: int

    def diagnostics(self) -> dict[str, object]:
        """What a prediction's ``diagnostics["item_list"]`` holds (the pipeline adds ``rows_from``)."""
        return {"kind": self.kind, "items": len(self.items), "line": self.line}


def _marker_runs(lines: list[str]) -> list[ItemList]:
    """Runs of lines with the same marker: the same bullet character, or numbers."""
    runs: list[ItemList] = []
    marker, start, items = "", 0, []
    for number, line in enumerate([*lines, ""], start=1):
        match = _BULLET.match(line) or _NUMBERED.match(line)
        this = (match.group(1) if match.re is _BULLET else "1") if match else ""
        if match and this == marker:
            items.append(match.group(2).strip())
            continue
        if len(items) >= MIN_ITEMS:
            runs.append(ItemList("numbered" if marker == "1" else "bullets", tuple(items), start))
        marker, start, items = this, number, [match.group(2).strip()] if match else []
    return runs


def _semicolon_lists(lines: list[str]) -> list[ItemList]:
    counts = [line.count(";") for line in lines]
    found = []
    for i, line in enumerate(lines):
        neighbours = counts[max(0, i - 1):i] + counts[i + 1:i + 2]
        if counts[i] < MIN_ITEMS or counts[i] in neighbours:
            continue
        for sentence in _SENTENCE_END.split(line):
            items = [_LEAD.sub("", part.strip()).rstrip(".").strip() for part in sentence.split(";")]
            items = [item for item in items if item]
            if len(items) > MIN_ITEMS:
                found.append(ItemList("semicolons", tuple(items), i + 1))
    return found


def item_labels(items: Sequence[str]) -> list[str]:
    """The word labels of the items that read ``Label: value`` (``Prix: 217 000 €`` -> ``prix``), case-folded."""
    return [m.group(1).casefold() for m in map(_LABEL.match, items) if m]


def _is_record(items: tuple[str, ...]) -> bool:
    """Most items read ``Label: value`` with word labels, all different: one record's fields."""
    labels = item_labels(items)
    return len(labels) >= 0.6 * len(items) and len(set(labels)) == len(labels)


def find_item_list(document: str) -> ItemList | None:
    """The document's longest list of three or more row-like items, or None.

    >>> find_item_list("You need:\\n- 2 eggs, beaten\\n- 250 g feta\\n- fresh dill\\n\\nMethod: mix.").items
    ('2 eggs, beaten', '250 g feta', 'fresh dill')
    >>> find_item_list("For this you need 7 sheets of filo; 400 g spinach; 2 eggs; and finally dill.").items
    ('For this you need 7 sheets of filo', '400 g spinach', '2 eggs', 'dill')
    >>> find_item_list("Features:\\n* Price: 217 000 €\\n* Rooms: 3\\n* Heating: heat pump") is None
    True
    """
    lines = document.splitlines()
    lists = [found for found in (*_marker_runs(lines), *_semicolon_lists(lines)) if not _is_record(found.items)]
    if lists:
        return max(lists, key=lambda found: len(found.items))
    told = find_sentence_rows(document)
    return None if told is None else ItemList("sentences", tuple(told[0]), told[1])
