"""The evaluation report folder: ``metrics.json``, ``per_document.jsonl``, ``report.md`` and a self-contained
``report.html`` (inline SVG plots, no external files) with the worst documents shown cell by cell."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from text2table.core.jsonio import atomic_writer, write_json, write_jsonl
from text2table.report.html_page import render_html
from text2table.report.markdown import render_markdown


def write_report(out_dir: str | Path, metrics: dict[str, Any], docs: list[dict[str, Any]], *,
                 worst: int = 5) -> dict[str, Path]:
    """Write the four report files into ``out_dir``; returns their paths by name."""
    out = Path(out_dir)
    paths = {"metrics": out / "metrics.json", "per_document": out / "per_document.jsonl",
             "markdown": out / "report.md", "html": out / "report.html"}
    write_json(paths["metrics"], metrics)
    write_jsonl(paths["per_document"], docs)
    with atomic_writer(paths["markdown"]) as handle:
        handle.write(render_markdown(metrics, docs, worst=worst))
    with atomic_writer(paths["html"]) as handle:
        handle.write(render_html(metrics, docs, worst=worst))
    return paths
