"""Pipeline RL: pipeline-pi2 data from predicted schemas, and the pipeline-pi1 reward through a frozen pi2."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.conftest import FLAT_RECORD, KV_RECORD
from tests.pipeline_fakes import ScriptedBackend, is_pi2, prompt_schema, table_model
from text2table.errors import InputError
from text2table.metrics.end_to_end import map_gold_to_schema
from text2table.data.prepare import prepare
from text2table.decoding.prompts import pi1_messages
from text2table.core.records import gold_rows, gold_schema, record_from_dict
from text2table.rewards.config import RewardWeights
from text2table.rewards.scores import pipeline_score
from text2table.rewards.verl_reward import compute_score
from text2table.core.schema import Field, Schema, schema_answer
from text2table.core.table import dump_rows
from text2table.training.pipeline_rl import (BackendPi2, PipelinePi1Scorer, Pi2Job, metadata_from_prompt,
                                             read_predicted_schemas, schemas_from)

FLAT = record_from_dict(FLAT_RECORD)
KV = record_from_dict(KV_RECORD)
GOLD = gold_schema(FLAT)  # player, points, rebounds (flat_single_row)
TRUTH = json.dumps({"schema": GOLD.to_dict(), "rows": gold_rows(FLAT, GOLD)})
PRED = Schema("flat_single_row", (Field("player_name"), Field("points"), Field("assists")))


def write_predictions(path: Path) -> Path:
    lines = [{"id": "match-7", "schema": PRED.to_dict(), "rows": []},
             {"id": "e2e-1", "schema": None, "rows": []},
             {"id": "other", "schema": {"structure": "kv_single", "fields": [{"name": "Bad Name"}]}}]
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    return path


# ----------------------------------------------------------------------------- pipeline-pi2 data

def test_read_predicted_schemas_counts_unusable_lines(tmp_path: Path) -> None:
    schemas, stats = read_predicted_schemas(write_predictions(tmp_path / "pred.jsonl"))
    assert list(schemas) == ["match-7"] and schemas["match-7"] == PRED
    assert (stats.predictions, stats.unusable) == (3, 2)
    (tmp_path / "bad.jsonl").write_text('{"schema": null}\n')
    with pytest.raises(InputError, match="bad.jsonl:1"):
        read_predicted_schemas(tmp_path / "bad.jsonl")


def test_prepare_maps_gold_rows_onto_predicted_schemas(tmp_path: Path) -> None:
    callback = schemas_from(write_predictions(tmp_path / "pred.jsonl"))
    prepare([KV, FLAT], tmp_path / "out", schema_for=callback)
    pi2 = [json.loads(line) for line in (tmp_path / "out" / "pi2.jsonl").read_text().splitlines()]
    pi1_ids = [json.loads(line)["id"] for line in (tmp_path / "out" / "pi1.jsonl").read_text().splitlines()]
    assert pi1_ids == ["e2e-1"]  # a record trained on a predicted schema has no pi1 example
    target = pi2[1]["messages"][-1]["content"]
    assert target == dump_rows([{"player_name": "Smith", "points": "20", "assists": None},
                                {"player_name": "Jones", "points": "12", "assists": None}], PRED.names)
    assert '"schema_id":"' + PRED.schema_id in pi2[1]["messages"][1]["content"]  # pi2 sees the predicted schema
    assert callback.stats.to_dict() == {"predictions": 3, "unusable": 2, "mapped": 1, "kept_gold": 1,
                                             "fields": 3, "matched_fields": 2}
    rl = pq.read_table(tmp_path / "out" / "pi2_rl.parquet").to_pylist()[1]
    truth = json.loads(rl["reward_model"]["ground_truth"])
    assert [f["name"] for f in truth["schema"]["fields"]] == PRED.names
    # the RL ground truth agrees with the SFT target: the target itself earns the full pi2 reward
    assert compute_score("text2table/pi2", target, rl["reward_model"]["ground_truth"], rl["extra_info"])["score"] == 1.0


def test_cli_prepare_schemas_from(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from text2table.cli import app

    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps(KV_RECORD) + "\n" + json.dumps(FLAT_RECORD) + "\n")
    result = CliRunner().invoke(app, ["prepare", str(gold), "--out", str(tmp_path / "out"),
                                      "--schemas-from", str(write_predictions(tmp_path / "pred.jsonl"))])
    assert result.exit_code == 0, result.output
    assert "'mapped': 1" in result.output
    assert "player_name" in (tmp_path / "out" / "pi2.jsonl").read_text()


# ----------------------------------------------------------------------------- pipeline-pi1 reward

class FakePi2:
    """Fills every schema with the gold table mapped onto it (a perfect pi2); ``fail`` makes it fail."""

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.jobs: list[Pi2Job] = []

    def run(self, jobs):  # noqa: ANN001, ANN201
        self.jobs.extend(jobs)
        if self.fail:
            return [None] * len(jobs)
        return [dump_rows(map_gold_to_schema(j.schema, GOLD, gold_rows(FLAT, GOLD)), j.schema.names) for j in jobs]


def _score(scorer: PipelinePi1Scorer, completions: list[str]) -> list:
    n = len(completions)
    return scorer.score(completions, [TRUTH] * n, [FLAT.document] * n, [FLAT.metadata] * n)


def test_scorer_runs_each_distinct_schema_once_and_caches() -> None:
    pi2 = FakePi2()
    scorer = PipelinePi1Scorer(pi2)
    gold, partial = schema_answer(GOLD), schema_answer(PRED)
    first = _score(scorer, [gold, partial, gold, "not json"])
    assert [j.schema.schema_id for j in pi2.jobs] == [GOLD.schema_id, PRED.schema_id]  # invalid never reaches pi2
    assert first[0].score > first[1].score > first[3].score == RewardWeights().invalid_score
    assert first[0].score == first[2].score == pytest.approx(1.0)
    assert first[0].metrics["pi2_fresh"] == 1.0 and first[3].metrics["pi2_failed"] == 0.0
    again = _score(scorer, [partial])
    assert len(pi2.jobs) == 2 and scorer.cache.hits == 1 and again[0].score == first[1].score
    expected = pipeline_score(partial, FakePi2().run([Pi2Job(FLAT.document, PRED)])[0], TRUTH, FLAT.document)
    assert again[0].score == pytest.approx(expected.score)


def test_pi2_failure_scores_as_an_empty_table_and_is_retried() -> None:
    pi2 = FakePi2(fail=True)
    scorer = PipelinePi1Scorer(pi2)
    text = schema_answer(GOLD)
    result = _score(scorer, [text])[0]
    assert result.score == pytest.approx(pipeline_score(text, "", TRUTH, FLAT.document).score)
    assert result.metrics["pi2_failed"] == 1.0 and result.metrics["empty"] == 1.0
    assert len(scorer.cache) == 0 and scorer.pi2_failures == 1
    _score(scorer, [text])
    assert len(pi2.jobs) == 2  # not cached: tried again


def test_backend_pi2_runs_the_pipeline_on_given_schemas() -> None:
    rows = [{"player": "Smith", "points": "20", "rebounds": "5"}]
    backend = ScriptedBackend(table_model(GOLD, rows))
    out = BackendPi2(backend, max_new_tokens=400).run([Pi2Job(FLAT.document, GOLD, FLAT.metadata)])
    assert out == [dump_rows(rows, GOLD.names)]
    prompts = backend.calls[0][0]
    assert all(is_pi2(p) for p in prompts) and prompt_schema(prompts[0]).schema_id == GOLD.schema_id  # no pi1 call
    assert '"locale": "en-US"' in prompts[0][1]["content"]
    crashing = BackendPi2(ScriptedBackend(table_model(GOLD, rows), fail_on="Hawks"))
    assert crashing.run([Pi2Job(FLAT.document, GOLD)]) == [None]


def test_metadata_from_prompt_round_trips() -> None:
    assert metadata_from_prompt(pi1_messages(FLAT.document, FLAT.metadata)) == {
        "language": "en", "locale": "en-US", "table_hint": "player", "missing_value_tokens": ["", "-", "N/A"]}
    assert metadata_from_prompt([{"role": "user", "content": "no blocks"}]) is None
