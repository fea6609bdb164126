import pytest
from hypothesis import given, strategies as st

from text2table.core.naming import dedupe_names, is_policy_name, normalize_name, normalize_names


@pytest.mark.parametrize(("header", "name"), [
    ("Customer Rating", "customer_rating"),
    ("eatType", "eat_type"),
    ("familyFriendly", "family_friendly"),
    ("HTTPServer port", "http_server_port"),
    ("Année de création", "annee_de_creation"),
    ("Straße", "strasse"),
    ("  --Unit   price (€)--  ", "unit_price"),
    ("FG%", "fg_pct"),
    ("# of wins", "num_of_wins"),
    ("3-pt made", "f_3_pt_made"),
    ("", "field"),
    ("!!!", "field"),
    ("日本語", "field"),
    ("a" * 100, "a" * 64),
], ids=lambda v: repr(v)[:20])
def test_normalize_name(header, name):
    assert normalize_name(header) == name
    assert is_policy_name(name)


@given(st.text(max_size=80))
def test_normalize_is_idempotent_and_valid(header):
    name = normalize_name(header)
    assert is_policy_name(name)
    assert normalize_name(name) == name


def test_collisions_get_suffixes_in_order():
    assert normalize_names(["Points", "points", "POINTS", "Team"]) == ["points", "points_2", "points_3", "team"]
    assert dedupe_names(["a", "a", "a_2"]) == ["a", "a_2", "a_2_2"]


@given(st.lists(st.text(max_size=12), max_size=12))
def test_normalize_names_unique_and_stable(headers):
    names = normalize_names(headers)
    assert len(set(names)) == len(names) == len(headers)
    assert normalize_names(names) == names


def test_rejects_non_string():
    with pytest.raises(TypeError):
        normalize_name(3)  # type: ignore[arg-type]
