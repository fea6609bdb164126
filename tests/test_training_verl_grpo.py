"""VERL GRPO launch: every generated override set composes against verl's installed ``ppo_trainer`` config."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from text2table.errors import ConfigError
from text2table.data.prepare import prepare
from text2table.training.recipe import load_recipe
from text2table.training.rl_config import VERL_STAGES, PipelineSpec
from text2table.training.verl_grpo import (PIPELINE_PI1_SOURCE, compose_overrides, example_script, plan_launch,
                                           write_pipeline_parquet)

pytest.importorskip("verl")
pytest.importorskip("hydra")

ROOT = Path(__file__).resolve().parents[1]
RECIPES = {"pi1": "recipes/llama31-8b-pi1.yaml", "pipeline-pi1": "recipes/llama31-8b-pi1.yaml",
           "pi2": "recipes/llama31-8b-pi2.yaml", "pipeline-pi2": "recipes/llama31-8b-pi2.yaml"}


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.conftest import FLAT_RECORD, KV_RECORD
    from text2table.core.records import record_from_dict

    out = tmp_path_factory.mktemp("rl_data")
    prepare([record_from_dict(KV_RECORD), record_from_dict(FLAT_RECORD)], out)
    return out


def _launch(stage: str, data_dir: Path, run: Path, **kwargs):
    return plan_launch(load_recipe(ROOT / RECIPES[stage]), data_dir, stage, run, init_adapter="/ckpt/sft/adapter",
                       **kwargs)


@pytest.mark.parametrize("stage", VERL_STAGES)
def test_overrides_compose_against_installed_verl(stage: str, data_dir: Path, tmp_path: Path) -> None:
    launch = _launch(stage, data_dir, tmp_path / "run")
    cfg = compose_overrides(launch.overrides)
    arr, rl = cfg.actor_rollout_ref, load_recipe(ROOT / RECIPES[stage]).rl
    assert cfg.algorithm.adv_estimator == "grpo"
    assert arr.rollout.name == "vllm" and arr.rollout.n == rl.num_generations == 8
    assert arr.rollout.load_format == "safetensors"
    assert (arr.model.lora_rank, arr.model.lora_alpha) == (128, 256)
    assert list(arr.model.target_modules) == ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj",
                                              "down_proj"]
    assert arr.model.lora_adapter_path == "/ckpt/sft/adapter"
    assert arr.actor.use_kl_loss is True and arr.actor.kl_loss_coef == rl.kl_coef
    assert cfg.data.max_response_length == (256 if stage.endswith("pi1") else 512)
    assert cfg.reward.custom_reward_function.name == "compute_score"
    reward_file = Path(cfg.reward.custom_reward_function.path)
    assert reward_file.is_file()
    assert reward_file.name == ("pipeline_remote.py" if stage == "pipeline-pi1" else "verl_reward.py")
    assert cfg.custom_reward_function.path is None  # the legacy top-level key, ignored by main_ppo, stays unset
    train = Path(cfg.data.train_files[0])
    if stage == "pipeline-pi1":
        assert train == (tmp_path / "run" / "data" / "pipeline_pi1_train.parquet").resolve()
        kwargs = cfg.reward.custom_reward_function.reward_kwargs
        assert kwargs.pi2_base_url == "http://127.0.0.1:8001/v1" and kwargs.pi2_model == "pi2"
        assert kwargs.constrained is True and kwargs.max_tokens == 512
        assert "weights" not in kwargs  # the recipe keeps the default weights
    else:
        assert train.name == ("pi1_rl.parquet" if stage == "pi1" else "pi2_rl.parquet")


def test_verl_validate_config_accepts_the_reference_set(data_dir: Path, tmp_path: Path) -> None:
    """verl's own checks (batch divisibility, micro batch keys); vLLM's LoRA-rank import is checked by hand."""
    from omegaconf import open_dict

    from verl.trainer.ppo.utils import need_critic, need_reference_policy
    from verl.utils.config import validate_config

    cfg = compose_overrides(_launch("pi2", data_dir, tmp_path).overrides)
    assert cfg.actor_rollout_ref.model.lora_rank in (8, 16, 32, 64, 128, 256, 320, 512)  # vLLM's MaxLoRARanks
    with open_dict(cfg):
        cfg.actor_rollout_ref.model.lora_rank = 0  # skip the import of vllm inside validate_config
    with pytest.warns(UserWarning, match="critic"):
        validate_config(cfg, use_reference_policy=need_reference_policy(cfg), use_critic=need_critic(cfg))


def test_misspelt_key_fails_to_compose(data_dir: Path, tmp_path: Path) -> None:
    from hydra.errors import ConfigCompositionException

    overrides = list(_launch("pi1", data_dir, tmp_path).overrides)
    overrides.append("actor_rollout_ref.model.lora_rnak=8")
    with pytest.raises(ConfigCompositionException, match="lora_rnak"):
        compose_overrides(overrides)


def test_no_legacy_reward_keys_are_generated(data_dir: Path, tmp_path: Path) -> None:
    for stage in VERL_STAGES:
        overrides = _launch(stage, data_dir, tmp_path / stage).overrides
        assert not [o for o in overrides if o.lstrip("+").startswith("custom_reward_function")]
        assert sum(o.startswith("reward.custom_reward_function.path=") for o in overrides) == 1


def test_pipeline_pi1_needs_a_pi2_endpoint(data_dir: Path, tmp_path: Path) -> None:
    recipe = load_recipe(ROOT / RECIPES["pipeline-pi1"])
    recipe = recipe.replace(rl=dataclasses.replace(recipe.rl, pipeline=PipelineSpec()))
    with pytest.raises(ConfigError, match="pi2_base_url"):
        plan_launch(recipe, data_dir, "pipeline-pi1", tmp_path)


def test_pipeline_reward_weights_travel_as_reward_kwargs(data_dir: Path, tmp_path: Path) -> None:
    from text2table.rewards.config import RewardWeights

    recipe = load_recipe(ROOT / RECIPES["pipeline-pi1"])
    weights = RewardWeights(pipeline_schema_share=0.5, copy_penalty=0.25)
    recipe = recipe.replace(rl=dataclasses.replace(recipe.rl, reward_weights=weights))
    cfg = compose_overrides(plan_launch(recipe, data_dir, "pipeline-pi1", tmp_path).overrides)
    sent = dict(cfg.reward.custom_reward_function.reward_kwargs.weights)
    assert sent == {"pipeline_schema_share": 0.5, "copy_penalty": 0.25}
    assert RewardWeights.from_dict(sent) == weights


def test_pipeline_parquet_relabels_and_carries_metadata(data_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "pp.parquet"
    assert write_pipeline_parquet(data_dir / "pi1_rl.parquet", target) == 2
    table = pq.read_table(target).to_pylist()
    source = pq.read_table(data_dir / "pi1_rl.parquet").to_pylist()
    assert {r["data_source"] for r in table} == {PIPELINE_PI1_SOURCE}
    assert [r["prompt"] for r in table] == [r["prompt"] for r in source]
    metas = [json.loads(r["extra_info"]["metadata"]) for r in table]
    assert metas[0]["table_hint"] == "restaurant" and metas[1]["locale"] == "en-US"


def test_missing_rl_parquet_names_the_fix(tmp_path: Path) -> None:
    with pytest.raises(Exception, match="prepare"):
        _launch("pi2", tmp_path, tmp_path / "run")


@pytest.mark.parametrize("stage", VERL_STAGES)
def test_example_scripts_are_current(stage: str) -> None:
    script = ROOT / "examples" / "grpo" / f"run_llama31_8b_{stage.replace('-', '_')}.sh"
    expected = example_script(load_recipe(ROOT / RECIPES[stage]), stage, recipe_file=RECIPES[stage])
    assert script.read_text() == expected, f"regenerate {script.name} with verl_grpo.example_script"


@pytest.mark.parametrize("stage", ["pi2", "pipeline-pi1"])
def test_example_script_runs_the_composable_command(stage: str, data_dir: Path, tmp_path: Path) -> None:
    """Run the script with a `python3` shim that records the main_ppo arguments, then compose them."""
    shim = tmp_path / "bin" / "python3"
    shim.parent.mkdir()
    record = tmp_path / "args.json"
    shim.write_text(f"""#!/bin/sh
if [ "$1" = "-m" ] && [ "$2" = "verl.trainer.main_ppo" ]; then
  shift 2; exec {sys.executable} -c 'import json, sys; json.dump(sys.argv[1:], open("{record}", "w"))' "$@"
fi
exec {sys.executable} "$@"
""")
    shim.chmod(0o755)
    script = ROOT / "examples" / "grpo" / f"run_llama31_8b_{stage.replace('-', '_')}.sh"
    env = {**os.environ, "PATH": f"{shim.parent}:{os.environ['PATH']}"}
    run = tmp_path / "run dir"  # a space in a path must survive the shell quoting
    subprocess.run(["bash", str(script), str(data_dir), str(run), "/ckpt/sft", "trainer.total_training_steps=3"],
                   check=True, env=env, timeout=120)
    args = json.loads(record.read_text())
    cfg = compose_overrides(args)
    assert cfg.trainer.total_training_steps == 3
    assert cfg.actor_rollout_ref.model.lora_adapter_path == "/ckpt/sft"
    assert Path(cfg.reward.custom_reward_function.path).is_file()
    assert Path(cfg.data.train_files[0]).is_file()
    if stage == "pipeline-pi1":
        assert pq.read_table(cfg.data.train_files[0]).column("data_source").to_pylist() == [PIPELINE_PI1_SOURCE] * 2
