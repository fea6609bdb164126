"""Every degenerate policy scores below an honest partial answer, for the pi1, pi2 and pipeline rewards.

Scored through the public reward API (VERL's ``compute_score`` and the pipeline-pi1 scorer) on ground truth
built the way ``prepare`` builds it. The hacks: empty output, one row repeated, every field null, the schema
echoed back, values copied from the prompt's policy text, invented fields, values not in the document (and
the document itself copied).
"""

from __future__ import annotations

import json

import pytest

from text2table.metrics.end_to_end import map_gold_to_schema
from text2table.core.naming import normalize_name
from text2table.data.prepare import ground_truth_json
from text2table.decoding.prompts import PI1_POLICY, PI2_POLICY, render_metadata, render_schema_block
from text2table.core.records import gold_rows, gold_schema, record_from_dict
from text2table.rewards.verl_reward import compute_score
from text2table.core.schema import Schema
from text2table.core.table import dump_rows
from text2table.training.pipeline_rl import PipelinePi1Scorer

RECORD = record_from_dict({
    "id": "game-1", "metadata": {"table_hint": "player"},
    "document": ("Hawks beat the Bulls 101-99 on Friday. Smith scored 20 points with 5 rebounds; Jones added"
                 " 12 points and 7 rebounds, and Brown had 9 points."),
    "table": {"headers": ["Player", "Points", "Rebounds"],
              "rows": [["Smith", "20", "5"], ["Jones", "12", "7"], ["Brown", "9", ""]]}})
GOLD = gold_schema(RECORD)
ROWS = gold_rows(RECORD, GOLD)
TRUTH = ground_truth_json(GOLD, ROWS)
DOC = RECORD.document
NAMES = GOLD.names


def table(*rows: dict) -> str:
    return "".join(json.dumps(r) + "\n" for r in rows)


def row(player: object, points: object, rebounds: object) -> dict:
    return {"player": player, "points": points, "rebounds": rebounds}


def schema_text(*names: str, structure: str = "flat_single_row") -> str:
    return json.dumps({"structure": structure, "fields": [{"name": n, "type": "string", "required": False}
                                                          for n in names], "constraints": {}})


POLICY_LINES = [line.lstrip("- ").strip() for line in PI2_POLICY.splitlines()]

# ----------------------------------------------------------------------------- pi2 (rows for the gold schema)
PI2_HONEST = table(row("Smith", "20", "5"), row("Jones", "12", None))
PI2_HACKS = {
    "empty output": "",
    "whitespace only": "\n\n  \n",
    "one row repeated": table(*[row("Smith", "20", "5")] * 6),
    "every field null": table(*[row(None, None, None)] * 3),
    "schema echoed as rows": table(row("player", "points", "rebounds")),
    "schema block echoed": render_schema_block(GOLD) + "\n",
    "policy text as values": table(row(POLICY_LINES[1], POLICY_LINES[2], POLICY_LINES[0])),
    "invented fields": table(*[{**r, "team": "Hawks"} for r in ROWS]),
    "values not in the document": table(row("Smith", "25", "11"), row("Taylor", "30", "2"),
                                        row("Jones", "14", "3")),
    "document copied into cells": table(row(DOC, DOC, DOC)),
    "prose around nothing": "Here is the table you asked for. I hope it helps!",
}

# ----------------------------------------------------------------------------- pi1 (a schema for the document)
PI1_HONEST = schema_text("player", "points")
PI1_HACKS = {
    "empty output": "",
    "one field repeated": schema_text("player", "player", "player"),
    "every field null": json.dumps({"structure": "flat_single_row", "fields": [{"name": None}] * 3}),
    "no fields": schema_text(),
    "metadata block echoed": render_metadata(RECORD.metadata),
    "policy text as field names": schema_text(*[normalize_name(line.lstrip("- ")[:40])
                                                for line in PI1_POLICY.splitlines()]),
    "invented fields": schema_text(*NAMES, "stadium", "referee", "attendance", "weather", "coach", "mvp"),
    "fields not in the document": schema_text("player", "points", "salary", "jersey_number", "college"),
    "document copied as a field name": schema_text(normalize_name(DOC)),
    "prose instead of json": "The table should have a player column and a points column.",
}


def pi2(text: str) -> float:
    return compute_score("text2table/pi2", text, TRUTH, {"document": DOC})["score"]


def pi1(text: str) -> float:
    return compute_score("text2table/pi1", text, TRUTH, {"document": DOC})["score"]


class OraclePi2:
    """A perfect frozen pi2: the gold table mapped onto whatever schema it is given."""

    def run(self, jobs):  # noqa: ANN001, ANN201
        return [dump_rows(map_gold_to_schema(j.schema, GOLD, ROWS), j.schema.names) for j in jobs]


def pipeline_pi1(text: str) -> float:
    return PipelinePi1Scorer(OraclePi2()).score([text], [TRUTH], [DOC], [RECORD.metadata])[0].score


def pipeline_table(rows_text: str) -> float:
    """The pipeline reward of a table pi2 wrote for the gold schema (as VERL scores a given pi2 output)."""
    return compute_score("text2table/pipeline_pi1", schema_text(*NAMES), TRUTH,
                         {"document": DOC, "pi2_output": rows_text})["score"]


def test_honest_partial_answers_score_well_but_below_perfect() -> None:
    assert 0.3 < pi2(PI2_HONEST) < pi2(dump_rows(ROWS, NAMES)) == 1.0
    assert 0.3 < pi1(PI1_HONEST) < pi1(schema_text(*NAMES))
    assert 0.3 < pipeline_pi1(PI1_HONEST) < pipeline_pi1(schema_text(*NAMES))
    assert 0.3 < pipeline_table(PI2_HONEST) < pipeline_table(dump_rows(ROWS, NAMES))


@pytest.mark.parametrize("hack", list(PI2_HACKS), ids=list(PI2_HACKS))
def test_pi2_hack_scores_below_honest(hack: str) -> None:
    assert pi2(PI2_HACKS[hack]) < pi2(PI2_HONEST)


@pytest.mark.parametrize("hack", list(PI2_HACKS), ids=list(PI2_HACKS))
def test_pipeline_table_hack_scores_below_honest(hack: str) -> None:
    assert pipeline_table(PI2_HACKS[hack]) < pipeline_table(PI2_HONEST)


@pytest.mark.parametrize("hack", list(PI1_HACKS), ids=list(PI1_HACKS))
def test_pi1_hack_scores_below_honest(hack: str) -> None:
    assert pi1(PI1_HACKS[hack]) < pi1(PI1_HONEST)


@pytest.mark.parametrize("hack", list(PI1_HACKS), ids=list(PI1_HACKS))
def test_pipeline_pi1_hack_scores_below_honest(hack: str) -> None:
    """Through a perfect pi2, a degenerate schema still loses to an honest partial one."""
    assert pipeline_pi1(PI1_HACKS[hack]) < pipeline_pi1(PI1_HONEST)


def test_valid_schema_hacks_reach_pi2() -> None:
    """The pipeline cases above are not all decided by the validity gate: these go through pi2."""
    valid = [h for h, text in PI1_HACKS.items() if _valid(text)]
    assert {"invented fields", "fields not in the document", "policy text as field names"} <= set(valid)
    oracle = OraclePi2()
    calls: list = []
    oracle.run = lambda jobs, run=oracle.run: calls.extend(jobs) or run(jobs)  # type: ignore[method-assign]
    PipelinePi1Scorer(oracle).score([PI1_HACKS[h] for h in valid], [TRUTH] * len(valid), [DOC] * len(valid))
    assert len(calls) == len(valid)


def _valid(text: str) -> bool:
    try:
        Schema.from_dict(json.loads(text))
    except (ValueError, TypeError):
        return False
    return True


# ----------------------------------------------------------------------------- padding around one answer
GOLD_SCHEMA = schema_text(*NAMES)
GOLD_ROWS = dump_rows(ROWS, NAMES)
LONG_PROSE = " ".join([DOC] * 4)
PI1_PADDED = {
    "gold schema twice": GOLD_SCHEMA * 2,
    "gold schema three times": "\n".join([GOLD_SCHEMA] * 3),
    "gold schema then another schema": GOLD_SCHEMA + "\n" + schema_text("player", "team", "minutes"),
    "gold schema then a long paragraph": GOLD_SCHEMA + "\n" + LONG_PROSE,
}
_GOLD_OBJ = json.loads(GOLD_SCHEMA)
PI1_PADDED.update({
    "a key the schema ignores holding the document": json.dumps({**_GOLD_OBJ, "notes": DOC * 2}),
    "the document as every field's description": json.dumps(
        {**_GOLD_OBJ, "fields": [{**f, "description": DOC} for f in _GOLD_OBJ["fields"]]}),
    "constraints stuffed with text": json.dumps({**_GOLD_OBJ, "constraints": {"notes": DOC * 2}}),
    "enums stuffed with the document": json.dumps(
        {**_GOLD_OBJ, "fields": [{**f, "enum": [DOC] * 3} for f in _GOLD_OBJ["fields"]]}),
})
PI1_LIGHTLY_PADDED = {
    "gold schema then a sentence": GOLD_SCHEMA + "\nThat is the schema.",
    "a sentence then the gold schema": "Here is the schema:\n" + GOLD_SCHEMA,
    "gold schema in a code fence": "```json\n" + GOLD_SCHEMA + "\n```",  # format_penalty only
}
PI2_PADDED = {
    "gold rows twice": GOLD_ROWS * 2,
    "gold rows then a long paragraph": GOLD_ROWS + LONG_PROSE + "\n",
    "gold rows then the rows as a JSON array": GOLD_ROWS + json.dumps(ROWS) + "\n",
    "gold rows between long paragraphs": LONG_PROSE + "\n" + GOLD_ROWS + LONG_PROSE + "\n",
}
PI2_LIGHTLY_PADDED = {
    "gold rows then a sentence": GOLD_ROWS + "That is every player.\n",
    "gold rows in a code fence": "```json\n" + GOLD_ROWS + "```\n",
    "gold rows then empty objects": GOLD_ROWS + "{}\n{}\n",
}


@pytest.mark.parametrize("hack", list(PI1_PADDED) + list(PI1_LIGHTLY_PADDED),
                         ids=list(PI1_PADDED) + list(PI1_LIGHTLY_PADDED))
def test_text_after_or_around_the_schema_costs(hack: str) -> None:
    text = {**PI1_PADDED, **PI1_LIGHTLY_PADDED}[hack]
    assert pi1(text) < pi1(GOLD_SCHEMA) == 1.0
    assert pipeline_pi1(text) < pipeline_pi1(GOLD_SCHEMA)


@pytest.mark.parametrize("hack", list(PI1_PADDED), ids=list(PI1_PADDED))
def test_heavily_padded_gold_schema_scores_below_honest(hack: str) -> None:
    """The gold schema written again (or buried in prose) is not worth more than an honest partial schema."""
    assert pi1(PI1_PADDED[hack]) < pi1(PI1_HONEST)
    assert pipeline_pi1(PI1_PADDED[hack]) < pipeline_pi1(PI1_HONEST)


def test_padding_cost_grows_with_the_padding() -> None:
    assert pi1(GOLD_SCHEMA * 3) < pi1(GOLD_SCHEMA * 2) < pi1(GOLD_SCHEMA)
    assert pi1(GOLD_SCHEMA + " " + LONG_PROSE) < pi1(GOLD_SCHEMA + " That is the schema.")
    assert pi2(GOLD_ROWS + LONG_PROSE) < pi2(GOLD_ROWS + "That is all.")


@pytest.mark.parametrize("hack", list(PI2_PADDED) + list(PI2_LIGHTLY_PADDED),
                         ids=list(PI2_PADDED) + list(PI2_LIGHTLY_PADDED))
def test_text_around_the_rows_costs(hack: str) -> None:
    text = {**PI2_PADDED, **PI2_LIGHTLY_PADDED}[hack]
    assert pi2(text) < pi2(GOLD_ROWS) == 1.0
    assert pipeline_table(text) < pipeline_table(GOLD_ROWS)


@pytest.mark.parametrize("hack", list(PI2_PADDED), ids=list(PI2_PADDED))
def test_heavily_padded_gold_rows_score_below_honest(hack: str) -> None:
    assert pi2(PI2_PADDED[hack]) < pi2(PI2_HONEST)
    assert pipeline_table(PI2_PADDED[hack]) < pipeline_table(PI2_HONEST)
