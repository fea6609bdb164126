"""Player row headers of the rebuilt Rotowire games: the full name wherever the summary writes it.

The ``nba_data`` release tags a player's statistic with the name its sentence writes, often the family name
alone (``Westbrook scored 30``), and its tokenizer joins only the names it knows into entity tokens
(``Russell_Westbrook``). :func:`merge_short_names` folds a one-word name into the one longer name the game
writes for it; :func:`written_names` reads the longer forms the release left as plain words; and
:func:`add_suffixes` keeps a generational suffix the text writes after a full name (``Tim Hardaway Jr.``).
The release's sentences are read as one stream of tokens, because its sentence splitter breaks after
initials (``... backcourt mate C.J.`` | ``McCollum followed ...``).
"""

from __future__ import annotations

import re

from text2table.data.formats.rotowire_names import teams_of

_INITIALS = re.compile(r"^(?:[A-Z]\.?){2}$")  # J.R. C.J O.J
#: a capitalised word of a name: Steph, Mikey, and with an inner capital LaVert, McCollum, DeRozan; not MVP
_NAME_WORD = re.compile(r"^[A-Z][a-z][a-z'-]*(?:[A-Z][a-z'-]+)?$")
_SUFFIXES = ("Jr.", "Sr.", "II", "III", "IV")
_SUFFIX_WORDS = frozenset(_SUFFIXES) | {"Jr", "Sr"}


def _tokens(sentences: list[str]) -> list[str]:
    return [token for sentence in sentences for token in sentence.split()]


def _name_word(token: str, common: frozenset[str]) -> bool:
    return (bool(_NAME_WORD.match(token)) and token not in _SUFFIX_WORDS and token.lower() not in common
            and not teams_of(token))


def written_names(sentences: list[str], word: str, common: frozenset[str] = frozenset()) -> list[str]:
    """Longer names the release's sentences write for the one-word player name ``word`` as plain words: after
    initials (``J.R. Smith``, ``C.J Miles``; ``C.J .`` ending the sentence before), else before a capitalised
    name word (``Paul Milsap``, the surname misspelt; ``Caris LaVert``), else after one (``Steph Curry``). Team
    names, suffixes (``Jr``) and the words in ``common`` (the corpus's lowercase words, so ``With``, ``Rookie``)
    are not name words. :func:`merge_short_names` asks only when no row or entity token ends with ``word``, and
    takes the answer only when it is one name.

    >>> written_names(["J.R. Smith added 20 .", "Smith hit 4 threes ."], "Smith")
    ['J.R. Smith']
    >>> written_names(["Portland got 22 from backcourt mate C.J .", "McCollum followed ."], "McCollum")
    ['C.J. McCollum']
    >>> written_names(["MVP Steph Curry had 8 points .", "Curry shot 3 - of - 14 ."], "Curry")
    ['Steph Curry']
    >>> written_names(["Paul Milsap led the Hawks .", "Paul had 20 points ."], "Paul")
    ['Paul Milsap']
    >>> written_names(["Paul and the Hawks won .", "Paul Pierce and Paul George met ."], "Paul")
    ['Paul George', 'Paul Pierce']
    >>> written_names(["The Celtics ' Thomas scored 30 .", "With Thomas out , the rookie added 2 ."], "Thomas",
    ...               common=frozenset({"the", "with", "rookie", "out"}))
    []
    """
    tokens = _tokens(sentences)
    initials: set[str] = set()
    first: set[str] = set()
    family: set[str] = set()
    for i, token in enumerate(tokens):
        if token != word:
            continue
        before = tokens[i - 1] if i else ""
        if _INITIALS.match(before):
            initials.add(f"{before} {word}")
        elif before == "." and i > 1 and _INITIALS.match(tokens[i - 2]):  # "C.J ." | "McCollum ..."
            initials.add(f"{tokens[i - 2].rstrip('.')}. {word}")
        elif _name_word(before, common):
            first.add(f"{before} {word}")
        if i + 1 < len(tokens) and _name_word(tokens[i + 1], common):
            family.add(f"{word} {tokens[i + 1]}")
    return sorted(initials or family or first)


def merge_short_names(rows: dict[str, dict[str, str]], named: set[str] | None = None,
                      sentences: list[str] | None = None, common: frozenset[str] = frozenset()
                      ) -> dict[str, dict[str, str]]:
    """Fold a one-word name (``Wall``) into the one full name of the game that ends with it: a row's, or else
    one the game's sentences write (``named``: entity tokens; then, from ``sentences``, :func:`written_names`
    with ``common``), so that the header is the full name wherever the text gives it. A one-word name that two
    full names end with (``Green``: Draymond and Danny) stays as it is.

    >>> merge_short_names({"John Wall": {"Points": "20"}, "Wall": {"Assists": "9"}, "Love": {"Points": "8"}})
    {'John Wall': {'Points': '20', 'Assists': '9'}, 'Love': {'Points': '8'}}
    >>> merge_short_names({"Ennis": {"Points": "13"}, "James": {"Assists": "4"}}, sentences=["James Ennis added 13"])
    {'James Ennis': {'Points': '13', 'Assists': '4'}}
    >>> merge_short_names({"Love": {"Points": "8"}, "Green": {"Steals": "3"}},
    ...                   named={"Kevin Love", "Draymond Green", "Danny Green"})
    {'Kevin Love': {'Points': '8'}, 'Green': {'Steals': '3'}}
    """
    out = {name: dict(row) for name, row in rows.items() if " " in name}
    renamed: dict[str, str] = {}
    for name, row in rows.items():
        if " " in name:
            continue
        full = [n for n in out if n.endswith(" " + name)] or sorted(
            n for n in named or () if n.endswith(" " + name)) or written_names(sentences or [], name, common)
        if len(full) == 1:
            target = out.setdefault(full[0], {})
            for column, value in row.items():
                target.setdefault(column, value)
            renamed[name] = full[0]
        else:
            out[name] = dict(row)
    order = dict.fromkeys(renamed.get(name, name) for name in rows  # a full name's own row keeps its place
                          if renamed.get(name) not in rows)
    merged = {name: out[name] for name in order if name in out}
    # a name found for one row ("James" -> "James Ennis") can take in another ("Ennis"): once more until none
    return merge_short_names(merged, named, sentences, common) if renamed else merged


def add_suffixes(rows: dict[str, dict[str, str]], sentences: list[str]) -> dict[str, dict[str, str]]:
    """Headers of two or more words that the sentences write with a generational suffix after them take it
    (``Tim Hardaway`` -> ``Tim Hardaway Jr.``; the release's entity tokens leave it out); a name written with two
    different suffixes, or one that another row already has, stays as it is.

    >>> add_suffixes({"Tim Hardaway": {"Points": "20"}, "Otto Porter": {"Points": "9"}},
    ...              ["Tim_Hardaway Jr. scored 20 .", "Otto Porter had 9 ."])
    {'Tim Hardaway Jr.': {'Points': '20'}, 'Otto Porter': {'Points': '9'}}
    """
    text = " ".join(token.replace("_", " ") for token in _tokens(sentences)) + " "
    out: dict[str, dict[str, str]] = {}
    for name, row in rows.items():
        found = {s for s in _SUFFIXES if f"{name} {s} " in text} if " " in name else set()
        full = f"{name} {found.pop()}" if len(found) == 1 else name
        out[full if full not in rows else name] = row
    return out
