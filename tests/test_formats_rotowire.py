"""Rotowire documents JSONL + gold JSON converter: team/player records, key order, errors naming ids."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from text2table.errors import InputError
from text2table.data.formats import convert
from text2table.core.records import record_from_dict

DIR = Path(__file__).parent / "fixtures" / "formats" / "rotowire"


def test_fixture_pair_in_any_order():
    records, report = convert("rotowire", [DIR / "gold.json", DIR / "documents.jsonl"])
    out = [r.to_dict() for r in records]
    assert [r["id"] for r in out] == ["game-1-team", "game-1-player", "game-2-player"]
    assert out[0]["table"] == {"structure": "flat_single_row", "headers": ["Team", "Wins", "Losses", "Total points"],
                               "rows": [["Hawks", "46", "12", "95"], ["Magic", "19", "41", "88"]]}
    assert out[0]["metadata"]["table_hint"] == "team" and out[1]["metadata"]["table_hint"] == "player"
    assert out[0]["metadata"]["group"] == out[1]["metadata"]["group"] == "game-1"
    # union of keys in order of first appearance; "" and missing keys are null
    assert out[2]["table"]["headers"] == ["Player", "Points", "Assists", "Total rebounds"]
    assert out[2]["table"]["rows"] == [["Gordon Hayward", "26", None, None], ["Rudy Gobert", None, None, "11"]]
    assert report.counters["empty_tables"] == 1  # game-2 has no teams
    again, _ = convert("rotowire", [DIR / "documents.jsonl", DIR / "gold.json"])
    assert [r.to_dict() for r in again] == out
    for obj in out:
        assert record_from_dict(obj).to_dict() == obj


def _write(tmp_path: Path, docs: list[dict], gold: list) -> tuple[Path, Path]:
    d, g = tmp_path / "docs.jsonl", tmp_path / "gold.json"
    d.write_text("".join(json.dumps(x) + "\n" for x in docs), encoding="utf-8")
    g.write_text(json.dumps(gold), encoding="utf-8")
    return d, g


def test_gold_as_json_lines_numbers_are_strings(tmp_path):
    d, _ = _write(tmp_path, [{"id": 7, "document": "Text."}], [])
    g = tmp_path / "gold.jsonl"
    g.write_text(json.dumps({"id": 7, "teams": [{"Team": "Heat", "Wins": 23}], "players": []}) + "\n",
                 encoding="utf-8")
    records, _ = convert("rotowire", [d, g])
    out = [r.to_dict() for r in records]
    assert [r["id"] for r in out] == ["7-team"] and out[0]["table"]["rows"] == [["Heat", "23"]]


def test_document_without_gold_names_line(tmp_path):
    d, g = _write(tmp_path, [{"id": "a", "document": "A."}, {"id": "b", "document": "B."}],
                  [{"id": "a", "teams": [{"Team": "Heat"}], "players": []}])
    records, _ = convert("rotowire", [d, g])
    with pytest.raises(InputError, match="no gold entry for id 'b'") as info:
        list(records)
    assert (info.value.source, info.value.line) == (str(d), 2)


def test_skip_collects_every_problem(tmp_path):
    d, g = _write(tmp_path, [{"id": "a", "document": "A."}, {"id": "b"}, {"id": "c", "document": "C."}],
                  [{"id": "a", "teams": [{"Team": "Heat"}]}, {"id": "z", "players": []},
                   {"id": "c", "players": {"x": 1}}])
    records, report = convert("rotowire", [d, g], on_error="skip")
    assert [r.id for r in records] == ["a-team"]
    reasons = [(Path(f).name, line, reason.split(" (fix")[0]) for f, line, reason in report.skipped]
    assert reasons == [
        ("gold.json", 0, "item [2] (id 'c'): 'players' must be a list of objects"),
        ("docs.jsonl", 2, "expected an object with an 'id' and a non-empty 'document'"),
        ("docs.jsonl", 3, "no gold entry for id 'c'"),
        ("gold.json", 0, "gold id 'z' has no document"),
    ]


def test_two_files_needed_and_told_apart(tmp_path):
    d, g = _write(tmp_path, [{"id": "a", "document": "A."}], [])
    with pytest.raises(InputError, match="needs 2 files"):
        convert("rotowire", [d])
    with pytest.raises(InputError, match="both look like documents"):
        convert("rotowire", [d, d])


# ----------------------------------------------------------------------------- nba_data sentence records
NBA = Path(__file__).parent / "fixtures" / "formats" / "rotowire_nba"


def _nba(*names: str) -> list[Path]:
    return [NBA / f"{n}.valid.txt" for n in names]


def test_sentence_records_rebuild_a_game_with_team_and_player_tables():
    records, report = convert("rotowire", _nba("y_aux", "x_type", "x_associated", "x_value"))
    out = [r.to_dict() for r in records]
    assert [r["id"] for r in out] == ["nba-valid-1-team", "nba-valid-1-player"]
    team, player = out[0], out[1]
    assert team["metadata"]["table_hint"] == "team" and player["metadata"]["table_hint"] == "player"
    assert team["table"]["headers"][0] == "Team" and player["table"]["headers"][0] == "Player"
    rows = {r[0]: dict(zip(team["table"]["headers"], r)) for r in team["table"]["rows"]}
    assert rows["Raptors"]["Total points"] == "122" and rows["76ers"]["Total points"] == "95"
    assert rows["76ers"]["Wins"] == "4" and rows["76ers"]["Losses"] == "14"
    players = {r[0]: dict(zip(player["table"]["headers"], r)) for r in player["table"]["rows"]}
    assert players["Kyle Lowry"]["Points"] == "24" and players["Kyle Lowry"]["Assists"] == "8"
    assert players["Robert Covington"]["Field goals made"] == "7"
    assert "Embiid" not in players  # a name mention without statistics is not a row
    assert len(players) == len(player["table"]["rows"])  # one row per player
    doc = team["document"]
    assert doc.startswith("The host Toronto Raptors defeated the Philadelphia 76ers, 122 - 95,")
    assert "_" not in doc and " ," not in doc
    assert report.notes == ["1 games rebuilt from 16 sentences"]


def test_sentence_records_split_games_on_new_teams_and_restated_statistics(tmp_path: Path):
    lines = {"x_type": ["TEAM_NAME TEAM-PTS", "PLAYER_NAME PLAYER-PTS", "PLAYER_NAME PLAYER-PTS",
                        "TEAM_NAME TEAM-PTS", "PLAYER_NAME PLAYER-PTS"],
             "x_value": ["Hawks 95", "Al_Horford 17", "Al_Horford 21", "Bulls 99", "Horford 5"],
             "x_associated": ["Hawks 95", "Al_Horford Al_Horford", "Al_Horford Al_Horford", "Bulls Bulls",
                              "Al_Horford Al_Horford"],
             "y_aux": ["The Hawks scored 95 .", "Al_Horford had 17 points .", "Al_Horford had 21 points .",
                       "The Bulls scored 99 .", "Horford had 5 points ."]}
    lines["x_associated"][0] = "Hawks Hawks"
    for part, text in lines.items():
        (tmp_path / f"{part}.train.txt").write_text("\n".join(text) + "\n", encoding="utf-8")
    out = [r.to_dict() for r in convert("rotowire", sorted(tmp_path.glob("*.txt")))[0]]
    groups = [r["metadata"]["group"] for r in out]
    # game 1: Hawks + Horford 17; game 2 (Horford restated with 21): Bulls and Horford 21, then 5 -> game 3
    assert groups == ["nba-train-1", "nba-train-1", "nba-train-2", "nba-train-2", "nba-train-3"]
    assert out[3]["table"]["rows"] == [["Al Horford", "21"]]
    assert out[2]["table"]["rows"] == [["Bulls", "99"]]


def test_sentence_files_must_be_parallel(tmp_path: Path):
    for part in ("x_type", "x_value", "x_associated", "y_aux"):
        (tmp_path / f"{part}.valid.txt").write_text("TEAM_NAME\n" * (2 if part == "y_aux" else 1), encoding="utf-8")
    with pytest.raises(InputError, match="differ in length"):
        convert("rotowire", sorted(tmp_path.glob("*.txt")))


def _convert_sentences(tmp_path: Path, facts: list[tuple[str, str, str, str]]) -> list[dict]:
    """Write (x_type, x_value, x_associated, y_aux) lines as a train split's four files; the converted records."""
    for k, part in enumerate(("x_type", "x_value", "x_associated", "y_aux")):
        (tmp_path / f"{part}.train.txt").write_text("".join(f[k] + "\n" for f in facts), encoding="utf-8")
    return [r.to_dict() for r in convert("rotowire", sorted(tmp_path.glob("*.txt")))[0]]


def test_a_player_of_another_team_starts_a_new_game(tmp_path: Path):
    # Kevin Love is seen twice with the Cavaliers alone, so his statistics after a Hawks-Bulls game open a game
    facts = [("TEAM_NAME TEAM-PTS TEAM_NAME TEAM-PTS", "Hawks 95 Bulls 99", "Hawks Hawks Bulls Bulls",
              "The Bulls beat the Hawks 99 - 95 ."),
             ("PLAYER_NAME PLAYER-PTS", "Kevin_Love 20", "Kevin_Love Kevin_Love", "Kevin_Love had 20 points ."),
             ("PLAYER_NAME TEAM_NAME PLAYER-REB", "Kevin_Love Cavaliers 11", "Kevin_Love Cavaliers Kevin_Love",
              "Kevin_Love led the Cavaliers with 11 boards ."),
             ("TEAM_NAME TEAM-WINS TEAM-LOSSES PLAYER_NAME PLAYER-AST", "Cavaliers 40 12 Kevin_Love 3",
              "Cavaliers Cavaliers Cavaliers Kevin_Love Kevin_Love",
              "The Cavaliers ( 40 - 12 ) got 3 assists from Love .")]
    out = _convert_sentences(tmp_path, facts)
    assert [(r["metadata"]["group"], r["metadata"]["table_hint"]) for r in out] == [
        ("nba-train-1", "team"), ("nba-train-2", "team"), ("nba-train-2", "player")]
    assert out[2]["table"]["rows"] == [["Kevin Love", "3", "20", "11"]]


def test_a_surname_row_takes_the_one_full_name_the_summary_writes(tmp_path: Path):
    # the release tags Westbrook's points with the surname; the summary wrote his full name in a sentence
    # without his statistics. Two players end with Green, so that row keeps the surname.
    facts = [("TEAM_NAME TEAM-PTS TEAM_NAME TEAM-PTS", "Thunder 110 Warriors 99", "Thunder Thunder Warriors Warriors",
              "Russell_Westbrook 's Thunder beat the Golden_State_Warriors 110 - 99 ."),
             ("PLAYER_NAME PLAYER-PTS", "Westbrook 30", "Westbrook Westbrook", "Westbrook scored 30 points ."),
             ("TEAM_NAME TEAM-WINS", "Warriors 40", "Warriors Warriors",
              "Draymond_Green and Danny_Green could not stop the Warriors ' slide to 40 wins ."),
             ("PLAYER_NAME PLAYER-STL", "Green 3", "Green Green", "Green had 3 steals .")]
    out = _convert_sentences(tmp_path, facts)
    assert [r[0] for r in out[1]["table"]["rows"]] == ["Russell Westbrook", "Green"]


def test_a_one_word_row_takes_the_longer_name_the_release_left_unjoined(tmp_path: Path):
    # the release joins plain-word names into entity tokens but not "J.R. Smith" nor a misspelt "Paul Milsap",
    # and then tags the statistic with the one word it knows; the header takes the name as the text writes it
    facts = [("TEAM_NAME TEAM-PTS TEAM_NAME TEAM-PTS", "Hawks 95 Cavaliers 99", "Hawks Hawks Cavaliers Cavaliers",
              "The Cavaliers beat the Hawks 99 - 95 ."),
             ("PLAYER_NAME PLAYER-PTS", "Smith 20", "Smith Smith", "J.R. Smith scored 20 points ."),
             ("PLAYER_NAME PLAYER-REB", "Paul 9", "Paul Paul", "Paul Milsap grabbed 9 rebounds for the Hawks ."),
             ("PLAYER_NAME PLAYER-AST", "Love 4", "Love Love", "Love had 4 assists .")]
    out = _convert_sentences(tmp_path, facts)
    assert [r[0] for r in out[1]["table"]["rows"]] == ["J.R. Smith", "Paul Milsap", "Love"]
