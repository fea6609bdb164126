"""Comparison keys the metrics use for cell texts and header names.

A cell's text itself (empty when null, blank or a missing-value token; ``7`` -> ``"7"``) comes from
:func:`text2table.text.normalise.cell_text`, shared with the checks.
"""

from __future__ import annotations

from text2table.core.naming import normalize_name


def value_key(text: str, lowercase: bool = False) -> str:
    """Comparison key of a non-empty cell text: internal whitespace collapsed, optionally case-folded.

    >>> value_key("More  than £30", lowercase=True)
    'more than £30'
    """
    key = " ".join(text.split())
    return key.casefold() if lowercase else key


def header_key(text: str) -> str:
    """A header (field name, or a row header's text) after the naming policy; empty text stays empty.

    >>> header_key("Customer Rating"), header_key("LeBron James"), header_key("  ")
    ('customer_rating', 'le_bron_james', '')
    """
    text = text.strip()
    return normalize_name(text) if text else ""
