"""Check ``family_names``: a row header written as a family name alone takes the one full name the text writes."""

from __future__ import annotations

import pytest

from text2table.checks.config import CheckConfig
from text2table.checks.family_names import full_name, name_runs
from text2table.checks.verify import verify_rows
from text2table.core.schema import Schema
from text2table.text.lexicons.en import LEXICON as EN

PLAYERS = ("Kyle Lowry carried the load with 24 points. Tobias Harris came off the bench for Detroit. "
           "DeMar DeRozan finished with 14 points. Harris recorded a game-high 25 points.")
ROWS = [{"player": "Kyle Lowry", "points": "24"}, {"player": "Harris", "points": "25"},
        {"player": "DeMar DeRozan", "points": "14"}]


def _schema(*names: str, structure: str = "flat_single_row") -> Schema:
    return Schema.from_dict({"structure": structure, "fields": [{"name": n} for n in names]})


def test_a_family_name_header_takes_the_full_name_written_earlier() -> None:
    v = verify_rows(PLAYERS, _schema("player", "points"), ROWS, metadata={"language": "en"}, schema_given=True)
    assert [r["player"] for r in v.rows] == ["Kyle Lowry", "Tobias Harris", "DeMar DeRozan"]
    assert {"field": "player", "check": "family_names", "action": "corrected", "old": "Harris",
            "new": "Tobias Harris"}.items() <= v.actions[-1].items()


ORDINARY = [  # the rule must not fire on these (text, the one-word header)
    ("Anna Smith and Tom Smith joined. Smith won the vote.", "Smith"),  # two full names end with it
    ("The Apple Store opened on Main Street. Apple sold 5 phones.", "Apple"),  # not the last word of a run
    ("The Wizards beat the Nets. The Wizards scored 100.", "Wizards"),  # a function word is no given name
    ("Paris hosted the summit. Paris spent 3 million.", "Paris"),  # no full name written
    ("Otto Porter Jr. scored 21. Jr. is no name.", "Jr"),  # a generational suffix
]


@pytest.mark.parametrize("text, header", ORDINARY, ids=[h for _, h in ORDINARY])
def test_family_names_keeps_ordinary_one_word_headers(text: str, header: str) -> None:
    rows = [{"name": header, "n": "5"}, {"name": "Anna Lee", "n": "3"}, {"name": "Bo Kim", "n": "2"}]
    v = verify_rows(text + " Anna Lee had 3. Bo Kim had 2.", _schema("name", "n"), rows,
                    metadata={"language": "en"}, schema_given=True)
    assert v.rows[0]["name"] == header and not [a for a in v.actions if a.get("check") == "family_names"]


def test_family_names_follows_the_tables_own_convention() -> None:
    """Teams named by nickname: the other headers are one word, so a one-word header is no shortened name."""
    text = "The Toronto Raptors defeated the Philadelphia 76ers. The Raptors shot 55 percent."
    assert full_name("Raptors", text, ["76ers"]) is None
    assert full_name("Raptors", text, ["76ers", "Celtics", "Anna Lee"]) is None
    assert full_name("Raptors", text, ["Anna Lee", "Bo Kim"], EN.function_words) == ("Toronto Raptors", (4, 19))
    assert full_name("Raptors", text, ["Anna Lee", "Bo Kim"]) is None  # "The Raptors" too, without the article


def test_family_names_leaves_a_header_another_row_already_holds() -> None:
    rows = [{"player": "Harris", "points": "25"}, {"player": "Tobias Harris", "points": "20"},
            {"player": "Kyle Lowry", "points": "24"}]
    v = verify_rows(PLAYERS, _schema("player", "points"), rows, metadata={"language": "en"}, schema_given=True)
    assert v.rows[0]["player"] == "Harris"


def test_family_names_needs_a_language_a_row_table_and_its_switch() -> None:
    schema = _schema("player", "points")
    assert [r["player"] for r in verify_rows(PLAYERS, schema, ROWS, metadata={"language": "ja"}).rows][1] == "Harris"
    off = verify_rows(PLAYERS, schema, ROWS, metadata={"language": "en"}, config=CheckConfig(family_names=False))
    assert off.rows[1]["player"] == "Harris" and "family_names" not in off.checks
    one = verify_rows(PLAYERS, _schema("player", "points", structure="kv_single"), ROWS[1:2],
                      metadata={"language": "en"})
    assert one.rows[0]["player"] == "Harris"


def test_name_runs_reads_initials_suffixes_possessives_and_sentence_starts() -> None:
    text = ("C.J. Miles and George Hill played. Sophomore D'Angelo Russell filled the sheet. "
            "Otto Porter Jr. scored 21. It was a night for Dirk Nowitzki's fans.")
    assert [r for r, _ in name_runs(text)] == ["C.J. Miles", "George Hill", "Sophomore D'Angelo Russell",
                                                "D'Angelo Russell", "Otto Porter Jr.", "Dirk Nowitzki"]
    others = ["Anna Lee", "Bo Kim"]
    assert full_name("Russell", text, others) == ("D'Angelo Russell", (45, 61))
    assert full_name("Porter", text, others)[0] == "Otto Porter Jr."
    assert full_name("Miles", text, others)[0] == "C.J. Miles"
