"""Check ``function_words``: a cell that is one function word of the document's language is nulled."""

from __future__ import annotations

import pytest

from text2table.checks.verify import verify_rows
from text2table.core.schema import Schema


def _schema(*names: str) -> Schema:
    return Schema.from_dict({"structure": "kv_single", "fields": [{"name": n} for n in names]})


ORDINARY = [  # one-word values that ordinary text states: the check must not fire
    ("The heater is on.", {"device": "heater", "state": "on"}),
    ("She read It by Stephen King.", {"title": "It", "author": "Stephen King"}),
    ("The motion passed with 40 votes for.", {"votes": "40", "position": "for"}),
    ("Her grade was A.", {"grade": "A"}),
    ("The car carries plates from Austria (AT).", {"country": "Austria", "code": "AT"}),
    ("She belongs to Generation Y.", {"generation": "Y"}),  # a Spanish conjunction, not an English one
    ("She drives a red car, a Fiat Panda.", {"color": "red", "car_model": "Fiat Panda"}),
]


@pytest.mark.parametrize("text, row", ORDINARY, ids=[t[:24] for t, _ in ORDINARY])
def test_function_words_keeps_ordinary_one_word_values(text: str, row: dict) -> None:
    v = verify_rows(text, _schema(*row), [row], metadata={"language": "en"}, schema_given=True)
    assert v.rows == [row] and v.actions == [] and "function_words" in v.checks


@pytest.mark.parametrize("text, language, value", [
    ("Cotto is a coffee shop near A Grade.", "en", "Near "),
    ("The Eagle is by the river.", "en", "the"),
    ("Appartement au 3 rue Basse, un séjour.", "fr", "un"),
    ("Die Wohnung am Markt 4 hat eine Küche.", "de", "eine"),
    ("La casa del río, calle Mayor 9.", "es", "del"),
])
def test_function_words_nulls_a_lone_function_word(text: str, language: str, value: str) -> None:
    row = {"last": text.rstrip(".").split()[-1], "area": value}
    v = verify_rows(text, _schema(*row), [row], metadata={"language": language}, schema_given=True)
    assert v.rows[0]["area"] is None
    assert {"field": "area", "check": "function_words", "action": "nulled", "old": value,
            "reason": "function word"}.items() <= v.actions[-1].items()


def test_function_words_reads_the_documents_language_only() -> None:
    row = {"place": "Markt 4", "rooms": "eine"}
    text = "Die Wohnung am Markt 4 hat eine Küche."
    assert verify_rows(text, _schema(*row), [row], metadata={"language": "en"}).rows == [row]  # not an English word
    assert verify_rows(text, _schema(*row), [row], metadata={"language": "ja"}).rows == [row]  # no lexicon: off
    off = verify_rows("It is near the bridge.", _schema("area"), [{"area": "near"}], metadata={"language": "ja"})
    assert off.rows == [{"area": "near"}] and "function_words" not in off.checks
