"""The E2E slot filter of the Text-to-Table paper (Wu et al., 2022), rule for rule (pure functions).

Their preprocessing (``data_preprocessing/preprocess_e2e.py`` in shirley-wu/text_to_table) keeps a slot of
the meaning representation when a keyword test on the reference passes. The tests read the lower-cased
reference as plain substrings (so "rate" also matches "moderate", "near" also "nearby"):

* ``name``: always kept.  ``eatType``: always dropped.
* ``priceRange``: "price", "pricing", "cost", "afford", "£", "pound", "cheap" or "expensive" appears.
* ``customer rating``: "rate", "rating" or "review" appears; or the value is "N out of 5" and "N" appears;
  or the lower-cased value itself appears ("high", "low", "average").
* ``near``: the lower-cased value, "near" or "close" appears.
* ``food``: the lower-cased value appears, or it is "fast food" and "fast" appears.
* ``area``: "area" or the lower-cased value appears; for "city centre" also "city", "center" or "centre";
  for "riverside" also "river".
* ``familyFriendly``: "family", "families", "friendly", "child", "kid" or "adult" appears.

The paper also writes keys and values through ``str.capitalize()`` ("Price range", "The vaults"); we keep
the slot names and values as the MR writes them (see docs/metrics.md). Any other slot raises ``ValueError``.
"""

from __future__ import annotations

_PRICE = ("price", "pricing", "cost", "afford", "£", "pound", "cheap", "expensive")
_RATING = ("rate", "rating", "review")
_FAMILY = ("family", "families", "friendly", "child", "kid", "adult")


def paper_key(slot: str) -> str:
    """The paper's row header of a slot: camelCase split into words, then ``capitalize()``.

    >>> paper_key("priceRange"), paper_key("customer rating"), paper_key("eatType")
    ('Price range', 'Customer rating', 'Eat type')
    """
    spaced = "".join(" " + c.lower() if c.isupper() else c for c in slot.strip())
    return spaced.strip().capitalize()


def _any(words: tuple[str, ...], text: str) -> bool:
    return any(w in text for w in words)


def keep_slot(slot: str, value: str, text: str) -> bool:
    """Does the paper keep ``slot[value]`` for the reference ``text``?

    >>> keep_slot("eatType", "pub", "The Vaults is a pub.")
    False
    >>> keep_slot("near", "Café Adriatic", "It is close to the centre.")
    True
    >>> keep_slot("customer rating", "3 out of 5", "It has 3 stars.")
    True
    """
    key = paper_key(slot)
    low = text.lower()
    v = value.strip().capitalize()
    vl = v.lower()
    if key == "Name":
        return True
    if key == "Eat type":
        return False
    if key == "Price range":
        return _any(_PRICE, low)
    if key == "Customer rating":
        if _any(_RATING, low):
            return True
        if "out of" in v and v.split("out of")[0].strip() in low:
            return True
        return vl in low
    if key == "Near":
        return vl in low or "near" in low or "close" in low
    if key == "Food":
        return vl in low or (v == "Fast food" and "fast" in low)
    if key == "Area":
        return ("area" in low or vl in low or (v == "City centre" and _any(("city", "center", "centre"), low))
                or (v == "Riverside" and "river" in low))
    if key == "Family friendly":
        return _any(_FAMILY, low)
    raise ValueError(f"unknown E2E slot {slot!r}; the paper's filter knows name, eatType, priceRange,"
                     " customer rating, near, food, area, familyFriendly")


def filter_slots_wu(slots: list[tuple[str, str]], text: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """``(kept, dropped)`` slots, in MR order, by :func:`keep_slot`.

    >>> filter_slots_wu([("name", "Aromi"), ("eatType", "pub"), ("area", "riverside")], "Aromi, by the river.")
    ([('name', 'Aromi'), ('area', 'riverside')], [('eatType', 'pub')])
    """
    kept, dropped = [], []
    for slot, value in slots:
        (kept if keep_slot(slot, value, text) else dropped).append((slot, value))
    return kept, dropped
