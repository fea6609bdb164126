"""Shared reward-test data: a Rotowire-sized table (8 players x 6 fields), its document, and degenerate outputs."""

from __future__ import annotations

import json
import random

from text2table.decoding.prompts import PI2_POLICY
from text2table.rewards.truth import Truth
from text2table.core.schema import Field, Schema
from text2table.core.table import dump_rows

NAMES = ["player", "team", "points", "rebounds", "assists", "minutes"]
PLAYERS = ["LeBron James", "Kevin Love", "Kyrie Irving", "Jeff Teague", "Paul Millsap", "Al Horford",
           "Kyle Korver", "Dennis Schroder"]


def box_score(seed: int = 0) -> tuple[Truth, str]:
    """An 8x6 gold table and a document that states every value."""
    rnd = random.Random(seed)
    rows, sentences = [], []
    for i, player in enumerate(PLAYERS):
        row = {"player": player, "team": "Cavaliers" if i < 3 else "Hawks", "points": str(rnd.randint(2, 35)),
               "rebounds": str(rnd.randint(0, 12)), "assists": str(rnd.randint(0, 10)),
               "minutes": str(rnd.randint(10, 40))}
        rows.append(row)
        sentences.append(f"{player} of the {row['team']} scored {row['points']} points with {row['rebounds']} "
                         f"rebounds and {row['assists']} assists in {row['minutes']} minutes.")
    schema = Schema("flat_single_row", tuple(Field(n) for n in NAMES))
    return Truth(schema, rows), " ".join(sentences)


def honest_partial(truth: Truth) -> str:
    """Five of eight rows, each missing its minutes: an honest but incomplete answer."""
    rows = [{**r, "minutes": None} for r in truth.rows[:5]]
    return dump_rows(rows, NAMES)


def hacks(truth: Truth, document: str) -> dict[str, str]:
    """The known degenerate pi2 policies, as model outputs."""
    null_row = {n: None for n in NAMES}
    return {
        "empty output": "",
        "one row repeated": dump_rows([truth.rows[0]] * 8, NAMES),
        "every field null": dump_rows([null_row] * 8, NAMES),
        "schema echoed back": truth.schema.to_json(),
        "schema names as values": dump_rows([{n: n for n in NAMES}] * 8, NAMES),
        "document copied": document,
        "document in a value": dump_rows([{**null_row, "player": document}], NAMES),
        "policy text as values": dump_rows([{n: line.strip("- ")[:30] for n, line in
                                             zip(NAMES, PI2_POLICY.splitlines() * 2)}], NAMES),
        "invented fields": "".join(json.dumps({**r, "nickname": "King"}) + "\n" for r in truth.rows),
        "values not in the document": dump_rows([{"player": f"Player {i}", "team": "Bulls", "points": "99",
                                                  "rebounds": "77", "assists": "55", "minutes": "48"}
                                                 for i in range(8)], NAMES),
    }
