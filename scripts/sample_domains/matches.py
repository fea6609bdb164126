"""Match reports with player statistics: basketball box scores and football line-ups (flat, up to 20 rows),
top performers told in prose (flat, 2 to 5 rows, stats not mentioned are null) and match facts (kv_single)."""

from __future__ import annotations

import random
from datetime import date

from .common import (CITIES, DATE_STYLES, Sample, coined, flat_sample, fmt_date, kv_document, kv_sample,
                     maybe_words, person, rand_date, sentences, table_block, unique)

DOMAIN = "match_report"
GROUPS = 22
MASCOTS = ["Herons", "Lynx", "Comets", "Foxes", "Mariners", "Stags", "Kestrels", "Wolves", "Otters", "Falcons",
           "Bison", "Ravens"]
NARRATIVE = ["The opening period was scrappy, with turnovers on both ends.",
             "A long injury stoppage before the break seemed to sap the visitors' rhythm.",
             "The home side's pressing forced mistakes that turned into easy chances.",
             "Late substitutions changed the shape of the game.",
             "Neither coach was happy with the officiating, and both said so.",
             "The visitors had the better of possession but rarely threatened.",
             "Fans stayed long after the final whistle to applaud the players off.",
             "Next up for the home side is a short trip across town on Saturday.",
             "The win was their fourth in a row and lifts them into the play-off places.",
             "It was a tactical game, decided by a handful of moments in transition."]
FC = ["FC", "United", "Athletic", "Rovers", "City", "Albion"]


def _teams(rng: random.Random, sport: str) -> list[str]:
    def make(r: random.Random) -> str:
        return f"{r.choice(CITIES)} {r.choice(MASCOTS)}" if sport == "basketball" else f"{r.choice(CITIES)} {r.choice(FC)}"
    return unique(rng, make, 2)


def _basketball_line(rng: random.Random) -> dict[str, str]:
    minutes = rng.randint(6, 40)
    fgm = rng.randint(0, max(1, minutes // 3))
    tpm, ftm = rng.randint(0, min(fgm, 5)), rng.randint(0, 8)
    return {"min": str(minutes), "pts": str(2 * fgm + tpm + ftm), "reb": str(rng.randint(0, 13)),
            "ast": str(rng.randint(0, 11)), "stl": str(rng.randint(0, 4)), "fg": f"{fgm}-{fgm + rng.randint(0, 9)}",
            "3pt": f"{tpm}-{tpm + rng.randint(0, 5)}"}


BASKET_COLS = {"min": ["Min", "MIN", "Minutes"], "pts": ["Pts", "PTS", "Points"], "reb": ["Reb", "REB", "Rebounds"],
               "ast": ["Ast", "AST", "Assists"], "stl": ["Stl", "STL", "Steals"], "fg": ["FG", "FGM-A"],
               "3pt": ["3PT", "3PM-A"]}
FOOT_COLS = {"pos": ["Pos", "Position"], "min": ["Min", "Minutes", "Mins"], "goals": ["Goals", "G", "Gls"],
             "assists": ["Assists", "A", "Ast"], "shots": ["Shots", "Sh"], "rating": ["Rating", "Match rating"]}


def _football_line(rng: random.Random, pos: str) -> dict[str, str]:
    return {"pos": pos, "min": str(rng.choice([90, 90, 90, 90, 68, 74, 81, 23, 16, 9])),
            "goals": str(rng.choice([0, 0, 0, 0, 1, 1, 2]) if pos != "GK" else 0),
            "assists": str(rng.choice([0, 0, 0, 1])), "shots": str(rng.randint(0, 6) if pos != "GK" else 0),
            "rating": f"{rng.uniform(5.8, 8.9):.1f}"}


def _header(rng: random.Random, sport: str) -> tuple[list[str], str, str, str, str]:
    home, away = _teams(rng, sport)
    hs, as_ = (rng.randint(88, 128), rng.randint(85, 126)) if sport == "basketball" else (rng.randint(0, 4), rng.randint(0, 3))
    if sport == "basketball" and hs == as_:
        hs += rng.choice([-3, 2])
    when = fmt_date(rand_date(rng, date(2024, 9, 1), 240), rng.choice(DATE_STYLES))
    venue = f"{coined(rng)} {rng.choice(['Arena', 'Stadium', 'Park', 'Dome'])}"
    crowd = rng.randint(3000, 41000)
    return [home, away], f"{hs}-{as_}", when, venue, rng.choice([str(crowd), f"{crowd:,}"])


def _box_score(rng: random.Random, sport: str, long: bool = False) -> Sample:
    """A box score; ``long``: both teams, 9 or 10 players each, with the full write-up."""
    teams, score, when, venue, crowd = _header(rng, sport)
    both = long or rng.random() < 0.35
    per_team = rng.randint(9, 10) if long else rng.randint(5, 10) if both else rng.randint(8, 16 if sport == "football" else 13)
    names = unique(rng, person, per_team * (2 if both else 1))
    spec = BASKET_COLS if sport == "basketball" else FOOT_COLS
    keys = [k for k in spec if rng.random() < 0.75] or ["min"]
    headers = [rng.choice(["Player", "Name"])] + (["Team"] if both else []) + [rng.choice(spec[k]) for k in keys]
    rows: list[list[str | None]] = []
    positions = ["GK", "DF", "DF", "DF", "DF", "MF", "MF", "MF", "FW", "FW", "FW", "MF", "DF", "FW", "MF", "DF"]
    for i, name in enumerate(names):
        line = _basketball_line(rng) if sport == "basketball" else _football_line(rng, positions[i % per_team])
        team = [teams[i // per_team]] if both else []
        cells: list[str | None] = [line[k] for k in keys]
        if rng.random() < 0.08 and len(cells) > 1:  # an unrecorded stat
            cells[rng.randrange(1, len(cells))] = None
        rows.append([name] + team + cells)  # type: ignore[operator]
    leader = rng.choice(rows)[0]
    home, away = (int(x) for x in score.split("-"))
    word = "beat" if home > away else "drew with" if home == away else "fell to"
    the = "the " if sport == "basketball" else ""
    recap = [f"{the.capitalize()}{teams[0]} {word} {the}{teams[1]} {score} at {venue} on {when}.",
             f"A crowd of {crowd} watched a game that swung twice in the second half.",
             f"{leader} set the tone early and the bench held on late.",
             rng.choice(["Coaches on both sides praised the defensive effort.",
                         "The result leaves both sides level on points with three rounds to play."])]
    recap += rng.sample(NARRATIVE, rng.randint(4, 7) if long else rng.randint(0, 5))
    _, block = table_block(rng, headers, rows)
    label = rng.choice(["Box score", "Player statistics", "Full statistics"] if sport == "basketball"
                       else ["Line-ups and ratings", "Player statistics", "Player ratings"])
    title = rng.choice([f"{teams[0]} vs {teams[1]}: match report", f"Match report — {teams[0]} {score} {teams[1]}"])
    quotes = [f"\"We stuck to the plan and it paid off,\" said {person(rng)}, the {teams[0]} coach. \"There is still a lot "
              "to fix, especially at the back, but I am proud of the effort.\"",
              f"{person(rng)}, in charge of the {teams[1]}, was blunt: \"We were second to every loose ball. That is not "
              "good enough at this level, and the players know it.\""]
    extra = rng.sample(quotes, 2 if long else rng.randint(0, 2))
    doc = "\n\n".join([title, sentences(rng, recap, (2, 4))] + extra +
                        [f"{label}{'' if both else ' (' + teams[0] + ')'}:", block])
    return flat_sample(doc, headers, rows, "player_stats", table_hint=rng.choice([None, "player statistics"]))


def _top_performers(rng: random.Random) -> Sample:
    teams, score, when, venue, _ = _header(rng, "basketball")
    n = rng.randint(2, 5)
    names = unique(rng, person, n)
    headers = ["Player", "Team", rng.choice(BASKET_COLS["pts"]), rng.choice(BASKET_COLS["reb"]),
               rng.choice(BASKET_COLS["ast"]), rng.choice(BASKET_COLS["min"])]
    rows: list[list[str | None]] = []
    parts = [f"The {teams[0]} and the {teams[1]} finished {score} at {venue} on {when}."]
    for name in names:
        team = rng.choice(teams)
        line = _basketball_line(rng)
        pts = line["pts"]
        reb = maybe_words(rng, max(2, int(line["reb"]))) if rng.random() < 0.7 else None
        ast = maybe_words(rng, max(2, int(line["ast"]))) if rng.random() < 0.6 else None
        mins = line["min"] if rng.random() < 0.4 else None
        extra = [f"{reb} rebounds" if reb else "", f"{ast} assists" if ast else ""]
        extra = [e for e in extra if e]
        sentence = rng.choice([f"{name} scored {pts} points for the {team}", f"For the {team}, {name} had {pts} points",
                               f"{name} ({team}) poured in {pts} points"])
        sentence += (", adding " + " and ".join(extra) if extra else "")
        sentence += (f" in {mins} minutes." if mins else ".")
        parts.append(sentence)
        rows.append([name, team, pts, reb, ast, mins])
    parts.append(rng.choice(["Both teams shot poorly from deep.", "Free throws decided it in the final minute.",
                             "The rematch is scheduled for next month."]))
    doc = sentences(rng, parts, (2, 3))
    return flat_sample(doc, headers, rows, "top_performers", table_hint="players mentioned with statistics")


def _facts(rng: random.Random) -> Sample:
    sport = rng.choice(["basketball", "football"])
    teams, score, when, venue, crowd = _header(rng, sport)
    ref = person(rng)
    star = person(rng)
    comp = f"{coined(rng)} {rng.choice(['League', 'Cup', 'Championship'])}"
    attrs = [(rng.choice(["Home team", "Home"]), teams[0], ["{v} hosted the game."]),
             (rng.choice(["Away team", "Visitors", "Away"]), teams[1], ["The visitors were {v}."]),
             (rng.choice(["Score", "Final score", "Result"]), score, ["It finished {v}.", "The final score was {v}."]),
             (rng.choice(["Date", "Match date"]), when, ["The match was played on {v}."]),
             (rng.choice(["Venue", "Stadium", "Ground"]), venue, ["The venue was {v}.", "They met at {v}."]),
             (rng.choice(["Attendance", "Crowd"]), crowd, ["Attendance was {v}.", "A crowd of {v} turned up."]),
             (rng.choice(["Referee", "Official"]), ref, ["{v} refereed.", "The referee was {v}."]),
             (rng.choice(["Player of the match", "MVP", "Man of the match"]), star,
              ["{v} was named player of the match.", "The award for best player went to {v}."]),
             (rng.choice(["Competition", "League"]), comp, ["The game counted towards the {v}."])]
    keep = attrs[:3] + [a for a in attrs[3:] if rng.random() < 0.65]
    lead = rng.choice([f"Round {rng.randint(2, 30)} of the {comp}: a report from the press box.",
                       f"Our correspondent was at the game between {teams[0]} and {teams[1]}."])
    outro = rng.choice(["Highlights are available on the league's website.",
                        "Both coaches declined to comment after the final whistle."])
    _, doc = kv_document(rng, lead, keep, outro=outro, list_intro="Match facts:",
                         table_headers=("Fact", "Detail"))
    return kv_sample(doc, [(k, v) for k, v, _ in keep], "match_facts", table_hint=None)


def make_group(rng: random.Random, index: int) -> list[Sample]:
    if index % 5 < 3:
        return [_box_score(rng, rng.choice(["basketball", "football"]), long=index % 5 == 0 and index >= 5)]
    return [_top_performers(rng)] if index % 5 == 3 else [_facts(rng)]
