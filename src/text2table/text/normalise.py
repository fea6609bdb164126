"""Text normalisation shared by the checks, the layout finders and the metrics: one way to compare words.

- :func:`fold`: case-folded, accents stripped.
- :func:`canonical_tokens`: the folded text with thousands separators removed (``1,000`` -> ``1000``), split
  into runs of letters and digits, and number words turned into digits (``four`` -> ``4``,
  ``twenty-three`` -> ``23``, ``one hundred and five`` -> ``105``). The number words are English; a text in
  another language keeps its number words as words (nothing is invented, only fewer spellings meet).
- :func:`cell_text`: a JSON cell value as text (``7`` -> ``"7"``, ``true`` -> ``"true"``), or None when empty.

The document index that answers "does this value occur in the document" is
:class:`text2table.text.document_index.DocumentIndex`.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

_UNITS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen"
    " seventeen eighteen nineteen".split())}
_TENS = {w: 10 * i for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), start=2)}
_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
NUMBER_WORDS = frozenset([*_UNITS, *_TENS, *_SCALES])
_TOKEN = re.compile(r"[^\W_]+")
_SINGLE = {**{w: str(v) for w, v in _UNITS.items()}, **{w: str(v) for w, v in _TENS.items()},
           **{w: str(v) for w, v in _SCALES.items()}}
_ASCII_SEPARATORS = str.maketrans({c: " " for c in map(chr, range(128)) if not c.isalnum()})
BOOLEAN_WORDS = frozenset({"yes", "no", "true", "false"})


def fold(text: str) -> str:
    """Case-fold and strip accents (ASCII text takes the fast path)."""
    if not text.isascii():
        text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return text.casefold()


def _words_to_numbers(words: list[str]) -> list[int]:
    """Numbers spelled by a run of number words; a word that cannot continue the number starts a new one."""
    numbers: list[int] = []
    total = current = 0
    last = None  # kind of the previous word: "unit", "tens", "scale"
    for word in words:
        if word in _UNITS:
            value = _UNITS[word]
            if last == "unit" or (last == "tens" and not 0 < value < 10):
                numbers.append(total + current)
                total = current = 0
            current += value
            last = "unit"
        elif word in _TENS:
            if last in ("unit", "tens") and current % 100:
                numbers.append(total + current)
                total = current = 0
            current += _TENS[word]
            last = "tens"
        else:
            scale = _SCALES[word]
            if scale == 100:
                current = max(current, 1) * 100
            else:
                total += max(current, 1) * scale
                current = 0
            last = "scale"
    numbers.append(total + current)
    return numbers


def _merge_number_words(tokens: list[str]) -> list[str]:
    """Replace each run of number words (``and`` allowed after a scale word) by its digits."""
    hits = [i for i, tok in enumerate(tokens) if tok in NUMBER_WORDS]
    out: list[str] = []
    done = 0  # tokens[:done] are handled
    k = 0
    while k < len(hits):
        start = end = hits[k]
        k += 1
        while True:  # extend the run over adjacent number words, or "and" after a scale word
            if k < len(hits) and hits[k] == end + 1:
                end = hits[k]
                k += 1
            elif (k < len(hits) and hits[k] == end + 2 and tokens[end + 1] == "and"
                  and tokens[end] in _SCALES):
                end = hits[k]
                k += 1
            else:
                break
        out.extend(tokens[done:start])
        if start == end:
            out.append(_SINGLE[tokens[start]])
        else:
            words = [t for t in tokens[start:end + 1] if t != "and"]
            out.extend(str(v) for v in _words_to_numbers(words))
        done = end + 1
    out.extend(tokens[done:])
    return out


def drop_thousands_commas(text: str) -> str:
    """``1,000`` -> ``1000`` (a comma between a digit and exactly three digits)."""
    cuts = []
    pos = text.find(",")
    size = len(text)
    while pos >= 0:
        if (0 < pos and text[pos - 1].isdigit() and pos + 3 < size + 0 and text[pos + 1:pos + 4].isdigit()
                and (pos + 4 >= size or not text[pos + 4].isdigit())):
            cuts.append(pos)
        pos = text.find(",", pos + 1)
    if not cuts:
        return text
    pieces = []
    last = 0
    for cut in cuts:
        pieces.append(text[last:cut])
        last = cut + 1
    pieces.append(text[last:])
    return "".join(pieces)


def raw_words(folded: str) -> list[str]:
    """The runs of letters and digits of an already folded text, before number canonicalisation.

    >>> raw_words("one-two, 3 cafe")
    ['one', 'two', '3', 'cafe']
    """
    return folded.translate(_ASCII_SEPARATORS).split() if folded.isascii() else _TOKEN.findall(folded)


def canonical_tokens(text: str) -> list[str]:
    """The grounding tokens of a text.

    >>> canonical_tokens("Twenty-three points, 1,000 fans at Café Zürich")
    ['23', 'points', '1000', 'fans', 'at', 'cafe', 'zurich']
    >>> canonical_tokens("one hundred and five, two three")
    ['105', '2', '3']
    """
    folded = fold(text)
    if "," in folded:
        folded = drop_thousands_commas(folded)
    tokens = raw_words(folded)
    if not NUMBER_WORDS.isdisjoint(tokens):
        tokens = _merge_number_words(tokens)
    return tokens


def cell_text(value: Any, missing: Iterable[str] = ()) -> str | None:
    """The text of a cell, stripped, or None when the cell is empty.

    >>> cell_text("  Smith "), cell_text(None), cell_text(20), cell_text(2.0), cell_text(True), cell_text("-", {"-"})
    ('Smith', None, '20', '2', 'true', None)
    """
    if value is None:
        return None
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            return None
        text = str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    elif isinstance(value, str):
        text = value.strip()
    else:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    if not text or text in missing:
        return None
    return text
