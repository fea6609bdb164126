"""WikiTableText TSV converter: real-shape lines (CRLF, _||_, _$$_, empty values, repeated keys), errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from text2table.errors import InputError
from text2table.data.formats import convert
from text2table.data.formats.wikitabletext import parse_line
from text2table.core.records import gold_schema, record_from_dict

TSV = Path(__file__).parent / "fixtures" / "formats" / "wikitabletext" / "dev.tsv"


def test_fixture_lines_become_kv_single_records():
    records, report = convert("wikitabletext", [TSV], options={"filter": "none"})
    out = [r.to_dict() for r in records]
    assert [r["id"] for r in out] == ["wtt-dev-1", "wtt-dev-2", "wtt-dev-3"]
    assert out[0]["document"] == ("viktor gerashchenko is the chairman of central bank of russia during"
                                  " 1992 to 1994 .")
    assert out[0]["table"] == {"structure": "kv_single", "headers": ["subj_title", "subj_subtitle", "name", "year"],
                               "rows": [["central bank of russia", "chairmen", "viktor gerashchenko",
                                         "1992\u20141994"]]}
    assert out[1]["table"]["rows"] == [["java version history", None, "jdk 1.0", "1996"]]
    assert out[2]["table"]["headers"] == ["subj_title", "subj_subtitle", "year", "population", "year", "population"]
    assert report.records == 3 and report.skipped == []
    names = [f.name for f in gold_schema(record_from_dict(out[2])).fields]
    assert names == ["subj_title", "subj_subtitle", "year", "population", "year_2", "population_2"]
    for obj in out:
        assert record_from_dict(obj).to_dict() == obj


@pytest.mark.parametrize(("line", "message"), [
    pytest.param("2\tsubj_title_||_subj_subtitle\tx\tsentence", "2 keys but 1 values", id="count-mismatch"),
    pytest.param("3\tsubj_title_||_subj_subtitle\tx_||_y\tsentence", "column 1 says '3' pairs but there are 2", id="bad-count"),
    pytest.param("2\tsubj_title_||_subj_subtitle\tx_||_y", "3 tab-separated columns, expected 4", id="missing-column"),
    pytest.param("2\tsubj_title_||_subj_subtitle\tx_||_y\t _$$_ ", "empty sentence", id="empty-sentence"),
    pytest.param("2\ta_||__||_\tx_||_y", "3 tab-separated", id="short"),
])
def test_bad_line_names_file_and_line(tmp_path, line, message):
    path = tmp_path / "test.tsv"
    path.write_bytes(b"2\tsubj_title_||_subj_subtitle\tx_||_y\tx and y .\r\n" + line.encode() + b"\r\n")
    records, _ = convert("wikitabletext", [path])
    with pytest.raises(InputError, match=message) as info:
        list(records)
    assert (info.value.source, info.value.line) == (str(path), 2)


def test_skip_reports_and_continues(tmp_path):
    path = tmp_path / "test.tsv"
    path.write_bytes(b"bad line\n\xff\xfe\t\n2\tsubj_title_||_subj_subtitle\tx_||_y\tx and y .\n")
    records, report = convert("wikitabletext", [path], on_error="skip")
    assert [r.id for r in records] == ["wtt-test-3"]
    assert [(line, reason.split(" (fix")[0]) for _, line, reason in report.skipped] == [
        (1, "1 tab-separated columns, expected 4"), (2, "not valid UTF-8 at column 1")]


def test_bare_double_bar_separator_is_accepted():
    keys, values, sentence = parse_line("2\tsubj_title||year\tfoo_$$_bar||1990\tfoo bar in 1990 .")
    assert (keys, values, sentence) == (["subj_title", "year"], ["foo bar", "1990"], "foo bar in 1990 .")
