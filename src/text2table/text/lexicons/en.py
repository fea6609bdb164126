"""English closed word classes for the checks.

Function words leave out every word that is itself a value in ordinary text: ``on``/``off`` (a state),
``for``/``against`` (a vote), ``it`` (Stephen King's novel), ``who`` (the WHO), ``in`` (inches), ``a`` (a grade).
"""

from text2table.text.lexicons.base import Lexicon

LEXICON = Lexicon(
    language="en",
    function_words=frozenset("the an of and or nor but with without from to by at near into onto than "
                             "is are was were be been".split()),
    articles=frozenset({"the", "a", "an"}),
    negators=frozenset({"not", "non", "no", "never", "without", "nor", "cannot", "isn", "aren", "wasn", "weren",
                        "doesn", "don", "didn", "hasn", "haven"}),
    not_negating_after=frozenset({"only", "just", "merely", "simply", "solely"}),
    clause_breaks=frozenset({"and", "but", "or", "while", "although", "though", "yet"}),
    # An adjective's adverb: "moderately priced" states ``moderate``, "highly rated" ``high``. Adverbs that mean
    # something else than their stem, and adjectives made from nouns, are not derived forms.
    derivations=(("", "ly"), ("y", "ily"), ("le", "ly")),
    false_derivations=frozenset({"hardly", "lately", "nearly", "shortly", "barely", "scarcely", "presently",
                                 "fairly", "justly", "mostly", "lowly", "really", "likely", "lovely", "friendly",
                                 "costly", "timely", "early", "only", "daily", "weekly", "monthly", "yearly",
                                 "hourly", "nightly", "quarterly", "orderly", "homely", "kindly"}),
)
