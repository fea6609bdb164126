"""The HTML report: one self-contained page, inline SVG plots drawn here (no plotting library), every
document-derived string escaped (documents and model outputs are untrusted)."""

from __future__ import annotations

import json
from html import escape
from typing import Any

from text2table.report.summary import HEADLINE, cell_status, fmt, side_by_side, worst_documents

_CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:2em;max-width:1200px;color:#222}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}
th{background:#f3f3f3}.match{background:#d9f2d9}.wrong{background:#f8d0d0}.missed{background:#fde9c8}
.extra{background:#e3d7f5}.empty{color:#aaa}.plots{display:flex;flex-wrap:wrap;gap:2em}
pre{background:#f7f7f7;padding:1em;overflow:auto}.doc{max-height:8em;overflow:auto;background:#fafafa;padding:.5em}
"""


def bar_chart(items: list[tuple[str, float]], title: str, *, max_value: float | None = None,
              percent: bool = True, width: int = 520) -> str:
    """Horizontal bars, one per (label, value), as an SVG string."""
    bar_h, label_w, pad = 18, 180, 4
    height = 30 + len(items) * (bar_h + pad) + 10
    top = max_value if max_value is not None else max((v for _, v in items), default=1.0) or 1.0
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img">',
             f'<title>{escape(title)}</title><text x="0" y="16" font-weight="bold">{escape(title)}</text>']
    span = width - label_w - 60
    for i, (label, value) in enumerate(items):
        y = 30 + i * (bar_h + pad)
        w = max(0.0, min(1.0, value / top)) * span
        shown = f"{100 * value:.1f}" if percent else f"{value:g}"
        parts += [f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end" font-size="12">{escape(label[:28])}</text>',
                  f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="#4a7fb5"/>',
                  f'<text x="{label_w + w + 4:.1f}" y="{y + 13}" font-size="12">{shown}</text>']
    parts.append("</svg>")
    return "".join(parts)


def histogram(values: list[float], title: str, *, bins: int = 10, width: int = 520, height: int = 220) -> str:
    """A histogram of values in [0, 1] as an SVG string (x: score, y: documents)."""
    counts = [0] * bins
    for v in values:
        counts[min(bins - 1, max(0, int(v * bins)))] += 1
    top = max(counts, default=0) or 1
    left, bottom, plot_h = 40, height - 30, height - 70
    bar_w = (width - left - 10) / bins
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img">',
             f'<title>{escape(title)}</title><text x="0" y="16" font-weight="bold">{escape(title)}</text>',
             f'<line x1="{left}" y1="{bottom}" x2="{width - 10}" y2="{bottom}" stroke="#333"/>',
             f'<text x="{left - 6}" y="{bottom - plot_h + 4}" text-anchor="end" font-size="11">{top}</text>',
             f'<text x="{left - 6}" y="{bottom}" text-anchor="end" font-size="11">0</text>']
    for i, c in enumerate(counts):
        h = plot_h * c / top
        x = left + i * bar_w
        parts.append(f'<rect x="{x + 1:.1f}" y="{bottom - h:.1f}" width="{bar_w - 2:.1f}" height="{h:.1f}" '
                     f'fill="#5b9e5b"><title>{i / bins:.1f}-{(i + 1) / bins:.1f}: {c}</title></rect>')
        if c:
            parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{bottom - h - 3:.1f}" text-anchor="middle" '
                         f'font-size="11">{c}</text>')
    for i in range(0, bins + 1, 2):
        parts.append(f'<text x="{left + i * bar_w:.1f}" y="{bottom + 16}" text-anchor="middle" '
                     f'font-size="11">{i / bins:.1f}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _diff_table(doc: dict[str, Any]) -> str:
    pairs = side_by_side(doc)
    if not pairs:
        return "<p>(no rows on either side)</p>"
    names = pairs[0]["names"]
    head = "<tr><th></th>" + "".join(f"<th>{escape(n)}</th>" for n in names) + "</tr>"
    body = []
    for pair in pairs[:30]:
        gold, pred = pair["gold"] or {}, pair["pred"] or {}
        for label, row, present in (("gold", gold, pair["gold"] is not None), ("pred", pred, pair["pred"] is not None)):
            cells = []
            for n in names:
                status = cell_status(gold.get(n), pred.get(n))
                value = row.get(n) if present else None
                text = "—" if not present else ("null" if value is None else str(value))
                cells.append(f'<td class="{status}">{escape(text[:200])}</td>')
            body.append(f"<tr><th>{label}</th>{''.join(cells)}</tr>")
    return f"<table>{head}{''.join(body)}</table>"


def render_html(metrics: dict[str, Any], docs: list[dict[str, Any]], *, worst: int = 5) -> str:
    rows = "".join(f"<tr><td>{escape(label)}</td><td>{fmt(metrics.get(key), key)}</td></tr>"
                   for key, label in HEADLINE)
    fields = [(name, v["f1"]) for name, v in list(metrics["per_field"].items())[:25]]
    errors = [(name, float(count)) for name, count in metrics["error_breakdown"].items()]
    plots = [bar_chart(fields, "Per-field aligned cell F1 (%)", max_value=1.0),
             bar_chart(errors, "Error breakdown (documents)", percent=False),
             histogram([d["aligned"]["f1"] for d in docs], "Aligned cell F1 per document"),
             histogram([d["wu"]["exact"]["cell"][2] for d in docs
                        if d["wu"]["exact"] is not None and d["wu"]["exact"]["cell"] is not None],
                       "Text-to-Table cell F1 (exact) per document")]
    sections = []
    for doc in worst_documents(docs, worst):
        legend = ", ".join(doc["errors"]) or "none"
        ungrounded = "".join(f"<li>row {r}, {escape(f)}: {escape(v[:120])}</li>" for r, f, v in doc["grounding"]["ungrounded"][:10])
        sections.append(
            f"<h3>{escape(doc['id'])} — aligned cell F1 {fmt(doc['aligned']['f1'])}</h3>"
            f"<p>status: {escape(doc['status'])}; errors: {escape(legend)}</p>{_diff_table(doc)}"
            + (f"<p>Ungrounded values:</p><ul>{ungrounded}</ul>" if ungrounded else ""))
    summary = (f"{metrics['n_documents']} gold documents, {metrics['n_predictions']} predictions "
               f"({metrics['n_missing']} missing, {metrics['n_errors']} with errors). Rates in %.")
    legend = ('<p>Cells: <span class="match">match</span> <span class="wrong">wrong</span> '
              '<span class="missed">missed (gold only)</span> <span class="extra">extra (prediction only)</span></p>')
    settings = escape(json.dumps(metrics["settings"], ensure_ascii=False, indent=2))
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>text2table evaluation</title>"
            f"<style>{_CSS}</style></head><body><h1>text2table evaluation</h1><p>{summary}</p>"
            f"<table><tr><th>metric</th><th>value</th></tr>{rows}</table>"
            f"<h2>Plots</h2><div class='plots'>{''.join(plots)}</div>"
            f"<h2>Worst {worst} documents</h2>{legend}{''.join(sections)}"
            f"<h2>Settings</h2><pre>{settings}</pre></body></html>")
