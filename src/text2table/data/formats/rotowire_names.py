"""Rotowire column names (the Text-to-Table paper's headers for box- and line-score keys) and NBA teams.

The header texts are the ones the paper's Rotowire tables use, so gold built here reads like the
benchmark's; the team list (city, nickname) resolves a mention such as ``Toronto``, ``Raptors`` or
``Toronto_Raptors`` to one team.
"""

from __future__ import annotations

#: line-score key -> team table header, in the paper's column order.
TEAM_COLUMNS: dict[str, str] = {
    "TEAM-CITY": "City", "TEAM-AST": "Number of team assists", "TEAM-FG3_PCT": "Percentage of 3 points",
    "TEAM-FG_PCT": "Percentage of field goals", "TEAM-LOSSES": "Losses", "TEAM-PTS": "Total points",
    "TEAM-PTS_QTR1": "Points in 1st quarter", "TEAM-PTS_QTR2": "Points in 2nd quarter",
    "TEAM-PTS_QTR3": "Points in 3rd quarter", "TEAM-PTS_QTR4": "Points in 4th quarter", "TEAM-REB": "Rebounds",
    "TEAM-TOV": "Turnovers", "TEAM-WINS": "Wins",
}

#: box-score key -> player table header, in the paper's column order.
PLAYER_COLUMNS: dict[str, str] = {
    "TEAM_CITY": "Team city", "AST": "Assists", "BLK": "Blocks", "DREB": "Defensive rebounds",
    "FG3A": "3-pointers attempted", "FG3M": "3-pointers made", "FG3_PCT": "3-pointer percentage",
    "FGA": "Field goals attempted", "FGM": "Field goals made", "FG_PCT": "Field goal percentage",
    "FTA": "Free throws attempted", "FTM": "Free throws made", "FT_PCT": "Free throw percentage",
    "MIN": "Minutes played", "OREB": "Offensive rebounds", "PF": "Personal fouls", "PTS": "Points",
    "REB": "Total rebounds", "START_POSITION": "Position", "STL": "Steals", "TO": "Turnovers",
}

#: the row-header column of each table (the paper leaves that header empty).
TEAM_KEY, PLAYER_KEY = "Team", "Player"

#: (city, nickname) of the NBA teams of the Rotowire seasons (2014-2017).
TEAMS: tuple[tuple[str, str], ...] = (
    ("Atlanta", "Hawks"), ("Boston", "Celtics"), ("Brooklyn", "Nets"), ("Charlotte", "Hornets"),
    ("Chicago", "Bulls"), ("Cleveland", "Cavaliers"), ("Dallas", "Mavericks"), ("Denver", "Nuggets"),
    ("Detroit", "Pistons"), ("Golden State", "Warriors"), ("Houston", "Rockets"), ("Indiana", "Pacers"),
    ("Los Angeles", "Clippers"), ("Los Angeles", "Lakers"), ("Memphis", "Grizzlies"), ("Miami", "Heat"),
    ("Milwaukee", "Bucks"), ("Minnesota", "Timberwolves"), ("New Orleans", "Pelicans"), ("New York", "Knicks"),
    ("Oklahoma City", "Thunder"), ("Orlando", "Magic"), ("Philadelphia", "76ers"), ("Phoenix", "Suns"),
    ("Portland", "Trail Blazers"), ("Sacramento", "Kings"), ("San Antonio", "Spurs"), ("Toronto", "Raptors"),
    ("Utah", "Jazz"), ("Washington", "Wizards"),
)
_ALIASES = {"Sixers": "76ers", "Cavs": "Cavaliers", "Mavs": "Mavericks", "Blazers": "Trail Blazers",
            "T-Wolves": "Timberwolves", "Wolves": "Timberwolves", "LA": "Los Angeles", "L.A.": "Los Angeles"}


def teams_of(mention: str) -> list[tuple[str, str]]:
    """Every team a mention can mean (a city shared by two teams gives both).

    >>> teams_of("Toronto_Raptors"), teams_of("Sixers"), len(teams_of("Los Angeles"))
    ([('Toronto', 'Raptors')], [('Philadelphia', '76ers')], 2)
    """
    text = " ".join(mention.replace("_", " ").split())
    for alias, real in _ALIASES.items():
        if text == alias or text.endswith(" " + alias) or text.startswith(alias + " "):
            text = text.replace(alias, real)
    found = [t for t in TEAMS if text in (t[0], t[1], f"{t[0]} {t[1]}")]
    if not found:
        found = [t for t in TEAMS if text.endswith(" " + t[1])]
    return found
