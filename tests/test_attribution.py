"""attribution: a one-word value that only modifies another column's word is that column's fact."""

import pytest

from text2table.checks.attribution import modifies_another_column, word_keys
from text2table.core.schema import Schema
from text2table.checks.verify import FUNCTION_WORDS, verify_rows

E2E = ["name", "customer_rating", "price_range", "area", "near"]
IGNORE = frozenset(FUNCTION_WORDS)


@pytest.mark.parametrize("text, value, field, expected", [
    ("Aromi is a coffee shop with a very low price.", "low", "customer_rating", "price"),
    ("Aromi has a high customer rating.", "high", "price_range", "customer"),
    ("Aromi has a low customer rating.", "low", "customer_rating", None),  # its own column's word follows
    ("A low price and a low rating.", "low", "customer_rating", None),  # one mention is its own
    ("Aromi is riverside near Burger King.", "riverside", "area", None),  # "near" is a function word
    ("Aromi is rated low. Its price is low.", "low", "customer_rating", None),  # nothing follows a mention
    ("Aromi, a very low price coffee shop.", "very low", "customer_rating", None),  # one word only
    ("Aromi is a coffee shop.", "low", "customer_rating", None),  # not mentioned at all
])
def test_which_column_a_one_word_value_describes(text, value, field, expected):
    assert modifies_another_column(word_keys(text), value, field, E2E, IGNORE) == expected


def test_the_evidence_check_nulls_a_value_that_describes_another_column():
    schema = Schema.from_dict({"structure": "kv_single", "fields": [{"name": n} for n in E2E]})
    row = {"name": "Aromi", "customer_rating": "low", "price_range": None, "area": None, "near": None}
    v = verify_rows("Aromi is a coffee shop with a very low price.", schema, [row])
    assert v.rows == [{**row, "customer_rating": None}]
    assert v.nulled == [{"row": 0, "field": "customer_rating", "value": "low", "reason": "describes 'price'"}]
    kept = verify_rows("Aromi has a low customer rating.", schema, [row])
    assert kept.rows == [row] and kept.nulled == []
