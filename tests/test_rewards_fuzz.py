"""Hypothesis fuzzing of model outputs: rewards never raise and stay bounded, whatever the text."""

from __future__ import annotations

import json
import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.reward_cases import NAMES, box_score
from text2table.rewards import KEYS, pi1_score, pi2_score, pipeline_score
from text2table.rewards.verl_reward import compute_score
from text2table.core.schema import schema_answer
from text2table.core.table import dump_rows

TRUTH, DOCUMENT = box_score()
GOOD_ROWS = dump_rows(TRUTH.rows, NAMES)
GOOD_SCHEMA = schema_answer(TRUTH.schema)

scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-10**30, max_value=10**30),
                    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=20),
                    st.sampled_from(["LeBron James", "Hawks", "12", "twelve", "ünïcödé ✓", "\u2028", "null"]))
values = st.recursive(scalars, lambda kids: st.lists(kids, max_size=3) | st.dictionaries(st.text(max_size=5), kids,
                                                                                          max_size=3), max_leaves=6)


def _row_line(draw_keys: list[str], vals: list[object]) -> str:
    return json.dumps(dict(zip(draw_keys, vals)), ensure_ascii=False, allow_nan=True)


@st.composite
def model_outputs(draw: st.DrawFn, good: str) -> str:
    kind = draw(st.sampled_from(["truncated", "prose", "fenced", "duplicate", "rows", "random", "nan", "mixed"]))
    if kind == "truncated":
        return good[: draw(st.integers(0, len(good)))]
    if kind == "prose":
        return draw(st.text(max_size=80)) + "\n" + good + "\n" + draw(st.text(max_size=40))
    if kind == "fenced":
        return "```json\n" + good + "```"
    if kind == "duplicate":
        return '{"player": "LeBron James", "player": "Kevin Love", "team": "Hawks"}\n' + good
    if kind == "rows":
        keys = draw(st.lists(st.sampled_from(NAMES + ["extra", "Player", ""]), min_size=0, max_size=8))
        lines = [_row_line(keys, draw(st.lists(values, min_size=len(keys), max_size=len(keys))))
                 for _ in range(draw(st.integers(0, 5)))]
        return "\n".join(lines)
    if kind == "nan":
        return good.replace('"12"', "NaN").replace('"Hawks"', "1e999999")
    if kind == "mixed":
        return draw(st.text(max_size=30)) + good[: len(good) // 2] + draw(st.text(max_size=30))
    return draw(st.text(max_size=300))


def _check(result: object) -> None:
    assert -1.0 <= result.score <= 1.0
    assert set(result.metrics) == set(KEYS)
    for key, value in result.metrics.items():
        assert isinstance(value, float) and math.isfinite(value) and 0.0 <= value <= 1.0, (key, value)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model_outputs(GOOD_ROWS))
def test_pi2_never_raises_and_is_bounded(text: str) -> None:
    _check(pi2_score(text, TRUTH, DOCUMENT))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model_outputs(GOOD_SCHEMA))
def test_pi1_never_raises_and_is_bounded(text: str) -> None:
    _check(pi1_score(text, TRUTH, DOCUMENT))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model_outputs(GOOD_SCHEMA), st.one_of(st.none(), model_outputs(GOOD_ROWS)))
def test_pipeline_never_raises_and_is_bounded(schema_text: str, rows_text: str | None) -> None:
    _check(pipeline_score(schema_text, rows_text, TRUTH, DOCUMENT))


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(["text2table/pi1", "text2table/pi2", "text2table/pipeline_pi1"]),
       st.one_of(st.text(max_size=200), st.none(), st.integers()))
def test_verl_entry_never_raises_on_output(source: str, solution: object) -> None:
    out = compute_score(source, solution, TRUTH.to_json(), {"document": DOCUMENT})
    assert -1.0 <= out["score"] <= 1.0 and all(isinstance(v, float) for v in out.values())
