"""WebNLG XML converter on real dev entries: one- and many-subject tables, surface forms, skips, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from text2table.core.records import record_from_dict
from text2table.data.formats import convert
from text2table.data.formats.webnlg import label
from text2table.errors import ConfigError, InputError

DIR = Path(__file__).parent / "fixtures" / "formats" / "webnlg"


def _convert(*paths: Path, **options: str) -> tuple[list[dict], object]:
    records, report = convert("webnlg", list(paths), options=options or None)
    return [r.to_dict() for r in records], report


def test_chain_of_subjects_is_one_row_per_subject() -> None:
    out, _ = _convert(DIR / "Airport.xml")
    assert len(out) == 5  # 3 + 2 lexicalisations
    first = out[0]
    assert first["table"] == {"structure": "flat_single_row",
                              "headers": ["name", "city_served", "is_part_of", "country"], "rows": [["Abilene Regional Airport", "Abilene", None, None],
                                       ["Abilene", None, "Taylor County, Texas", "United States"]]}
    assert first["document"].startswith("Abilene Regional Airport serves the city of Abilene")
    assert {r["metadata"]["group"] for r in out[:3]} == {out[0]["metadata"]["group"]}
    assert first["metadata"]["category"] == "Airport" and first["metadata"]["dataset"] == "webnlg"
    assert first["id"] == "webnlg-formats-webnlg-Airport-Id1-Id1"  # folders and stem: train and dev ids differ
    for obj in out:
        assert record_from_dict(obj).to_dict() == obj


def test_one_subject_is_kv_single_and_values_follow_the_text() -> None:
    out, report = _convert(DIR / "Airport.xml")
    second = out[4]
    assert second["table"]["structure"] == "kv_single"
    # the subject is the first field, as E2E's restaurant name is (a model trained without it drops `name`)
    assert second["table"]["headers"] == ["name", "runway_length", "city_served"]
    # this lexicalisation writes "1,219" and "Lake Placid": the reference surface forms, not the labels
    assert second["table"]["rows"] == [["Adirondack Regional Airport", "1,219", "Lake Placid; Saranac Lake, New York"]]
    assert report.counters["values_from_reference"] > 0


def test_filter_none_keeps_labels() -> None:
    out, _ = _convert(DIR / "Airport.xml", filter="none")
    assert out[4]["table"]["rows"] == [["Adirondack Regional Airport", "1219.0",
                                        "Lake Placid, New York; Saranac Lake, New York"]]
    assert out[2]["table"]["rows"][0][1] == "Abilene, Texas"


def test_folder_input_and_bad_lexicalisations_skipped(tmp_path: Path) -> None:
    text = (DIR / "Airport.xml").read_text(encoding="utf-8")
    text = text.replace('comment="good" lid="Id2"', 'comment="bad" lid="Id2"', 1)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "Airport.xml").write_text(text, encoding="utf-8")
    out, report = _convert(tmp_path)
    assert len(out) == 4 and report.counters["lex_skipped_comment"] == 1


def test_label_cleaning() -> None:
    assert label('"Bread, almonds, garlic"') == "Bread, almonds, garlic"
    assert label("Saranac_Lake,_New_York") == "Saranac Lake, New York"


def test_errors_name_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_text("<benchmark><entries><entry eid='Id1'>", encoding="utf-8")
    with pytest.raises(InputError, match="bad.xml"):
        _convert(bad)
    broken = tmp_path / "broken.xml"
    broken.write_text("<benchmark><entries><entry eid='Id7'><modifiedtripleset><mtriple>a | b</mtriple>"
                      "</modifiedtripleset><lex><text>A b.</text></lex></entry></entries></benchmark>",
                      encoding="utf-8")
    with pytest.raises(InputError, match="Id7"):
        _convert(broken)
    out, report = convert("webnlg", [broken], on_error="skip")
    assert list(out) == [] and report.skipped
    with pytest.raises(InputError, match="not found"):
        _convert(tmp_path / "missing.xml")
    with pytest.raises(ConfigError, match="filter"):
        _convert(DIR / "Airport.xml", filter="wu")


def test_a_name_property_is_the_subject_column_and_is_not_repeated() -> None:
    from text2table.data.formats._common import Context
    from text2table.data.formats.webnlg import entry_table

    one = entry_table([("Ajoblanco", "name", "Ajo blanco"), ("Ajoblanco", "country", "Spain")],
                      "Ajo blanco comes from Spain.", {}, "none", Context(options={}))
    assert one == ("kv_single", ["name", "country"], [["Ajo blanco", "Spain"]])
    two = entry_table([("A", "name", "Alpha"), ("A", "near", "B"), ("B", "area", "riverside")], "", {}, "none",
                      Context(options={}))
    assert two == ("flat_single_row", ["name", "near", "area"], [["Alpha", "B", None], ["B", None, "riverside"]])
