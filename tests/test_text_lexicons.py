"""Word lists per language: chosen by language code, none for a language without one."""

from __future__ import annotations

from text2table.text.lexicons import LANGUAGES, lexicon_for
from text2table.text.normalise import fold


def test_lexicon_for_reads_the_primary_language_of_a_code() -> None:
    assert [lexicon_for(c).language for c in ("en", "en-GB", "EN_us", "fr", "de-CH", "es")] == \
        ["en", "en", "en", "fr", "de", "es"]
    assert lexicon_for("ja") is None and lexicon_for("") is None and lexicon_for(None) is None


def test_word_lists_are_folded_and_leave_out_words_that_are_values() -> None:
    for code in LANGUAGES:
        lexicon = lexicon_for(code)
        for words in (lexicon.function_words, lexicon.articles, lexicon.negators, lexicon.clause_breaks):
            assert all(w == fold(w) and w.isalpha() for w in words), code
    english = lexicon_for("en").function_words
    assert {"on", "off", "for", "against", "it", "who", "in", "a", "y", "de"}.isdisjoint(english)
