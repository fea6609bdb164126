"""Check ``repeats``: two cells of one row holding one value need two mentions of it in the row's source.

Rule: within a row, cells whose values are equal (case, spacing and, when the language is known, a leading
article aside; yes/no cells left out) are matched to distinct mentions of that value in the text the row was
read from; each keeps its own mention as evidence, and a cell left without a mention of its own is nulled.
When there are fewer mentions than cells, the cells whose column's words stand within three words of a mention
come first ("high priced Chinese food": ``food`` keeps "Chinese", ``eat_type`` loses it), then column order. A
small model fills a column it should not have written with a value it already used (``near: "Cocum"`` for the
restaurant called Cocum, ``serving: "4"`` beside ``quantity: "4"`` in the item "4 eggs"). A number (a value
without letters) is held to this only in a row read from its own part of the document (a list item): read from
the whole text, one number often states several facts ("Both teams scored 2 goals."). It must not fire when
the text states the value once per cell ("Born in Paris, she also died in Paris.", "The match ended 2 to 2."),
nor on numbers of a row read from the whole text. It cannot tell one mention stating two facts ("she was born
and died in Paris": ``death_place`` is nulled); the model has to learn that case. Without a known language it
compares values with their articles.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import replace

from text2table.checks.state import Action, CheckContext, CheckedTable
from text2table.text.normalise import BOOLEAN_WORDS, fold
from text2table.text.spans import SourceText, Span
from text2table.text.variants import field_words, word_key

NAME = "repeats"


def value_key(text: str, articles: frozenset[str]) -> str:
    """The form under which two cells hold the same value.

    >>> value_key("  The  Punter", frozenset({"the"})), value_key("The Punter", frozenset())
    ('punter', 'the punter')
    """
    words = fold(text).split()
    if len(words) > 1 and words[0] in articles:
        words = words[1:]
    return " ".join(words)


NEAR = 3  #: words on each side of a mention where a column's words name it


def named_near(source: SourceText, mentions: list[Span], name: str) -> bool:
    """True when a word of column ``name`` stands within :data:`NEAR` words of one of the mentions.

    >>> src = SourceText("Cotto serves high priced Chinese food.")
    >>> named_near(src, src.mentions("Chinese"), "food"), named_near(src, src.mentions("Chinese"), "eat_type")
    (True, False)
    """
    words, tokens = field_words(name), source.tokens
    starts = [t.start for t in tokens]
    for start, end in mentions:
        first = bisect_left(starts, start)
        last = bisect_left(starts, end)  # tokens[first:last] lie in the mention
        around = tokens[max(0, first - NEAR):first] + tokens[last:last + NEAR]
        if any(word_key(t.key) in words for t in around):
            return True
    return False


def _distinct(mentions: list[Span], taken: set[Span]) -> Span | None:
    return next((m for m in mentions if m not in taken), None)


def check(table: CheckedTable, context: CheckContext) -> tuple[CheckedTable, list[Action]]:
    """Null the cells of a row that repeat an earlier cell's value without a mention of their own."""
    articles = context.lexicon.articles if context.lexicon else frozenset()
    rows, spans, actions = [dict(r) for r in table.rows], [dict(s) for s in table.spans], []
    whole = (0, len(context.document))
    for i, row in enumerate(table.rows):
        groups: dict[str, list[str]] = {}
        for name, value in row.items():
            text = context.text(value)
            if text is None or fold(text) in BOOLEAN_WORDS:
                continue
            if table.sources[i] == whole and not any(c.isalpha() for c in text):
                continue  # a number of a row read from the whole text may state several facts
            groups.setdefault(value_key(text, articles), []).append(name)
        for key, names in groups.items():
            if len(names) < 2:
                continue
            source = context.source(table.sources[i])
            mentions = source.mentions(key)
            if not mentions:  # not in the text at all: the support check's business, not this one's
                continue
            if len(mentions) < len(names):
                names = sorted(names, key=lambda n: not named_near(source, mentions, n))  # stable: then column order
            taken: set[Span] = set()
            for name in names:
                own = _distinct(mentions, taken)
                if own is None:
                    actions.append(Action(table.origins[i], name, NAME, "nulled", rows[i][name], None,
                                          f"repeats {names[0]!r}; the text mentions it {len(taken)} time(s)"))
                    rows[i][name] = spans[i][name] = None
                else:
                    taken.add(own)
                    spans[i][name] = own
    return replace(table, rows=rows, spans=spans), actions
