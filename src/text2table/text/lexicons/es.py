"""Spanish closed word classes for the checks (``de`` is left out of the function words: it opens names)."""

from text2table.text.lexicons.base import Lexicon

LEXICON = Lexicon(
    language="es",
    function_words=frozenset("el la los las un una unos unas del al y o e u pero con sin para por es son".split()),
    articles=frozenset({"el", "la", "los", "las", "un", "una"}),
    negators=frozenset({"no", "nunca", "sin", "jamas", "ningun", "ninguna"}),
    not_negating_after=frozenset({"solo", "solamente"}),
    clause_breaks=frozenset({"y", "pero", "o", "aunque", "mientras"}),
)
