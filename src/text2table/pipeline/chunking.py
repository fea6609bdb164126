"""Long documents: split into overlapping chunks on natural boundaries, and merge the rows found per chunk.

Splitting prefers, in this order, a paragraph break (blank line), a line break (table rows are lines), a
sentence end, then any whitespace; only a single "word" longer than the chunk is cut hard. A sentence ends at
``.``, ``!``, ``?`` or ``;`` before whitespace, but not at a period after a lone letter: an initial (``T.J.
McConnell``, ``J. Smith``) does not end a sentence in any script with letters, so a name stays whole; the price
is a sentence ending in a one-letter word (``plan B.``), which then runs on into the next one. Chunks are
slices of the original text (``Chunk.start``/``end`` are character offsets), and consecutive chunks overlap
by about ``overlap_chars`` so that a fact cut by a boundary is seen whole in one of them.

Merging: a ``kv_single`` table is one row (the first non-null value of each field wins); a flat table is
the concatenation of the chunks' rows without exact duplicates, with rows of different chunks that name the
same entity merged, and without rows that another chunk saw more completely (same non-null values, fewer of
them), which is what an overlap produces. Same entity: the first field (the row header) is equal after case
folding, or one header is a shorter form of the other (``Lowry``, ``Kyle Lowry``: its words a proper subset)
that no third header shares; and no other field holds two different values. Rows of one chunk are never
merged with each other (the model wrote them apart), nor rows whose values disagree (two events on one date
stay two rows), nor a short form two headers share (``Johnson`` beside two Johnsons). The merge compares
case-folded words and reads no word list, so it runs the same in every language.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from text2table.errors import ConfigError
from text2table.text.normalise import fold

Row = dict[str, Any]

_PARAGRAPH = re.compile(r"\n[ \t]*\n\s*")
_LINE = re.compile(r"\n")
_SENTENCE = re.compile(r"(?<=[.!?;])(?<!\b[^\W\d_]\.)[\"')\]]*\s+")  # not after an initial ("T.J. ")
_SPACE = re.compile(r"\s+")
_KINDS = (_PARAGRAPH, _LINE, _SENTENCE, _SPACE)
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Chunk:
    text: str
    start: int
    end: int


def _boundaries(text: str, pattern: re.Pattern[str], lo: int, hi: int) -> list[int]:
    """Offsets in ``(lo, hi]`` where a chunk may end (just after the separator)."""
    return [m.end() for m in pattern.finditer(text, lo, hi) if lo < m.end() <= hi]


def _cut(text: str, start: int, size: int, whole_sentences: bool = False) -> int:
    """The end of the chunk that begins at ``start``: the best boundary in its second half. With
    ``whole_sentences``, a paragraph, line or sentence end anywhere in the chunk comes before a space in its
    second half (the chunk may be short, but no sentence is cut unless one sentence is longer than ``size``)."""
    limit = start + size
    if limit >= len(text):
        return len(text)
    floor = start + size // 2
    for pattern in _KINDS:
        lo = start if whole_sentences and pattern is not _SPACE else floor
        ends = _boundaries(text, pattern, lo, limit)
        if ends:
            return ends[-1]
    return limit


def _next_start(text: str, start: int, end: int, overlap: int) -> int:
    """Where the next chunk begins: the first boundary at or after ``end - overlap`` (best kind first)."""
    if overlap <= 0 or end >= len(text):
        return end
    lo = max(start + 1, end - overlap)
    for pattern in _KINDS:
        starts = [b for b in _boundaries(text, pattern, lo - 1, end - 1) if b >= lo]
        if starts:
            return starts[0]
    return lo


def split_document(text: str, chunk_chars: int, overlap_chars: int = 0,
                   whole_sentences: bool = False) -> list[Chunk]:
    """Split ``text`` into chunks of at most ``chunk_chars`` characters overlapping by ~``overlap_chars``.

    ``chunk_chars <= 0`` means "never split". A text that fits is returned as one chunk. ``whole_sentences``:
    end a chunk at the last sentence (or line, or paragraph) end inside it, however early; cut at a space only
    when a single sentence is longer than ``chunk_chars``.

    >>> [c.text for c in split_document("one two.\\n\\nthree four.", 12)]
    ['one two.\\n\\n', 'three four.']
    """
    if chunk_chars <= 0 or len(text) <= chunk_chars:
        return [Chunk(text, 0, len(text))]
    if not 0 <= overlap_chars < chunk_chars // 2:
        raise ConfigError(f"overlap_chars={overlap_chars} must be >= 0 and below half of chunk_chars={chunk_chars}")
    chunks: list[Chunk] = []
    start = 0
    while start < len(text):
        end = _cut(text, start, chunk_chars, whole_sentences)
        chunks.append(Chunk(text[start:end], start, end))
        if end >= len(text):
            break
        start = _next_start(text, start, end, overlap_chars)
    return chunks


def _line_structured(text: str) -> bool:
    """Two non-blank lines in a row: a grid, a list or a record whose lines belong together."""
    lines = text.split("\n")
    return any(a.strip() and b.strip() for a, b in zip(lines, lines[1:]))


def row_passages(chunks: list[Chunk], structure: str, size: int) -> list[str]:
    """The texts pi2 reads for one document: its chunks, each cut into passages of ``size`` characters for a
    table with a row per entity (``size`` 0: the chunks), whole sentences each (a sentence longer than ``size``
    is cut at a space). Read whole: a ``kv_single`` table (one entity) and a chunk with consecutive lines (a
    passage would lose a grid's header row or a list's heading)."""
    if not size or structure == "kv_single":
        return [c.text for c in chunks]
    return [p.text for c in chunks
            for p in ([c] if _line_structured(c.text) else split_document(c.text, size, whole_sentences=True))]


def _key(row: Row) -> str:
    return json.dumps(row, sort_keys=True, ensure_ascii=False)


def _subsumed(small: Row, big: Row) -> bool:
    """True when ``big`` has every non-null value of ``small`` and at least one more."""
    filled = {k: v for k, v in small.items() if v is not None}
    more = sum(v is not None for v in big.values()) > len(filled)
    return more and all(big.get(k) == v for k, v in filled.items())


def _header(row: Row, names: list[str]) -> str | None:
    value = row.get(names[0]) if names else None
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


def _merge_entities(tagged: list[tuple[int, Row]], names: list[str]) -> list[tuple[int, Row]]:
    """Rows of different chunks that name one entity (:func:`_same_entity`) and hold no disagreeing value become
    one row, in the first one's place, under the longer header."""
    heads = sorted({h for _, row in tagged if (h := _header(row, names)) is not None})
    merged: list[tuple[set[int], Row]] = []
    for index, row in tagged:
        head = _header(row, names)
        into = None if head is None else next(
            (m for m in merged if index not in m[0] and (other := _header(m[1], names)) is not None
             and _same_entity(head, other, heads) and _agree({k: v for k, v in m[1].items() if k != names[0]}, row)),
            None)
        if into is None:
            merged.append(({index}, dict(row)))
            continue
        into[0].add(index)
        if len(head) > len(_header(into[1], names) or ""):
            into[1][names[0]] = row[names[0]]
        for k, v in row.items():
            if into[1].get(k) is None:
                into[1][k] = v
    return [(min(indices), row) for indices, row in merged]


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


def merge_chunk_rows(structure: str, rows_per_chunk: list[list[Row]], names: list[str]) -> tuple[list[Row], int]:
    """Merge the rows extracted from each chunk; returns ``(rows, rows_removed)``.

    >>> merge_chunk_rows("flat_single_row", [[{"a": "1", "b": None}], [{"a": "1", "b": "x"}]], ["a", "b"])
    ([{'a': '1', 'b': 'x'}], 1)
    >>> merge_chunk_rows("flat_single_row", [[{"a": "Ann", "b": "3", "c": None}], [{"a": "ann", "b": None, "c": "4"}]],
    ...                  ["a", "b", "c"])
    ([{'a': 'Ann', 'b': '3', 'c': '4'}], 1)
    """
    total = sum(len(rows) for rows in rows_per_chunk)
    if structure == "kv_single":
        merged = merge_kv([r for rows in rows_per_chunk for r in rows], names)
        return merged, total - len(merged)
    tagged: list[tuple[int, Row]] = []
    seen: set[str] = set()
    for index, rows in enumerate(rows_per_chunk):
        for row in rows:
            key = _key(row)
            if key not in seen:
                seen.add(key)
                tagged.append((index, row))
    if len(rows_per_chunk) > 1:
        tagged = _merge_entities(tagged, names)
    kept = [row for index, row in tagged
            if not any(other_index != index and _subsumed(row, other) for other_index, other in tagged)]
    return kept, total - len(kept)
