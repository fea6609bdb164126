"""Shared CLI helpers: one console, and turning our errors into a clear message and exit code 2."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import typer
from rich.console import Console

from text2table.errors import Text2TableError

console = Console(stderr=True)


@contextlib.contextmanager
def friendly_errors() -> Iterator[None]:
    """Print our own errors as one red line (no traceback) and exit with status 2."""
    try:
        yield
    except Text2TableError as exc:
        console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(code=2) from None
