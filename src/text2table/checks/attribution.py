"""Whose fact is a one-word value: the column whose word it modifies in the text.

"Aromi is a coffee shop with a very low price" grounds ``low``, but for the price, not for the customer
rating: the word after the mention, ``price``, belongs to another column's name (``price_range``). The
shipped small model wrote ``customer_rating: "low"`` there and ``price_range: "high"`` for "a high customer
rating" (E2E documents). :func:`modifies_another_column` finds such a cell: a one-word value every mention of
which is followed by a word of another column's name and by none of its own column's name (function words
such as ``near`` do not count). The evidence check (:mod:`text2table.checks.verify`) nulls it.

Measured by re-checking earlier decodes of the shipped adapter (exact non-header cell F1): E2E train
documents 90.87 -> 91.33, WikiTableText train 16.25 -> 16.27, sample train unchanged (56.08).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from text2table.text.normalise import canonical_tokens
from text2table.text.variants import field_words, word_key

_ONE_WORD = re.compile(r"[^\W\d_]+")
_PHRASE_END = re.compile(r"[.!?;:,()\[\]\n]+")


def word_keys(document: str) -> list[str]:
    """The document's words as :func:`~text2table.text.variants.word_key` keys, in order; ``""`` where
    punctuation or a line break ends a phrase (a word across it does not follow a mention).

    >>> word_keys("Low prices. Family friendly")
    ['low', 'price', '', 'family', 'friendly']
    """
    keys: list[str] = []
    for phrase in _PHRASE_END.split(document):
        if keys:
            keys.append("")
        keys.extend(word_key(token) for token in canonical_tokens(phrase))
    return keys


def modifies_another_column(keys: Sequence[str], value: str, field_name: str, names: Sequence[str],
                            ignore: frozenset[str] = frozenset()) -> str | None:
    """The other column's word that follows every mention of one-word ``value``, else None.

    ``keys``: the document's :func:`word_keys`; ``ignore``: words that never count (function words).

    >>> keys = word_keys("Aromi is a coffee shop with a very low price.")
    >>> modifies_another_column(keys, "low", "customer_rating", ["customer_rating", "price_range"])
    'price'
    >>> modifies_another_column(keys, "low", "price_range", ["customer_rating", "price_range"]) is None
    True
    """
    if not _ONE_WORD.fullmatch(value.strip()):
        return None
    own = field_words(field_name)
    others = frozenset().union(*(field_words(n) for n in names if n != field_name)) - own - ignore
    target = word_key(value.strip().casefold())
    following = [keys[i + 1] if i + 1 < len(keys) else "" for i, key in enumerate(keys) if key == target]
    if not following or any(word not in others for word in following):
        return None
    return following[0]
