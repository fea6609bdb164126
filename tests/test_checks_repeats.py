"""Check ``repeats``: cells of one row holding one value need a mention each."""

from __future__ import annotations

import pytest

from text2table.checks.verify import verify_rows
from text2table.core.schema import Schema


def _schema(*names: str, structure: str = "kv_single") -> Schema:
    return Schema.from_dict({"structure": structure, "fields": [{"name": n} for n in names]})


ORDINARY = [  # the text states the shared value once per cell: the check must not fire
    ("Born in Paris, she also died in Paris.", {"birth_place": "Paris", "death_place": "Paris"}),
    ("The match ended 2 to 2.", {"home_goals": "2", "away_goals": "2"}),
    ("Smith of the Hawks scored for the Hawks.", {"player": "Smith", "team": "Hawks", "scored_for": "Hawks"}),
    ("He studied at Oxford and later taught at Oxford.", {"alma_mater": "Oxford", "employer": "Oxford"}),
    ("It costs 20 euros and weighs 20 kilos.", {"price": "20", "weight": "20"}),
    ("Both teams scored 2 goals.", {"home_goals": "2", "away_goals": "2"}),
    ("Cocum is a coffee shop near Café Rouge.", {"name": "Cocum", "near": "Café Rouge"}),
]


@pytest.mark.parametrize("text, row", ORDINARY, ids=[t[:24] for t, _ in ORDINARY])
def test_repeats_keeps_values_stated_once_per_cell(text: str, row: dict) -> None:
    v = verify_rows(text, _schema(*row), [row])
    assert v.rows == [row] and v.actions == []
    words = [tuple(s) for n, s in v.evidence[0].items() if any(c.isalpha() for c in row[n])]
    assert len(set(words)) == len(words)  # each textual cell points at its own mention


def test_birth_and_death_place_get_one_mention_each() -> None:
    text = "Born in Paris, she also died in Paris."
    v = verify_rows(text, _schema("birth_place", "death_place"), [{"birth_place": "Paris", "death_place": "Paris"}])
    assert [text[a:b] for a, b in v.evidence[0].values()] == ["Paris", "Paris"]
    assert v.evidence[0]["birth_place"] != v.evidence[0]["death_place"]


@pytest.mark.parametrize("text, row, nulled", [
    ("Cocum is a coffee shop with a 5 out of 5 rating, near Café Rouge.",
     {"name": "Cocum", "rating": "5 out of 5", "near": " COCUM "}, "near"),
    ("The Punter is a pub by the river.", {"name": "The Punter", "near": "Punter"}, "near"),
    ("Serves 4.\n- 4 eggs\n- 2 leeks", {"item": "eggs", "amount": "4", "serving": "4"}, "serving"),
])
def test_repeats_nulls_a_copy_without_a_mention_of_its_own(text: str, row: dict, nulled: str) -> None:
    item = (12, 18) if text.startswith("Serves") else None  # a row read from its list item
    v = verify_rows(text, _schema(*row), [row], metadata={"language": "en"}, schema_given=True,
                    sources=[item] if item else None)
    assert v.rows[0][nulled] is None
    assert [(a["field"], a["check"]) for a in v.actions] == [(nulled, "repeats")]


def test_repeats_is_per_row_and_leaves_yes_no_cells_alone() -> None:
    rows = [{"player": "Smith", "team": "Hawks"}, {"player": "Jones", "team": "Hawks"}]
    flat = _schema("player", "team", structure="flat_single_row")
    assert verify_rows("Smith and Jones play for the Hawks.", flat, rows).rows == rows
    row = {"family_friendly": "yes", "kid_friendly": "yes"}
    assert verify_rows("A family friendly, kid friendly pub.", _schema(*row), [row]).rows == [row]


def test_repeats_without_a_language_keeps_articles() -> None:
    row = {"name": "The Punter", "near": "Punter"}
    v = verify_rows("The Punter is a pub by the river.", _schema(*row), [row], metadata={"language": "xx"})
    assert v.rows == [row]


def test_the_cell_whose_column_names_the_mention_keeps_it() -> None:
    text = "Cotto provides average, high priced Chinese food."
    row = {"name": "Cotto", "eat_type": "Chinese", "food": "Chinese"}
    v = verify_rows(text, _schema(*row), [row], schema_given=True)
    assert v.rows == [{**row, "eat_type": None}] and v.actions[0]["reason"].startswith("repeats 'food'")
    rating = {"brand": "Talzan", "tester": "excellent", "buyers_rating": "excellent"}
    v = verify_rows("The Talzan watch. Buyers rate it excellent.", _schema(*rating), [rating], schema_given=True)
    assert v.rows == [{**rating, "tester": None}]
