"""Rewards: hand-computed pi1/pi2/pipeline scores, gating reasons, weights, and the known hacks."""

from __future__ import annotations

import pytest

from tests.reward_cases import NAMES, box_score, hacks, honest_partial
from text2table.errors import ConfigError
from text2table.rewards import KEYS, RewardWeights, Truth, pi1_score, pi2_score, pipeline_score
from text2table.core.schema import Field, Schema, schema_answer
from text2table.core.table import dump_rows

FLAT = Schema("flat_single_row", (Field("player"), Field("points")))
FLAT_TRUTH = Truth(FLAT, [{"player": "Smith", "points": "20"}, {"player": "Jones", "points": "12"}])
FLAT_DOC = "Smith scored 20 points and Jones added 12."
KV = Schema("kv_single", (Field("name"), Field("eat_type"), Field("area"), Field("price_range")))
KV_TRUTH = Truth(KV, [{"name": "The Vaults", "eat_type": "pub", "area": "riverside", "price_range": "cheap"}])
KV_DOC = "The Vaults is a cheap pub in the riverside area."


def test_pi2_hand_computed() -> None:
    # 4 predicted cells, 3 right (Jones has 13: wrong and not in the document) -> F1 0.75, ungrounded 1/4
    text = '{"player": "Smith", "points": "20"}\n{"player": "Jones", "points": "13"}'
    r = pi2_score(text, FLAT_TRUTH, FLAT_DOC)
    assert r.metrics["cell_f1"] == pytest.approx(0.75)
    assert r.metrics["grounding"] == pytest.approx(0.75)
    assert r.score == pytest.approx(0.75 - 0.5 * 0.25)
    assert set(r.metrics) == set(KEYS) and r.reason == ""


def test_pi2_format_factor_and_case() -> None:
    text = '{"player": "smith", "points": 20}\nnot json\n{"player": "Jones", "points": "12"}'
    r = pi2_score(text, FLAT_TRUTH, FLAT_DOC)
    assert r.metrics["json_valid"] == pytest.approx(2 / 3) and r.metrics["key_order"] == 1.0
    assert r.metrics["cell_f1"] == 1.0  # case-folded, 20 == "20"
    assert r.score == pytest.approx(2 / 3)


def test_pi2_without_document_skips_grounding() -> None:
    r = pi2_score('{"player": "Smith", "points": "99"}', FLAT_TRUTH)
    assert r.metrics["grounding"] == 0.0 and r.score == pytest.approx(r.metrics["cell_f1"])


@pytest.mark.parametrize("text, reason", [
    ("", "empty output"),
    ('{"player": null, "points": null}', "every value is null"),
    ("I cannot do that.", "no valid row: line 1 is not a JSON object"),
    ('{"points": "20", "player": "Smith"}', "no valid row: line 1 keys differ from the schema"),
    ('{"player": ["Smith"], "points": "20"}', "no valid row: line 1 has a nested value"),
], ids=["empty", "all-null", "prose", "key-order", "nested"])
def test_pi2_gates_say_why(text: str, reason: str) -> None:
    r = pi2_score(text, FLAT_TRUTH, FLAT_DOC)
    assert r.score == -1.0 and r.reason == reason


def test_empty_gold_rewards_empty_answer() -> None:
    truth = Truth(FLAT, [])
    assert pi2_score("", truth, FLAT_DOC).score == 1.0
    assert pi2_score('{"player": "Smith", "points": "20"}', truth, FLAT_DOC).score <= 0.0


@pytest.mark.parametrize("hack", list(hacks(*box_score())))
def test_each_pi2_hack_scores_below_an_honest_partial_answer(hack: str) -> None:
    truth, document = box_score()
    honest = pi2_score(honest_partial(truth), truth, document)
    gamed = pi2_score(hacks(truth, document)[hack], truth, document)
    assert 0.3 < honest.score < 1.0
    assert gamed.score < honest.score - 0.3, (hack, gamed)
    assert gamed.score <= 0.0


def test_kv_hacks() -> None:
    honest = pi2_score('{"name": "The Vaults", "eat_type": "pub", "area": null, "price_range": null}',
                       KV_TRUTH, KV_DOC)
    repeated = pi2_score(dump_rows(KV_TRUTH.rows * 4, KV.names), KV_TRUTH, KV_DOC)
    assert honest.score == pytest.approx(2 * 2 / (2 + 4))
    assert repeated.score < honest.score and repeated.metrics["duplicate_rate"] == pytest.approx(0.75)


def test_pi1_hand_computed() -> None:
    pred = Schema("kv_single", (Field("name"), Field("eat_type"), Field("price"), Field("wifi")))
    r = pi1_score(schema_answer(pred), KV_TRUTH, KV_DOC)
    # exact 2 of 4/4 -> 0.5; soft adds price~price_range -> 0.75; structure right; wifi is unsupported
    assert (r.metrics["schema_f1"], r.metrics["soft_schema_f1"]) == pytest.approx((0.5, 0.75))
    assert r.metrics["hallucinated"] == pytest.approx(0.25) and r.metrics["bloat"] == 0.0
    assert r.score == pytest.approx(0.6 * 0.5 + 0.2 * 0.75 + 0.2 * 1.0 - 0.5 * 0.25)


def test_pi1_reads_the_compact_answer_form_as_the_full_one() -> None:
    from text2table.decoding.compact import compact_answer

    compact = compact_answer(KV)
    assert compact.startswith('{"structure":"kv_single","fields":["name"')
    assert pi1_score(compact, KV_TRUTH, KV_DOC).score == pi1_score(schema_answer(KV), KV_TRUTH, KV_DOC).score == 1.0
    assert pi1_score(compact * 3, KV_TRUTH, KV_DOC).score < 0.8  # padding costs in this form too


def test_pi1_penalties_and_gates() -> None:
    gold_text = schema_answer(KV)
    assert pi1_score(gold_text, KV_TRUTH, KV_DOC).score == 1.0
    assert pi1_score(gold_text, KV, KV_DOC).score == 1.0  # a gold Schema works as truth too
    fenced = pi1_score("```json\n" + gold_text + "\n```", KV_TRUTH, KV_DOC)
    assert fenced.score == pytest.approx(0.9)
    bloated = Schema("kv_single", KV.fields + tuple(Field(f"pub_{i}") for i in range(4)))
    r = pi1_score(schema_answer(bloated), KV_TRUTH, KV_DOC)
    assert r.metrics["bloat"] == 1.0 and r.metrics["hallucinated"] == 0.0  # "pub" is in the document
    assert r.score < 0.6
    for text, reason in [("", "empty output"), ("{}", "invalid schema"), ('{"structure": "tree", "fields": '
                                                                            '[{"name": "a"}]}', "unknown structure")]:
        gated = pi1_score(text, KV_TRUTH, KV_DOC)
        assert gated.score == -1.0 and reason in gated.reason and gated.metrics["gated"] == 1.0


def test_pipeline_score() -> None:
    truth, document = box_score()
    perfect = pipeline_score(schema_answer(truth.schema), dump_rows(truth.rows, NAMES), truth, document)
    assert perfect.score == 1.0
    oracle = pipeline_score(truth.schema, None, truth, document)
    assert oracle.score == 1.0 and oracle.metrics["oracle_pi2"] == 1.0
    # renamed fields are aligned through soft matching
    renamed = Schema("flat_single_row", tuple(Field(n if n != "points" else "pts_points") for n in NAMES))
    rows = [{(k if k != "points" else "pts_points"): v for k, v in r.items()} for r in truth.rows]
    r = pipeline_score(renamed, dump_rows(rows, renamed.names), truth, document)
    assert r.metrics["cell_f1"] == 1.0 and r.score > 0.9
    assert pipeline_score("nonsense", "", truth, document).score == -1.0
    empty = pipeline_score(truth.schema, "", truth, document)
    assert empty.score == pytest.approx(0.8 * -1.0 + 0.2 * 1.0) and empty.reason == "empty output"


def test_weights_validation() -> None:
    assert RewardWeights.from_dict({"copy_penalty": 0.2}).copy_penalty == 0.2
    for bad in ({"copy_penalty": 2.0}, {"invalid_score": 0.5}, {"schema_f1": "x"}, {"nope": 1.0},
                {"schema_f1": 0.0, "soft_schema_f1": 0.0, "structure": 0.0}, {"pipeline_schema_share": -0.1}):
        with pytest.raises(ConfigError):
            RewardWeights.from_dict(bad)
    assert set(RewardWeights.help()) == set(RewardWeights().to_dict())


def test_bad_ground_truth_raises_config_error() -> None:
    for bad in ("not json", '{"rows": []}', '{"schema": {"structure": "kv_single", "fields": []}}'):
        with pytest.raises(ConfigError):
            pi2_score("{}", bad)
