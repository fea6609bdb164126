"""Checks ``rows`` and ``columns``: empty and duplicated rows leave (and, where a schema declares
``row_needs_value``, rows with their key alone or without it); an induced schema loses invented columns."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from text2table.checks.config import CheckConfig
from text2table.checks.verify import verify_rows
from text2table.core.schema import Schema
from text2table.errors import SchemaError

PLAYERS = Schema.from_dict({"structure": "flat_single_row",
                            "fields": [{"name": "player"}, {"name": "points"}, {"name": "team"}]})
BOX = "Smith scored twenty-three points and Jones 1,204 career points. Brown did not play."


def test_rows_left_empty_or_duplicated_are_dropped_with_their_evidence() -> None:
    rows = [{"player": "Smith", "points": "23", "team": None}, {"player": "Smith", "points": "23", "team": "Hawks"},
            {"player": "Ghost", "points": "7", "team": "Hawks"}, {"player": "Brown", "points": None, "team": None}]
    v = verify_rows(BOX, PLAYERS, rows, schema_given=True)
    assert v.rows == [{"player": "Smith", "points": "23", "team": None},
                      {"player": "Brown", "points": None, "team": None}]
    assert v.dropped_rows == 2 and len(v.evidence) == 2
    assert BOX[64:69] == "Brown" and v.evidence[1]["player"] == [64, 69]
    assert [a["row"] for a in v.actions] == [None] * 4  # in rows that left: row 1 became row 0's copy, row 2 empty


def test_distinct_rows_and_rows_with_one_value_stay() -> None:
    rows = [{"player": "Smith", "points": "23", "team": None}, {"player": "Jones", "points": "1204", "team": None},
            {"player": "Brown", "points": None, "team": None}]
    assert verify_rows(BOX, PLAYERS, rows).rows == rows


def test_a_declared_row_needs_value_drops_rows_that_only_name_their_entity() -> None:
    text = "Without Kevin Durant, Klay Thompson scored 24 points. Stephen Curry added 20."
    rows = [{"player": "Kevin Durant", "points": None, "team": None},
            {"player": "Klay Thompson", "points": "24", "team": None},
            {"player": "Stephen Curry", "points": "20", "team": None}]
    keyed = Schema.from_dict({**PLAYERS.to_dict(), "constraints": {"row_key": "player", "row_needs_value": True}})
    v = verify_rows(text, keyed, rows, schema_given=True)
    assert [r["player"] for r in v.rows] == ["Klay Thompson", "Stephen Curry"]
    assert v.dropped_rows == 1
    plain = Schema.from_dict({**PLAYERS.to_dict(), "constraints": {"row_key": "player"}})  # not declared: it stays
    assert verify_rows(text, plain, rows, schema_given=True).rows == rows
    assert verify_rows(BOX, keyed, [{"player": "Smith", "points": "23", "team": None}]).rows == \
        [{"player": "Smith", "points": "23", "team": None}]


def test_a_declared_row_needs_value_drops_rows_whose_key_is_empty() -> None:
    text = "Klay Thompson scored 24 points. He added 10 rebounds, and a rookie had 6 points off the bench."
    rows = [{"player": "Klay Thompson", "points": "24", "team": None},
            {"player": None, "points": "10", "team": None},  # the model wrote no name
            {"player": "Draymond Green", "points": "6", "team": None}]  # a name the text does not hold: emptied
    keyed = Schema.from_dict({**PLAYERS.to_dict(), "constraints": {"row_key": "player", "row_needs_value": True}})
    v = verify_rows(text, keyed, rows, schema_given=True)
    assert v.rows == rows[:1] and v.dropped_rows == 2
    plain = Schema.from_dict({**PLAYERS.to_dict(), "constraints": {"row_key": "player"}})  # not declared: they stay
    assert [r["points"] for r in verify_rows(text, plain, rows, schema_given=True).rows] == ["24", "10", "6"]


def test_row_needs_value_is_a_boolean_beside_a_row_key() -> None:
    fields = PLAYERS.to_dict()["fields"]
    for constraints in ({"row_needs_value": True}, {"row_key": "player", "row_needs_value": "yes"}):
        with pytest.raises(SchemaError, match="row_needs_value"):
            Schema.from_dict({"structure": "flat_single_row", "fields": fields, "constraints": constraints})
    off = Schema.from_dict({"structure": "flat_single_row", "fields": fields,
                            "constraints": {"row_needs_value": False}})
    assert not off.row_needs_value


E2E = Schema.from_dict({"structure": "kv_single", "fields": [
    {"name": "name"}, {"name": "eat_type"}, {"name": "price_range"}, {"name": "family_friendly"}, {"name": "near"}]})
REVIEW = "Aromi is a coffee shop with a very low price. It is family friendly."


DROP = CheckConfig(drop_invented_columns=True)


def test_an_induced_schema_loses_invented_columns_but_keeps_those_empty_from_the_start() -> None:
    row = {"name": "Aromi", "eat_type": "coffee shop", "price_range": None, "family_friendly": "yes",
           "near": "Café Rouge"}
    v = verify_rows(REVIEW, E2E, [row], config=DROP)
    assert v.dropped_columns == ["near"] and v.schema.names == ["name", "eat_type", "price_range", "family_friendly"]
    assert v.schema.schema_id != E2E.schema_id and list(v.evidence[0]) == v.schema.names
    given = verify_rows(REVIEW, E2E, [row], schema_given=True, config=DROP)
    assert given.schema == E2E and given.rows == [{**row, "near": None}] and given.dropped_columns == []


ORDINARY = [  # (text, schema fields, rows): every row and every column states something; nothing may leave
    ("Smith scored 20 and Jones scored 20.", ["player", "points"],
     [{"player": "Smith", "points": "20"}, {"player": "Jones", "points": "20"}]),
    ("Born in Paris, she also died in Paris.", ["birth_place", "death_place"],
     [{"birth_place": "Paris", "death_place": "Paris"}]),
    ("She drives a red car, a Fiat Panda.", ["color", "car_model", "year"],
     [{"color": "red", "car_model": "Fiat Panda", "year": None}]),  # a column empty from the start stays
    ("Two eggs, two eggs again, and one leek.", ["item", "amount"],
     [{"item": "eggs", "amount": "2"}, {"item": "leek", "amount": "1"}]),
    ("It is not only family friendly but also cheap.", ["family_friendly", "price"],
     [{"family_friendly": "yes", "price": "cheap"}]),
]


def test_rows_and_columns_leave_ordinary_tables_whole() -> None:
    for text, names, rows in ORDINARY:
        schema = Schema.from_dict({"structure": "flat_single_row", "fields": [{"name": n} for n in names]})
        v = verify_rows(text, schema, rows, metadata={"language": "en"}, config=DROP)  # induced: columns may leave
        assert (v.schema.names, v.rows, v.dropped_rows, v.actions) == (names, rows, 0, []), text


def test_by_default_an_induced_schema_keeps_a_column_whose_values_were_nulled() -> None:
    row = {"name": "Aromi", "eat_type": "coffee shop", "price_range": None, "family_friendly": "yes",
           "near": "Café Rouge"}
    v = verify_rows(REVIEW, E2E, [row])
    assert v.schema == E2E and v.rows == [{**row, "near": None}] and v.dropped_columns == []
    assert "columns" not in v.checks


def test_the_example_box_score_schemas_parse_and_only_the_player_rows_need_a_value() -> None:
    root = Path(__file__).resolve().parents[1] / "examples" / "schemas"
    player = Schema.from_dict(json.loads((root / "rotowire-player.json").read_text()))
    team = Schema.from_dict(json.loads((root / "rotowire-team.json").read_text()))
    assert (player.row_key, player.row_needs_value) == ("player", True)
    assert (team.row_key, team.row_needs_value) == ("team", False)
