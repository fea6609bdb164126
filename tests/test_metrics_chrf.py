import pytest

from text2table.metrics.chrf import ChrF, char_ngrams, sacrebleu_chrf


def test_char_ngrams_ignore_spaces():
    grams = char_ngrams("ab c", order=2)
    assert grams[0] == {"a": 1, "b": 1, "c": 1} and grams[1] == {"ab": 1, "bc": 1}


@pytest.mark.parametrize("hyp,ref", [("Blue Spice", "Blue Spice"), ("riverside", "river side"),
                                     ("more than £30", "£30 or more"), ("", "x"), ("Oslo", "Bergen")])
def test_chrf_equals_sacrebleu(hyp, ref):
    pytest.importorskip("sacrebleu")
    assert ChrF()(hyp, ref) == pytest.approx(sacrebleu_chrf(hyp, ref), abs=1e-9)
