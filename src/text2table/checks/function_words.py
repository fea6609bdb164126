"""Check ``function_words``: a cell that is one function word of the document's language states no fact.

Rule: a cell whose whole value is one word of the lexicon's function words (English ``the``, ``of``,
``near``; French ``une``; German ``eine``; Spanish ``del``) is nulled, though the text holds the word: the
model copied the word next to a fact instead of the fact (``area: "near"``). It must not fire on a word that
is a value in ordinary text, so the lists leave out ``on``, ``for``, ``it``, ``who``, ``in``, single letters
(a grade ``A``, Generation ``Y``) and, outside French, German and Spanish, those languages' words; nor on a
value written in capitals (``AT``, ``OR``: codes). It needs the document's language: with none known it does
not run.
"""

from __future__ import annotations

from text2table.checks.state import Action, CheckContext, CheckedTable, null_cell
from text2table.text.normalise import fold

NAME = "function_words"


def is_function_word(text: str, words: frozenset[str]) -> bool:
    """True when ``text`` is one of ``words`` (case and accents aside) and not written in capitals.

    >>> words = frozenset({"the", "near", "at"})
    >>> is_function_word(" Near ", words), is_function_word("AT", words), is_function_word("near by", words)
    (True, False, False)
    """
    text = text.strip()
    return not text.isupper() and fold(text) in words


def check(table: CheckedTable, context: CheckContext) -> tuple[CheckedTable, list[Action]]:
    """Null each cell that is one function word of the context's lexicon (nothing without a lexicon)."""
    if context.lexicon is None:
        return table, []
    actions = []
    for i, row in enumerate(table.rows):
        for name, value in row.items():
            text = context.text(value)
            if text is not None and is_function_word(text, context.lexicon.function_words):
                table = null_cell(table, i, name)
                actions.append(Action(table.origins[i], name, NAME, "nulled", value, None, "function word"))
    return table, actions
