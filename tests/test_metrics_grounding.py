"""Grounding: values supported by the document (normalised strings, numbers in digits or words)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from text2table.metrics.grounding import ground_rows
from text2table.text.document_index import DocumentIndex
from text2table.text.normalise import canonical_tokens

DOC = ("The Vaults, a pub near Café Adriatic, drew 1,250 fans. Smith scored twenty-three points and four "
       "rebounds in 36 minutes; one hundred and five people were family friendly. Price: £20-25.")


@pytest.mark.parametrize("value, field, grounded", [
    ("The Vaults", None, True), ("the vaults", None, True), ("Cafe Adriatic", None, True),
    ("1250", None, True), ("1,250", None, True), ("23", None, True), ("twenty-three", None, True),
    ("4", None, True), ("four", None, True), ("105", None, True), ("36", None, True), ("thirty-six", None, True),
    ("£20-25", None, True), ("20-25", None, True), ("£", None, True),
    ("3", None, False), ("5", None, False), ("125", None, False), ("Vault", None, False), ("Cavaliers", None, False),
    ("yes", "family_friendly", True), ("yes", "kid_zone", False),
], ids=lambda x: str(x))
def test_supports(value: str, field: str | None, grounded: bool) -> None:
    assert DocumentIndex.build(DOC).supports(value, field) is grounded


def test_canonical_tokens() -> None:
    assert canonical_tokens("Twenty-three points, 1,000 fans at Café Zürich") == [
        "23", "points", "1000", "fans", "at", "cafe", "zurich"]
    assert canonical_tokens("one hundred and five, two three") == ["105", "2", "3"]
    assert canonical_tokens("ninety nine; one thousand two hundred") == ["99", "1200"]
    assert canonical_tokens("someone often") == ["someone", "often"]


def test_ground_rows_lists_ungrounded_cells() -> None:
    rows = [{"player": "Smith", "points": 23, "team": "Bulls"}, {"player": None, "points": "", "team": "-"}]
    c = ground_rows(rows, DOC, missing=("-",))
    assert (c.cells, c.grounded) == (3, 2)
    assert c.ungrounded == [(0, "team", "Bulls")]
    assert c.rate == pytest.approx(2 / 3)
    assert ground_rows([], DOC).rate == 0.0


@given(st.text(max_size=200), st.text(max_size=30))
def test_never_raises(document: str, value: str) -> None:
    assert DocumentIndex(document).supports(value) in (True, False)


@given(st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=40))
def test_every_substring_word_run_is_grounded(text: str) -> None:
    tokens = canonical_tokens(text)
    if tokens:
        assert DocumentIndex(f"before {text} after").supports(" ".join(tokens))


def test_grounding_is_computed_apart_from_the_check_chain() -> None:
    """The metric never runs the checks' matching (text/spans.py), and no check runs the metric's index."""
    import ast
    from pathlib import Path

    import text2table.checks as checks_package
    import text2table.metrics.grounding as grounding

    def imported(path: Path) -> set[str]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        return {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}

    assert not {m for m in imported(Path(grounding.__file__)) if m.startswith(("text2table.checks", "text2table.text.spans"))}
    for path in Path(checks_package.__file__).parent.glob("*.py"):
        assert not {m for m in imported(path) if m.startswith(("text2table.metrics", "text2table.text.document_index"))}, path


def test_a_checked_and_an_unchecked_table_are_scored_by_the_same_rule() -> None:
    from text2table.checks.verify import verify_rows
    from text2table.core.schema import Schema

    doc = "Smith scored four points for the Bulls."
    schema = Schema.from_dict({"structure": "kv_single", "fields": [{"name": "player"}, {"name": "team"},
                                                                   {"name": "coach"}]})
    raw = [{"player": "Smith", "team": "Bulls", "coach": "Jones"}]
    checked = verify_rows(doc, schema, raw, schema_given=True).rows
    assert (ground_rows(raw, doc).cells, ground_rows(raw, doc).grounded) == (3, 2)
    assert (ground_rows(checked, doc).cells, ground_rows(checked, doc).grounded) == (2, 2)
