"""Text-to-Table benchmark files (.text/.data): key/value and Team/Player layouts, errors with file:line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from text2table.errors import InputError
from text2table.data.formats import convert
from text2table.data.formats.text2table import format_data_line, parse_row, split_lines
from text2table.core.records import gold_schema, record_from_dict

FIXTURES = Path(__file__).parent / "fixtures" / "formats"


def _convert(path: Path, **kwargs):
    records, report = convert("text2table", [path], **kwargs)
    return [r.to_dict() for r in records], report


def test_kv_file_becomes_kv_single_records():
    records, report = _convert(FIXTURES / "text2table_e2e" / "valid.text")
    assert [r["id"] for r in records] == ["t2t-valid-1", "t2t-valid-2", "t2t-valid-3"]
    first = records[0]
    assert first["document"] == "Alimentum is not a family-friendly place, located in city centre."
    assert first["table"] == {"structure": "kv_single", "headers": ["Name", "Area", "Family friendly"],
                              "rows": [["Alimentum", "City centre", "No"]]}
    assert first["metadata"]["group"] == "t2t-valid-1" and first["metadata"]["table_hint"] is None
    assert records[2]["document"] == "Blue Spice is a coffee shop by the river.\nIt is kid friendly."
    assert report.records == 3 and report.skipped == []


def test_data_file_finds_its_text_sibling_and_both_given_once():
    by_data, _ = _convert(FIXTURES / "text2table_e2e" / "valid.data")
    both, _ = convert("text2table", [FIXTURES / "text2table_e2e" / "valid.data",
                                     FIXTURES / "text2table_e2e" / "valid.text"])
    assert [r.to_dict() for r in both] == by_data
    assert len(by_data) == 3


def test_rotowire_sections_become_team_and_player_records():
    records, report = _convert(FIXTURES / "text2table_rotowire" / "valid.text")
    assert [r["id"] for r in records] == ["t2t-valid-1-team", "t2t-valid-1-player", "t2t-valid-2-player",
                                          "t2t-valid-3-team"]
    team, player = records[0], records[1]
    assert team["table"] == {"structure": "flat_single_row", "headers": ["Team", "Wins", "Losses", "Total points"],
                             "rows": [["Hawks", "46", "12", "95"], ["Magic", "19", "41", "88"]]}
    assert player["table"]["headers"] == ["Player", "Points", "Total rebounds"]
    assert player["table"]["rows"][1] == ["Nikola Vucevic", "21", None]
    assert (team["metadata"]["table_hint"], player["metadata"]["table_hint"]) == ("team", "player")
    assert team["metadata"]["group"] == player["metadata"]["group"] == "t2t-valid-1"
    assert records[3]["table"]["rows"][1] == ["Suns", None, None, "98"]
    # line 2 has an empty Team section, line 3 an empty Player section ('|  |')
    assert report.counters["empty_tables"] == 2 and report.notes


@pytest.mark.parametrize("folder", ["text2table_e2e", "text2table_rotowire"])
def test_records_validate_and_give_a_schema(folder):
    records, _ = _convert(FIXTURES / folder / "valid.text")
    for obj in records:
        record = record_from_dict(obj)
        assert record.to_dict() == obj
        assert gold_schema(record).structure == obj["table"]["structure"]


def test_id_prefix_option():
    records, _ = _convert(FIXTURES / "text2table_e2e" / "valid.text", options={"id_prefix": "e2e-valid"})
    assert records[0]["id"] == "e2e-valid-1" and records[0]["metadata"]["group"] == "e2e-valid-1"


def _pair(tmp_path: Path, text: str, data: str) -> Path:
    (tmp_path / "test.text").write_text(text, encoding="utf-8")
    (tmp_path / "test.data").write_text(data, encoding="utf-8")
    return tmp_path / "test.text"


BAD_DATA = [
    pytest.param("| Name | Aromi | Riverside |", "row 1 has 3 cells, expected 2", id="kv-three-cells"),
    pytest.param("Name | Aromi", "expected a table row", id="not-a-row"),
    pytest.param("| Team | Hawks | <NEWLINE> Team: <NEWLINE> |  | Wins |", "rows before the first section",
                 id="rows-before-section"),
    pytest.param("Team: <NEWLINE> |  | Wins | <NEWLINE> | Hawks | 46 | 1 |", "row 1 has 3 cells, expected 2",
                 id="section-row-width"),
    pytest.param("Team: <NEWLINE> |  | Wins | <NEWLINE> | Hawks | 46 | <NEWLINE> Team:", "appears twice",
                 id="duplicate-section"),
]


@pytest.mark.parametrize(("data", "message"), BAD_DATA)
def test_bad_data_line_names_file_and_line(tmp_path, data, message):
    path = _pair(tmp_path, "ok\nsecond doc\n", f"| Name | Aromi |\n{data}\n")
    records, _ = convert("text2table", [path])
    with pytest.raises(InputError, match=message) as info:
        list(records)
    assert info.value.source == str(tmp_path / "test.data") and info.value.line == 2
    assert "test.data:2: " in str(info.value)


def test_skip_keeps_going_and_reports(tmp_path):
    path = _pair(tmp_path, "one\n\nthree\n", "| a | 1 |\n| b | 2 |\n| c | 3 | 4 |\n")
    records, report = _convert(path, on_error="skip")
    assert [r["id"] for r in records] == ["t2t-test-1"]
    assert [(Path(f).name, line) for f, line, _ in report.skipped] == [("test.text", 2), ("test.data", 3)]
    assert report.skipped[0][2] == "empty document (fix: every line needs a text)"


def test_line_count_mismatch_is_an_error(tmp_path):
    path = _pair(tmp_path, "one\ntwo\n", "| a | 1 |\n")
    records, _ = convert("text2table", [path])
    with pytest.raises(InputError, match="test.data ends before line 2"):
        list(records)


def test_missing_sibling_and_wrong_suffix_fail_at_call_time(tmp_path):
    (tmp_path / "x.text").write_text("doc\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"x\.data: the tables file \(\.data\) not found"):
        convert("text2table", [tmp_path / "x.text"])
    shutil.copy(tmp_path / "x.text", tmp_path / "x.txt")
    with pytest.raises(InputError, match="expected a .text or .data file"):
        convert("text2table", [tmp_path / "x.txt"])


CELL = st.text(st.characters(blacklist_characters="|\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029",
                             blacklist_categories=("Cs",)), max_size=12).map(str.strip).filter(
    lambda s: "<NEWLINE>" not in s)


@given(st.integers(1, 4).flatmap(lambda width: st.lists(st.lists(CELL, min_size=width, max_size=width),
                                                        min_size=1, max_size=5)))
def test_format_then_parse_is_identity(rows):
    rows = [row for row in rows if row != [""]]  # a lone empty cell renders as '|  |', the empty table
    line = format_data_line(rows)
    assert [parse_row(part) for part in split_lines(line)] == rows


def test_parse_row_rejects_unframed_text():
    with pytest.raises(ValueError):
        parse_row("| a | b")
