"""The recipe's `rl:` section: typed, validated, read from YAML with the recipe."""

from __future__ import annotations

from pathlib import Path

import pytest

from text2table.errors import ConfigError
from text2table.rewards.config import RewardWeights
from text2table.training.recipe import load_recipe, recipe_from_dict
from text2table.training.rl_config import PipelineSpec, RLSpec, stage_model

ROOT = Path(__file__).resolve().parents[1]


def test_defaults_and_stage_budgets() -> None:
    rl = RLSpec()
    assert (rl.num_generations, rl.max_completion_length("pi1"), rl.max_completion_length("pipeline-pi2")) == (8, 256,
                                                                                                              512)
    assert rl.grad_accum(devices=2) == 16 * 8 // (4 * 2)
    assert stage_model("pipeline-pi1") == "pi1"
    with pytest.raises(ConfigError, match="unknown RL stage 'pi3'"):
        stage_model("pi3")


@pytest.mark.parametrize(("changes", "message"), [
    ({"num_generations": 1}, "num_generations must be >= 2"),
    ({"lr": 0.0}, "lr must be > 0"),
    ({"kl_coef": -0.1}, "kl_coef must be >= 0"),
    ({"kl_loss_type": "kl2"}, "kl_loss_type must be one of"),
    ({"temperature": 0.0}, "temperature must be in"),
    ({"max_completion_length_table": 4}, "max_completion_length_table must be >= 8"),
], ids=["group", "lr", "kl", "kl-type", "temperature", "budget"])
def test_invalid_values_name_the_key(changes: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        RLSpec(**changes)


def test_batch_that_does_not_divide_is_explained() -> None:
    with pytest.raises(ConfigError, match="not a multiple of micro_batch_size"):
        RLSpec(num_generations=3, prompts_per_step=1, micro_batch_size=2).grad_accum()


def test_pipeline_endpoint_must_be_http() -> None:
    with pytest.raises(ConfigError, match="pi2_base_url"):
        PipelineSpec(pi2_base_url="localhost:8001")


def test_weight_overrides_are_the_changed_weights() -> None:
    assert RLSpec().weight_overrides() == {}
    assert RLSpec(reward_weights=RewardWeights(copy_penalty=0.3)).weight_overrides() == {"copy_penalty": 0.3}


def test_recipes_carry_an_rl_section_and_unknown_keys_fail() -> None:
    recipe = load_recipe(ROOT / "recipes" / "llama31-8b-pi1.yaml")
    assert recipe.rl is not None and recipe.rl.pipeline.pi2_base_url == "http://127.0.0.1:8001/v1"
    cpu = load_recipe(ROOT / "recipes" / "smollm2-135m-cpu.yaml")
    assert cpu.rl is not None and cpu.rl.num_generations == 4
    data = recipe.to_dict()
    data["rl"]["pipeline"]["pi2_url"] = "http://x"
    with pytest.raises(ConfigError, match="pi2_url"):
        recipe_from_dict(data)
    data = recipe.to_dict()
    data["rl"]["reward_weights"]["copy_penalty"] = 2.0
    with pytest.raises(ConfigError, match="copy_penalty"):
        recipe_from_dict(data)
