"""Check ``support``: a value the row's source does not mention is nulled; a mentioned one keeps its span."""

from __future__ import annotations

import pytest

from text2table.checks.verify import verify_rows
from text2table.core.schema import Schema


def _schema(*names: str) -> Schema:
    return Schema.from_dict({"structure": "kv_single", "fields": [{"name": n} for n in names]})


ORDINARY = [  # (text, row): every value is stated, in some form the check forgives
    ("She drives a red car, a Fiat Panda.", {"color": "red", "car_model": "Fiat Panda"}),
    ("Born in Paris, she also died in Paris.", {"birth_place": "Paris", "death_place": "Paris"}),
    ("Smith scored twenty-three points before 1,204 fans.", {"points": "23", "attendance": "1204"}),
    ("The café sits in the city center, by the river side.", {"area": "City Centre", "place": "riverside"}),
    ("Dinner at Le Zèbre costs about £20.", {"restaurant": "le zebre", "currency": "£"}),
    ("A pub that welcomes families.", {"family_friendly": "yes", "eat_type": "pub"}),
]


@pytest.mark.parametrize("text, row", ORDINARY, ids=[t[:24] for t, _ in ORDINARY])
def test_support_keeps_values_the_text_states(text: str, row: dict) -> None:
    v = verify_rows(text, _schema(*row), [row], schema_given=True)
    assert v.rows == [row] and v.actions == []
    for name, span in v.evidence[0].items():  # every kept cell points at text that states it
        assert span is not None and 0 <= span[0] < span[1] <= len(text), name


def test_support_nulls_a_value_the_text_does_not_state_and_records_why() -> None:
    row = {"name": "The Eagle", "near": "Shanghai", "family_friendly": "yes"}
    v = verify_rows("The Eagle is a pub.", _schema(*row), [row], schema_given=True)
    assert v.rows == [{"name": "The Eagle", "near": None, "family_friendly": None}]
    assert [(a["field"], a["check"], a["action"], a["old"]) for a in v.actions] == [
        ("near", "support", "nulled", "Shanghai"), ("family_friendly", "support", "nulled", "yes")]
    assert v.evidence == [{"name": [0, 9], "near": None, "family_friendly": None}]


def test_a_value_is_looked_for_in_its_row_source_only() -> None:
    doc = "Serves six.\n- 4 eggs\n- 2 leeks"
    row = {"item": "eggs", "serves": "six"}
    v = verify_rows(doc, _schema(*row), [row], sources=[[14, 20]], schema_given=True)
    assert v.rows == [{"item": "eggs", "serves": None}] and v.evidence == [{"item": [16, 20], "serves": None}]


def test_a_recorded_span_is_read_before_searching() -> None:
    doc = "Paris is big. Lyon is in France; Paris too."
    row = {"city": "Paris"}
    assert verify_rows(doc, _schema("city"), [row]).evidence == [{"city": [0, 5]}]
    again = verify_rows(doc, _schema("city"), [row], evidence=[{"city": [33, 38]}])
    assert again.evidence == [{"city": [33, 38]}]
    stale = verify_rows(doc, _schema("city"), [row], evidence=[{"city": [14, 18]}])  # "Lyon": searched again
    assert stale.evidence == [{"city": [0, 5]}]


def test_support_is_language_neutral() -> None:
    row = {"stadt": "München", "einwohner": "1.500.000"}
    v = verify_rows("München hat 1.500.000 Einwohner.", _schema(*row), [row], metadata={"language": "xx"})
    assert v.rows == [row] and v.checks == ["support", "repeats", "rows"] and v.language is None


DERIVED = [  # (text, value, kept): an English adjective stated by its adverb; false friends and other languages not
    ("The bistro is moderately priced.", "moderate", True),
    ("A highly rated pub by the river.", "high", True),
    ("The lecture was simply put.", "simple", True),
    ("She hardly worked that year.", "hard", False),
    ("The train arrives shortly.", "short", False),
    ("A friendly pub near the station.", "friend", False),
    ("The bistro is moderately priced.", "moderately cheap", False),
    ("A red car, sold yesterday.", "redly", False),
]


@pytest.mark.parametrize("text, value, kept", DERIVED, ids=[f"{v}-{k}" for _, v, k in DERIVED])
def test_support_finds_an_adjective_stated_by_its_adverb_in_english_only(text: str, value: str, kept: bool) -> None:
    row = {"quality": value}
    v = verify_rows(text, _schema("quality"), [row], metadata={"language": "en"}, schema_given=True)
    nulled = [(a["field"], a["check"]) for a in v.actions]
    assert nulled == ([] if kept else [("quality", "support")])
    if kept:
        start, end = v.evidence[0]["quality"]
        assert text[start:end].casefold().startswith(value[:3])


def test_derived_forms_are_not_read_in_a_language_without_them() -> None:
    row = {"prix": "modere"}
    for language in ("fr", "xx"):
        v = verify_rows("Le bistro est moderely cher.", _schema("prix"), [row], metadata={"language": language},
                        schema_given=True)
        assert [(a["field"], a["check"]) for a in v.actions] == [("prix", "support")], language
    v = verify_rows("Le bistro est moderely cher.", _schema("prix"), [row], metadata={"language": "en"},
                    schema_given=True)
    assert v.rows == [row]
