import pytest

from text2table.text.document_index import DocumentIndex

DOC = "Smith scored four points. The Vaults is family friendly, in the city center by the river side."


@pytest.mark.parametrize("value,field,supported", [
    ("4", None, True), ("Smith", None, True), ("5", None, False), ("smit", None, False),
    ("yes", "family_friendly", True), ("yes", "parking", False),
    ("City Centre", None, True), ("riverside", None, True), ("Vault", None, False), ("", None, False),
])
def test_supports(value, field, supported):
    assert DocumentIndex.build(DOC).supports(value, field) is supported


def test_verbatim_needs_word_boundaries():
    index = DocumentIndex("a 120 km road")
    assert index.verbatim("120 km") and not index.verbatim("20 km")
