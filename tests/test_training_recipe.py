"""Recipes: the shipped YAML files load and carry the reference values; bad recipes fail with the key named."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from text2table.errors import ConfigError
from text2table.training.recipe import DEFAULT_TARGETS, Recipe, load_recipe, recipe_from_dict

RECIPES = Path(__file__).resolve().parents[1] / "recipes"
STAGE = {"name": "s1", "max_length": 512, "hours": 1.0, "lr": 1e-4, "warmup_ratio": 0.1, "micro_batch_size": 2,
         "grad_accum": 2}


def minimal(**changes):
    data = {"name": "r", "base_model": "some/folder", "stages": [dict(STAGE)]}
    data.update(changes)
    return data


@pytest.mark.parametrize("name", sorted(p.stem for p in RECIPES.glob("*.yaml")))
def test_shipped_recipes_load(name):
    recipe = load_recipe(RECIPES / f"{name}.yaml")
    assert recipe.name == name
    assert recipe.lora.target_modules == DEFAULT_TARGETS
    assert recipe.lora.dropout == 0.05
    # the global batch stays the same across the curriculum
    assert len({s.global_batch(recipe.devices) for s in recipe.stages}) == 1


@pytest.mark.parametrize("task", ["pi1", "pi2"])
def test_reference_recipe_values(task):
    recipe = load_recipe(RECIPES / f"llama31-8b-{task}.yaml")
    assert recipe.task == task
    assert (recipe.lora.rank, recipe.lora.alpha) == (128, 256)
    assert [s.max_length for s in recipe.stages] == [2048, 4096, 8192]
    assert [s.hours for s in recipe.stages] == [4.0, 5.0, 5.0]
    assert [s.lr for s in recipe.stages] == [1.5e-4, 8e-5, 5e-5]
    assert [s.warmup_ratio for s in recipe.stages] == [0.08, 0.05, 0.03]
    assert (recipe.stages[0].micro_batch_size, recipe.stages[0].grad_accum) == (8, 4)
    assert recipe.est_step_seconds == 22.0
    assert [recipe.stage_steps(s) for s in recipe.stages] == [654, 818, 818]
    b, e = recipe.buckets, recipe.eval
    assert (b.use_buckets, b.chars_per_token, b.bucket_margin) == (True, 4.0, 0.25)
    assert (e.per_step_eval_samples, e.final_eval_samples, e.log_freq, e.eval_freq) == (200, 1000, 50, 200)
    assert (e.max_new_tokens_schema, e.max_new_tokens_table) == (256, 512)
    assert (recipe.loader.prefetch_factor, recipe.loader.persistent_workers) == (2, False)


def test_cpu_recipe_is_cpu_friendly():
    recipe = load_recipe(RECIPES / "smollm2-135m-cpu.yaml")
    assert recipe.base_model.startswith("embedded:")
    assert recipe.trl.gradient_checkpointing is False
    assert recipe.trl.group_by_length is True
    assert recipe.eval.per_step_eval_samples <= 32


def test_yaml_number_without_dot_is_read_as_a_number():
    text = "name: r\nbase_model: m\nstages:\n  - {name: a, max_length: 64, hours: 1, lr: 8e-5, warmup_ratio: 0,"\
           " micro_batch_size: 1, grad_accum: 1}\n"
    recipe = recipe_from_dict(yaml.safe_load(text))
    assert recipe.stages[0].lr == pytest.approx(8e-5)


def test_round_trip_through_dict():
    recipe = load_recipe(RECIPES / "llama31-8b-pi2.yaml")
    assert recipe_from_dict(recipe.to_dict()) == recipe


@pytest.mark.parametrize("data, needle", [
    pytest.param(minimal(lerning_rate=1), "lerning_rate", id="unknown-top-key"),
    pytest.param(minimal(lora={"rank": 8, "alpah": 16}), "lora.alpah", id="unknown-nested-key"),
    pytest.param(minimal(stages=[{**STAGE, "micro_batch": 2}]), "micro_batch", id="unknown-stage-key"),
    pytest.param(minimal(devices="two"), "devices", id="wrong-type"),
    pytest.param(minimal(devices=True), "devices", id="bool-is-not-int"),
    pytest.param({"name": "r", "stages": [STAGE]}, "base_model", id="missing-required"),
    pytest.param(minimal(stages=[{**STAGE, "name": "a"}, {**STAGE, "name": "b"}]), "increasing", id="not-increasing"),
    pytest.param(minimal(stages=[]), "at least one stage", id="no-stage"),
    pytest.param(minimal(task="pi3"), "task", id="bad-task"),
    pytest.param(minimal(stages=[{**STAGE, "warmup_ratio": 1.5}]), "warmup_ratio", id="bad-warmup"),
    pytest.param(minimal(lora={"dropout": 1.0}), "dropout", id="bad-dropout"),
    pytest.param(minimal(buckets={"overflow": "ignore"}), "overflow", id="bad-overflow"),
])
def test_bad_recipes_name_the_problem(data, needle):
    with pytest.raises(ConfigError, match=needle):
        recipe_from_dict(data, source="bad.yaml")


def test_load_errors_name_the_file(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_recipe(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n")
    with pytest.raises(ConfigError, match="bad.yaml"):
        load_recipe(bad)


def test_max_steps_overrides_hours():
    recipe = recipe_from_dict(minimal(max_steps=7, stages=[STAGE, {**STAGE, "name": "s2", "max_length": 1024,
                                                                   "max_steps": 3}]))
    assert [recipe.stage_steps(s) for s in recipe.stages] == [7, 3]
    assert isinstance(recipe, Recipe)
