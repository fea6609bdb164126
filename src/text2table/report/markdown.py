"""The Markdown report (``report.md``): headline metrics, per-field F1, error breakdown, the worst documents
side by side, and the settings (with the prediction file's signature line when there is one)."""

from __future__ import annotations

from typing import Any

from text2table.report.summary import HEADLINE, fmt, side_by_side, worst_documents


def render_markdown(metrics: dict[str, Any], docs: list[dict[str, Any]], *, worst: int = 5) -> str:
    lines = ["# text2table evaluation", "",
             f"{metrics['n_documents']} gold documents, {metrics['n_predictions']} predictions"
             f" ({metrics['n_missing']} missing, {metrics['n_errors']} with errors). Rates in %.", "",
             "| metric | value |", "|---|---|"]
    lines += [f"| {label} | {fmt(metrics.get(key), key)} |" for key, label in HEADLINE]
    lines += ["", "## Per-field aligned cell F1", "", "| field | F1 | tp | predicted | gold |", "|---|---|---|---|---|"]
    lines += [f"| {_md(name)} | {fmt(v['f1'])} | {v['tp']} | {v['n_pred']} | {v['n_gold']} |"
              for name, v in list(metrics["per_field"].items())[:40]]
    lines += ["", "## Error breakdown (documents)", "", "| error | documents |", "|---|---|"]
    lines += [f"| {name} | {count} |" for name, count in metrics["error_breakdown"].items()]
    lines += ["", f"## Worst {worst} documents", ""]
    for doc in worst_documents(docs, worst):
        lines += [f"### {_md(doc['id'])} — aligned cell F1 {fmt(doc['aligned']['f1'])}",
                  "", f"status: {doc['status']}; errors: {', '.join(doc['errors']) or 'none'}", ""]
        for pair in side_by_side(doc)[:20]:
            names = pair["names"]
            lines += ["| | " + " | ".join(_md(n) for n in names) + " |", "|---" * (len(names) + 1) + "|"]
            for label, row in (("gold", pair["gold"]), ("pred", pair["pred"])):
                cells = ["—" if row is None else _md("" if row.get(n) is None else str(row.get(n))) for n in names]
                lines.append(f"| {label} | " + " | ".join(cells) + " |")
            lines.append("")
    lines += ["## Settings", ""]
    if metrics.get("signature"):
        lines += [f"Predictions: `{metrics['signature']}`", ""]
    lines += ["```json", _json(metrics["settings"]), "```", ""]
    return "\n".join(lines)


def _md(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")[:120]


def _json(obj: Any) -> str:
    import json

    return json.dumps(obj, ensure_ascii=False, indent=2)
