"""Check ``polarity``: a yes/no cell the text contradicts is turned to the answer the text gives.

Rule: the text's answer for a yes/no column (``family_friendly``) is read off the mentions of the column's
words: a mention is negated when one of the lexicon's negators (English ``not``, ``non``, ``no``, ``never``,
``without``, a ``n't`` form) is among the three words before it in the same clause (clauses end at
punctuation and at the lexicon's conjunctions: ``and``, ``but``, ``or``, ``while``...), unless the negator
is followed by a word that cancels it (``not only``, ``not just``). When every mention is negated the answer
is no, when none is, yes; a ``yes``/``no``/``true``/``false`` cell saying the opposite is corrected, in its
own form. It must not fire when the mentions disagree or the text never mentions the column's words (no
answer), nor on "not only family friendly", "never find a more family friendly pub" (the negator is four
words away) or "not expensive and family friendly". It cannot read a double negation ("nobody would say it
is not family friendly"). It needs the document's language: with none known it does not run.
"""

from __future__ import annotations

import re

from dataclasses import replace

from text2table.checks.state import Action, CheckContext, CheckedTable
from text2table.text.lexicons import Lexicon
from text2table.text.normalise import BOOLEAN_WORDS, canonical_tokens
from text2table.text.variants import field_words, word_key

NAME = "polarity"
_PUNCTUATION = re.compile(r"[.!?;:,\n]+")
_FLIP = {"yes": "no", "no": "yes", "true": "false", "false": "true"}
WINDOW = 3


def _clauses(text: str, breaks: frozenset[str]) -> list[list[str]]:
    out: list[list[str]] = []
    for piece in _PUNCTUATION.split(text):
        clause: list[str] = []
        for token in canonical_tokens(piece):
            if token in breaks:
                out.append(clause)
                clause = []
            else:
                clause.append(token)
        out.append(clause)
    return out


def _negated(tokens: list[str], i: int, lexicon: Lexicon) -> bool:
    return any(tokens[k] in lexicon.negators and tokens[k + 1] not in lexicon.not_negating_after
               for k in range(max(0, i - WINDOW), i))


def text_polarity(text: str, field_name: str, lexicon: Lexicon) -> bool | None:
    """True when every mention of the column's words is affirmed, False when every one is negated, None
    when they disagree or there is none.

    >>> from text2table.text.lexicons import lexicon_for
    >>> en = lexicon_for("en")
    >>> text_polarity("The Eagle is a non-family-friendly pub.", "family_friendly", en)
    False
    >>> text_polarity("It is not only family friendly but also cheap.", "family_friendly", en)
    True
    """
    words = field_words(field_name)
    signs: set[bool] = set()
    for tokens in _clauses(text, lexicon.clause_breaks):
        for i, token in enumerate(tokens):
            if word_key(token) in words:
                signs.add(not _negated(tokens, i, lexicon))
    return signs.pop() if len(signs) == 1 else None


def flipped(value: object) -> object:
    """The opposite yes/no answer in the same form (``"Yes"`` -> ``"No"``, ``True`` -> ``False``).

    >>> [flipped(v) for v in ("yes", "No", "TRUE", True)]
    ['no', 'Yes', 'FALSE', False]
    """
    if isinstance(value, bool):
        return not value
    text = str(value).strip()
    other = _FLIP[text.casefold()]
    if text.isupper():
        return other.upper()
    return other.capitalize() if text[:1].isupper() else other


def contradicts(value: object, polarity: bool | None) -> bool:
    """True when a yes/no ``value`` says the opposite of the text's ``polarity``."""
    if polarity is None:
        return False
    if isinstance(value, bool):
        return value != polarity
    key = str(value).strip().casefold()
    return key in _FLIP and (key in ("yes", "true")) != polarity


def check(table: CheckedTable, context: CheckContext) -> tuple[CheckedTable, list[Action]]:
    """Correct each yes/no cell its row's source contradicts (nothing without a lexicon)."""
    if context.lexicon is None:
        return table, []
    rows, actions, known = [dict(r) for r in table.rows], [], {}
    for i, row in enumerate(table.rows):
        for name, value in row.items():
            text = context.text(value)
            if text is None or text.casefold() not in BOOLEAN_WORDS:
                continue
            key = (table.sources[i], name)
            if key not in known:
                source = context.source(table.sources[i])
                known[key] = text_polarity(source.text, name, context.lexicon)
            if contradicts(value, known[key]):
                rows[i][name] = flipped(value)
                reason = "the text negates it" if known[key] is False else "the text affirms it"
                actions.append(Action(table.origins[i], name, NAME, "corrected", value, rows[i][name], reason))
    return replace(table, rows=rows), actions
