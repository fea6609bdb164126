"""The Text-to-Table paper's Rotowire filter: which box- and line-score cells a summary states.

Reimplements the relation extraction of the paper's ``preprocess_rotowire/filter_data.py`` (itself from
Wiseman et al. 2017): per sentence, find entity mentions (players, teams, cities; longest match; ``he``/``his``
and ``they``/``their`` stand for the players / teams of the sentence before), numbers (digits, number
words such as ``twenty - five`` -> 25, and ``a``/``an``/``a pair of`` where a template follows), and match them
to score cells by templates: ``<n> points`` (one-word), ``<n> - <m>`` (two-word: wins-losses, a score,
``3Pt``/``FG``/``FT`` made-attempted), ``<n> - of - <m>`` (made-attempted). A number without a template may
match any cell of a mentioned entity whose value it equals. The result is the set of stated
``(number, key, entity)`` triples: a ``PLAYER-<key>`` with the box-score index, or a ``TEAM-<key>`` with
``True`` (home) / ``False`` (visitors).

Differences from the paper's script, on purpose: sentences end at a ``.``/``!``/``?`` token (the paper used
NLTK's Punkt on the tokenised text); a name listed twice in one box score takes its first index (the
script asserted); entity lists come from the games converted together (the paper's from the train split).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

PRONOUNS_ONE = frozenset({"he", "He", "him", "Him", "his", "His"})
PRONOUNS_MANY = frozenset({"they", "They", "them", "Them", "their", "Their"})
_SMALL = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve thirteen"
                                     " fourteen fifteen sixteen seventeen eighteen nineteen".split())}
_SMALL.update({w: 10 * (i + 2) for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split())})
NUMBER_WORDS = frozenset(_SMALL) - {"zero"} | {"hundred", "thousand"}
_IMPLICIT = {"a": 1, "an": 1, "a pair of": 2}
_THREE_POINT = frozenset({"three point", "three - point", "three - pt", "three pt", "three - pointers",
                          "three - pointer", "three pointers"})
_NAME_SUFFIXES = frozenset({"II", "III", "Jr.", "Jr"})

Condition = Callable[[list[str], int], bool]


def words_to_number(text: str) -> int | None:
    """``twenty five`` -> 25, ``one hundred two`` -> 102; ``None`` when a word is not a number word."""
    total = group = 0
    for word in text.split():
        if word in _SMALL:
            group += _SMALL[word]
        elif word == "hundred" and group:
            group *= 100
        elif word == "thousand":
            total, group = total + group * 1000, 0
        else:
            return None
    return total + group


def _starts(n_words: int, prefix: str) -> Condition:
    return lambda toks, i: i + n_words - 1 < len(toks) and " ".join(toks[i:i + n_words]).startswith(prefix)


def _starts_any(*prefixes: str) -> Condition:
    return lambda toks, i: i < len(toks) and toks[i].startswith(prefixes)


def _next_lower(prefix: str) -> Condition:
    return lambda toks, i: i < len(toks) and toks[i].lower().startswith(prefix)


def _anywhere(*words: str) -> Condition:
    return lambda toks, i: any(w in " ".join(toks) for w in words)


#: one number followed by a word: the cells it may fill.
ONE_WORD: tuple[tuple[Condition, tuple[str, ...]], ...] = (
    (_starts(1, "percent"), ("TEAM-FG3_PCT", "TEAM-FG_PCT", "FG3_PCT", "FG_PCT", "FT_PCT")),
    (_starts(1, "point"), ("TEAM-PTS", "TEAM-PTS_QTR1", "TEAM-PTS_QTR2", "TEAM-PTS_QTR3", "TEAM-PTS_QTR4", "PTS")),
    (_starts(1, "assist"), ("TEAM-AST", "AST")),
    (_starts_any("rebound", "board"), ("TEAM-REB", "REB")),
    (_starts(1, "turnover"), ("TEAM-TOV", "TO")),
    (_starts(2, "team assist"), ("TEAM-AST",)),
    (_starts(2, "team rebound"), ("TEAM-REB",)),
    (_starts(2, "team turnover"), ("TEAM-TO",)),
    (_starts(1, "block"), ("BLK",)),
    (_starts(2, "three pointer"), ("FG3M",)),
    (_starts(3, "three - pointer"), ("FG3M",)),
    (_starts(2, "field goal"), ("FGM",)),
    (_starts(2, "free throw"), ("FTM",)),
    (_starts(1, "minute"), ("MIN",)),
    (_starts(1, "foul"), ("PF",)),
    (_starts(1, "steal"), ("STL",)),
)
_SCORES = ("TEAM-PTS", "TEAM-PTS_QTR1", "TEAM-PTS_QTR2", "TEAM-PTS_QTR3", "TEAM-PTS_QTR4")
#: ``<n> - <m>`` and what follows: the (first, second) cell pairs it may fill.
TWO_WORD: tuple[tuple[Condition, tuple[tuple[str, str], ...]], ...] = (
    (lambda toks, i: True, (("TEAM-WINS", "TEAM-LOSSES"),) + tuple((k, k) for k in _SCORES)),
    (_anywhere("assist"), (("TEAM-AST", "TEAM-AST"),)),
    (_anywhere("rebound", "board"), (("TEAM-REB", "TEAM-REB"),)),
    (_anywhere("turnover"), (("TEAM-TOV", "TEAM-TOV"),)),
    (_next_lower("3pt"), (("FG3M", "FG3A"),)),
    (_next_lower("fg"), (("FGM", "FGA"),)),
    (_next_lower("ft"), (("FTM", "FTA"),)),
    (_starts(1, "shoot"), (("FGM", "FTA"),)),
)
MADE_OF = (("FG3M", "FG3A"), ("FGM", "FGA"), ("FTM", "FTA"))


@dataclass(frozen=True)
class Mention:
    """An entity mention: sentence tokens ``[start, end)``, the name, and whether it came from a pronoun."""

    start: int
    end: int
    name: str
    pronoun: bool = False


@dataclass(frozen=True)
class Number:
    """A number in a sentence: tokens ``[start, end)``, its value, and whether it is implicit (``a``/``an``)."""

    start: int
    end: int
    value: int
    implicit: bool = False


@dataclass
class Entities:
    """Names known to the extractor (players, teams, cities and their single words)."""

    players: set[str] = field(default_factory=set)
    teams: set[str] = field(default_factory=set)
    cities: set[str] = field(default_factory=set)

    def add_game(self, game: dict[str, Any]) -> None:
        for side in ("vis", "home"):
            name, city, line_name = game[f"{side}_name"], game[f"{side}_city"], game[f"{side}_line"]["TEAM-NAME"]
            self.teams.update({name, line_name, f"{city} {name}", f"{city} {line_name}"})
            if city == "Los Angeles":
                self.teams.add("LA" + name)
            self.cities.add(city)
        self.players.update(game["box_score"]["PLAYER_NAME"].values())
        self.cities.update(game["box_score"]["TEAM_CITY"].values())

    def finish(self) -> frozenset[str]:
        """Add the single words of multi-word names; return every known name."""
        for names in (self.players, self.teams, self.cities):
            for name in list(names):
                pieces = name.split()
                if len(pieces) > 1:
                    names.update(p for p in pieces if len(p) > 1 and p not in _NAME_SUFFIXES)
        return frozenset(self.players | self.teams | self.cities)


def find_mentions(tokens: list[str], known: frozenset[str]) -> list[Mention]:
    """Pronouns and the longest known names, left to right."""
    out: list[Mention] = []
    i = 0
    while i < len(tokens):
        if tokens[i] in PRONOUNS_ONE or tokens[i] in PRONOUNS_MANY:
            out.append(Mention(i, i + 1, tokens[i], pronoun=True))
            i += 1
        elif tokens[i] in known:
            j = i + 1
            while j < len(tokens) and " ".join(tokens[i:j + 1]) in known:
                j += 1
            out.append(Mention(i, j, " ".join(tokens[i:j])))
            i = j
        else:
            i += 1
    return out


def _three_point_at(tokens: list[str], i: int) -> bool:
    return " ".join(tokens[i:i + 3]) in _THREE_POINT or " ".join(tokens[i:i + 2]) in _THREE_POINT


def find_numbers(tokens: list[str]) -> list[Number]:
    """Digit tokens, runs of number words (not ``three point``), and implicit ``a``/``an``/``a pair of``."""
    out: list[Number] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if _is_int(token):
            out.append(Number(i, i + 1, int(token)))
            i += 1
        elif token in NUMBER_WORDS and not _three_point_at(tokens, i):
            j = i + 1
            while j < len(tokens) and tokens[j] in NUMBER_WORDS and not _three_point_at(tokens, j):
                j += 1
            value = words_to_number(" ".join(tokens[i:j]))
            if value is not None:
                out.append(Number(i, j, value))
            i = j
        elif token in _IMPLICIT:
            phrase, j = token, i + 1
            while j < len(tokens) and any(w.startswith(f"{phrase} {tokens[j]}") for w in _IMPLICIT):
                phrase, j = f"{phrase} {tokens[j]}", j + 1
            if phrase in _IMPLICIT:
                out.append(Number(i, j, _IMPLICIT[phrase], implicit=True))
            i = j
        else:
            i += 1
    return out


def _is_int(token: str) -> bool:
    try:
        int(token)
    except ValueError:
        return False
    return True


def match_templates(tokens: list[str], numbers: list[Number]) -> tuple[
        list[tuple[Number, tuple[str, ...] | None]], list[tuple[Number, Number, tuple[tuple[str, str], ...]]]]:
    """``(single numbers with the keys they may fill or None for any, number pairs with key pairs)``."""
    matched = [False] * len(numbers)
    singles: list[tuple[Number, tuple[str, ...] | None]] = []
    for k, num in enumerate(numbers):
        keys: list[str] = []
        e = num.end
        if e < len(tokens) and tokens[e] != "-":
            keys += [key for cond, ks in ONE_WORD if cond(tokens, e) for key in ks]
        if e < len(tokens) and tokens[e].startswith("-"):
            keys += [key for cond, ks in ONE_WORD if cond(tokens, e + 1) for key in ks]
        if keys:
            matched[k] = True
            singles.append((num, tuple(keys)))
    pairs: list[tuple[Number, Number, tuple[tuple[str, str], ...]]] = []
    for k in range(len(numbers) - 1):
        a, b = numbers[k], numbers[k + 1]
        key_pairs: list[tuple[str, str]] = []
        if b.start == a.end + 1 and tokens[a.end] == "-":
            key_pairs += [p for cond, ps in TWO_WORD if cond(tokens, b.end) for p in ps]
        if ((b.start == a.end + 3 and tokens[a.end] == "-" and tokens[a.end + 2] == "-"
             and tokens[a.end + 1] in ("of", "for")) or (b.start == a.end + 1 and tokens[a.end] in ("of", "for"))):
            key_pairs += list(MADE_OF)
        if key_pairs:
            matched[k] = matched[k + 1] = True
            pairs.append((a, b, tuple(key_pairs)))
    free = [(n, None) for n, m in zip(numbers, matched) if not m and not n.implicit]
    return free + singles, pairs
