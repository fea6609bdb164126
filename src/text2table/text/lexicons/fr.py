"""French closed word classes for the checks (``de`` is left out of the function words: it opens names)."""

from text2table.text.lexicons.base import Lexicon

LEXICON = Lexicon(
    language="fr",
    function_words=frozenset("le la les un une des du au aux et ou ni mais avec sans pour par sur dans est "
                             "sont".split()),
    articles=frozenset({"le", "la", "les", "l", "un", "une"}),
    negators=frozenset({"ne", "pas", "non", "jamais", "sans", "aucun", "aucune"}),
    not_negating_after=frozenset({"seulement", "uniquement"}),
    clause_breaks=frozenset({"et", "mais", "ou", "tandis", "bien"}),
)
