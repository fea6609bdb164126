"""bench/rotowire_errors.py: rows found, missed and extra (teams told apart), cells right, empty or wrong."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import rotowire_errors  # noqa: E402  (bench/ is a folder of scripts, not a package)


def test_cells_of_found_rows_and_extra_rows():
    gold = [{"Player": "Al Horford", "Points": "15", "Assists": "4", "Steals": None},
            {"Player": "Isaiah Thomas", "Points": "27"}]
    pred = [{"Player": "AL  Horford", "Points": "15", "Assists": "5", "Steals": "2"},
            {"Player": "Al Horford", "Points": "99", "Assists": "4"},  # a repeated header adds nothing
            {"Player": "Celtics", "Points": "110"}, {"Player": "Jae Crowder", "Points": "12"}, {"Player": None}]
    c = rotowire_errors.table_errors(gold, pred)
    assert (c["rows_found"], c["rows_missed"], c["extra_team"], c["extra_other"]) == (1, 1, 1, 1)
    assert c["extra_empty"] == 0  # both extra rows hold a value
    bare = rotowire_errors.table_errors(gold, [{"Player": "Celtics", "Points": None}, {"Player": "Bo", "Points": ""}])
    assert (bare["extra_team"], bare["extra_other"], bare["extra_empty"]) == (1, 1, 2)
    assert c[("Points", "right")] == 1 and c[("Assists", "wrong")] == 1
    assert ("Steals", "wrong") not in c  # a gold cell without a value is not counted
    empty = rotowire_errors.table_errors(gold, [{"Player": "Al Horford", "Points": None}])
    assert empty[("Points", "empty")] == 1 and empty[("Assists", "empty")] == 1


def test_sentence_company_counts_other_gold_names_in_the_busiest_sentence():
    doc = ("Joe Harris and Sean Kilpatrick scored 10 points each. Harris also had 5 rebounds. "
           "Brook Lopez led the way with 24 points, while Harris and Kilpatrick chipped in.")
    company = rotowire_errors.sentence_company(doc, ["Joe Harris", "Sean Kilpatrick", "Brook Lopez", "Al Horford"])
    assert company == {"Joe Harris": 2, "Sean Kilpatrick": 2, "Brook Lopez": 2, "Al Horford": 0}
    assert rotowire_errors.sentence_company("Lopezz scored 3.", ["Brook Lopez"]) == {"Brook Lopez": 0}  # whole words


def test_column_drift_marks_a_column_an_earlier_system_wrote_and_this_one_stopped_writing():
    gold = [{"P": "Al Horford", "Pts": "15", "3pm": "2"}, {"P": "Bo Kim", "Pts": "9", "3pm": "1"}]
    before = rotowire_errors.table_errors(gold, [{"P": "Al Horford", "Pts": "15", "3pm": "2"},
                                                 {"P": "Bo Kim", "Pts": "9", "3pm": "1"}])
    after = rotowire_errors.table_errors(gold, [{"P": "Al Horford", "Pts": "15", "3pm": None},
                                                {"P": "Bo Kim", "Pts": "9", "3pm": None}])
    five = [sum((c for _ in range(5)), Counter()) for c in (before, after)]  # the same two tables five times
    assert rotowire_errors.column_drift(*five) == [("Pts", 10, 10, False), ("3pm", 10, 0, True)]
    assert rotowire_errors.column_drift(before, after)[1] == ("3pm", 2, 0, False)  # too few cells to say
