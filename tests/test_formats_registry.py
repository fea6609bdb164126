"""formats.convert: registry, option and policy validation, lazy streaming with a filling report."""

from __future__ import annotations

from pathlib import Path

import pytest

from text2table.errors import ConfigError, InputError
from text2table.data.formats import FORMATS, ConvertReport, convert

FIXTURES = Path(__file__).parent / "fixtures" / "formats"


def test_registry_lists_the_formats_with_options():
    assert set(FORMATS) == {"text2table", "e2e", "rotowire", "webnlg", "dart", "wikitabletext"}
    assert FORMATS["e2e"].options["filter"] == "wu" and FORMATS["wikitabletext"].options["filter"] == "wu"


def test_unknown_format_names_the_known_ones():
    with pytest.raises(ConfigError, match="unknown format 'wikibio'; known formats: dart, e2e, rotowire, text2table"):
        convert("wikibio", [FIXTURES / "e2e" / "devset.csv"])


@pytest.mark.parametrize(("fmt", "options", "message"), [
    ("e2e", {"filter_unsupported": False}, "has no option 'filter_unsupported'; its options: filter, id_prefix"),
    ("e2e", {"filter": False}, "must be str"),
    ("e2e", {"filter": "strict"}, "option 'filter' must be one of wu, evidence, none"),
    ("wikitabletext", {"filter": "evidence"}, "option 'filter' must be 'wu' or 'none'"),
    ("rotowire", {"id_prefix": "x"}, "its options: filter"),
    ("wikitabletext", {"id_prefix": 3}, "must be a string or null"),
])
def test_bad_options(fmt, options, message):
    with pytest.raises(ConfigError, match=message):
        convert(fmt, [FIXTURES / "e2e" / "devset.csv"], options=options)


def test_bad_policy_and_no_inputs():
    with pytest.raises(ConfigError, match="on_error must be one of"):
        convert("e2e", [FIXTURES / "e2e" / "devset.csv"], on_error="ignore")
    with pytest.raises(InputError, match="no input files"):
        convert("e2e", [])


def test_missing_file_fails_at_call_time(tmp_path):
    with pytest.raises(InputError, match="not found") as info:
        convert("wikitabletext", [tmp_path / "nope.tsv"])
    assert info.value.source == str(tmp_path / "nope.tsv")


def test_records_stream_and_report_fills_while_consuming():
    records, report = convert("wikitabletext", [str(FIXTURES / "wikitabletext" / "dev.tsv")])
    assert isinstance(report, ConvertReport) and report.records == 0
    next(records)
    assert report.records == 1
    list(records)
    assert report.records == 3


def test_id_prefix_with_several_files_is_refused():
    path = FIXTURES / "wikitabletext" / "dev.tsv"
    with pytest.raises(InputError, match="ids would collide"):
        convert("wikitabletext", [path, path], options={"id_prefix": "x"})
