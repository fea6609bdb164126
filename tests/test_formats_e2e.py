"""E2E CSV converter: MR parsing, kv_single records, MR groups, the slot filter switch, errors with file:line."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from text2table.errors import InputError
from text2table.data.formats import convert
from text2table.data.formats.e2e import mr_group, parse_mr
from text2table.core.records import record_from_dict

CSV = Path(__file__).parent / "fixtures" / "formats" / "e2e" / "devset.csv"


def _convert(path: Path = CSV, **kwargs):
    records, report = convert("e2e", [path], **kwargs)
    return [r.to_dict() for r in records], report


def test_unfiltered_records_keep_the_whole_mr():
    records, report = _convert(options={"filter": "none"})
    # ids use the line where the CSV record starts (line 4 spans two lines: a quoted line break)
    assert [r["id"] for r in records] == ["e2e-devset-2", "e2e-devset-3", "e2e-devset-4", "e2e-devset-6"]
    vaults = records[1]
    assert vaults["table"] == {
        "structure": "kv_single",
        "headers": ["name", "eatType", "priceRange", "customer rating", "near"],
        "rows": [["The Vaults", "pub", "more than £30", "5 out of 5", "Café Adriatic"]]}
    assert vaults["document"] == "The Vaults pub near Café Adriatic has a 5 star rating. Prices start at £30."
    assert vaults["metadata"]["mr"].startswith("name[The Vaults], eatType[pub]")
    assert vaults["metadata"]["group"] == mr_group(vaults["metadata"]["mr"])
    assert records[2]["document"].endswith("Raja Indian Cuisine.\nIt is by the river.")
    assert report.counters == {} and report.records == 4
    for obj in records:
        assert record_from_dict(obj).to_dict() == obj


def test_evidence_filter_counts_drops():
    records, report = _convert(options={"filter": "evidence"})
    tables = {r["id"]: dict(zip(r["table"]["headers"], r["table"]["rows"][0])) for r in records}
    assert tables["e2e-devset-3"] == {"name": "The Vaults", "eatType": "pub", "priceRange": "more than £30",
                                      "customer rating": "5 out of 5", "near": "Café Adriatic"}
    # food[Indian] only appears inside the near value "Raja Indian Cuisine": dropped
    assert "food" not in tables["e2e-devset-4"] and tables["e2e-devset-4"]["area"] == "riverside"
    assert report.counters["slots_total"] == 16
    assert report.counters["slots_dropped"] == 1 and report.counters["dropped.food"] == 1
    assert report.notes and "e2e filter evidence: dropped 1 of 16 slots" in report.notes[0]


def test_paper_filter_is_the_default():
    records, report = _convert()
    tables = {r["id"]: dict(zip(r["table"]["headers"], r["table"]["rows"][0])) for r in records}
    assert all("eatType" not in t for t in tables.values()) and report.counters["dropped.eatType"] == 2


def test_group_is_shared_by_references_of_one_mr(tmp_path):
    mr = '"name[Aromi], area[riverside]"'
    path = tmp_path / "train.csv"
    path.write_text(f"mr,ref\n{mr},Aromi is by the river.\n{mr},Aromi is on the riverside.\n"
                    '"name[Cotto]",Cotto.\n', encoding="utf-8")
    records, _ = _convert(path)
    groups = [r["metadata"]["group"] for r in records]
    assert groups[0] == groups[1] != groups[2] and groups[0].startswith("mr-")


def test_line_where_every_slot_is_dropped_yields_no_record(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text('mr,ref\n"name[Aromi], food[Chinese]",A nice place.\n', encoding="utf-8")
    records, report = _convert(path, options={"filter": "evidence"})
    assert records == [] and report.counters["empty_tables"] == 1


BAD = [
    pytest.param('"name[Aromi], area riverside",Aromi.', "cannot read a 'slot\\[value\\]' at column 14",
                 id="no-brackets"),
    pytest.param('"name[Aromi], name[Cotto]",Aromi.', "slot 'name' appears twice", id="duplicate-slot"),
    pytest.param('"name[Aromi],",Aromi.', "cannot read", id="trailing-comma"),
    pytest.param('"name[Aromi]",', "empty reference text", id="empty-ref"),
    pytest.param('"name[Aromi]"', "1 columns, expected 2", id="missing-ref"),
]


@pytest.mark.parametrize(("line", "message"), BAD)
def test_bad_line_names_file_and_line(tmp_path, line, message):
    path = tmp_path / "bad.csv"
    path.write_text(f'mr,ref\n"name[Cotto]",Cotto is here.\n{line}\n', encoding="utf-8")
    records, _ = convert("e2e", [path])
    with pytest.raises(InputError, match=message) as info:
        list(records)
    assert (info.value.source, info.value.line) == (str(path), 3)


def test_skip_reports_bad_lines_and_keeps_good_ones(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text('mr,ref\n"name[Cotto]",Cotto is here.\nnonsense,Cotto.\n"name[Aromi]",Aromi.\n',
                    encoding="utf-8")
    records, report = _convert(path, on_error="skip")
    assert [r["id"] for r in records] == ["e2e-bad-2", "e2e-bad-4"]
    assert len(report.skipped) == 1 and report.skipped[0][:2] == (str(path), 3)
    assert "cannot read a 'slot[value]'" in report.skipped[0][2]


def test_header_without_ref_is_rejected(tmp_path):
    path = tmp_path / "testset.csv"
    path.write_text('MR\n"name[Cotto]"\n', encoding="utf-8")
    records, _ = convert("e2e", [path])
    with pytest.raises(InputError, match="expected the columns 'mr' and 'ref'") as info:
        list(records)
    assert info.value.line == 1


SLOT = st.from_regex(r"[A-Za-z][A-Za-z ]{0,10}[A-Za-z]", fullmatch=True)
VALUE = st.from_regex(r"[A-Za-z0-9£][A-Za-z0-9£ ,.'-]{0,14}[A-Za-z0-9£.]", fullmatch=True)


@given(st.dictionaries(SLOT, VALUE, min_size=1, max_size=6))
def test_parse_mr_round_trips(slots):
    mr = ", ".join(f"{k}[{v}]" for k, v in slots.items())
    assert parse_mr(mr) == list(slots.items())
