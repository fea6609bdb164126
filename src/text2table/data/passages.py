"""pi2 targets passage by passage, as the pipeline asks pi2 for a table with a row per entity.

With ``PipelineConfig.row_chunk_chars`` the pipeline does not show pi2 a whole prose document when the table
has a row per entity: it cuts each chunk into passages at sentence ends (:func:`text2table.pipeline.chunking.
row_passages`) and asks for the rows of one passage at a time. :func:`passage_rows` cuts a gold record's
document the same way and gives each passage the gold rows it states:

- a row is kept when the passage supports its header (the first field: the entity's name, in any of the
  forms :meth:`text2table.text.document_index.DocumentIndex.supports` accepts);
- in a kept row, a cell the passage does not support is null (its fact is stated in another passage);
- a passage that names no gold entity keeps no row (pi2 learns to answer a passage without entities with no
  rows);
- with ``facts_only``, a row whose gold cells the passage all leaves unstated (it names the entity, its facts
  are in other passages) is not kept either, as a document's gold has no row for an entity it states nothing
  of; a gold row with no cell but its header is kept wherever the passage names it;
- with ``family_names``, a passage that names a person by the family name alone (``Harris recorded 25
  points`` after ``Tobias Harris`` in an earlier passage) keeps the row headed as the passage writes it
  (``Harris``), when no other gold row has that family name: the pipeline joins it to the full name
  (:func:`text2table.pipeline.row_merge.merge_chunk_rows`, check ``family_names``). Without it such a passage
  keeps no row, and pi2 learns to leave the facts it states unread.

:func:`passages_kept` keeps fewer of the passages without a row (a summary that names a dozen entities in a few
sentences can give more empty passages than full ones, and a model trained on them learns to answer empty).

It gives nothing (read whole) for a one-entity table (``kv_single``), a table without rows, and a document
the pipeline reads in one piece (shorter than a passage, or written in lines).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from text2table.checks.family_names import family_name
from text2table.pipeline.chunking import row_passages, split_document
from text2table.pipeline.config import PipelineConfig
from text2table.text.document_index import DocumentIndex
from text2table.text.normalise import cell_text

Row = dict[str, Any]


def passage_rows(document: str, structure: str, names: list[str], rows: list[Row], size: int, *,
                 missing: tuple[str, ...] = (), config: PipelineConfig | None = None,
                 facts_only: bool = False, family_names: bool = False) -> list[tuple[str, list[Row]]]:
    """``(passage, its rows)`` for each passage pi2 reads of ``document`` with passages of ``size`` characters
    (chunks as ``config`` cuts them, the pipeline's defaults when None); ``[]`` when pi2 reads it whole.
    ``facts_only``: leave out a row the passage states no cell of but its header; ``family_names``: keep a row
    the passage names by its family name alone, so headed (see the module docstring).

    >>> doc = "Ann Lee scored 20 points. " * 12 + "Bo Kim added 9 assists."
    >>> parts = passage_rows(doc, "flat_single_row", ["player", "points", "assists"],
    ...                      [{"player": "Ann Lee", "points": "20", "assists": None},
    ...                       {"player": "Bo Kim", "points": None, "assists": "9"}], 200)
    >>> [[row["player"] for row in rows] for _, rows in parts]
    [['Ann Lee'], ['Ann Lee', 'Bo Kim']]
    >>> named = "Bo Kim watched. " + doc  # the first passage names Bo Kim and states none of his facts
    >>> [[row["player"] for row in rows] for _, rows in passage_rows(
    ...     named, "flat_single_row", ["player", "points", "assists"],
    ...     [{"player": "Ann Lee", "points": "20", "assists": None},
    ...      {"player": "Bo Kim", "points": None, "assists": "9"}], 200, facts_only=True)]
    [['Ann Lee'], ['Ann Lee', 'Bo Kim']]
    >>> later = "Ann Lee scored 20 points. " + "The crowd cheered. " * 10 + "Lee added 9 assists, and Kim watched."
    >>> [[(row["player"], row["assists"]) for row in rows] for _, rows in passage_rows(
    ...     later, "flat_single_row", ["player", "points", "assists"],
    ...     [{"player": "Ann Lee", "points": "20", "assists": "9"}], 200, facts_only=True, family_names=True)]
    [[('Ann Lee', None)], [('Lee', '9')]]
    >>> [[row["player"] for row in rows] for _, rows in passage_rows(
    ...     later, "flat_single_row", ["player", "points", "assists"],
    ...     [{"player": "Ann Lee", "points": "20", "assists": "9"}], 200, facts_only=True)]
    [['Ann Lee'], []]
    """
    if structure == "kv_single" or not rows or not names or size <= 0:
        return []
    config = config or PipelineConfig()
    chunks = split_document(document, config.chunk_chars, config.overlap_chars)
    passages = row_passages(chunks, structure, size)
    if len(passages) < 2:
        return []
    heads = [cell_text(row.get(names[0]), missing) for row in rows]
    families = Counter(family_name(h) for h in heads if h)  # a one-word gold row "Lee" counts too
    out = []
    for passage in passages:
        index = DocumentIndex.build(passage)
        kept = []
        for head, row in zip(heads, rows):
            written = head
            if head is not None and not index.supports(head, names[0]) and family_names:
                family = family_name(head) if len(head.split()) >= 2 else None
                written = family if family and families[family] == 1 and _writes(passage, family) else None
            if written is None or not index.supports(written, names[0]):
                continue
            cut = {name: value if (text := cell_text(value, missing)) is None or index.supports(text, name)
                   else None for name, value in row.items()}
            cut[names[0]] = written if written != head else cut[names[0]]
            if facts_only and _states_more(row, names, missing) and not _states_more(cut, names, missing):
                continue
            kept.append(cut)
        out.append((passage, kept))
    return out


def _writes(passage: str, word: str) -> bool:
    """The passage writes ``word`` as a word of its own, in the same case."""
    return re.search(rf"(?<![\w'’.-]){re.escape(word)}(?![\w’-]|'(?!s\b))", passage) is not None


def _states_more(row: Row, names: list[str], missing: tuple[str, ...]) -> bool:
    """The row has a value in a field other than its header (the first)."""
    return any(cell_text(row.get(name), missing) is not None for name in names[1:])


def passages_kept(parts: list[tuple[str, list[Row]]], share: float) -> list[int]:
    """The indices of ``parts`` kept when passages that keep no row are dropped until they are at most
    ``share`` of those left (1.0: all kept). The empties kept are spread evenly over the document; a document
    whose passages are all empty keeps its first.

    >>> parts = [("a", [{"x": 1}]), ("b", []), ("c", []), ("d", []), ("e", [{"x": 2}])]
    >>> passages_kept(parts, 1 / 3)
    [0, 1, 4]
    """
    if not 0.0 <= share <= 1.0:
        raise ValueError(f"share of empty passages must be within [0, 1], got {share}")
    empty = [i for i, (_, rows) in enumerate(parts) if not rows]
    if share >= 1.0 or not empty:
        return list(range(len(parts)))
    full = len(parts) - len(empty)
    if not full:
        return [0]
    k = int(share * full / (1.0 - share) + 1e-9)
    keep = {empty[j * len(empty) // k] for j in range(k)} if k else set()
    return [i for i, (_, rows) in enumerate(parts) if rows or i in keep]
