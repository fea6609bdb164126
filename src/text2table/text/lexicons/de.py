"""German closed word classes for the checks (``mit`` is left out of the function words: it opens names)."""

from text2table.text.lexicons.base import Lexicon

LEXICON = Lexicon(
    language="de",
    function_words=frozenset("der das dem den des ein eine einer einem eines und oder aber von zum zur im am "
                             "ist sind".split()),
    articles=frozenset({"der", "die", "das", "den", "dem", "des", "ein", "eine"}),
    negators=frozenset({"nicht", "kein", "keine", "keinen", "keiner", "nie", "niemals", "ohne"}),
    not_negating_after=frozenset({"nur"}),
    clause_breaks=frozenset({"und", "aber", "oder", "doch", "wahrend", "obwohl"}),
)
