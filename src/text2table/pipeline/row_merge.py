"""The rows pi2 found in each chunk (or passage) of one document, merged into the document's table.

A ``kv_single`` table is one row (the first non-null value of each field wins). A flat table is the
concatenation of the chunks' rows without exact duplicates, with rows of different chunks that name the same
entity merged, and without rows that another chunk saw more completely (same non-null values, fewer of them),
which is what an overlap produces.

Same entity: the row header (the first field, or the schema's ``row_key``) is equal after case folding, or one
header is a shorter form of the other (``Lowry``, ``Kyle Lowry``: its words a proper subset) that no third
header shares; and no other field holds two different values, unless the short form is the long one's last
words and holds no digit (``Lowry`` of ``Kyle Lowry``, ``Raptors`` of ``Toronto Raptors``): that is how a text
refers back to a person or team it named in full, so such rows are one entity even when they disagree, and the
full-named row's values win (it is where the text named the entity; the other passage's conflicting number is
most often another fact read as this one's: ``docs/rotowire.md``). Rows of one chunk are never merged with each
other (the model wrote them apart), nor rows with equal headers whose values disagree (two events on one date
stay two rows), nor disagreeing rows whose short form is the long one's first words (``iPhone`` and ``iPhone
Pro`` at two prices stay two products), nor a short form two headers share (``Johnson`` beside two Johnsons).
The price: a text that states two sets of facts for one entity under a full and a short name, in two passages
(two games of one team), keeps only the full name's.

Keyed tables: a schema whose ``constraints`` say ``{"row_key": FIELD}`` declares that rows with one value of
``FIELD`` are one entity (a box score's player, a report's segment). Then rows whose key is equal after case
folding become one row even when they disagree and even when one chunk wrote both; the row with the most values
gives the disagreeing ones (ties: the first). Without the constraint equal headers that disagree stay apart.
A document read item by item from a list (:mod:`text2table.pipeline.pi2_job`) is not merged here: each row
stays checked against its own item.

The merge compares case-folded words and reads no word list, so it runs the same in every language (a language
that writes the family name first gets the agreeing merge only).
"""

from __future__ import annotations

import json
import re
from typing import Any

from text2table.text.normalise import fold

Row = dict[str, Any]

_WORD = re.compile(r"[^\W_]+")


def _key(row: Row) -> str:
    return json.dumps(row, sort_keys=True, ensure_ascii=False)


def _subsumed(small: Row, big: Row) -> bool:
    """True when ``big`` has every non-null value of ``small`` and at least one more."""
    filled = {k: v for k, v in small.items() if v is not None}
    more = sum(v is not None for v in big.values()) > len(filled)
    return more and all(big.get(k) == v for k, v in filled.items())


def _header(row: Row, head: str) -> str | None:
    value = row.get(head)
    return fold(str(value)).strip() or None if value is not None else None


def _agree(a: Row, b: Row) -> bool:
    """No field holds a value in both rows that differs after case folding."""
    return all(a.get(k) is None or b.get(k) is None or fold(str(a[k])).strip() == fold(str(b[k])).strip()
               for k in a)


def _words(head: str) -> frozenset[str]:
    return frozenset(_WORD.findall(head))


def _same_entity(head: str, other: str, heads: list[str]) -> bool:
    """``head`` and ``other`` name one entity: equal, or one is a shorter form of the other (its words a proper
    subset, as ``Lowry`` of ``Kyle Lowry``) that no third header in ``heads`` shares (``Johnson`` with two
    Johnsons stays apart)."""
    if head == other:
        return True
    a, b = _words(head), _words(other)
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    if not short or not short < long_:
        return False
    return sum(1 for h in heads if short <= _words(h)) == 2  # the short form itself and its one long form


def _refers_back(head: str, other: str) -> bool:
    """One header is the other's last words and holds no digit: how a text refers back to a person or team it
    named in full (``lowry`` of ``kyle lowry``), unlike a first-word form (``iphone`` of ``iphone pro``) or a date.

    >>> _refers_back("lowry", "kyle lowry"), _refers_back("iphone", "iphone pro"), _refers_back("3", "game 3")
    (True, False, False)
    """
    a, b = _WORD.findall(head), _WORD.findall(other)
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return (0 < len(short) < len(long_) and long_[-len(short):] == short
            and not any(c.isdigit() for word in short for c in word))


def _joinable(head: str, other: str, heads: list[str], one: Row, two: Row, field: str) -> bool:
    """Rows headed ``head`` and ``other`` name one entity and may become one row (the module's rule)."""
    if not _same_entity(head, other, heads):
        return False
    return _agree({k: v for k, v in one.items() if k != field}, two) or _refers_back(head, other)


def _merge_entities(tagged: list[tuple[int, Row]], field: str) -> list[tuple[int, Row]]:
    """Rows of different chunks that name one entity (:func:`_joinable`) become one row, in the first one's place,
    under the longer header; where their values disagree, the longer-headed row's value is kept."""
    heads = sorted({h for _, row in tagged if (h := _header(row, field)) is not None})
    merged: list[tuple[set[int], Row]] = []
    for index, row in tagged:
        head = _header(row, field)
        into = None if head is None else next(
            (m for m in merged if index not in m[0] and (other := _header(m[1], field)) is not None
             and _joinable(head, other, heads, m[1], row, field)), None)
        if into is None:
            merged.append(({index}, dict(row)))
            continue
        into[0].add(index)
        longer = len(head) > len(_header(into[1], field) or "")
        if longer:
            into[1][field] = row[field]
        for k, v in row.items():
            if v is not None and (into[1].get(k) is None or (longer and not _agree({k: into[1][k]}, {k: v}))):
                into[1][k] = v
    return [(min(indices), row) for indices, row in merged]


def _merge_keyed(tagged: list[tuple[int, Row]], field: str) -> list[tuple[int, Row]]:
    """Rows with one value of the key ``field`` (case folded) become one row, in the first one's place: the row
    with the most values, its empty cells filled from the others in order."""
    groups: dict[str, list[tuple[int, Row]]] = {}
    order: list[str | tuple[int, Row]] = []
    for index, row in tagged:
        head = _header(row, field)
        if head is None:
            order.append((index, row))
            continue
        if head not in groups:
            groups[head] = []
            order.append(head)
        groups[head].append((index, row))
    out: list[tuple[int, Row]] = []
    for item in order:
        if not isinstance(item, str):
            out.append(item)
            continue
        group = groups[item]
        counts = [sum(v is not None for v in row.values()) for _, row in group]
        merged = dict(group[counts.index(max(counts))][1])
        for _, row in group:
            for k, v in row.items():
                if merged.get(k) is None and v is not None:
                    merged[k] = v
        out.append((group[0][0], merged))
    return out


def merge_kv(rows: list[Row], names: list[str]) -> list[Row]:
    """One row: for each field, the first non-null value in order; no rows in, no rows out."""
    if not rows:
        return []
    merged: Row = {n: None for n in names}
    for row in rows:
        for n in names:
            if merged[n] is None and row.get(n) is not None:
                merged[n] = row[n]
    return [merged]


def merge_chunk_rows(structure: str, rows_per_chunk: list[list[Row]], names: list[str],
                     row_key: str | None = None) -> tuple[list[Row], int]:
    """Merge the rows extracted from each chunk; returns ``(rows, rows_removed)``. ``row_key``: the schema's
    declared key field (``constraints.row_key``), or None.

    >>> merge_chunk_rows("flat_single_row", [[{"a": "1", "b": None}], [{"a": "1", "b": "x"}]], ["a", "b"])
    ([{'a': '1', 'b': 'x'}], 1)
    >>> merge_chunk_rows("flat_single_row", [[{"a": "Ann", "b": "3", "c": None}], [{"a": "ann", "b": None, "c": "4"}]],
    ...                  ["a", "b", "c"])
    ([{'a': 'Ann', 'b': '3', 'c': '4'}], 1)
    >>> merge_chunk_rows("flat_single_row", [[{"a": "Ann", "b": "3"}, {"a": "Ann", "b": "5"}]], ["a", "b"], row_key="a")
    ([{'a': 'Ann', 'b': '3'}], 1)
    """
    total = sum(len(rows) for rows in rows_per_chunk)
    if structure == "kv_single":
        merged = merge_kv([r for rows in rows_per_chunk for r in rows], names)
        return merged, total - len(merged)
    head = row_key or (names[0] if names else "")
    tagged: list[tuple[int, Row]] = []
    seen: set[str] = set()
    for index, rows in enumerate(rows_per_chunk):
        for row in rows:
            key = _key(row)
            if key not in seen:
                seen.add(key)
                tagged.append((index, row))
    if len(rows_per_chunk) > 1:
        tagged = _merge_entities(tagged, head)
    if row_key is not None:
        tagged = _merge_keyed(tagged, row_key)
    kept = [row for index, row in tagged
            if not any(other_index != index and _subsumed(row, other) for other_index, other in tagged)]
    return kept, total - len(kept)
