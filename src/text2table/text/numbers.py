"""The number a model wrote for a numeric field: ``24`` or ``"24"`` -> 24, ``"seven"`` -> 7 in English.

pi2's grammar lets the model write the value of an ``integer`` or ``number`` field bare (``24``) or quoted
(``"24"``, ``"seven"``; :func:`text2table.decoding.constraints.rows_constraint`), because adapters trained on
string-typed schemas quote every value, and a grammar that forbids the quote made them write ``null``.
:func:`numeric_value` reads either form as the field's type:

- a numeral: an optional sign, digits, an optional decimal point (``"-3"``, ``"4.5"``); with thousands commas
  (``"1,234"``) only in English, where the comma cannot be a decimal comma;
- a number written in English words (``"seven"``, ``"twenty-one"``, ``"one hundred and five"``) only when the
  document's language is English (``metadata.language`` ``en`` or ``en-*``).

It gives None (the cell is not a number the text states) for anything else: a number with other words
(``"24 points"``, ``"about 7"``, ``"7-of-11"``), two numbers (``"two three"``), number words in a document of
another language or of no known language, a fraction in an ``integer`` field (``"4.5"``; ``"4.0"`` is 4), and
a boolean. String fields are never read by it.
"""

from __future__ import annotations

import math
import re
from typing import Any

from text2table.text.normalise import NUMBER_WORDS, canonical_tokens, fold, raw_words

_NUMERAL = re.compile(r"[+-]?(?:\d+|\d{1,3}(?:,\d{3})+)(?:\.\d+)?")
NUMERIC_TYPES = ("integer", "number")


def is_english(language: str | None) -> bool:
    """True for ``en`` and its regional codes (``en-GB``, ``EN_us``)."""
    return isinstance(language, str) and language.strip().casefold().replace("_", "-").split("-")[0] == "en"


def _spelled(text: str) -> int | None:
    words = raw_words(fold(text))
    if not words or any(w not in NUMBER_WORDS and w != "and" for w in words) or words[0] == "and":
        return None
    tokens = canonical_tokens(text)
    return int(tokens[0]) if len(tokens) == 1 and tokens[0].isdigit() else None


def _parsed(text: str, english: bool) -> int | float | None:
    text = text.strip()
    if _NUMERAL.fullmatch(text):
        if "," in text and not english:
            return None
        plain = text.replace(",", "")
        return float(plain) if "." in plain else int(plain)
    return _spelled(text) if english else None


def numeric_value(value: Any, kind: str, language: str | None) -> int | float | None:
    """``value`` as a number of ``kind`` (``"integer"`` or ``"number"``), or None when it is not one.

    >>> numeric_value("24", "integer", "en"), numeric_value(" seven ", "integer", "en"), numeric_value(24, "integer", None)
    (24, 7, 24)
    >>> numeric_value("twenty-one", "integer", "en-GB"), numeric_value("1,234", "number", "en"), numeric_value("4.5", "number", "de")
    (21, 1234, 4.5)
    >>> numeric_value("sieben", "integer", "de"), numeric_value("seven", "integer", "fr"), numeric_value("24 points", "integer", "en")
    (None, None, None)
    >>> numeric_value("4.5", "integer", "en"), numeric_value("4.0", "integer", "en"), numeric_value(True, "integer", "en")
    (None, 4, None)
    """
    if kind not in NUMERIC_TYPES:
        raise ValueError(f"kind must be one of {NUMERIC_TYPES}, got {kind!r}")
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        number = _parsed(value, is_english(language))
    elif isinstance(value, (int, float)):
        number = value
    else:
        return None
    if number is None or (isinstance(number, float) and not math.isfinite(number)):
        return None
    if kind == "integer":
        if isinstance(number, float):
            return int(number) if number.is_integer() else None
        return number
    return number
