"""The field-naming policy: any header text -> a ``lower_snake_case`` ASCII name, and collision suffixes.

Rules, applied in this order (the result is a fixed point: normalising twice changes nothing):

1. split camelCase (``eatType`` -> ``eat Type``, ``HTTPServer`` -> ``HTTP Server``);
2. transliterate accents and a few letters to ASCII (``é`` -> ``e``, ``ß`` -> ``ss``, ``æ`` -> ``ae``);
3. spell out symbols that carry meaning: ``%`` -> ``pct``, ``#`` -> ``num``, ``&`` -> ``and``, ``+`` -> ``plus``;
4. lower-case; every run of other characters (spaces, punctuation) becomes one ``_``; strip ``_`` at the ends;
5. a name starting with a digit gets the prefix ``f_``; an empty name becomes ``field``;
6. names are cut to 64 characters (without a trailing ``_``).

Collisions (:func:`dedupe_names`): the second ``x`` becomes ``x_2``, the third ``x_3``, in order of appearance.
"""

from __future__ import annotations

import re
import unicodedata

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
MAX_NAME_LENGTH = 64
EMPTY_NAME = "field"

_LETTERS = {"ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "œ": "oe", "Œ": "OE", "đ": "d",
            "Đ": "D", "ł": "l", "Ł": "L", "þ": "th", "Þ": "Th", "ð": "d", "Ð": "D", "ı": "i"}
_SYMBOLS = {"%": " pct ", "#": " num ", "&": " and ", "+": " plus "}
_CAMEL_LOWER_UPPER = re.compile(r"([a-z0-9])([A-Z])")
_CAMEL_ACRONYM = re.compile(r"([A-Z]+)([A-Z][a-z])")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def to_ascii(text: str) -> str:
    """Transliterate to ASCII: strip accents, map a few letters, drop what has no ASCII form."""
    text = "".join(_LETTERS.get(ch, ch) for ch in text)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).encode(
        "ascii", "ignore").decode("ascii")


def normalize_name(header: str) -> str:
    """Return the policy name of ``header``.

    >>> normalize_name("Customer Rating")
    'customer_rating'
    >>> normalize_name("eatType")
    'eat_type'
    >>> normalize_name("Année de création")
    'annee_de_creation'
    >>> normalize_name("3-pt %")
    'f_3_pt_pct'
    """
    if not isinstance(header, str):
        raise TypeError(f"a header must be a string, got {type(header).__name__}: {header!r}")
    text = to_ascii(header)
    text = _CAMEL_ACRONYM.sub(r"\1 \2", _CAMEL_LOWER_UPPER.sub(r"\1 \2", text))
    for symbol, word in _SYMBOLS.items():
        text = text.replace(symbol, word)
    name = _NON_ALNUM.sub("_", text.lower()).strip("_")
    if not name:
        return EMPTY_NAME
    if name[0].isdigit():
        name = "f_" + name
    return name[:MAX_NAME_LENGTH].rstrip("_")


def dedupe_names(names: list[str]) -> list[str]:
    """Make names unique: repeats get ``_2``, ``_3``... in order of appearance; unique lists are unchanged.

    >>> dedupe_names(["points", "points", "team", "points"])
    ['points', 'points_2', 'team', 'points_3']
    """
    seen: set[str] = set()
    counts: dict[str, int] = {}
    out: list[str] = []
    for name in names:
        candidate = name
        if candidate in seen:
            k = counts.get(name, 1)
            while candidate in seen:
                k += 1
                suffix = f"_{k}"
                candidate = name[:MAX_NAME_LENGTH - len(suffix)].rstrip("_") + suffix
            counts[name] = k
        seen.add(candidate)
        out.append(candidate)
    return out


def normalize_names(headers: list[str]) -> list[str]:
    """Normalise every header, then resolve collisions."""
    return dedupe_names([normalize_name(h) for h in headers])


def is_policy_name(name: str) -> bool:
    """True when ``name`` obeys the policy (``^[a-z][a-z0-9_]*$``, at most 64 characters, a fixed point)."""
    return (isinstance(name, str) and bool(NAME_PATTERN.match(name)) and len(name) <= MAX_NAME_LENGTH
            and "__" not in name and not name.endswith("_"))
