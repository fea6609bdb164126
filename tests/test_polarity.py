"""The sign of a yes/no fact in the text, and the evidence check turning a contradicted cell."""

from __future__ import annotations

import pytest

from text2table.checks.polarity import contradicts, evidence_polarity, flipped
from text2table.core.schema import Schema
from text2table.checks.verify import verify_rows


@pytest.mark.parametrize("text, polarity", [
    ("The Eagle is a non-family-friendly coffee shop.", False),
    ("It is not family friendly.", False),
    ("It isn't family-friendly.", False),
    ("The Eagle serves Chinese food but is not a kid friendly place.", False),
    ("In the city center there is a non kids friendly coffee shop.", False),
    ("The kid friendly coffee shop Browns serves English food.", True),
    ("It is not expensive and family friendly.", True),
    ("Welcome to families, but not family friendly at night.", None),
    ("A coffee shop by the river.", None),
])
def test_evidence_polarity(text: str, polarity: bool | None) -> None:
    assert evidence_polarity(text, "family_friendly") is polarity


def test_flipped_keeps_the_form_and_contradicts_reads_any_form() -> None:
    assert [flipped(v) for v in ("yes", "No", "TRUE", True)] == ["no", "Yes", "FALSE", False]
    assert contradicts("Yes", False) and contradicts(" no ", True) and contradicts(True, False)
    assert not contradicts("yes", True) and not contradicts("yes", None) and not contradicts("maybe", False)


SCHEMA = Schema.from_dict({"structure": "kv_single", "fields": [{"name": "name"}, {"name": "family_friendly"}]})


def test_verify_turns_a_contradicted_yes_no_cell_and_lists_it() -> None:
    row = {"name": "The Eagle", "family_friendly": "yes"}
    v = verify_rows("The Eagle is a non-family-friendly pub.", SCHEMA, [row])
    assert v.rows == [{"name": "The Eagle", "family_friendly": "no"}]
    assert v.corrected == [{"row": 0, "field": "family_friendly", "value": "yes", "now": "no"}]
    assert v.diagnostics()["corrected"] == v.corrected and v.nulled == []
    mixed = "Families love The Eagle, though it is not family friendly at night."
    kept = verify_rows(mixed, SCHEMA, [{"name": "The Eagle", "family_friendly": "yes"}])
    assert kept.rows == [{"name": "The Eagle", "family_friendly": "yes"}] and kept.corrected == []
