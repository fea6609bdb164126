"""Grounding: is a predicted cell's value supported by the document?

Both the document and the value are reduced to canonical tokens: accents stripped, case-folded, thousands
separators removed (``1,000`` -> ``1000``), split into runs of letters and digits, and number words turned
into digits (``four`` -> ``4``, ``twenty-three`` -> ``23``, ``one hundred and five`` -> ``105``). A value is
grounded when its token sequence occurs contiguously in the document's. A value without letters or digits
(``£``) is grounded when its folded text occurs in the folded document. A yes/no value (``yes``, ``no``,
``true``, ``false``) is grounded when a token of its field name occurs in the document, since documents
state such facts in words ("family friendly") rather than as "yes". A value that fails verbatim is still
grounded in another spelling of the same words (:mod:`text2table.text.variants`: ``city centre`` for
"city center", ``riverside`` for "river side"; a yes/no column's words also in the plural).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from text2table.metrics.values import cell_text
from text2table.text.variants import compounds, field_words, spelling_key, word_key

_UNITS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen"
    " seventeen eighteen nineteen".split())}
_TENS = {w: 10 * i for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), start=2)}
_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
_NUMBER_WORDS = frozenset([*_UNITS, *_TENS, *_SCALES])
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
    hits = [i for i, tok in enumerate(tokens) if tok in _NUMBER_WORDS]
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


def _drop_thousands_commas(text: str) -> str:
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


def canonical_tokens(text: str) -> list[str]:
    """The grounding tokens of a text.

    >>> canonical_tokens("Twenty-three points, 1,000 fans at Café Zürich")
    ['23', 'points', '1000', 'fans', 'at', 'cafe', 'zurich']
    >>> canonical_tokens("one hundred and five, two three")
    ['105', '2', '3']
    """
    folded = fold(text)
    if "," in folded:
        folded = _drop_thousands_commas(folded)
    tokens = folded.translate(_ASCII_SEPARATORS).split() if folded.isascii() else _TOKEN.findall(folded)
    if not _NUMBER_WORDS.isdisjoint(tokens):
        tokens = _merge_number_words(tokens)
    return tokens


class DocumentIndex:
    """A document prepared for many grounding checks: the folded text now, canonical tokens when needed."""

    __slots__ = ("folded", "_joined", "_vocabulary", "_words", "_forms")

    def __init__(self, document: str) -> None:
        self.folded = fold(document)
        self._joined: str | None = None
        self._vocabulary: frozenset[str] | None = None
        self._words: frozenset[str] | None = None
        self._forms: tuple[str, frozenset[str], frozenset[str]] | None = None

    @property
    def words(self) -> frozenset[str]:
        """The folded document's raw words (runs of letters and digits), before number canonicalisation."""
        if self._words is None:
            text = self.folded
            self._words = frozenset(text.translate(_ASCII_SEPARATORS).split() if text.isascii()
                                    else _TOKEN.findall(text))
        return self._words

    @classmethod
    def build(cls, document: str) -> "DocumentIndex":
        return cls(document)

    def _tokens(self) -> None:
        tokens = canonical_tokens(self.folded)
        self._joined = " " + " ".join(tokens) + " "
        self._vocabulary = frozenset(tokens)

    @property
    def joined(self) -> str:
        """Canonical tokens joined by single spaces, with a space at both ends."""
        if self._joined is None:
            self._tokens()
        return self._joined  # type: ignore[return-value]

    @property
    def vocabulary(self) -> frozenset[str]:
        if self._vocabulary is None:
            self._tokens()
        return self._vocabulary  # type: ignore[return-value]

    def verbatim(self, folded_value: str) -> bool:
        """The folded value occurs in the folded document, not inside a longer word or number."""
        text, size = self.folded, len(folded_value)
        check_left, check_right = folded_value[0].isalnum(), folded_value[-1].isalnum()
        pos = text.find(folded_value)
        while pos >= 0:
            if ((not check_left or pos == 0 or not text[pos - 1].isalnum())
                    and (not check_right or pos + size >= len(text) or not text[pos + size].isalnum())):
                return True
            pos = text.find(folded_value, pos + 1)
        return False

    def supports(self, value: str, field_name: str | None = None) -> bool:
        """True when the value (non-empty text) is grounded in the document, verbatim or in another form
        (:mod:`text2table.text.variants`).

        >>> index = DocumentIndex.build("Smith scored four points. The Vaults is family friendly.")
        >>> index.supports("4"), index.supports("Smith"), index.supports("5"), index.supports("yes", "family_friendly")
        (True, True, False, True)
        >>> index = DocumentIndex.build("In the city center, by the river side.")
        >>> index.supports("City Centre"), index.supports("riverside"), index.supports("river")
        (True, True, True)
        """
        folded = fold(value).strip()
        if not folded:
            return False
        if field_name is not None and folded in BOOLEAN_WORDS:
            return not self.forms[1].isdisjoint(field_words(field_name))  # "for families" too
        return self._verbatim_tokens(folded) or self._other_form(folded)

    def _verbatim_tokens(self, folded: str) -> bool:
        if folded.isalnum() and folded.isascii():
            if folded in self.words:
                return True
        elif self.verbatim(folded):
            return True
        tokens = canonical_tokens(folded)
        if not tokens:
            return False
        words = self.words
        for token in tokens:  # a letter token the document lacks cannot match (canonicalising only makes digits)
            if token not in words and (not token.isdigit() or self._plain()):
                return False
        return f" {' '.join(tokens)} " in self.joined

    @property
    def forms(self) -> tuple[str, frozenset[str], frozenset[str]]:
        """The document in one spelling (joined with spaces at both ends), its word keys (singular, one
        spelling) and its two-word compounds."""
        if self._forms is None:
            tokens = self.joined.split()
            spelled = " ".join(spelling_key(t) for t in tokens)
            self._forms = (f" {spelled} ", frozenset(word_key(t) for t in tokens), compounds(tokens))
        return self._forms

    def _other_form(self, folded: str) -> bool:
        """Grounded once British/American spelling and compounds (``river side``) are forgiven; a value's
        plural is not (``Vault`` is not ``The Vaults``)."""
        tokens = canonical_tokens(folded)
        if not tokens:
            return False
        spelled, _, pairs = self.forms
        if f" {' '.join(spelling_key(t) for t in tokens)} " in spelled:
            return True
        if len(tokens) == 1:
            return len(tokens[0]) >= 6 and tokens[0] in pairs
        return len(tokens) == 2 and tokens[0].isalpha() and tokens[1].isalpha() and tokens[0] + tokens[1] in self.words

    def _plain(self) -> bool:
        """True when canonical tokens equal the raw words (no number words, no thousands separators)."""
        return _NUMBER_WORDS.isdisjoint(self.words) and not ("," in self.folded
                                                             and _drop_thousands_commas(self.folded) != self.folded)


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
