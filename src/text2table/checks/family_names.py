"""Check ``family_names``: a row header written as a family name alone takes the one full name the document
writes for it.

Rule: news and reports name a person in full once and by the family name after that (``Tobias Harris`` ...
``Harris recorded 25 points``). When pi2 reads a document in passages, a passage may hold only the later
mention, so its row is headed ``Harris`` while the table wants the entity's name. A row whose header (the
schema's first field) is one capitalised word, in a table with a row per entity, takes the full name when the
document writes exactly one run of two to four capitalised words that ends with that word (``Tobias Harris``,
``C.J. Miles``, ``Otto Porter Jr.``); a run that starts a sentence may lose its first word, since a sentence's
first word is capitalised anyway (``Center DeAndre Jordan`` is ``DeAndre Jordan``).

It must not fire when the document writes two full names ending with the word (``Anna Smith`` and ``Tom
Smith``), when the word is not the last of a run (``Apple`` in ``The Apple Store``), when another row's header
already holds the word (the chunk merge joins those), when fewer than two other headers are there or most of them
are one word (one word may be the table's convention: teams named ``Raptors``), on a header of several words, in
lower case or in capitals (a code), on a one-entity table (``kv_single``), nor without a known language: it is a
convention of the languages with a lexicon here (English, French, German, Spanish), all written given name first
with capitals. A run that starts with a function word or conjunction of the language (``The Wizards``, ``While
Minnesota``) or holds an acronym (``MVP``) is no full name; generational suffixes (``Jr.``, ``III``) are not
family names.
"""

from __future__ import annotations

import re
from dataclasses import replace

from text2table.checks.state import Action, CheckContext, CheckedTable
from text2table.text.spans import Span

NAME = "family_names"

_TOKEN = re.compile(r"[^\s,;:()\"“”]+")
_CAPITALISED = re.compile(r"^[A-ZÀ-ÖØ-Þ][\w'’.-]*$")
# a family name: a capital first, some lower case, letters, apostrophes and hyphens only
_WORD = re.compile(r"^[A-ZÀ-ÖØ-Þ](?=.*[a-zß-öø-ÿ])[A-Za-zÀ-ÖØ-öø-ÿ'’-]+$")
_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")
_SUFFIXES = frozenset({"Jr", "Jr.", "Sr", "Sr.", "II", "III", "IV"})
_SENTENCE_END = re.compile(r"[.!?]['\"’”)]*$")
_TRAILING = re.compile(r"[.!?]+['\"’”)]*$")


def name_runs(document: str) -> list[tuple[str, Span]]:
    """Runs of two to four capitalised words of ``document`` with their spans (a possessive ends a run and
    keeps its name). A run that starts a sentence is given twice, whole and without its first word, when two
    or more words other than suffixes remain: a sentence's first word is capitalised anyway.

    >>> text = "Center DeAndre Jordan scored. The Sixers' Robert Covington's night. MVP Al Horford."
    >>> [r for r, _ in name_runs(text)]
    ['Center DeAndre Jordan', 'DeAndre Jordan', 'The Sixers', 'Robert Covington', 'Al Horford']
    """
    runs: list[tuple[str, Span]] = []
    current: list[re.Match[str]] = []
    starts_sentence = sentence_start = True

    def add(words: list[re.Match[str]]) -> None:
        if 2 <= len(words) <= 4:
            start, end = words[0].start(), words[-1].end()
            text = document[start:end]
            kept_dot = _initials(words[-1]) or words[-1].group() in _SUFFIXES  # "C.J.", "Jr.": not an end
            tail = _POSSESSIVE.search(text) or (None if kept_dot else _TRAILING.search(text))
            end -= len(tail.group()) if tail else 0
            runs.append((document[start:end], (start, end)))

    def close() -> None:
        add(current)
        if starts_sentence and sum(_strip(m.group()) not in _SUFFIXES for m in current[1:]) >= 2:
            add(current[1:])
        current.clear()

    for match in _TOKEN.finditer(document):
        token = match.group()
        gap = document[current[-1].end():match.start()] if current else ""
        if current and (gap.strip() or _SENTENCE_END.search(current[-1].group()) and not _initials(current[-1])):
            close()
        if _CAPITALISED.match(token) and not _acronym(token):
            if not current:
                starts_sentence = sentence_start
            current.append(match)
            if _POSSESSIVE.search(token):
                close()
        elif current:
            close()
        sentence_start = bool(_SENTENCE_END.search(token)) and not _initials(match)
    if current:
        close()
    return runs


def _strip(word: str) -> str:
    return _TRAILING.sub("", word)


def family_name(run: str) -> str:
    """The last word of a name that is not a generational suffix (``Otto Porter Jr.`` -> ``Porter``)."""
    words = [_strip(w) for w in run.split()]
    while len(words) > 1 and words[-1] in _SUFFIXES:
        words.pop()
    return words[-1]


def _acronym(token: str) -> bool:
    """``MVP``, ``NBA``: capitals only, no dots (initials) and no generational suffix; no part of a name."""
    word = _strip(token)
    return len(word) >= 2 and word.isalpha() and word.isupper() and word not in _SUFFIXES


def _initials(match: re.Match[str]) -> bool:
    """``C.J.`` or ``J.``: letters each followed by a dot (not a sentence end)."""
    return re.fullmatch(r"(?:[A-Z]\.)+", match.group()) is not None


def full_name(word: str, document: str, other_headers: list[str], function_words: frozenset[str] = frozenset(),
              runs: list[tuple[str, Span]] | None = None) -> tuple[str, Span] | None:
    """The one full name (and its first span) ``document`` writes for the family name ``word``; None when the
    rule must not fire (see the module docstring). A run whose first word is one of ``function_words`` (lower
    case, the language's: ``The Wizards``, ``While Minnesota``) is no name. ``runs``: ``name_runs(document)``
    when the caller has it (one document, many headers).

    >>> full_name("Harris", "Tobias Harris came off the bench. Harris scored 25.", ["Kyle Lowry", "Al Horford"])
    ('Tobias Harris', (0, 13))
    >>> full_name("Harris", "Tobias Harris came off the bench. Harris scored 25.", ["Kyle Lowry"]) is None
    True
    >>> full_name("Smith", "Anna Smith and Tom Smith met. Smith won.", ["Al Horford", "Bo Kim"]) is None
    True
    >>> full_name("Apple", "The Apple Store opened. Apple sold phones.", ["Al Horford", "Bo Kim"]) is None
    True
    """
    if not _WORD.match(word) or word in _SUFFIXES:
        return None
    if any(word in other.split() for other in other_headers):
        return None
    named = [other for other in other_headers if other.strip()]
    if len(named) < 2 or sum(len(other.split()) >= 2 for other in named) * 2 < len(named):
        return None  # no evidence that the table names its entities in full (teams go by nickname: "Raptors")
    forms = {run: span for run, span in reversed(name_runs(document) if runs is None else runs)
             if family_name(run) == word and run.split()[0].lower() not in function_words}
    if not forms:
        return None
    shortest = min(forms, key=len)  # a run and the same run without its sentence-first word are one name
    if not all(run.endswith(" " + shortest) or run == shortest for run in forms):
        return None
    return shortest, forms[shortest]


def check(table: CheckedTable, context: CheckContext) -> tuple[CheckedTable, list[Action]]:
    """Give each family-name header its one full name (nothing on a one-entity table or without a lexicon)."""
    names = table.schema.names
    if context.lexicon is None or table.schema.structure == "kv_single" or not names or not table.rows:
        return table, []
    head = names[0]
    headers = [context.text(row.get(head)) or "" for row in table.rows]
    rows, spans, actions = table.rows, table.spans, []
    runs = name_runs(context.document)
    not_names = context.lexicon.function_words | context.lexicon.clause_breaks
    for i, header in enumerate(headers):
        found = full_name(header.strip(), context.document, headers[:i] + headers[i + 1:], not_names,
                          runs) if header else None
        if found is None:
            continue
        if rows is table.rows:
            rows, spans = [dict(r) for r in table.rows], [dict(s) for s in table.spans]
        rows[i][head], spans[i][head] = found[0], found[1]
        headers[i] = found[0]
        actions.append(Action(table.origins[i], head, NAME, "corrected", header, found[0],
                              "family name; the document writes one full name"))
    if not actions:
        return table, []
    return replace(table, rows=rows, spans=spans), actions
