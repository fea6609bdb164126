"""text/numbers.py: a numeric field's value read as its type; it never fires outside numbers it can read."""

from __future__ import annotations

import pytest

from text2table.text.numbers import is_english, numeric_value


@pytest.mark.parametrize("value, kind, language, expected", [
    ("24", "integer", "en", 24),
    (24, "integer", None, 24),
    (" -3 ", "integer", "en", -3),
    ("4.0", "integer", "en", 4),
    (4.0, "integer", "fr", 4),
    ("4.5", "number", "en", 4.5),
    ("1,234", "integer", "en", 1234),
    ("12,345.5", "number", "en-GB", 12345.5),
    ("seven", "integer", "en", 7),
    ("Twenty-one", "integer", "EN_us", 21),
    ("one hundred and five", "integer", "en", 105),
    ("4.5", "number", "de", 4.5),  # a decimal point is read in any language
])
def test_numbers_it_reads(value, kind, language, expected):
    assert numeric_value(value, kind, language) == expected
    assert type(numeric_value(value, kind, language)) is type(expected)


@pytest.mark.parametrize("value, kind, language", [
    ("24 points", "integer", "en"),  # a number with other words
    ("about seven", "integer", "en"),
    ("7 - of - 11", "integer", "en"),
    ("two three", "integer", "en"),  # two numbers
    ("and", "integer", "en"),
    ("seven", "integer", "fr"),  # English number words in a French document
    ("sieben", "integer", "de"),
    ("seven", "integer", None),  # no known language
    ("1,5", "number", "de"),  # a comma that may be a decimal comma
    ("1,234", "integer", "fr"),
    ("4.5", "integer", "en"),  # a fraction in an integer field
    ("", "integer", "en"),
    ("nan", "number", "en"),
    (float("inf"), "number", "en"),
    (True, "integer", "en"),  # a boolean is no number
    ("The Raptors", "integer", "en"),  # an ordinary phrase
    ("Kyle Lowry scored 24 points.", "integer", "en"),  # an ordinary sentence
])
def test_values_it_leaves_as_no_number(value, kind, language):
    assert numeric_value(value, kind, language) is None


def test_only_numeric_kinds():
    with pytest.raises(ValueError, match="integer"):
        numeric_value("7", "string", "en")


def test_is_english():
    assert is_english("en") and is_english("en-GB") and is_english(" EN_us ")
    assert not is_english("eng") and not is_english("fr") and not is_english(None) and not is_english("")
