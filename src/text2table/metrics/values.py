"""Cell values and header names as the metrics compare them: one place for text forms and comparison keys.

A cell is *empty* when it is null, blank, or one of the record's missing-value tokens. Non-string JSON
values get a canonical text (``7`` -> ``"7"``, ``true`` -> ``"true"``, ``7.0`` -> ``"7"``) so that a model
writing a number and a gold table holding its digits compare equal.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from typing import Any

from text2table.core.naming import normalize_name


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
