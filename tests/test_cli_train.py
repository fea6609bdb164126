"""`text2table plan` and the `train` sub-app: output forms, errors, the extension hook, a tiny TRL run."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path

import pytest
import typer
import yaml
from typer.testing import CliRunner

from tests.tiny_llama import save_tiny_llama, write_prepared
from text2table.cli import app
from text2table.cli import train as train_cli

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def tiny_recipe_file(tmp_path: Path, base_model: str, **changes) -> Path:
    data = {"name": "tiny", "base_model": base_model, "task": "pi2",
            "lora": {"rank": 4, "alpha": 8},
            "stages": [{"name": "a", "max_length": 640, "hours": 0.01, "lr": 1e-3, "warmup_ratio": 0.0,
                        "micro_batch_size": 2, "grad_accum": 1},
                       {"name": "b", "max_length": 4096, "hours": 0.01, "lr": 1e-3, "warmup_ratio": 0.0,
                        "micro_batch_size": 1, "grad_accum": 2}],
            "est_step_seconds": 6.0, "loader": {"num_workers": 0},
            "eval": {"per_step_eval_samples": 1, "max_new_tokens_table": 4, "max_new_tokens_schema": 4}}
    data.update(changes)
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_plan_table_and_json(tmp_path):
    data = write_prepared(tmp_path / "data", 6, long_every=3)
    recipe = tiny_recipe_file(tmp_path, "m")
    result = runner.invoke(app, ["plan", str(recipe), "--data", str(data), "--out", str(tmp_path / "p")])
    assert result.exit_code == 0, result.output
    assert "stage" in result.stdout and "examples" in result.stdout and "unplaced 0" in result.stdout
    result = runner.invoke(app, ["plan", str(recipe), "--data", str(data), "--json", "--stage-model", "both",
                                 "--max-steps", "9"])
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    assert set(plan["stages"][0]) == {"name", "max_length", "examples", "steps", "lr", "warmup_ratio", "warmup_steps",
                                      "micro_batch_size", "grad_accum", "global_batch", "epochs"}
    assert plan["unplaced"] == 0 and plan["task"] == "both"
    assert [s["examples"] for s in plan["stages"]] == [8, 4] and [s["steps"] for s in plan["stages"]] == [9, 9]
    assert (data / "plan" / "tiny-both" / "a.parquet").is_file()  # default output folder


def test_plan_reports_unplaced(tmp_path):
    data = write_prepared(tmp_path / "data", 3, long_every=3)
    recipe = tiny_recipe_file(tmp_path, "m", stages=[{"name": "a", "max_length": 640, "hours": 1, "lr": 1e-3,
                                                      "warmup_ratio": 0, "micro_batch_size": 1, "grad_accum": 1}])
    result = runner.invoke(app, ["plan", str(recipe), "--data", str(data), "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["unplaced"] == 1
    assert "fit no stage" in result.stderr


def test_plan_bad_recipe_is_one_clear_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nbase_model: m\nstages: []\nlr: 1\n")
    result = runner.invoke(app, ["plan", str(bad), "--data", str(tmp_path)])
    assert result.exit_code == 2
    assert "unknown key(s) ['lr']" in result.stderr and "Traceback" not in result.output


def test_train_help_lists_sft_and_bad_engine(tmp_path):
    result = runner.invoke(app, ["train", "--help"])
    assert result.exit_code == 0 and "sft" in result.stdout and "init-adapter" in result.stdout
    recipe = tiny_recipe_file(tmp_path, "m")
    result = runner.invoke(app, ["train", "sft", str(recipe), "--data", str(tmp_path), "--out", str(tmp_path / "r"),
                                 "--engine", "deepspeed"])
    assert result.exit_code != 0


def test_verl_dry_run_prints_commands(tmp_path):
    pytest.importorskip("verl")
    data = write_prepared(tmp_path / "data", 4)
    recipe = tiny_recipe_file(tmp_path, "/models/llama")
    result = runner.invoke(app, ["train", "sft", str(recipe), "--data", str(data), "--out", str(tmp_path / "run"),
                                 "--engine", "verl", "--dry-run", "--override", "trainer.seed=3"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    torchrun = [line for line in lines if line.split(" ", 1)[0].endswith("torchrun")]
    assert len(torchrun) == 1 and "model.path=/models/llama" in torchrun[0]
    assert torchrun[0].endswith("trainer.seed=3")
    assert any("verl.model_merger merge" in line for line in lines)
    assert any("init-adapter" in line for line in lines)


def test_extension_hook_registers_train_commands(monkeypatch):
    module = types.ModuleType("text2table.cli.fake_ext")

    def register(train_app: typer.Typer) -> None:
        @train_app.command("fake")
        def fake() -> None:
            typer.echo("fake ran")

    module.register = register
    monkeypatch.setitem(sys.modules, "text2table.cli.fake_ext", module)
    monkeypatch.setattr(train_cli, "TRAIN_EXTENSIONS", ("not_written_yet", "fake_ext"))
    local = typer.Typer()
    train_cli.register(local)
    result = runner.invoke(local, ["train", "fake"])
    assert result.exit_code == 0 and "fake ran" in result.stdout


@pytest.mark.slow
def test_train_sft_trl_tiny(tmp_path, smollm2_tokenizer_dir):
    model = save_tiny_llama(smollm2_tokenizer_dir, tmp_path / "tiny")
    data = write_prepared(tmp_path / "data", 4)
    recipe = tiny_recipe_file(tmp_path, str(model))
    out = tmp_path / "run"
    result = runner.invoke(app, ["train", "sft", str(recipe), "--data", str(data), "--out", str(out),
                                 "--max-steps", "1", "--no-sanity"])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "train_summary.json").read_text())
    assert summary["steps"] == 1 and (out / "adapter" / "adapter_model.safetensors").is_file()
    again = runner.invoke(app, ["train", "sft", str(recipe), "--data", str(data), "--out", str(out),
                                "--max-steps", "1"])
    assert again.exit_code == 2 and "--resume" in again.stderr
