"""Check ``polarity``: the sign of a yes/no fact in the text, and a contradicted cell turned."""

from __future__ import annotations

import pytest

from text2table.checks.polarity import contradicts, flipped, text_polarity
from text2table.checks.verify import verify_rows
from text2table.core.schema import Schema
from text2table.text.lexicons import lexicon_for

EN = lexicon_for("en")
SCHEMA = Schema.from_dict({"structure": "kv_single", "fields": [{"name": "name"}, {"name": "family_friendly"}]})


@pytest.mark.parametrize("text, polarity", [
    ("The Eagle is a non-family-friendly coffee shop.", False),
    ("It is not family friendly.", False),
    ("It isn't family-friendly.", False),
    ("The Eagle serves Chinese food but is not a kid friendly place.", False),
    ("In the city center there is a non kids friendly coffee shop.", False),
    ("The kid friendly coffee shop Browns serves English food.", True),
    ("It is not expensive and family friendly.", True),
    ("It is not only family friendly but also cheap.", True),
    ("Welcome to families, but not family friendly at night.", None),
    ("A coffee shop by the river.", None),
])
def test_text_polarity(text: str, polarity: bool | None) -> None:
    assert text_polarity(text, "family_friendly", EN) is polarity


ORDINARY = [  # a correct yes/no cell the check must leave alone
    ("The Eagle is not only family friendly but also cheap.", "yes"),
    ("The Eagle is not just family friendly, it is cheap too.", "yes"),
    ("You will never find a more family friendly pub than The Eagle.", "yes"),
    ("The Eagle: not expensive, and family friendly too.", "yes"),
    ("There is no doubt that The Eagle is family friendly.", "yes"),
    ("The Eagle is not family friendly.", "no"),
    ("The Eagle welcomes families.", "yes"),
]


@pytest.mark.parametrize("text, value", ORDINARY, ids=[t[10:40] for t, _ in ORDINARY])
def test_polarity_keeps_a_correct_answer(text: str, value: str) -> None:
    row = {"name": "The Eagle", "family_friendly": value}
    v = verify_rows(text, SCHEMA, [row], metadata={"language": "en"})
    assert v.rows == [row] and v.actions == [] and "polarity" in v.checks


def test_flipped_keeps_the_form_and_contradicts_reads_any_form() -> None:
    assert [flipped(v) for v in ("yes", "No", "TRUE", True)] == ["no", "Yes", "FALSE", False]
    assert contradicts("Yes", False) and contradicts(" no ", True) and contradicts(True, False)
    assert not contradicts("yes", True) and not contradicts("yes", None) and not contradicts("maybe", False)


def test_polarity_turns_a_contradicted_cell_and_lists_it() -> None:
    row = {"name": "The Eagle", "family_friendly": "yes"}
    v = verify_rows("The Eagle is a non-family-friendly pub.", SCHEMA, [row])
    assert v.rows == [{"name": "The Eagle", "family_friendly": "no"}]
    assert v.actions == [{"row": 0, "field": "family_friendly", "check": "polarity", "action": "corrected",
                          "old": "yes", "new": "no", "reason": "the text negates it"}]
    kid = verify_rows("The Eagle is a kid friendly pub.", SCHEMA, [{"name": "The Eagle", "family_friendly": "No"}])
    assert kid.rows == [{"name": "The Eagle", "family_friendly": "Yes"}]


def test_polarity_needs_a_language() -> None:
    row = {"name": "The Eagle", "family_friendly": "yes"}
    v = verify_rows("The Eagle is a non-family-friendly pub.", SCHEMA, [row], metadata={"language": "ja"})
    assert v.rows == [row] and "polarity" not in v.checks
