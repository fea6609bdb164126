"""Long documents: split into overlapping chunks on natural boundaries, and the passages pi2 reads of them.

Splitting prefers, in this order, a paragraph break (blank line), a line break (table rows are lines), a
sentence end, then any whitespace; only a single "word" longer than the chunk is cut hard. A sentence ends at
``.``, ``!``, ``?`` or ``;`` before whitespace, but not at a period after a lone letter: an initial (``T.J.
McConnell``, ``J. Smith``) does not end a sentence in any script with letters, so a name stays whole; the price
is a sentence ending in a one-letter word (``plan B.``), which then runs on into the next one. Chunks are
slices of the original text (``Chunk.start``/``end`` are character offsets), and consecutive chunks overlap
by about ``overlap_chars`` so that a fact cut by a boundary is seen whole in one of them.

The rows found per chunk are merged by :mod:`text2table.pipeline.row_merge`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from text2table.errors import ConfigError

_PARAGRAPH = re.compile(r"\n[ \t]*\n\s*")
_LINE = re.compile(r"\n")
_SENTENCE = re.compile(r"(?<=[.!?;])(?<!\b[^\W\d_]\.)[\"')\]]*\s+")  # not after an initial ("T.J. ")
_SPACE = re.compile(r"\s+")
_KINDS = (_PARAGRAPH, _LINE, _SENTENCE, _SPACE)


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
