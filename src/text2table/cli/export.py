"""CLI: ``export-gguf`` (a trained PEFT LoRA adapter -> a llama.cpp LoRA GGUF for the llamacpp backend),
``export-adapter`` (a training checkpoint -> a small PEFT adapter folder to ship) and ``average-adapters``
(two adapters -> their exact average)."""

from __future__ import annotations

from pathlib import Path

import typer

from text2table.cli.common import console, friendly_errors


def register(app: typer.Typer) -> None:
    """Add ``export-gguf``, ``export-adapter`` and ``average-adapters`` to the app."""
    app.command("export-gguf")(export_gguf_command)
    app.command("export-adapter")(export_adapter_command)
    app.command("average-adapters")(average_adapters_command)


def export_gguf_command(
    adapter_dir: Path = typer.Argument(
        ..., help="PEFT adapter folder: adapter_config.json + adapter_model.safetensors."),
    out: Path = typer.Option(..., "--out", "-o", help="The llama.cpp LoRA GGUF to write (atomically)."),
    base: str = typer.Option("embedded", "--base",
                             help="The base model's GGUF the adapter was trained on; 'embedded': SmolLM2-135M."),
    dtype: str = typer.Option("f32", "--dtype", help="Storage type of the LoRA matrices: f32 or f16 (half the size)."),
) -> None:
    """Convert a PEFT LoRA adapter to llama.cpp's LoRA GGUF (use it with `--backend llamacpp`)."""
    with friendly_errors():
        from text2table.backends.models import resolve_model_path
        from text2table.export import convert_lora

        report = convert_lora(adapter_dir, resolve_model_path(base), out, dtype=dtype)
        ranks = ",".join(str(r) for r in report.ranks)
        console.print(f"wrote {report.out}: {report.n_weights} adapted weights, rank {ranks}, alpha {report.alpha:g},"
                      f" {report.dtype}, {report.bytes / 1e6:.1f} MB in {report.seconds:.2f} s", highlight=False)


def export_adapter_command(
    adapter_dir: Path = typer.Argument(
        ..., help="PEFT adapter folder (e.g. a training checkpoint): adapter_config.json + adapter_model.safetensors."),
    out: Path = typer.Option(..., "--out", "-o", help="Folder to write adapter_config.json and the weights into."),
    dtype: str = typer.Option("f16", "--dtype", help="Storage type of the LoRA matrices: f16 (half the size) or f32."),
) -> None:
    """Copy a PEFT LoRA adapter without optimiser state, its matrices stored as DTYPE (what the repo ships)."""
    with friendly_errors():
        from text2table.export.peft_adapter import export_adapter

        report = export_adapter(adapter_dir, out, dtype=dtype)
        console.print(f"wrote {report.out}: {report.n_tensors} tensors, {report.dtype}, {report.bytes / 1e6:.1f} MB"
                      f" in {report.seconds:.2f} s", highlight=False)


def average_adapters_command(
    first: Path = typer.Argument(..., help="PEFT adapter folder A."),
    second: Path = typer.Argument(..., help="PEFT adapter folder B (same base model and target modules)."),
    out: Path = typer.Option(..., "--out", "-o", help="Folder to write adapter_config.json and the weights into."),
    weight: float = typer.Option(0.5, "--weight", help="A's share w: the result adds w * delta_A + (1 - w) * delta_B."),
    dtype: str = typer.Option("f16", "--dtype", help="Storage type of the LoRA matrices: f16 or f32."),
) -> None:
    """Average two LoRA adapters exactly, as one adapter of rank r_A + r_B (e.g. a continued stage and its start)."""
    with friendly_errors():
        from text2table.export.average import average_adapters

        report = average_adapters(first, second, out, weight=weight, dtype=dtype)
        console.print(f"wrote {report.out}: {report.n_tensors} tensors, {report.dtype}, {report.bytes / 1e6:.1f} MB"
                      f" in {report.seconds:.2f} s", highlight=False)
