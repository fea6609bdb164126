"""DART JSON converter on real dev triple sets: Wikipedia-table rows, WebNLG chains, E2E skipped, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from text2table.data.formats import convert
from text2table.errors import ConfigError, InputError

FILE = Path(__file__).parent / "fixtures" / "formats" / "dart" / "dart-dev-excerpt.json"


def _convert(*paths: Path, **options: str) -> tuple[list[dict], object]:
    records, report = convert("dart", list(paths), options=options or None)
    return [r.to_dict() for r in records], report


def test_a_wikipedia_table_row_is_one_kv_row_without_its_title():
    out, _ = _convert(FILE)
    assert out[0]["document"] == "A school from Mars Hill, North Carolina, joined in 1973."
    assert out[0]["table"] == {"structure": "kv_single", "headers": ["joined", "location"],
                               "rows": [["1973", "Mars Hill, North Carolina"]]}
    berlin = out[1]["table"]
    assert berlin["headers"] == ["metropolitan_area", "country", "official_population"]  # [TITLE] left out
    assert berlin["rows"] == [["Berlin", "Germany", "5,097,712"]]
    assert out[1]["metadata"]["source"] == "WikiTableQuestions_mturk"


def test_a_webnlg_chain_is_one_row_per_subject_and_sentences_share_a_group():
    out, _ = _convert(FILE)
    chain = [r for r in out if r["metadata"]["source"] == "webnlg"]
    assert len(chain) == 2
    assert chain[0]["table"] == {"structure": "flat_single_row", "headers": ["name", "ingredient", "genus"],
                                 "rows": [["Bandeja paisa", "Lemon", None], ["Lemon", None, "Citrus"]]}
    assert chain[0]["metadata"]["group"] == chain[1]["metadata"]["group"] != out[0]["metadata"]["group"]
    assert chain[0]["id"] != chain[1]["id"]


def test_e2e_sentences_are_skipped_unless_asked_for():
    out, report = _convert(FILE)
    assert all(r["metadata"]["source"] != "e2e" for r in out)
    assert report.counters["skipped_source.e2e"] == 2
    assert any("e2e 2" in note for note in report.notes)
    with_e2e, _ = _convert(FILE, sources="e2e")
    assert [r["table"]["headers"] for r in with_e2e] == [["name", "area", "family_friendly"]] * 2


def test_bad_files_and_options_say_what_to_fix(tmp_path):
    with pytest.raises(ConfigError, match="filter"):
        _convert(FILE, filter="loose")
    with pytest.raises(ConfigError, match="sources"):
        _convert(FILE, sources=" , ")
    with pytest.raises(InputError, match="not found"):
        _convert(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text('[{"tripleset": [["a", "b"]], "annotations": [{"source": "webnlg", "text": "x"}]}]')
    with pytest.raises(InputError, match="triple set 0"):
        _convert(bad)
    records, report = convert("dart", [bad], on_error="skip")
    assert list(records) == [] and report.skipped
    broken = tmp_path / "broken.json"
    broken.write_text('{"tripleset": ')
    with pytest.raises(InputError, match="not a DART JSON file"):
        _convert(broken)
    assert json.loads(FILE.read_text())  # the fixture itself is valid JSON


def test_cells_the_sentence_does_not_state_are_dropped_by_default(tmp_path):
    # a real WikiSQL set whose sentence leaves the location out
    path = tmp_path / "set.json"
    path.write_text(json.dumps([{"tripleset": [["Mars Hill College", "JOINED", "1973"],
                                               ["Mars Hill College", "LOCATION", "Mars Hill, North Carolina"]],
                                 "annotations": [{"source": "WikiSQL_decl_sents", "text": "A school joined in 1973."},
                                                 {"source": "WikiSQL_decl_sents", "text": "A school joined."}]}]))
    out, report = _convert(path)
    assert [r["table"] for r in out] == [{"structure": "kv_single", "headers": ["joined"], "rows": [["1973"]]}]
    # the row's key cell (its column unnamed) is a `name` field, dropped here with the unstated location
    assert report.counters["values_not_stated"] == 5 and report.counters["records_without_cells"] == 1
    labels, _ = _convert(path, filter="text")
    assert labels[0]["table"]["headers"] == ["name", "joined", "location"] and len(labels) == 2


def test_the_row_key_is_the_name_field_when_the_sentence_states_it(tmp_path):
    # a real WikiSQL set of DART dev
    path = tmp_path / "set.json"
    path.write_text(json.dumps([{"tripleset": [["Newberry College", "NICKNAME", "Wolves"]], "annotations": [
        {"source": "WikiSQL_decl_sents", "text": "Newberry College's nickname is the wolves."}]}]))
    out, _ = _convert(path)
    assert out[0]["table"] == {"structure": "kv_single", "headers": ["name", "nickname"],
                               "rows": [["Newberry College", "Wolves"]]}
