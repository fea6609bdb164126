"""Rotowire sentence records (the ``nba_data`` of ZhitingHu/text_content_manipulation) -> game summaries
with a team and a player table each.

That release splits Rotowire summaries into sentences that state box- or line-score facts, in their
original order, with the facts each sentence states as three parallel files plus the sentence::

    x_type.valid.txt        TEAM_NAME TEAM-FG_PCT TEAM-FG3_PCT
    x_value.valid.txt       Raptors 55 68
    x_associated.valid.txt  Raptors Raptors Raptors
    y_aux.valid.txt         The Raptors were lights - out shooting , as they went 55 percent from ...

Facts come from the Wiseman et al. (2017) relation extraction (only numbers the sentence states, number
words already digits), the same idea as the Text-to-Table paper's filter: a cell the text does not state is
not in the gold. Sentences without facts were left out by the release, so a rebuilt summary is the
fact-stating part of the original.

Games are rebuilt from runs of sentences: a new game starts when a sentence names a team outside the two
teams of the current game, states the final score of another pair, or states a statistic of a player whose
usual team (learnt from the file's sentences naming one player and one team) is not one of the two. Each
game yields ``<id>-team`` (row header ``Team``: the nickname, e.g. ``Raptors``) and ``<id>-player`` (``Player``: the full name), with
the paper's column names (:mod:`.rotowire_names`) in the paper's order, rows in order of first mention,
``metadata.table_hint`` ``team`` / ``player`` and ``metadata.group`` the game id ``nba-<split>-<n>``. A player
statistic stated again with another number also starts a new game (another summary); a team value stated
twice keeps the first (``conflicting_values``). A one-word player name joins the one full name of the game
ending with it, or else the one full name the game's sentences write that ends with it (entity tokens such
as ``Russell_Westbrook``; the release tags a player's statistic with the surname when the sentence gives only
that), or else the one longer form the sentences write without joining it (``J.R. Smith``, ``Steph Curry``),
with a suffix the text writes after it (``Tim Hardaway Jr.``; :mod:`.rotowire_players`); a name mention
without any statistic is not a row. Summaries whose sentences state no team statistic can join the game before
them: a rebuilt document may hold more than one game, and its tables are still exactly the facts its text states.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from text2table.errors import InputError
from text2table.core.records import GoldRecord
from text2table.data.formats._common import Context, decode_line, iter_raw_lines, make_record
from text2table.data.formats.rotowire_names import PLAYER_COLUMNS, PLAYER_KEY, TEAM_COLUMNS, TEAM_KEY, teams_of
from text2table.data.formats.rotowire_players import add_suffixes, merge_short_names

PARTS = ("x_type", "x_value", "x_associated", "y_aux")
_NAME_PATTERN = re.compile(r"^(x_type|x_value|x_associated|y_aux)\.(\w+)\.txt$")
_SPACE_BEFORE = re.compile(r" ([,.;:!?%)]|'s|'re|'ll|'ve|'m|'d|n't)(?= |$)")
_SPACE_AFTER = re.compile(r"(\() ")

Team = tuple[str, str]


def parts_of(inputs: list[Path]) -> dict[str, Path] | None:
    """The four files of one split by part name, when ``inputs`` are exactly those; else ``None``."""
    found: dict[str, Path] = {}
    splits = set()
    for path in inputs:
        match = _NAME_PATTERN.match(path.name)
        if match is None:
            return None
        found[match.group(1)] = path
        splits.add(match.group(2))
    return found if set(found) == set(PARTS) and len(splits) == 1 and len(inputs) == 4 else None


def detokenize(sentence: str) -> str:
    """A release sentence as plain text: entity underscores to spaces, spaces before punctuation dropped.

    >>> detokenize("Philadelphia ( 4 - 14 ) did n't have Joel_Embiid , who 's out .")
    "Philadelphia (4 - 14) didn't have Joel Embiid, who's out."
    """
    text = " ".join(sentence.replace("_", " ").split())
    text = text.replace(" n't", "n't")
    return _SPACE_AFTER.sub(r"\1", _SPACE_BEFORE.sub(r"\1", text))


@dataclass
class _Game:
    teams: set[Team] = field(default_factory=set)
    sentences: list[str] = field(default_factory=list)
    team_rows: dict[Team, dict[str, str]] = field(default_factory=dict)
    player_rows: dict[str, dict[str, str]] = field(default_factory=dict)
    names: set[str] = field(default_factory=set)  # full names the sentences write (entity tokens, not teams)
    released: list[str] = field(default_factory=list)  # the sentences as the release tokenised them


def _resolve(mention: str, current: set[Team]) -> Team | None:
    options = teams_of(mention)
    inside = [t for t in options if t in current]
    return inside[0] if inside else options[0] if len(options) == 1 else None


def player_teams(rows: list[list[tuple[str, str, str]]], min_count: int = 2, min_share: float = 0.7) -> dict[
        str, Team]:
    """A player's usual team, from sentences that name exactly one player (full name) and one team: kept when
    seen ``min_count`` times with that team making ``min_share`` of them (trades stay unknown)."""
    counts: dict[str, dict[Team, int]] = {}
    for facts in rows:
        players = {who for ty, _, who in facts if ty.startswith("PLAYER") and "_" in who}
        teams = {t for ty, _, who in facts if ty.startswith("TEAM") for t in teams_of(who)}
        if len(players) == 1 and len(teams) == 1:
            per = counts.setdefault(players.pop(), {})
            team = teams.pop()
            per[team] = per.get(team, 0) + 1
    out: dict[str, Team] = {}
    for player, per in counts.items():
        team, n = max(per.items(), key=lambda item: item[1])
        if n >= min_count and n >= min_share * sum(per.values()):
            out[player] = team
    return out


def _starts_new_game(game: _Game, facts: list[tuple[str, str, str]], known: dict[str, Team]) -> bool:
    if not game.sentences:
        return False
    if len(game.teams) == 2 and any(known.get(who, t) not in game.teams for ty, _, who in facts
                                    if ty.startswith("PLAYER-") for t in [next(iter(game.teams))]):
        return True
    named = {t for ty, _, who in facts if ty.startswith("TEAM-") for t in [_resolve(who, game.teams)] if t}
    scored = {t for ty, _, who in facts if ty == "TEAM-PTS" for t in [_resolve(who, game.teams)] if t}
    if len(scored) == 2 and len(game.teams) == 2 and scored != game.teams:
        return True
    if len(game.teams | named) > 2:
        return True
    return any(_conflicts(game, ty, value, who) for ty, value, who in facts)


def _conflicts(game: _Game, ty: str, value: str, who: str) -> bool:
    """A player statistic already stated in this game with another value (a new summary began)."""
    if not ty.startswith("PLAYER-") or ty[7:] not in PLAYER_COLUMNS:
        return False
    row = game.player_rows.get(" ".join(who.replace("_", " ").split()), {})
    known = row.get(PLAYER_COLUMNS[ty[7:]])
    return known is not None and known != value


def _add(row: dict[str, str], column: str, value: str, ctx: Context) -> None:
    if column in row and row[column] != value:
        ctx.count("conflicting_values")
        return
    row.setdefault(column, value)


def _absorb(game: _Game, facts: list[tuple[str, str, str]], sentence: str, ctx: Context) -> None:
    game.sentences.append(detokenize(sentence))
    game.released.append(sentence)
    game.names.update(" ".join(token.split("_")) for token in sentence.split()
                      if "_" in token.strip("_") and not teams_of(token))
    for ty, value, who in facts:
        if ty.startswith("TEAM"):
            team = _resolve(who, game.teams)
            if team is None:
                ctx.count("unresolved_team_facts")
                continue
            if len(game.teams) < 2:
                game.teams.add(team)
            if ty in TEAM_COLUMNS:
                _add(game.team_rows.setdefault(team, {}), TEAM_COLUMNS[ty], value, ctx)
        elif ty.startswith("PLAYER-") and ty[7:] in PLAYER_COLUMNS:
            name = " ".join(who.replace("_", " ").split())
            _add(game.player_rows.setdefault(name, {}), PLAYER_COLUMNS[ty[7:]], value, ctx)


def _table(rows: dict[str, dict[str, str]], key: str, order: list[str]) -> tuple[list[str], list[list[str | None]]]:
    present = [c for c in order if any(c in r for r in rows.values())]
    return [key] + present, [[name] + [r.get(c) for c in present] for name, r in rows.items() if r]


def _records(gid: str, game: _Game, common: frozenset[str]) -> Iterator[GoldRecord]:
    document = " ".join(game.sentences)
    merged = merge_short_names(game.player_rows, game.names, game.released, common)
    game.player_rows = add_suffixes(merged, game.released)
    teams = {team[1]: row for team, row in game.team_rows.items()}
    for hint, rows, key, order in (("team", teams, TEAM_KEY, list(TEAM_COLUMNS.values())),
                                   ("player", game.player_rows, PLAYER_KEY, list(PLAYER_COLUMNS.values()))):
        headers, table = _table(rows, key, order)
        if table and len(headers) > 1:
            yield make_record(f"{gid}-{hint}", document, headers, table, structure="flat_single_row",
                              metadata={"dataset": "rotowire", "group": gid, "table_hint": hint,
                                        "source": "nba_data sentences"})


def _lines(path: Path) -> list[str]:
    return [decode_line(raw, str(path), n) for n, raw in iter_raw_lines(path)]


def open_sentences(files: dict[str, Path], ctx: Context) -> Iterator[GoldRecord]:
    """Check the four files now (same number of lines); return the lazy record iterator."""
    columns = {part: _lines(files[part]) for part in PARTS}
    while all(lines and not lines[-1].strip() for lines in columns.values()):
        for lines in columns.values():
            lines.pop()
    sizes = {part: len(lines) for part, lines in columns.items()}
    if len(set(sizes.values())) != 1:
        raise InputError(f"the four nba_data files differ in length: {sizes}", source=str(files["y_aux"]),
                         hint="pass x_type, x_value, x_associated and y_aux of one split")
    split = _NAME_PATTERN.match(files["y_aux"].name).group(2)  # type: ignore[union-attr]

    def generate() -> Iterator[GoldRecord]:
        game, n = _Game(), 0
        rows: list[list[tuple[str, str, str]] | None] = []
        for i in range(len(columns["y_aux"])):
            types, values, who = (columns[p][i].split() for p in ("x_type", "x_value", "x_associated"))
            if not (len(types) == len(values) == len(who)):
                ctx.fail(InputError(f"{len(types)} types, {len(values)} values, {len(who)} entities",
                                    source=str(files["x_type"]), line=i + 1, hint="the files must be parallel"))
                rows.append(None)
                continue
            rows.append(list(zip(types, values, who)))
        known = player_teams([r for r in rows if r is not None])
        # the split's lowercase words: a capitalised one of them starts a sentence, it does not name a player
        common = frozenset(token for line in columns["y_aux"] for token in line.split() if token.islower())
        for sentence, facts in zip(columns["y_aux"], rows):
            if facts is None:
                continue
            if _starts_new_game(game, facts, known):
                n += 1
                yield from _records(f"nba-{split}-{n}", game, common)
                game = _Game()
            _absorb(game, facts, sentence, ctx)
        if game.sentences:
            yield from _records(f"nba-{split}-{n + 1}", game, common)
            n += 1
        ctx.note(f"{n} games rebuilt from {len(columns['y_aux'])} sentences")

    return generate()
