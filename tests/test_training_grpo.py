"""GRPO with TRL on a tiny random Llama (hidden 64, 2 layers) with the real SmolLM2 tokenizer."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from text2table.data.prepare import prepare
from text2table.core.records import record_from_dict
from text2table.rewards.scores import KEYS
from text2table.rewards.verl_reward import compute_score
from text2table.training import grpo
from text2table.training.recipe import LoraSpec, Recipe, StageSpec
from text2table.training.rl_config import RLSpec
from tests.conftest import FLAT_RECORD, KV_RECORD

TRUTH = {"pi2": json.dumps({"schema": {"structure": "flat_single_row", "fields": [{"name": "player"},
                                                                                  {"name": "points"}]},
                            "rows": [{"player": "Smith", "points": "20"}, {"player": "Jones", "points": "12"}]})}
DOC = "Smith scored 20 points; Jones added 12."


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("rl_data")
    prepare([record_from_dict(KV_RECORD), record_from_dict(FLAT_RECORD)], out)
    return out


@pytest.fixture(scope="module")
def tiny_model(smollm2_tokenizer_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.tiny_llama import save_tiny_llama

    return save_tiny_llama(smollm2_tokenizer_dir, tmp_path_factory.mktemp("tiny_llama"))


def tiny_recipe(model: Path, **rl: object) -> Recipe:
    spec = {"num_generations": 2, "prompts_per_step": 2, "micro_batch_size": 2, "max_completion_length_schema": 12,
            "max_completion_length_table": 12, "steps": 1, "lr": 1e-2, "save_steps": 100, **rl}
    return Recipe(name="tiny", base_model=str(model), stages=(StageSpec("s", 512, 1.0, 1e-4, 0.0, 2, 1),),
                  lora=LoraSpec(rank=4, alpha=8, dropout=0.0, target_modules=("q_proj", "v_proj")),
                  rl=RLSpec(**spec))  # type: ignore[arg-type]


def test_load_rl_rows_gives_trl_columns(data_dir: Path) -> None:
    rows = grpo.load_rl_rows(data_dir, "pi2")
    assert [r["id"] for r in rows] == ["e2e-1", "match-7"]
    assert [m["role"] for m in rows[0]["prompt"]] == ["system", "user"]
    assert rows[1]["document"] == FLAT_RECORD["document"]
    assert json.loads(rows[1]["metadata"])["locale"] == "en-US"
    assert json.loads(rows[1]["ground_truth"])["rows"][1] == {"player": "Jones", "points": "12", "rebounds": None}
    assert len(grpo.load_rl_rows(data_dir, "pipeline-pi1", limit=1)) == 1


def test_logged_reward_returns_scores_and_logs_every_submetric() -> None:
    logged: dict[str, float] = {}
    extra: dict[str, list] = {}
    reward = grpo.logged_reward("pi2", grpo.local_scorer("pi2", RLSpec().reward_weights))
    good = '{"player": "Smith", "points": "20"}\n{"player": "Jones", "points": "12"}'
    completions = [[{"role": "assistant", "content": good}], [{"role": "assistant", "content": ""}]]
    scores = reward(prompts=["p", "p"], completions=completions, completion_ids=[[1], [2]],
                    ground_truth=[TRUTH["pi2"]] * 2, document=[DOC] * 2, log_metric=logged.__setitem__,
                    log_extra=extra.__setitem__, trainer_state=None)
    expected = [compute_score("text2table/pi2", c[0]["content"], TRUTH["pi2"], {"document": DOC})["score"]
                for c in completions]
    assert scores == expected and scores[0] > scores[1]
    assert set(logged) == {f"pi2/{k}" for k in KEYS}
    assert logged["pi2/cell_f1"] == 0.5 and logged["pi2/empty"] == 0.5
    assert extra["reason"] == ["", "empty output"]
    assert reward.__name__ == "text2table_pi2"


def test_overlong_prompts_are_left_out(data_dir: Path, smollm2_tokenizer_dir: Path) -> None:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(smollm2_tokenizer_dir))
    rows = grpo.load_rl_rows(data_dir, "pi2")
    lengths = [len(tokenizer.apply_chat_template(r["prompt"], add_generation_prompt=True, return_dict=False))
               for r in rows]
    kept, dropped = grpo.drop_long_prompts(rows, tokenizer, min(lengths))
    assert dropped == 1 and kept == [rows[lengths.index(min(lengths))]]
    assert grpo.drop_long_prompts(rows, tokenizer, max(lengths)) == (rows, 0)


def test_in_process_pi2_uses_any_registered_backend(tmp_path: Path) -> None:
    from text2table.errors import ConfigError
    from text2table.core.schema import Field, Schema
    from text2table.training.pipeline_rl import BackendPi2, Pi2Job
    from text2table.training.rl_config import PipelineSpec

    recipe = tiny_recipe(tmp_path)
    rl = dataclasses.replace(recipe.rl, pipeline=PipelineSpec(pi2_backend="rules"))
    pi2 = grpo.make_pi2(recipe, rl)
    assert isinstance(pi2, BackendPi2) and pi2.backend.name == "rules"
    [text] = pi2.run([Pi2Job("Name: Smith.", Schema("kv_single", (Field("name"), Field("points"))))])
    assert json.loads(text)["points"] is None
    bad = dataclasses.replace(rl, pipeline=PipelineSpec(pi2_backend="rules", pi2_options=("bogus=1",)))
    with pytest.raises(ConfigError, match="bogus"):
        grpo.make_pi2(recipe, bad)


def test_grpo_config_maps_the_rl_section(tmp_path: Path) -> None:
    recipe = tiny_recipe(tmp_path, num_generations=4, prompts_per_step=4, micro_batch_size=2, kl_coef=0.04,
                         max_completion_length_schema=33, max_completion_length_table=77)
    cfg = grpo.grpo_config(recipe, recipe.rl, "pipeline-pi1", tmp_path, steps=3, seed=1)
    assert (cfg.num_generations, cfg.per_device_train_batch_size, cfg.gradient_accumulation_steps) == (4, 2, 8)
    assert (cfg.max_completion_length, cfg.beta, cfg.max_steps) == (33, 0.04, 3)
    assert grpo.grpo_config(recipe, recipe.rl, "pipeline-pi2", tmp_path, 3, 1).max_completion_length == 77


@pytest.mark.slow
def test_both_alternates_pi1_and_pi2_rows_and_scores_each_with_its_reward(data_dir: Path) -> None:
    rows = grpo.load_rl_rows(data_dir, "both")
    assert [(r["stage"], r["id"]) for r in rows] == [("pi1", "e2e-1"), ("pi2", "e2e-1"), ("pi1", "match-7"),
                                                      ("pi2", "match-7")]
    assert [r["stage"] for r in grpo.load_rl_rows(data_dir, "both", limit=1)] == ["pi1", "pi2"]
    pi1, pi2 = rows[2], rows[3]
    logged: dict[str, float] = {}
    reward = grpo.logged_reward("both", grpo.local_scorer("both", RLSpec().reward_weights))
    schema = json.dumps(json.loads(pi1["ground_truth"])["schema"])
    answers = [schema, "", json.dumps(json.loads(pi2["ground_truth"])["rows"][0]), ""]
    batch = [pi1, pi1, pi2, pi2]
    scores = reward(prompts=[r["prompt"] for r in batch],
                    completions=[[{"role": "assistant", "content": a}] for a in answers],
                    ground_truth=[r["ground_truth"] for r in batch], document=[r["document"] for r in batch],
                    stage=[r["stage"] for r in batch], log_metric=logged.__setitem__)
    expected = [compute_score(f"text2table/{r['stage']}", a, r["ground_truth"], {"document": r["document"]})["score"]
                for r, a in zip(batch, answers)]
    assert scores == pytest.approx(expected) and scores[0] > scores[1] and scores[2] > scores[3]
    assert {k.split("/")[0] for k in logged} == {"pi1", "pi2"} and logged["pi2/empty"] == 0.5
    assert reward.__name__ == "text2table_both"


def test_cli_trains_pi2_and_logs_submetrics_per_step(tiny_model: Path, data_dir: Path, tmp_path: Path) -> None:
    import yaml
    from typer.testing import CliRunner

    from text2table.cli import app

    recipe = tmp_path / "tiny.yaml"
    recipe.write_text(yaml.safe_dump(tiny_recipe(tiny_model).to_dict()))
    run = tmp_path / "run"
    result = CliRunner().invoke(app, ["train", "grpo", str(recipe), "--data", str(data_dir), "--stage", "pi2",
                                      "--engine", "trl", "--out", str(run), "--max-steps", "2", "--threads", "1"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    steps = [line for line in lines if "reward" in line]
    assert [s["step"] for s in steps] == [1, 2]
    for s in steps:
        assert {"reward", "rewards/text2table_pi2/mean", "pi2/cell_f1", "pi2/json_valid", "pi2/grounding",
                "pi2/duplicate_rate", "pi2/copy_rate"} <= set(s)
    summary = json.loads((run / "grpo_summary.json").read_text())
    assert summary["steps"] == 2 and len(summary["reward_curve"]) == 2
    assert (run / "adapter" / "adapter_model.safetensors").is_file() and not (run / "adapter" / "ref").exists()


@pytest.mark.slow
def test_learning_signal_moves_the_adapter(tiny_model: Path, data_dir: Path, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """With rewards that differ inside a group the LoRA weights move; with equal rewards they do not."""
    from text2table.rewards.scores import RewardResult

    def by_length(stage, weights):  # noqa: ANN001, ANN202 - test double for grpo.local_scorer
        def score(prompts, completions, columns):  # noqa: ANN001, ANN202
            return [RewardResult(len(grpo.completion_text(c)) / 100, {"length": 1.0}) for c in completions]
        return score

    flat = tiny_recipe(tiny_model, kl_coef=0.0)
    still = grpo.train_grpo(flat, data_dir, "pi1", tmp_path / "flat", grpo.GrpoOptions(threads=1), log=print)
    assert still["update_norm"] == 0.0  # random text: every completion is invalid, one reward, no advantage
    monkeypatch.setattr(grpo, "local_scorer", by_length)
    moved = grpo.train_grpo(flat, data_dir, "pi1", tmp_path / "moved", grpo.GrpoOptions(threads=1), log=print)
    assert moved["update_norm"] > 0.0
    # continuing from a trained adapter (the --init-adapter path, KL against a frozen copy of it) keeps it trainable
    with_kl = tiny_recipe(tiny_model, kl_coef=0.05)
    from text2table.adapters.card import pi1_form_of, read_card, write_card

    write_card(tmp_path / "moved" / "adapter", {"pi1_form": "compact"})
    again = grpo.train_grpo(with_kl, data_dir, "pi1", tmp_path / "again",
                            grpo.GrpoOptions(threads=1, init_adapter=str(tmp_path / "moved" / "adapter")), log=print)
    assert again["update_norm"] > 0.0 and again["init_adapter"].endswith("adapter")
    assert not (tmp_path / "again" / "adapter" / "ref").exists()  # only the trained adapter is saved
    assert pi1_form_of(tmp_path / "again" / "adapter") == "compact"  # the start adapter's card travels on
    card = read_card(tmp_path / "again" / "adapter")  # and names what trained it, and from what
    started = str(tmp_path / "moved" / "adapter")  # a start adapter whose card names no recipe
    assert (card["recipe"], card["rl_stage"], card["started_from"]) == (with_kl.name, "pi1", started)


class RecordingPi2:
    """A frozen pi2 double: records the jobs it gets and fills every schema with nothing."""

    def __init__(self) -> None:
        self.jobs: list = []

    def run(self, jobs):  # noqa: ANN001, ANN201
        self.jobs.extend(jobs)
        return ["" for _ in jobs]


@pytest.mark.slow
def test_pipeline_pi1_runs_with_an_injected_pi2(tiny_model: Path, data_dir: Path, tmp_path: Path) -> None:
    pi2 = RecordingPi2()
    summary = grpo.train_grpo(tiny_recipe(tiny_model), data_dir, "pipeline-pi1", tmp_path / "run",
                              grpo.GrpoOptions(threads=1), pi2=pi2, log=print)
    lines = [json.loads(line) for line in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()]
    step = next(line for line in lines if "reward" in line)
    assert {"pipeline-pi1/pi2_failed", "pipeline-pi1/schema_valid", "pipeline-pi1/cell_f1"} <= set(step)
    assert summary["pi2"]["calls"] == len(pi2.jobs)  # a random policy writes no valid schema: usually none


@pytest.mark.slow
def test_shared_prefix_trains_the_same_adapter(tiny_model: Path, data_dir: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """rl.shared_prefix changes how the log-probabilities are computed, not the update (same seed, same rewards)."""
    import torch
    from safetensors.torch import load_file

    from text2table.rewards.scores import RewardResult

    def by_length(stage, weights):  # noqa: ANN001, ANN202 - rewards that differ inside a group
        def score(prompts, completions, columns):  # noqa: ANN001, ANN202
            return [RewardResult(len(grpo.completion_text(c)) / 100, {"length": 1.0}) for c in completions]
        return score

    from text2table.training import shared_prefix

    calls = []
    original = shared_prefix.shared_prefix_logps
    monkeypatch.setattr(shared_prefix, "shared_prefix_logps", lambda *a, **k: calls.append(1) or original(*a, **k))
    sampled = []
    sample = shared_prefix.shared_prefix_sample
    monkeypatch.setattr(shared_prefix, "shared_prefix_sample", lambda *a, **k: sampled.append(1) or sample(*a, **k))
    monkeypatch.setattr(grpo, "local_scorer", by_length)
    runs = {}
    for shared in (False, True):
        recipe = tiny_recipe(tiny_model, kl_coef=0.0, micro_batch_size=4, shared_prefix=shared)
        summary = grpo.train_grpo(recipe, data_dir, "pi2", tmp_path / str(shared), grpo.GrpoOptions(threads=1, seed=3),
                                  log=print)
        assert summary["update_norm"] > 0.0 and bool(calls) == bool(sampled) == shared  # only the shared run
        runs[shared] = load_file(str(tmp_path / str(shared) / "adapter" / "adapter_model.safetensors"))
    assert runs[False].keys() == runs[True].keys()
    for name in runs[False]:
        torch.testing.assert_close(runs[True][name], runs[False][name], rtol=1e-3, atol=1e-5, msg=name)


def test_pi2_grpo_refuses_an_adapter_that_answers_in_the_sparse_form(tiny_model: Path, data_dir: Path,
                                                                      tmp_path: Path) -> None:
    from text2table.adapters.card import write_card
    from text2table.errors import ConfigError

    adapter = tmp_path / "sparse-adapter"
    write_card(adapter, {"pi2_form": "sparse"})
    with pytest.raises(ConfigError, match="sparse form"):
        grpo.train_grpo(tiny_recipe(tiny_model), data_dir, "pi2", tmp_path / "run",
                        grpo.GrpoOptions(init_adapter=str(adapter)), log=print)
