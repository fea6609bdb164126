"""Check ``support``: a value must be mentioned by the text its row was read from; its span is recorded.

Rule: a non-empty cell stays when its value occurs in the row's source (:class:`text2table.text.spans.SourceText`:
case, accents, thousands separators, English number words, British/American spelling and compounds
forgiven; in a language whose lexicon has ``derivations``, a one-word value of four letters or more also by its
adverb: ``moderate`` by "moderately priced", not ``hard`` by "hardly"), and its evidence is the first such span;
a yes/no cell (``yes``, ``no``, ``true``, ``false``) stays when a word of its column's name occurs
(``family_friendly`` by "families"), its evidence being that word.
Otherwise the cell is nulled: the model filled it from elsewhere (``near: "Shanghai"`` for a pub whose review
names no neighbour). A span already recorded (a re-check of a checked prediction) is kept when the value still
occurs inside it, so an old prediction keeps its evidence. It must not fire on a value the text states in
another form it forgives; it cannot see a value the text states in other words (``cheap`` for "low-priced"),
and keeps a value mentioned for another purpose. Without a lexicon (``metadata.language`` unknown) it reads no
word list and the derived forms are not looked for.
"""

from __future__ import annotations

from dataclasses import replace

from text2table.checks.state import Action, CheckContext, CheckedTable
from text2table.text.normalise import BOOLEAN_WORDS, fold
from text2table.text.spans import Span
from text2table.text.variants import derived_forms, field_words, word_key

NAME = "support"


def _span(context: CheckContext, source: Span, given: Span | None, text: str, name: str) -> Span | None:
    if fold(text).strip() in BOOLEAN_WORDS:
        inside = context.source(given).word_mentions(field_words(name)) if given else []
        found = inside or context.source(source).word_mentions(field_words(name))
    else:
        inside = context.source(given).mentions(text) if given else []
        found = inside or context.source(source).mentions(text) or _derived(context, source, text)
    return found[0] if found else None


def _derived(context: CheckContext, source: Span, text: str) -> list[Span]:
    """Where the row's source states a one-word value by a derived form of its language (none without one)."""
    lexicon = context.lexicon
    word = fold(text).strip()
    if lexicon is None or not lexicon.derivations:
        return []
    forms = derived_forms(word, lexicon.derivations, lexicon.false_derivations)
    return context.source(source).word_mentions(frozenset(word_key(f) for f in forms)) if forms else []


def check(table: CheckedTable, context: CheckContext) -> tuple[CheckedTable, list[Action]]:
    """Null the cells the row's source does not mention; record a span for each one it does.

    >>> from text2table.core.schema import Schema
    >>> s = Schema.from_dict({"structure": "kv_single", "fields": [{"name": "name"}, {"name": "near"}]})
    >>> doc = "The Eagle is a pub."
    >>> t = CheckedTable(s, [{"name": "The Eagle", "near": "Shanghai"}], [{}], [0], [(0, len(doc))])
    >>> out, actions = check(t, CheckContext(doc))
    >>> out.rows, out.spans, [a.reason for a in actions]
    ([{'name': 'The Eagle', 'near': None}], [{'name': (0, 9), 'near': None}], ['not in the text'])
    """
    rows, spans, actions = [], [], []
    for row, given, origin, source in zip(table.rows, table.spans, table.origins, table.sources):
        out, found = dict(row), {}
        for name, value in row.items():
            text = context.text(value)
            span = None if text is None else _span(context, source, given.get(name), text, name)
            found[name] = span
            if text is not None and span is None:
                out[name] = None
                actions.append(Action(origin, name, NAME, "nulled", value, None, "not in the text"))
        rows.append(out)
        spans.append(found)
    return replace(table, rows=rows, spans=spans), actions
