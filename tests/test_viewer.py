"""The evidence viewer (report/viewer.py) and `text2table view`: spans, check notes, escaping, no network."""

import json
import re

import pytest
from typer.testing import CliRunner

from text2table.cli import app
from text2table.report.viewer import cell_spans, check_notes, find_span, highlight, render_view

DOC = "The Eagle is a coffee shop near Burger King. It is not family-friendly; the eagle serves Japanese food."
RECORD = {"id": "e2e-9", "schema": {"structure": "kv_single",
                                    "fields": [{"name": "name"}, {"name": "near"}, {"name": "food"},
                                               {"name": "family_friendly"}, {"name": "area"}]},
          "rows": [{"name": "The Eagle", "near": "Burger King", "food": "Japanese", "family_friendly": "no",
                    "area": None}],
          "diagnostics": {"verify": {"nulled": [{"row": 0, "field": "area", "value": "riverside"}],
                                     "corrected": [{"row": 0, "field": "family_friendly", "value": "yes",
                                                    "now": "no"}]}}}


@pytest.mark.parametrize("value, start, expected", [
    ("burger king", 0, (32, 43)), ("Burger   King", 0, (32, 43)), ("the eagle", 10, (72, 81)),
    ("eagle", 0, (4, 9)), ("Japan", 0, (89, 94)), ("Wrestlers", 0, None), ("", 0, None), (None, 0, None),
    ("a", 0, (13, 14)), ("no", 0, None), ("fee", 0, None),
], ids=["case", "spaces", "from-start", "word", "part-of-word", "absent", "empty", "none", "whole-word-first",
        "short-never-inside-a-word", "short-part"])
def test_find_span(value, start, expected):
    assert find_span(DOC, value, start) == expected
    if expected:
        assert DOC[expected[0]:expected[1]].casefold().split() == str(value).casefold().split()


def test_a_short_number_is_not_found_inside_a_longer_one():
    text = "Montage 22 1.452,00 then Fahrt 1 57,00; total 3,5 or 5."
    assert find_span(text, "1") == (text.index(" 1 ") + 1, text.index(" 1 ") + 2)
    assert find_span(text, "5") == (len(text) - 2, len(text) - 1) and find_span(text, "452") is None


def test_given_evidence_wins_and_its_null_is_respected_and_bad_spans_fall_back():
    rows = [{"name": "The Eagle", "near": "Burger King"}]
    assert cell_spans(DOC, ["name", "near"], rows, [{"name": [74, 83], "near": None}]) == \
        [{"name": (74, 83), "near": None}]
    assert cell_spans(DOC, ["name", "near"], rows, [{"name": [90, 9999]}]) == [{"name": None, "near": (32, 43)}]
    assert cell_spans(DOC, ["name"], rows, []) == [{"name": (0, 9)}]


def test_check_actions_are_read_before_the_older_verify_list():
    diag = {"check_actions": [{"row": 0, "field": "area", "check": "evidence", "action": "nulled", "old": "x",
                               "new": None, "reason": "not in the text"}, "junk"],
            "verify": {"nulled": [{"row": 0, "field": "food", "value": "y"}]}}
    assert check_notes(diag) == {(0, "area"): {"action": "nulled", "old": "x", "new": None,
                                               "reason": "not in the text"}}
    assert check_notes(None) == {} and check_notes({"verify": None}) == {}


def test_overlapping_spans_are_split_and_list_every_cell():
    html = highlight("abcdef", [(0, 4, "x", 0), (2, 6, "y", 1)])
    assert html == ('<mark class="c0" data-cells="x">ab</mark><mark class="c0" data-cells="x y">cd</mark>'
                    '<mark class="c1" data-cells="y">ef</mark>')


def test_page_links_cells_and_spans_and_shows_reasons():
    page = render_view([RECORD], {"e2e-9": DOC})
    for cell in ("d0-0-0", "d0-0-1", "d0-0-2"):
        assert page.count(f'data-cells="{cell}"') == 2  # the cell and its span
    assert 'class="cell null nulled"' in page and "nulled (was &#x27;riverside&#x27;): not found in the text" in page
    assert "corrected from &#x27;yes&#x27; to &#x27;no&#x27;" in page


def test_page_escapes_documents_and_values_and_needs_no_network():
    evil = {"id": "<b>x</b>", "schema": {"structure": "kv_single", "fields": [{"name": "v"}]},
            "rows": [{"v": "<script>alert(1)</script>"}], "diagnostics": {}}
    page = render_view([evil], {"<b>x</b>": "say <script>alert(1)</script> now"})
    assert "<script>alert" not in page and "&lt;script&gt;" in page and "<b>x</b>" not in page
    assert not re.search(r"(src|href)=\"?(https?:)?//", page) and "default-src 'none'" in page


def test_old_records_without_diagnostics_or_schema_still_render():
    page = render_view([{"id": "a", "schema": None, "rows": [], "error": "pi1: boom"}, {"id": "b"}], {"a": "text"})
    assert "pi1: boom" in page and "document text not given" in page


def test_view_cli_reads_docs_from_the_gold_jsonl(tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"id": "e2e-9", "document": DOC, "metadata": {}}) + "\n")
    pred = tmp_path / "pred.jsonl"
    pred.write_text(json.dumps(RECORD) + "\n")
    out = tmp_path / "view.html"
    result = CliRunner().invoke(app, ["view", str(pred), "--docs", str(gold), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "wrote" in result.output and '<mark class="c1" data-cells="d0-0-1">Burger King</mark>' in out.read_text()
    bare = CliRunner().invoke(app, ["view", str(pred), "--out", str(tmp_path / "bare.html")])
    assert bare.exit_code == 0 and "1 without their text" in " ".join(bare.output.split())
