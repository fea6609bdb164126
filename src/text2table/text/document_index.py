"""A document prepared for many "is this value in the text?" questions: :class:`DocumentIndex`.

Both the document and the value are reduced to canonical tokens (:func:`text2table.text.normalise.canonical_tokens`).
A value is supported when its token sequence occurs contiguously in the document's. A value without letters or
digits (``£``) is supported when its folded text occurs in the folded document. A yes/no value (``yes``, ``no``,
``true``, ``false``) is supported when a token of its field name occurs in the document, since documents state
such facts in words ("family friendly") rather than as "yes". A value that fails verbatim is still supported in
another spelling of the same words (:mod:`text2table.text.variants`: ``city centre`` for "city center",
``riverside`` for "river side"; a yes/no column's words also in the plural).
"""

from __future__ import annotations

from text2table.text.normalise import (BOOLEAN_WORDS, NUMBER_WORDS, canonical_tokens, drop_thousands_commas, fold,
                                       raw_words)
from text2table.text.variants import compounds, field_words, spelling_key, word_key


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
            self._words = frozenset(raw_words(self.folded))
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
        return NUMBER_WORDS.isdisjoint(self.words) and not ("," in self.folded
                                                             and drop_thousands_commas(self.folded) != self.folded)
