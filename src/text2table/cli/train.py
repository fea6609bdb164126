"""`plan` and the `train` sub-app (`train sft`, `train init-adapter`); other training areas add their
commands to the sub-app from their own module (``cli/train_grpo.py`` registers ``train grpo``)."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

import typer

from text2table.cli.common import console, friendly_errors

#: Modules (in this package) that add commands to the `train` sub-app through ``register(train_app)``.
TRAIN_EXTENSIONS = ("train_grpo",)

TASK_HELP = "pi1 (schemas), pi2 (tables) or both (one adapter on a shuffled mixture); default: the recipe's task."


def _log(message: str) -> None:
    console.print(message, highlight=False, markup=False, soft_wrap=True)


def plan_cmd(
    recipe_path: Path = typer.Argument(..., help="Recipe YAML (see recipes/)."),
    data: Path = typer.Option(..., "--data", help="Folder written by `text2table prepare` (pi1.jsonl, pi2.jsonl)."),
    task: str = typer.Option(None, "--stage-model", help=TASK_HELP),
    out: Path = typer.Option(None, "--out", help="Where to write the stage files [default: DATA/plan/RECIPE-TASK]."),
    as_json: bool = typer.Option(False, "--json", help="Print the plan as JSON instead of a table."),
    max_steps: int = typer.Option(None, "--max-steps", help="Steps per stage, overriding the hour budget."),
    limit: int = typer.Option(None, "--limit-examples", help="Plan only the first N examples."),
) -> None:
    """Assign examples to curriculum stages, compute steps/batches/epochs, write per-stage training files."""
    from text2table.training.plan import format_table, plan_folder
    from text2table.training.recipe import load_recipe
    from text2table.training.sft import SftOptions, effective_recipe, token_counter

    with friendly_errors():
        recipe = effective_recipe(load_recipe(recipe_path), SftOptions(task=task, max_steps=max_steps))
        out = out or data / "plan" / f"{recipe.name}-{recipe.task}"
        plan = plan_folder(recipe, data, out_dir=out, count_tokens=token_counter(recipe), limit=limit)
        if as_json:
            typer.echo(json.dumps(plan.to_json(), indent=2))
        else:
            typer.echo(format_table(plan))
        if plan.unplaced:
            _log(f"warning: {plan.unplaced} examples fit no stage and were left out: {plan.unplaced_ids[:10]}"
                 " (set buckets.overflow: truncate, or add a longer stage)")
        _log(f"stage files written to {out}")


def sft_cmd(
    recipe_path: Path = typer.Argument(..., help="Recipe YAML (see recipes/)."),
    data: Path = typer.Option(..., "--data", help="Folder written by `text2table prepare` (the training split)."),
    out: Path = typer.Option(..., "--out", help="Run folder (checkpoints, adapter/, train_summary.json)."),
    task: str = typer.Option(None, "--stage-model", help=TASK_HELP),
    engine: str = typer.Option("trl", "--engine", help="trl (local: CPU or accelerate GPUs) or verl (torchrun, GPUs)."),
    dev: Path = typer.Option(None, "--dev", help="Prepared dev folder: sanity checks (trl) and val files (verl)."),
    resume: bool = typer.Option(False, "--resume", help="Continue a run: skip finished stages, resume the current."),
    max_steps: int = typer.Option(None, "--max-steps", help="Steps per stage, overriding the hour budget."),
    limit: int = typer.Option(None, "--limit-examples", help="Train on the first N examples only."),
    dry_run: bool = typer.Option(False, "--dry-run", help="verl: print the commands instead of running them."),
    sanity: bool = typer.Option(True, "--sanity/--no-sanity", help="trl: run the sanity check after each stage."),
    baseline: bool = typer.Option(False, "--baseline", help="trl: also check the untrained base model first."),
    stages: str = typer.Option(None, "--stages", help="trl: comma-separated stages to train now (others later"
                                                      " with --resume)."),
    threads: int = typer.Option(None, "--threads", help="trl: torch CPU threads (1 is much faster when the CPU is"
                                                        " shared with other busy processes) [default: the recipe's"
                                                        " trl.threads, else torch's]."),
    override: list[str] = typer.Option(None, "--override", help="verl: extra Hydra override for every stage."),
    init_adapter: Path = typer.Option(None, "--init-adapter", help="trl: warm start, the first stage continues"
                                                                  " this PEFT adapter folder (e.g. a shipped one)."),
) -> None:
    """Supervised fine-tuning of a LoRA adapter over the recipe's length curriculum."""
    from text2table.training.recipe import load_recipe
    from text2table.training.sft import SftOptions, effective_recipe

    with friendly_errors():
        if engine not in ("trl", "verl"):
            raise typer.BadParameter("--engine must be 'trl' or 'verl'")
        if init_adapter is not None and engine != "trl":
            raise typer.BadParameter("--init-adapter applies to --engine trl (verl: model.lora_adapter_path)")
        options = SftOptions(task=task, max_steps=max_steps, limit_examples=limit, resume=resume, dev_dir=dev,
                             sanity=sanity, baseline=baseline, init_adapter=init_adapter,
                             stages=tuple(x.strip() for x in stages.split(",") if x.strip()) if stages else None)
        recipe = effective_recipe(load_recipe(recipe_path), options)
        if engine == "verl":
            from text2table.training.verl import train_verl

            cli = (sys.executable, "-m", "text2table")
            train_verl(recipe, data, out, dev_dir=dev, dry_run=dry_run, limit=limit,
                       extra=tuple(override or ()), cli=cli, log=typer.echo if dry_run else _log)
            return
        if dry_run:
            raise typer.BadParameter("--dry-run applies to --engine verl")

        from text2table.training.sft import train_sft

        threads = threads if threads is not None else recipe.trl.threads
        if threads is not None:  # a process-wide setting: the CLI owns the process
            import torch

            torch.set_num_threads(threads)
        summary = train_sft(recipe, data, out, options, log=_log)
        _log(f"{summary['steps']} steps, {summary['seconds_per_step']} s/step; summary in {out}/train_summary.json")


def init_adapter_cmd(
    model: str = typer.Argument(..., help="Base model: a local Hugging Face folder or a cached hub id."),
    out: Path = typer.Option(..., "--out", help="Folder for the adapter (PEFT, safetensors)."),
    rank: int = typer.Option(128, "--rank"),
    alpha: int = typer.Option(256, "--alpha"),
    dropout: float = typer.Option(0.05, "--dropout"),
    targets: str = typer.Option(",".join(("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj",
                                          "down_proj")), "--targets", help="Comma-separated module names."),
) -> None:
    """Create a fresh LoRA adapter with PEFT (VERL's FSDP path has no LoRA dropout of its own)."""
    from text2table.training.recipe import LoraSpec
    from text2table.training.verl import create_initial_adapter

    with friendly_errors():
        spec = LoraSpec(rank=rank, alpha=alpha, dropout=dropout,
                        target_modules=tuple(t.strip() for t in targets.split(",") if t.strip()))
        path = create_initial_adapter(model, spec, out)
        _log(f"initial adapter written to {path}")


def _register_extensions(train_app: typer.Typer) -> None:
    """Let sibling modules listed in TRAIN_EXTENSIONS add `train` commands; a module not written yet is skipped."""
    for name in TRAIN_EXTENSIONS:
        module_name = f"{__package__}.{name}"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                continue
            raise
        module.register(train_app)


def register(app: typer.Typer) -> None:
    """Add `plan` and the `train` sub-app (with `sft`, `init-adapter` and the extensions' commands)."""
    app.command("plan")(plan_cmd)
    train_app = typer.Typer(no_args_is_help=True, help="Train models: SFT (LoRA), and RL where installed.")
    train_app.command("sft")(sft_cmd)
    train_app.command("init-adapter")(init_adapter_cmd)
    _register_extensions(train_app)
    app.add_typer(train_app, name="train")
