"""Where a value occurs in a text: character spans ``[start, end)`` of the original, as LangExtract aligns them.

:class:`SourceText` reads a text (or a window of a document) once into tokens that remember their offsets:
the runs of letters and digits of the folded text (case and accents aside), a thousands separator joined
(``1,000`` is one token ``1000``) and a run of number words turned into its digits (``twenty-three`` is one
token ``23`` covering both words). A value occurs where its own tokens
(:func:`~text2table.text.normalise.canonical_tokens`) follow each other in that order; failing that, in another spelling of the same words
(:func:`~text2table.text.variants.spelling_key`: ``city centre`` in "city center") or as a compound written in
one or two words (``riverside`` in "river side", values of six letters or more). A value without letters or
digits (``£``) occurs where its folded text does. Offsets always index the original text, whatever folding
did to its length.

This is the evidence the checks (:mod:`text2table.checks`) record; the grounding metric keeps its own matching
(:class:`text2table.text.document_index.DocumentIndex`), so a metric never measures the filter that ran before it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import NamedTuple

from text2table.text.normalise import NUMBER_WORDS, canonical_tokens, fold
from text2table.text.variants import spelling_key, word_key

Span = tuple[int, int]
_TOKEN = re.compile(r"[^\W_]+")
_SCALES = frozenset({"hundred", "thousand", "million"})


class Token(NamedTuple):
    key: str  #: the canonical form (folded; digits for number words)
    start: int  #: offset of its first character in the original text
    end: int  #: offset after its last character


def _fold_with_offsets(text: str) -> tuple[str, list[int] | None]:
    """The folded text and, when folding changed lengths, the original offset of each folded character."""
    if text.isascii():
        return text.casefold(), None
    chars: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        folded = ch.casefold() if ch.isascii() else "".join(
            c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c)).casefold()
        chars.append(folded)
        where.extend([i] * len(folded))
    return "".join(chars), where


def _raw_tokens(folded: str, where: list[int] | None, offset: int) -> list[Token]:
    """Runs of letters and digits; a comma between digits and exactly three digits joins them (``1,000``)."""
    out: list[Token] = []
    last_end = -1
    for m in _TOKEN.finditer(folded):
        start, end = m.span()
        word = m.group()
        if (out and last_end == start - 1 and folded[last_end] == "," and out[-1].key[-1:].isdigit()
                and word[:3].isdigit() and len(word) >= 3 and not word[3:4].isdigit()):
            previous = out.pop()
            out.append(Token(previous.key + word, previous.start, _at(where, end - 1, offset) + 1))
        else:
            out.append(Token(word, _at(where, start, offset), _at(where, end - 1, offset) + 1))
        last_end = end
    return out


def _at(where: list[int] | None, index: int, offset: int) -> int:
    return offset + (index if where is None else where[index])


def _merge_number_words(tokens: list[Token]) -> list[Token]:
    """Each run of number words (``and`` allowed after a scale word) becomes its digits, spanning the run."""
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        if tokens[i].key not in NUMBER_WORDS:
            out.append(tokens[i])
            i += 1
            continue
        j = i + 1
        while j < len(tokens) and (tokens[j].key in NUMBER_WORDS or (
                tokens[j].key == "and" and tokens[j - 1].key in _SCALES and j + 1 < len(tokens)
                and tokens[j + 1].key in NUMBER_WORDS)):
            j += 1
        numbers = canonical_tokens(" ".join(t.key for t in tokens[i:j]))
        out.extend(Token(n, tokens[i].start, tokens[j - 1].end) for n in numbers)
        i = j
    return out


class SourceText:
    """A text (or the window ``[start, end)`` of a document) read once for many "where is this value?" questions.

    >>> src = SourceText("Smith scored twenty-three points; 1,204 fans saw it in the city center.")
    >>> src.find("23"), src.find("1204"), src.find("City Centre"), src.find("Jones")
    ((13, 25), (34, 39), (59, 70), None)
    """

    __slots__ = ("text", "start", "end", "_tokens", "_positions", "_spelled", "_found")

    def __init__(self, document: str, start: int = 0, end: int | None = None) -> None:
        self.start = max(0, start)
        self.end = len(document) if end is None else min(len(document), end)
        self.text = document[self.start:self.end]
        self._tokens: list[Token] | None = None
        self._positions: dict[str, list[int]] | None = None
        self._spelled: list[str] | None = None
        self._found: dict[str, list[Span]] = {}  # folded value -> its mentions (a cache)

    @property
    def tokens(self) -> list[Token]:
        if self._tokens is None:
            folded, where = _fold_with_offsets(self.text)
            tokens = _raw_tokens(folded, where, self.start)
            self._tokens = _merge_number_words(tokens) if any(t.key in NUMBER_WORDS for t in tokens) else tokens
        return self._tokens

    def _index(self) -> dict[str, list[int]]:
        if self._positions is None:
            self._positions = {}
            for k, token in enumerate(self.tokens):
                self._positions.setdefault(token.key, []).append(k)
        return self._positions

    def mentions(self, value: str) -> list[Span]:
        """Every place the value occurs, in order and without overlaps (empty when it does not occur)."""
        folded = fold(value).strip()
        if not folded:
            return []
        if folded not in self._found:
            self._found[folded] = self._mentions(folded)
        return self._found[folded]

    def _mentions(self, folded: str) -> list[Span]:
        wanted = canonical_tokens(folded)
        if not wanted:
            return self._verbatim(folded)
        found = self._runs(wanted)
        if not found:
            found = self._spelled_runs([spelling_key(t) for t in wanted])
        if not found:
            found = self._compounds(wanted)
        return found

    def find(self, value: str) -> Span | None:
        """The first place the value occurs, or None."""
        found = self.mentions(value)
        return found[0] if found else None

    def word_mentions(self, keys: frozenset[str]) -> list[Span]:
        """The tokens whose :func:`~text2table.text.variants.word_key` is one of ``keys`` (a column's words)."""
        return [(t.start, t.end) for t in self.tokens if word_key(t.key) in keys]

    def _runs(self, wanted: Sequence[str]) -> list[Span]:
        tokens, out, after = self.tokens, [], -1
        if len(wanted) == 1:
            return [(tokens[k].start, tokens[k].end) for k in self._index().get(wanted[0], [])]
        for k in self._index().get(wanted[0], []):
            if k > after and [t.key for t in tokens[k:k + len(wanted)]] == list(wanted):
                out.append((tokens[k].start, tokens[k + len(wanted) - 1].end))
                after = k + len(wanted) - 1
        return out

    def _spelled_runs(self, wanted: list[str]) -> list[Span]:
        if self._spelled is None:
            self._spelled = [spelling_key(t.key) for t in self.tokens]
        spelled, out, k = self._spelled, [], 0
        while k + len(wanted) <= len(spelled):
            if spelled[k:k + len(wanted)] == wanted:
                out.append((self.tokens[k].start, self.tokens[k + len(wanted) - 1].end))
                k += len(wanted)
            else:
                k += 1
        return out

    def _compounds(self, wanted: list[str]) -> list[Span]:
        """``riverside`` in "river side" (six letters or more), ``river side`` in "riverside"."""
        tokens = self.tokens
        if len(wanted) == 1 and len(wanted[0]) >= 6:
            return [(a.start, b.end) for a, b in zip(tokens, tokens[1:])
                    if a.key.isalpha() and b.key.isalpha() and a.key + b.key == wanted[0]]
        if len(wanted) == 2 and wanted[0].isalpha() and wanted[1].isalpha():
            return [(t.start, t.end) for t in tokens if t.key == wanted[0] + wanted[1]]
        return []

    def _verbatim(self, folded: str) -> list[Span]:
        text, where = _fold_with_offsets(self.text)
        out, pos = [], text.find(folded)
        while pos >= 0:
            out.append((_at(where, pos, self.start), _at(where, pos + len(folded) - 1, self.start) + 1))
            pos = text.find(folded, pos + len(folded))
        return out


def locate_items(document: str, items: Sequence[str]) -> list[Span | None]:
    """The span of each item's text in the document, searched in order (None for an item not found verbatim).

    >>> locate_items("- 2 eggs\\n- feta\\n- 2 eggs", ["2 eggs", "feta", "2 eggs", "dill"])
    [(2, 8), (11, 15), (18, 24), None]
    """
    out: list[Span | None] = []
    cursor = 0
    for item in items:
        pos = document.find(item, cursor) if item else -1
        if pos < 0 and item:
            pos = document.find(item)
        if pos < 0:
            out.append(None)
            continue
        out.append((pos, pos + len(item)))
        cursor = pos + len(item)
    return out
