"""The check chain: the ordered list of checks run on extracted rows, and the loop that runs it.

Order matters: ``support`` first (it records each cell's span, which the later checks read), then the other
cell checks, ``family_names`` (a header written as a family name alone given the full name), then ``rows``
(rows left empty or duplicated) and ``columns`` (invented columns of an induced schema), which read what the
cell checks left. Each check's rule is its module's docstring;
:class:`~text2table.checks.config.CheckConfig` switches them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from text2table.checks import columns, family_names, function_words, polarity, repeats, rows, support
from text2table.checks.config import CheckConfig
from text2table.checks.state import Action, CheckContext, CheckedTable

CheckFn = Callable[[CheckedTable, CheckContext], tuple[CheckedTable, list[Action]]]


class Check(NamedTuple):
    name: str  #: as it appears in ``check_actions``
    switch: str | None  #: the CheckConfig field that turns it off (None: always on)
    needs_language: bool  #: reads the lexicon of the document's language
    run: CheckFn


CHAIN: tuple[Check, ...] = (
    Check(support.NAME, "support", False, support.check),
    Check(function_words.NAME, "function_words", True, function_words.check),
    Check(polarity.NAME, "polarity", True, polarity.check),
    Check(repeats.NAME, "repeats", False, repeats.check),
    Check(family_names.NAME, "family_names", True, family_names.check),
    Check(rows.NAME, None, False, rows.check),
    Check(columns.NAME, "drop_invented_columns", False, columns.check),
)


def enabled(config: CheckConfig, with_language: bool) -> list[Check]:
    """The checks that run under ``config``; those that need a language only ``with_language``.

    >>> [c.name for c in enabled(CheckConfig(polarity=False), with_language=False)]
    ['support', 'repeats', 'rows']
    >>> [c.name for c in enabled(CheckConfig(drop_invented_columns=True), with_language=True)][-2:]
    ['rows', 'columns']
    """
    return [c for c in CHAIN if (c.switch is None or getattr(config, c.switch))
            and (with_language or not c.needs_language)]


def run_chain(table: CheckedTable, context: CheckContext) -> tuple[CheckedTable, list[Action], list[str]]:
    """Run the enabled checks in order: the checked table, every action, and the names of the checks run."""
    actions: list[Action] = []
    ran: list[str] = []
    for check in enabled(context.config, context.lexicon is not None):
        table, done = check.run(table, context)
        actions.extend(done)
        ran.append(check.name)
    return table, actions, ran
