"""Rotowire as released (Wiseman et al. 2017: ``train.json`` / ``valid.json``, a list of games) -> a team and a
player table per game summary, by default with the Text-to-Table paper's preprocessing.

A game holds ``summary`` (tokens), ``box_score`` (column -> {player index -> value}), ``home_line`` /
``vis_line`` (line scores) and ``home_name``/``home_city``/``vis_name``/``vis_city``. Option ``filter``:

* ``"wu"`` (default): only the cells the summary states (:mod:`.rotowire_wu`; number words count, so "five
  assists" keeps ``Assists`` 5), as the paper's ``preprocess_data.py`` lays them out: a team table with the
  home team first (row header the line score's ``TEAM-NAME``), a player table in box-score order (row header
  ``PLAYER_NAME``), columns in the paper's order with its names (:mod:`.rotowire_names`); a table with no
  stated cell is left out (``empty_tables``);
* ``"none"``: every line-score cell and every box-score cell that is not ``N/A``, for every player listed.

The document is the detokenised summary. Ids and groups are ``rotowire-<file stem>-<n>`` (n from 1), with
``-team`` / ``-player`` and ``metadata.table_hint``. Names for the extractor come from all games converted
together: pass ``train.json`` with ``valid.json`` to match the paper, which took them from the train split.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from text2table.errors import ConfigError, InputError
from text2table.core.jsonio import read_text
from text2table.core.records import GoldRecord
from text2table.data.formats._common import Context, make_record
from text2table.data.formats.rotowire_names import PLAYER_COLUMNS, PLAYER_KEY, TEAM_COLUMNS, TEAM_KEY
from text2table.data.formats.rotowire_wu import (PRONOUNS_MANY, PRONOUNS_ONE, Entities, find_mentions,
                                                  find_numbers, match_templates)

FILTERS = ("wu", "none")
_ESCAPES = {"``": '"', "''": '"', "-lrb-": "(", "-LRB-": "(", "-rrb-": ")", "-RRB-": ")"}
_NO_SPACE_BEFORE = re.compile(r"^([,.;:!?%)\]}]|'s|'re|'ll|'ve|'m|'d|n't|')$")
_ENDS = frozenset({".", "!", "?"})
_REQUIRED = ("summary", "box_score", "home_line", "vis_line", "home_name", "home_city", "vis_name", "vis_city")


def detokenize(tokens: list[str]) -> str:
    """Tokens as text: PTB escapes undone, no space before punctuation or after ``(``, quotes attached.

    >>> detokenize("The Hawks -lrb- 46 - 12 -rrb- did n't lose , `` again '' .".split())
    'The Hawks (46 - 12) didn\\'t lose, "again".'
    """
    out: list[str] = []
    open_quote = False
    glue_next = False
    for raw in tokens:
        tok = _ESCAPES.get(raw, raw)
        if tok == '"':
            open_quote = not open_quote
            if open_quote:
                out.append(" " + tok if out else tok)
                glue_next = True
            else:
                out.append(tok)
            continue
        glue = glue_next or not out or bool(_NO_SPACE_BEFORE.match(tok))
        out.append(tok if glue else " " + tok)
        glue_next = tok in ("(", "[", "$")
    return "".join(out).strip()


def sentences(tokens: list[str]) -> list[list[str]]:
    """Split a token list after ``.``/``!``/``?`` tokens."""
    out: list[list[str]] = [[]]
    for tok in tokens:
        out[-1].append(tok)
        if tok in _ENDS:
            out.append([])
    return [s for s in out if s]


def player_index(box: dict[str, dict[str, str]], name: str) -> str | None:
    """Box-score index of a mentioned player: full name, else the earliest same last name, else a unique
    first name."""
    for column, earliest in (("PLAYER_NAME", True), ("SECOND_NAME", True), ("FIRST_NAME", False)):
        keys = sorted((k for k, v in box.get(column, {}).items() if v == name), key=int)
        if keys and (earliest or len(keys) == 1):
            return keys[0]
        if keys:
            return None
    return None


def side_of(game: dict[str, Any], name: str) -> bool | None:
    """``True`` home, ``False`` visitors, ``None`` unknown, for a team or city mention."""
    pieces = name.split()
    if pieces[0] in game["home_city"] or pieces[-1] in game["home_name"]:
        return True
    if pieces[0] in game["vis_city"] or pieces[-1] in game["vis_name"]:
        return False
    if "LA" in pieces[0] and "Los Angeles" in (game["home_city"], game["vis_city"]):
        return game["home_city"] == "Los Angeles"
    return None


def stated_cells(game: dict[str, Any], ents: Entities, known: frozenset[str]) -> tuple[
        dict[bool, dict[str, str]], dict[str, dict[str, str]]]:
    """The cells the summary states: ``({is_home: {key: value}}, {player index: {key: value}})``, first
    statement kept."""
    box = game["box_score"]
    teams: dict[bool, dict[str, str]] = {}
    players: dict[str, dict[str, str]] = {}
    previous: list[str] = []
    for tokens in sentences(game["summary"]):
        names: list[str] = []
        for mention in find_mentions(tokens, known):
            if mention.name in PRONOUNS_ONE:
                names += [n for n in previous if n in ents.players]
            elif mention.name in PRONOUNS_MANY:
                names += [n for n in previous if n in ents.teams or n in ents.cities]
            else:
                names.append(mention.name)
        singles, pairs = match_templates(tokens, find_numbers(tokens))
        for name in names:
            if name in ents.players and name not in ents.cities and name not in ents.teams:
                pid = player_index(box, name)
                if pid is not None:
                    row = players.setdefault(pid, {})
                    _fill(row, {k: v[pid] for k, v in box.items() if pid in v}, singles, pairs)
                continue
            side = side_of(game, name)
            if side is None:
                continue
            line, other = (game["home_line"], game["vis_line"]) if side else (game["vis_line"], game["home_line"])
            _fill(teams.setdefault(side, {}), line, singles, pairs, other, teams.setdefault(not side, {}))
        previous = names
    return {s: r for s, r in teams.items() if r}, {p: r for p, r in players.items() if r}


def _fill(row: dict[str, str], cells: dict[str, str], singles: list, pairs: list,
          other: dict[str, str] | None = None, other_row: dict[str, str] | None = None) -> None:
    """Add to ``row`` the cells of ``cells`` that the numbers state (the other team's too for a score pair)."""
    for num, keys in singles:
        for key in (cells if keys is None else [k for k in keys if k in cells]):
            if cells[key] == str(num.value):
                row.setdefault(key, cells[key])
    for a, b, key_pairs in pairs:
        for k1, k2 in key_pairs:
            if k1 not in cells or k2 not in cells:
                continue
            if k1 == k2 and other is not None and other_row is not None and k1 in other:
                if cells[k1] == str(a.value) and other[k1] == str(b.value):
                    row.setdefault(k1, cells[k1])
                    other_row.setdefault(k1, other[k1])
                if other[k1] == str(a.value) and cells[k1] == str(b.value):
                    other_row.setdefault(k1, other[k1])
                    row.setdefault(k1, cells[k1])
            elif k1 != k2 and cells[k1] == str(a.value) and cells[k2] == str(b.value):
                row.setdefault(k1, cells[k1])
                row.setdefault(k2, cells[k2])


def _team_table(game: dict[str, Any], teams: dict[bool, dict[str, str]]) -> tuple[list[str], list[list[str | None]]]:
    keys = [k for k in TEAM_COLUMNS if any(k in r for r in teams.values())]
    rows = [[game[f"{side}_line"]["TEAM-NAME"]] + [teams[flag].get(k) for k in keys]
            for side, flag in (("home", True), ("vis", False)) if flag in teams]
    return [TEAM_KEY] + [TEAM_COLUMNS[k] for k in keys], rows


def _player_table(box: dict[str, dict[str, str]], players: dict[str, dict[str, str]]) -> tuple[
        list[str], list[list[str | None]]]:
    stats = {pid: {k[7:] if k.startswith("PLAYER-") else k: v for k, v in row.items()} for pid, row in players.items()}
    keys = [k for k in PLAYER_COLUMNS if any(k in r for r in stats.values())]
    rows = [[box["PLAYER_NAME"][pid]] + [stats[pid].get(k) for k in keys] for pid in sorted(stats, key=int)]
    return [PLAYER_KEY] + [PLAYER_COLUMNS[k] for k in keys], rows


def _all_cells(game: dict[str, Any]) -> tuple[dict[bool, dict[str, str]], dict[str, dict[str, str]]]:
    teams = {flag: {k: v for k, v in game[f"{side}_line"].items() if k in TEAM_COLUMNS and v not in ("", "N/A")}
             for side, flag in (("home", True), ("vis", False))}
    box = game["box_score"]
    players = {pid: {k: box[k][pid] for k in PLAYER_COLUMNS if k in box and box[k].get(pid) not in (None, "", "N/A")}
               for pid in box.get("PLAYER_NAME", {})}
    return teams, players


def load_games(path: Path) -> list[dict[str, Any]]:
    """The games of one raw file, each checked for the keys the converter reads."""
    try:
        games = json.loads(read_text(path))
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc.msg}", source=str(path), line=exc.lineno,
                         hint="pass the released train.json / valid.json") from None
    if not isinstance(games, list):
        raise InputError("expected a JSON list of games", source=str(path), hint="pass the released files")
    for i, game in enumerate(games):
        missing = [k for k in _REQUIRED if not isinstance(game, dict) or k not in game]
        if missing:
            raise InputError(f"game [{i}] lacks {missing}", source=str(path), hint="pass the released files")
    return games


def open_raw(paths: list[Path], ctx: Context) -> Iterator[GoldRecord]:
    """Load and check every file now (names for the extractor come from all of them); records lazily."""
    mode = ctx.options.get("filter") or "wu"
    if mode not in FILTERS:
        raise ConfigError(f"rotowire filter must be one of {FILTERS} for the released files, got {mode!r}")
    loaded = [(path, load_games(path)) for path in paths]
    ents = Entities()
    for _, games in loaded:
        for game in games:
            ents.add_game(game)
    known = ents.finish()

    def generate() -> Iterator[GoldRecord]:
        for path, games in loaded:
            for n, game in enumerate(games, start=1):
                gid = f"rotowire-{path.stem}-{n}"
                teams, players = stated_cells(game, ents, known) if mode == "wu" else _all_cells(game)
                document = detokenize(game["summary"])
                for hint, (headers, rows) in (("team", _team_table(game, teams)),
                                              ("player", _player_table(game["box_score"], players))):
                    if not rows or len(headers) < 2:
                        ctx.count("empty_tables")
                        continue
                    yield make_record(f"{gid}-{hint}", document, headers, rows, structure="flat_single_row",
                                      metadata={"dataset": "rotowire", "group": gid, "table_hint": hint})

    return generate()
