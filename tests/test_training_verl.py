"""VERL SFT commands: every generated override set composes against verl's installed Hydra configs (offline),
a misspelt key fails, stages chain through merged adapters, and the shipped scripts match the generator."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest

from tests.tiny_llama import save_tiny_llama, write_prepared
from text2table.adapters.card import pi1_form_of
from text2table.errors import ConfigError
from text2table.training.recipe import load_recipe, recipe_from_dict
from text2table.training.verl import (
    SftLayout, hydra_value, overrides, render_script, sft_commands, sft_overrides, train_verl, validate_overrides,
)

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ["llama31-8b-pi1", "llama31-8b-pi2"]
LAYOUT = SftLayout(model="/models/llama", run_dir="/runs/r1", plan_dir="/runs/r1/plan",
                   val_files=("/data/dev/pi1_sft.parquet",))

verl = pytest.importorskip("verl")
pytest.importorskip("hydra")


def stage_overrides(name: str) -> list[list[str]]:
    recipe = load_recipe(ROOT / "recipes" / f"{name}.yaml")
    stages = [(s, recipe.stage_steps(s), 2.4) for s in recipe.stages]
    cmds = sft_commands(recipe, LAYOUT, stages)
    return [list(c.argv[c.argv.index("verl.trainer.sft_trainer") + 1:]) for c in cmds if c.argv[0] == "torchrun"]


@pytest.mark.parametrize("name", REFERENCE)
def test_every_stage_override_set_composes(name):
    sets = stage_overrides(name)
    assert len(sets) == 3
    recipe = load_recipe(ROOT / "recipes" / f"{name}.yaml")
    for spec, items in zip(recipe.stages, sets):
        cfg = validate_overrides(items)
        assert cfg.model.path == "/models/llama"
        assert (cfg.model.lora_rank, cfg.model.lora_alpha) == (128, 256)
        assert list(cfg.model.target_modules) == list(recipe.lora.target_modules)
        assert cfg.model.override_config.attn_implementation == "flash_attention_2"
        assert cfg.data.train_files == f"/runs/r1/plan/{spec.name}.parquet"
        assert cfg.data.val_files == "/data/dev/pi1_sft.parquet"
        assert cfg.data.messages_key == "messages" and cfg.data.max_length == spec.max_length
        assert cfg.data.micro_batch_size_per_gpu == spec.micro_batch_size
        assert cfg.data.train_batch_size == 64 and cfg.data.use_dynamic_bsz is False
        assert cfg.optim.lr == pytest.approx(spec.lr)
        assert cfg.optim.lr_warmup_steps_ratio == pytest.approx(spec.warmup_ratio)
        assert cfg.trainer.total_training_steps == recipe.stage_steps(spec)
        assert cfg.trainer.total_epochs == 3  # ceil of the plan's epochs
        assert cfg.trainer.default_local_dir == f"/runs/r1/{spec.name}/ckpt"
        assert cfg.engine.strategy == "fsdp2" and cfg.trainer.n_gpus_per_node == 2


def test_stages_chain_through_merged_adapters():
    recipe = load_recipe(ROOT / "recipes" / "llama31-8b-pi2.yaml")
    stages = [(s, recipe.stage_steps(s), 1.0) for s in recipe.stages]
    cmds = sft_commands(recipe, LAYOUT, stages)
    kinds = [c.argv[0] if c.argv[0] != "python" else c.argv[2] for c in cmds]
    assert kinds == ["text2table", "torchrun", "verl.model_merger"] * 1 + ["torchrun", "verl.model_merger"] * 2
    init = cmds[0].argv
    assert init[1:3] == ("train", "init-adapter") and "--dropout" in init and init[init.index("--dropout") + 1] == "0.05"
    adapters = [a.split("=", 1)[1] for c in cmds if c.argv[0] == "torchrun" for a in c.argv
                if a.startswith("model.lora_adapter_path=")]
    assert adapters == ["/runs/r1/adapter_init", "/runs/r1/stage1/merged/lora_adapter",
                        "/runs/r1/stage2/merged/lora_adapter"]
    merge = cmds[2].argv
    assert merge[merge.index("--local_dir") + 1] == "/runs/r1/stage1/ckpt/global_step_654"
    assert "--nproc_per_node=2" in cmds[1].argv


@pytest.mark.parametrize("bad", [
    pytest.param("model.lora_rnak=8", id="misspelt-model-key"),
    pytest.param("data.micro_batch_size=4", id="old-key-name"),
    pytest.param("model.partial_pretrain=/m", id="removed-in-0.9"),
    pytest.param("model.lora_dropout=0.05", id="no-fsdp-lora-dropout"),
    pytest.param("optim.learning_rate=1e-4", id="unknown-optim-key"),
])
def test_unknown_keys_fail(bad):
    good = stage_overrides("llama31-8b-pi1")[0]
    validate_overrides(good)
    with pytest.raises(ConfigError, match="rejects"):
        validate_overrides([*good, bad])


@pytest.mark.parametrize("value", ["/a b/c.parquet", "meta-llama/Llama-3.1-8B-Instruct", "true", "1e-4", "x,y",
                                   "it's", "", 3, 1.5e-4, None, True, ["q_proj", "k_proj"]])
def test_hydra_value_round_trips(value):
    from hydra.core.override_parser.overrides_parser import OverridesParser

    parsed = OverridesParser.create().parse_overrides(overrides({"a.b": value}))[0].value()
    assert parsed == value


@pytest.mark.parametrize("name", REFERENCE)
def test_shipped_scripts_match_the_generator(name):
    script = f"examples/sft/run_{name.replace('-', '_')}.sh"
    recipe = load_recipe(ROOT / "recipes" / f"{name}.yaml")
    text = (ROOT / script).read_text()
    assert text == render_script(recipe, f"recipes/{name}.yaml", script), "regenerate with render_script"
    assert text.startswith("#!/usr/bin/env bash") and "set -euo pipefail" in text
    assert text.count('"$@"') == 3


@pytest.mark.parametrize("name", REFERENCE)
def test_script_overrides_compose(name):
    """The overrides in the shipped scripts, with the shell variables filled in, compose too."""
    text = (ROOT / f"examples/sft/run_{name.replace('-', '_')}.sh").read_text()
    values = {"$MODEL": "/m", "$RUN": "/r", "$DEV": "/d", "$DATA": "/t", "$ROOT": "/src"}
    blocks = [b for b in text.replace("\\\n", " ").splitlines() if b.startswith("torchrun")]
    assert len(blocks) == 3
    for block in blocks:
        for var, val in values.items():
            block = block.replace(var, val)
        words = shlex.split(block.replace('"$@"', ""))
        validate_overrides(words[words.index("verl.trainer.sft_trainer") + 1:])


def test_embedded_model_is_refused_with_a_fix():
    recipe = load_recipe(ROOT / "recipes" / "smollm2-135m-cpu.yaml")
    with pytest.raises(ConfigError, match="--engine trl"):
        render_script(recipe, "r.yaml", "s.sh")


def test_dry_run_plans_and_prints(tmp_path, capsys):
    data = write_prepared(tmp_path / "data", 4)
    dev = tmp_path / "dev"
    dev.mkdir()
    (dev / "pi2_sft.parquet").write_bytes(b"")
    recipe = recipe_from_dict({**load_recipe(ROOT / "recipes" / "llama31-8b-pi2.yaml").to_dict(),
                               "base_model": "/models/llama"})
    lines: list[str] = []
    cmds = train_verl(recipe, data, tmp_path / "run", dev_dir=dev, dry_run=True, log=lines.append)
    assert [c.argv[0] for c in cmds] == ["text2table", "torchrun", "python"]  # empty stages are left out
    assert (tmp_path / "run" / "plan" / "stage1.parquet").is_file()
    assert any(line.startswith("torchrun ") for line in lines)
    torchrun = next(c for c in cmds if c.argv[0] == "torchrun").argv
    assert f"data.val_files={dev.resolve()}/pi2_sft.parquet" in torchrun
    assert not (tmp_path / "run" / "adapter_init").exists()  # nothing ran
    merged = next(c for c in cmds if c.argv[0] == "python").argv[-1]  # the merge's --target_dir
    assert json.loads((Path(merged) / "text2table.json").read_text())["pi1_form"] == "full"  # no form in stats


def test_merged_adapters_carry_the_card_of_the_prepared_data(tmp_path):
    data = write_prepared(tmp_path / "data", 4)
    stats = data / "stats.json"
    stats.write_text(json.dumps({**(json.loads(stats.read_text()) if stats.is_file() else {}), "pi1_form": "compact"}))
    recipe = recipe_from_dict({**load_recipe(ROOT / "recipes" / "llama31-8b-pi2.yaml").to_dict(),
                               "base_model": "/models/llama"})
    cmds = train_verl(recipe, data, tmp_path / "run", dry_run=True, log=lambda line: None)
    merged = Path(next(c for c in cmds if c.argv[0] == "python").argv[-1])
    assert pi1_form_of(merged) == "compact"


@pytest.mark.slow
def test_initial_adapter_has_dropout_and_loads(tmp_path, smollm2_tokenizer_dir):
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    from text2table.training.recipe import LoraSpec
    from text2table.training.verl import create_initial_adapter

    model_dir = save_tiny_llama(smollm2_tokenizer_dir, tmp_path / "tiny")
    out = create_initial_adapter(str(model_dir), LoraSpec(rank=4, alpha=8, dropout=0.05), tmp_path / "init")
    config = json.loads((out / "adapter_config.json").read_text())
    assert (config["r"], config["lora_alpha"], config["lora_dropout"]) == (4, 8, 0.05)
    assert sorted(config["target_modules"]) == sorted(LoraSpec().target_modules)
    model = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(model_dir), str(out), is_trainable=True)
    a = [p for n, p in model.named_parameters() if "lora_A" in n]
    b = [p for n, p in model.named_parameters() if "lora_B" in n]
    assert a and all(p.abs().sum() > 0 for p in a) and all(p.abs().sum() == 0 for p in b)


def test_hydra_value_quotes_keywords():
    assert hydra_value("null") == "'null'" and hydra_value("1e-4") == "'1e-4'"
    assert sft_overrides  # the stage builder is part of the public helpers
