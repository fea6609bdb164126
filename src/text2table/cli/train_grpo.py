"""`text2table train grpo`: GRPO per stage (pi1, pi2) and pipeline RL (pipeline-pi1, pipeline-pi2), TRL or VERL."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import typer

from text2table.cli.common import console, friendly_errors

STAGE_HELP = ("pi1 | pi2 (local rewards), pipeline-pi1 (pi1 rewarded through a frozen pi2), pipeline-pi2 (pi2 on"
              " data prepared with --schemas-from), both (pi1 and pi2 prompts mixed, each with its local reward:"
              " the one adapter serving both stages; trl only)")


def _log(message: str) -> None:
    console.print(message, highlight=False, markup=False)


def grpo_cmd(
    recipe_path: Path = typer.Argument(..., help="Recipe YAML with an `rl:` section (defaults apply without one)."),
    data: Path = typer.Option(..., "--data", help="Folder written by `text2table prepare` (pi1_rl/pi2_rl.parquet)."),
    stage: str = typer.Option(..., "--stage", help=STAGE_HELP),
    out: Path = typer.Option(..., "--out", help="Run folder (adapter/, metrics.jsonl, grpo_summary.json)."),
    engine: str = typer.Option("trl", "--engine", help="trl (local: CPU or accelerate GPUs) or verl (main_ppo, GPUs)."),
    init_adapter: str = typer.Option(None, "--init-adapter", help="Start from this LoRA adapter (e.g. the SFT one)."),
    max_steps: int = typer.Option(None, "--max-steps", help="Optimiser steps, overriding rl.steps."),
    dry_run: bool = typer.Option(False, "--dry-run", help="verl: print the command instead of running it."),
    val: Path = typer.Option(None, "--val-data", help="verl: prepared folder for data.val_files (default: --data)."),
    limit: int = typer.Option(None, "--limit-examples", help="trl: train on the first N prompts only."),
    threads: int = typer.Option(None, "--threads", help="trl: torch CPU threads."),
    override: list[str] = typer.Option(None, "--override", help="verl: extra Hydra override (repeatable)."),
) -> None:
    """GRPO with LoRA: local rewards per stage, or pipeline RL (pi1 scored end to end through pi2)."""
    from text2table.training.recipe import load_recipe
    from text2table.training.rl_config import RL_STAGES

    with friendly_errors():
        if engine not in ("trl", "verl"):
            raise typer.BadParameter("--engine must be 'trl' or 'verl'")
        if stage not in RL_STAGES:
            raise typer.BadParameter(f"--stage must be one of {', '.join(RL_STAGES)}")
        recipe = load_recipe(recipe_path)
        if override:
            extra = (*recipe.verl.extra_overrides, *override)
            recipe = recipe.replace(verl=dataclasses.replace(recipe.verl, extra_overrides=extra))
        if engine == "verl":
            from text2table.training.verl_grpo import plan_launch, run_launch

            launch = plan_launch(recipe, data, stage, out, init_adapter=init_adapter, max_steps=max_steps,
                                 val_dir=val)
            if dry_run:
                for source, target in launch.builds:
                    typer.echo(f"# builds {target} from {source} (data_source text2table/pipeline_pi1)")
                typer.echo(" ".join(f"{k}={v}" for k, v in launch.env.items()) + " \\")
                typer.echo(launch.shell())
                return
            code = run_launch(launch)
            if code:
                raise typer.Exit(code)
            return
        if dry_run:
            raise typer.BadParameter("--dry-run applies to --engine verl")
        from text2table.training.grpo import GrpoOptions, train_grpo

        options = GrpoOptions(init_adapter=init_adapter, max_steps=max_steps, limit_examples=limit, threads=threads)
        summary = train_grpo(recipe, data, stage, out, options, log=_log)
        _log(f"{summary['steps']} steps, {summary['seconds_per_step']} s/step; summary in {out}/grpo_summary.json")


def register(train_app: typer.Typer) -> None:
    """Add `grpo` to the `train` sub-app."""
    train_app.command("grpo")(grpo_cmd)
