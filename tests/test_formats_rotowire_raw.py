"""The released Rotowire files with the paper's filter: stated cells only, number words, pronouns, templates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from text2table.core.records import record_from_dict
from text2table.data.formats import convert
from text2table.data.formats.rotowire_raw import detokenize, player_index, sentences
from text2table.data.formats.rotowire_wu import find_numbers, match_templates, words_to_number
from text2table.errors import ConfigError, InputError

GAME = Path(__file__).parent / "fixtures" / "formats" / "rotowire_raw" / "game1.json"


def _tables(**options: str) -> dict[str, dict]:
    records, _ = convert("rotowire", [GAME], options=options or None)
    out = {}
    for record in records:
        d = record.to_dict()
        assert record_from_dict(d).to_dict() == d
        headers = d["table"]["headers"]
        out[d["metadata"]["table_hint"]] = {r[0]: dict(zip(headers[1:], r[1:])) for r in d["table"]["rows"]}
        out[d["metadata"]["table_hint"]]["_record"] = d
    return out


def test_team_table_keeps_only_stated_cells_home_first() -> None:
    team = _tables()["team"]
    record = team.pop("_record")
    assert record["id"] == "rotowire-game1-1-team" and record["metadata"]["group"] == "rotowire-game1-1"
    assert [r[0] for r in record["table"]["rows"]] == ["Knicks", "Bucks"]  # home team first
    assert team["Bucks"] == {"Percentage of field goals": "46", "Losses": "17", "Total points": "95",
                             "Rebounds": "48", "Wins": "18"}
    assert team["Knicks"]["Total points"] == "82" and team["Knicks"]["Losses"] == "31"
    assert "Points in 1st quarter" not in record["table"]["headers"]  # quarters are not stated


def test_player_table_number_words_pronouns_and_made_of_attempted() -> None:
    players = _tables()["player"]
    record = players.pop("_record")
    names = [r[0] for r in record["table"]["rows"]]
    assert len(names) == len(set(names)) == 8
    knight = players["Brandon Knight"]
    # "He went 6 - for - 14 from the field and 1 - for - 3 from beyond the arc to score 17 points, while
    # also handing out five assists": a pronoun, two made-of-attempted pairs and a number word
    assert (knight["Field goals made"], knight["Field goals attempted"]) == ("6", "14")
    assert (knight["3-pointers made"], knight["3-pointers attempted"]) == ("1", "3")
    assert knight["Points"] == "17" and knight["Assists"] == "5"
    assert players["Zaza Pachulia"]["Total rebounds"] == "14"
    # "15 points in 20 minutes" while the box score says 21: the wrong number is not a cell
    assert players["Kendall Marshall"]["Minutes played"] is None
    assert "Ersan Ilyasova" not in players  # in the box score, not in the summary
    assert "_" not in record["document"] and record["document"].startswith("The Milwaukee Bucks (18 - 17) defeated")


def test_filter_none_keeps_every_cell() -> None:
    tables = _tables(filter="none")
    team, players = tables["team"], tables["player"]
    assert len(players) - 1 == 25 and players["Khris Middleton"]["Points"] is not None
    assert players["Ersan Ilyasova"]["Points"] is None and players["Ersan Ilyasova"]["Team city"] == "Milwaukee"
    assert team["Knicks"]["Points in 1st quarter"] == "21"


def test_number_words_and_templates() -> None:
    assert words_to_number("twenty five") == 25 and words_to_number("one hundred two") == 102
    assert words_to_number("twenty foo") is None
    tokens = "he hit three - pointers and a pair of free throws , scoring twenty - five points".split()
    values = [(n.value, n.implicit) for n in find_numbers(tokens)]
    assert (3, False) not in values  # "three - pointers" is not a number
    assert (2, True) in values and (20, False) in values and (5, False) in values
    tokens = "shot 6 - for - 14 with 17 points".split()
    singles, pairs = match_templates(tokens, find_numbers(tokens))
    assert pairs[0][2] == (("FG3M", "FG3A"), ("FGM", "FGA"), ("FTM", "FTA"))
    assert [keys for n, keys in singles if n.value == 17] == [("TEAM-PTS", "TEAM-PTS_QTR1", "TEAM-PTS_QTR2",
                                                                "TEAM-PTS_QTR3", "TEAM-PTS_QTR4", "PTS")]


def test_helpers() -> None:
    assert detokenize("`` Big '' night -lrb- 46 - 12 -rrb- , he did n't stop .".split()) == \
        '"Big" night (46 - 12), he didn\'t stop.'
    assert sentences("A b . C d ! E".split()) == [["A", "b", "."], ["C", "d", "!"], ["E"]]
    box = {"PLAYER_NAME": {"0": "JR Smith", "1": "Jason Smith"}, "SECOND_NAME": {"0": "Smith", "1": "Smith"},
           "FIRST_NAME": {"0": "JR", "1": "Jason"}}
    assert player_index(box, "Jason Smith") == "1" and player_index(box, "Smith") == "0"


def test_errors(tmp_path: Path) -> None:
    bad = tmp_path / "valid.json"
    bad.write_text(json.dumps([{"summary": ["x"], "box_score": {}}]), encoding="utf-8")
    with pytest.raises(InputError, match=r"game \[0\] lacks"):
        convert("rotowire", [bad])
    with pytest.raises(ConfigError, match="filter"):
        convert("rotowire", [GAME], options={"filter": "strict"})
    docs = Path(__file__).parent / "fixtures" / "formats" / "rotowire"
    with pytest.raises(ConfigError, match="released"):
        convert("rotowire", [docs / "gold.json", docs / "documents.jsonl"], options={"filter": "none"})
