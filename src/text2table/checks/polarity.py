"""Which way a document states a yes/no fact: "family friendly" or "not family friendly".

A yes/no column (``family_friendly``) is grounded by its words in the text (see
:meth:`text2table.text.document_index.DocumentIndex.supports`), which says nothing about the answer's sign. The
shipped small model read "a non-family-friendly coffee shop" as ``yes`` and "the kid friendly coffee shop"
as ``no`` (E2E documents). :func:`evidence_polarity` reads the sign off the words themselves: a mention of
the column's words is negated when ``not``, ``non``, ``no``, ``never``, ``without`` or a ``n't`` form is
one of the three words before it in the same clause (clauses end at punctuation and at ``and``, ``but``,
``or``, ``while``, ``although``, ``though``, ``yet``), so "not a kid friendly place" is negated and "not
expensive and family friendly" is not. The evidence check (:mod:`text2table.checks.verify`) turns a yes/no cell
that contradicts it.
"""

from __future__ import annotations

import re

from text2table.text.normalise import canonical_tokens
from text2table.text.variants import field_words, word_key

_NEGATORS = frozenset({"not", "non", "no", "never", "without", "nor", "cannot",
                       "isn", "aren", "wasn", "weren", "doesn", "don", "didn", "hasn", "haven"})
_CLAUSE = re.compile(r"[.!?;:,\n]+|\b(?:and|but|or|while|although|though|yet)\b", re.IGNORECASE)
_FLIP = {"yes": "no", "no": "yes", "true": "false", "false": "true"}


def evidence_polarity(document: str, field_name: str) -> bool | None:
    """True when every mention of the column's words is affirmed, False when every one is negated, None
    when they disagree or the text never mentions them.

    >>> evidence_polarity("The Eagle is a non-family-friendly pub.", "family_friendly")
    False
    >>> evidence_polarity("A kid friendly coffee shop. It is not expensive, and family friendly.", "family_friendly")
    True
    >>> evidence_polarity("It serves Chinese food but is not a kid friendly place.", "family_friendly")
    False
    >>> evidence_polarity("Welcome to families, but it is not family friendly.", "family_friendly") is None
    True
    """
    words = field_words(field_name)
    signs: set[bool] = set()
    for clause in _CLAUSE.split(document):
        tokens = canonical_tokens(clause)
        for i, token in enumerate(tokens):
            if word_key(token) in words:
                signs.add(_NEGATORS.isdisjoint(tokens[max(0, i - 3):i]))
    return signs.pop() if len(signs) == 1 else None


def flipped(value: object) -> object:
    """The opposite yes/no answer in the same form (``"Yes"`` -> ``"No"``, ``True`` -> ``False``)."""
    if isinstance(value, bool):
        return not value
    text = str(value)
    other = _FLIP[text.strip().casefold()]
    if text.isupper():
        return other.upper()
    return other.capitalize() if text[:1].isupper() else other


def contradicts(value: object, polarity: bool | None) -> bool:
    """True when a yes/no ``value`` says the opposite of the document's ``polarity``."""
    if polarity is None:
        return False
    if isinstance(value, bool):
        return value != polarity
    key = str(value).strip().casefold()
    return key in _FLIP and (key in ("yes", "true")) != polarity
