"""Rows told in sentences: a run of sentences written to one pattern, one table row each.

A career ("From 1990–1992 Hana was adviser at Drabri Technologies. From 1992–1995 ..."), a dose escalation
("Cohort 1 received 25 mg with 3 patients ..."), an invoice in an e-mail ("Copywriting: 566 at 0.21 each, so
118.86.") or a forecast ("Monday: showers, with a high of 23°C ...") is a table without markers.
:func:`find_sentence_list` finds it so that the pipeline can read it one item at a time, as it reads a
bulleted list (:mod:`text2table.layout.item_lists`).

How, in three steps:

1. **Anchors.** Sentences holding a number are linked when they share at least three pattern words (the
   lower-case words, and the first word; capitalised names do not count) and these make up at least 60% of
   the shorter sentence's pattern words. The largest linked group, of three or more, holds the anchors.
2. **Item starts.** The anchors are the rows. When every anchor holds a number of one specific shape (a year
   ``9999``, a range ``9999–9999``; not a bare one- or two-digit count), every sentence with that shape in
   the anchors' paragraphs (and in adjacent paragraphs holding one) starts a row too: a career written in two
   patterns ("1997–1999: team lead at ...") keeps all its rows.
3. **Items.** An item is its starting sentence and the sentences after it in the same paragraph up to the
   next start; after the last start, only those holding a number ("Chance of rain 60%. Wind SW 5 km/h."),
   so that a closing remark ("Amounts exclude VAT.") stays out.

Rows of a grid, CSV or semicolon-delimited table are not sentences and are left out (such a document is
parsed by :mod:`text2table.layout.explicit_tables` first).

It must not fire on a single record told in several sentences: the anchors need three or more sentences of
one pattern, each holding a number. Where it was checked: docs/measurements.md.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import NamedTuple

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(]?[^\W_])")
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_NUMBER = re.compile(r"\d+(?:[.,:–/-]\d+)*")
_BARE_COUNT = re.compile(r"9{1,2}")
_GRID_LINE = re.compile(r"\t|\||\S {2,}\S.* {2,}\S")  # a row of a pipe, tab or space-aligned grid
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")
MIN_ITEMS = 3
MIN_SHARED = 3
MIN_OVERLAP = 0.6


class Sentence(NamedTuple):
    paragraph: int  #: paragraphs are separated by blank lines
    line: int  #: 1-based line of the document
    text: str


def sentences(document: str) -> list[Sentence]:
    """The document's sentences; a line break also ends a sentence; grid-table lines are left out."""
    out: list[Sentence] = []
    paragraph, blank = 0, False
    for number, line in enumerate(document.splitlines(), start=1):
        if not line.strip():
            blank = True
            continue
        paragraph, blank = paragraph + blank, False
        if _is_grid_row(line):
            continue
        out.extend(Sentence(paragraph, number, s.strip()) for s in _SENTENCE_END.split(line.strip()) if s.strip())
    return out


def _is_grid_row(line: str) -> bool:
    """A grid-table row, or a delimited one: three commas or two semicolons, none followed by a space
    (``Fri 25;14;10;showers;;N 39 km/h``; a thousands separator does not count)."""
    if _GRID_LINE.search(line):
        return True
    bare = _THOUSANDS.sub("", line)
    return any(bare.count(d) >= n and f"{d} " not in bare for d, n in ((",", 3), (";", 2)))


def pattern_words(sentence: str) -> set[str]:
    """The words that make a sentence's pattern: lower-case ones and the first word, lower-cased.

    >>> sorted(pattern_words("Cohort 2 received 50 mg with Dr Ames."))
    ['cohort', 'mg', 'received', 'with']
    """
    words = _WORD.findall(sentence)
    return {w.casefold() for i, w in enumerate(words) if i == 0 or not w[0].isupper()}


def number_shapes(sentence: str) -> set[str]:
    """Each number with its digits written as 9s: ``1990–1992`` is ``9999–9999``, ``£1,037.99`` is ``9,999.99``."""
    return {re.sub(r"\d+", lambda m: "9" * len(m.group()), n) for n in _NUMBER.findall(sentence)}


def _anchors(words: list[set[str]], shapes: list[set[str]]) -> list[int]:
    """The largest group of three or more linked sentences that hold a number (union-find over pairs)."""
    parent = list(range(len(words)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    usable = [i for i in range(len(words)) if shapes[i] and len(words[i]) >= 2]
    for a, i in enumerate(usable):
        for j in usable[a + 1:]:
            shared = len(words[i] & words[j])
            if shared >= MIN_SHARED and shared >= MIN_OVERLAP * min(len(words[i]), len(words[j])):
                parent[root(j)] = root(i)
    groups: dict[int, list[int]] = {}
    for i in usable:
        groups.setdefault(root(i), []).append(i)
    best = max(groups.values(), key=len, default=[])
    return best if len(best) >= MIN_ITEMS else []


def _row_shape(anchors: list[int], shapes: list[set[str]], outside: Counter[str]) -> str | None:
    """The number shape every anchor holds that is most specific: fewest other sentences hold it."""
    counts = Counter(s for i in anchors for s in shapes[i])
    common = [s for s, c in counts.items() if c == len(anchors) and not _BARE_COUNT.fullmatch(s)]
    return min(common, key=lambda s: (outside[s], -len(s), s), default=None)


def find_sentence_list(document: str) -> list[str] | None:
    """The items of the document's run of same-pattern sentences (three or more), or None.

    >>> find_sentence_list("Results by cohort.\\n\\nCohort 1 received 25 mg with 3 patients and no toxicity. "
    ...     "Cohort 2 received 50 mg with 3 patients and no toxicity. Cohort 3 received 100 mg with 6 patients "
    ...     "and no toxicity.\\n\\nData cut-off was in May.")[1]
    'Cohort 2 received 50 mg with 3 patients and no toxicity.'
    """
    found = find_sentence_rows(document)
    return None if found is None else found[0]


def find_sentence_rows(document: str) -> tuple[list[str], int] | None:
    """:func:`find_sentence_list`'s items and the (1-based) line its first item starts on, or None."""
    found = sentences(document)
    words = [pattern_words(s.text) for s in found]
    shapes = [number_shapes(s.text) for s in found]
    anchors = _anchors(words, shapes)
    if not anchors:
        return None
    paragraph = [s.paragraph for s in found]
    outside = Counter(s for i in range(len(found)) if i not in anchors for s in shapes[i])
    shape = _row_shape(anchors, shapes, outside)
    first, last = paragraph[anchors[0]], paragraph[anchors[-1]]
    starts = set(anchors)
    if shape is not None:
        holding = {paragraph[i] for i in range(len(found)) if shape in shapes[i]}
        while first - 1 in holding:
            first -= 1
        while last + 1 in holding:
            last += 1
        starts |= {i for i in range(len(found)) if first <= paragraph[i] <= last and shape in shapes[i]}
    ordered = sorted(starts)
    items = []
    for k, i in enumerate(ordered):
        parts, j = [found[i].text], i + 1
        final = k + 1 == len(ordered)
        while j < len(found) and j not in starts and paragraph[j] == paragraph[i] and (not final or shapes[j]):
            parts.append(found[j].text)
            j += 1
        items.append(" ".join(parts))
    return items, found[ordered[0]].line
