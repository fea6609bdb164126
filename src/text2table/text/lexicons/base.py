"""The record of one language's closed word classes (:class:`Lexicon`); the languages are modules beside it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Lexicon:
    """The closed word classes of one language, lower-case and accent-folded."""

    language: str
    function_words: frozenset[str]  #: never a cell's whole value (articles, conjunctions, prepositions)
    articles: frozenset[str]  #: a leading one is ignored when two cells are compared
    negators: frozenset[str]  #: negate a mention that follows within three words
    not_negating_after: frozenset[str]  #: a negator followed by one of these negates nothing ("not only")
    clause_breaks: frozenset[str]  #: conjunctions that end a clause ("but", "while")
    #: (ending, replacement) pairs that turn a one-word value into another form of it a text may use to state it
    #: (``moderate`` -> "moderately", ``simple`` -> "simply"); empty: the value must occur as it is written
    derivations: tuple[tuple[str, str], ...] = ()
    false_derivations: frozenset[str] = frozenset()  #: derived forms that state something else ("hardly")
