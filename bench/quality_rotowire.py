"""bench/quality's Rotowire part: one summary yields a team and a player table (``metadata.table_hint``), each
scored on its own, with the rows a long many-entity report tends to get wrong counted.

Columns per table kind: tables, exact cell F1 and exact row-header F1 (means over tables) with their 95%
bootstrap intervals over tables, exact column-header F1, chrF cell F1, aligned cell F1, rows missing (gold row
headers no predicted row names, share of gold rows), rows duplicated (predicted rows whose row header an earlier
predicted row already had, share of predicted rows), JSON validity, and seconds per summary (both tables' model
seconds, summed per game).
Row headers are compared lowercased and with spaces collapsed.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from text2table.core.jsonio import write_jsonl
from text2table.core.records import read_gold
from text2table.metrics.bootstrap import bootstrap_ci
from text2table.metrics.evaluate import evaluate_files

KINDS = ("player", "team")
HEADER = ("| dataset | system | tables | E cell F1 [95% CI] | E row F1 [95% CI] | E col F1 | chrf cell F1 |"
          " aligned F1 | rows missing | rows duplicated | JSON valid | s/summary |")


def subset_games(path: Path, limit: int, out: Path) -> Path:
    """Every record of every k-th game (``metadata.group``), so a summary keeps both of its tables."""
    records = list(read_gold(path))
    groups: dict[str, list] = defaultdict(list)
    for record in records:
        groups[str(record.metadata.get("group") or record.id)].append(record)
    names = list(groups)
    step = max(1, len(names) // limit) if limit else 1
    chosen = names[::step][:limit] if limit else names
    write_jsonl(out, (r.to_dict() for name in chosen for r in groups[name]))
    return out


def _key(value: object) -> str:
    return " ".join(str(value).lower().split()) if value not in (None, "") else ""


def _header(row: dict | list) -> str:
    """A row's header: its first cell (rows are field -> value objects in schema order, or lists)."""
    first = next(iter(row.values()), None) if isinstance(row, dict) else (row[0] if row else None)
    return _key(first)


def row_counts(gold_rows: list, pred_rows: list) -> tuple[int, int, int, int]:
    """(gold rows, gold rows whose header no predicted row has, predicted rows, predicted rows repeating the
    header of an earlier predicted row); a row's header is its first cell, rows without one are skipped.

    >>> row_counts([{"P": "Al", "n": 1}, {"P": "Bo"}], [{"P": "al"}, {"P": "Al"}, {"P": None}])
    (2, 1, 3, 1)
    """
    gold = {_header(r) for r in gold_rows if _header(r)}
    seen: set[str] = set()
    duplicated = 0
    for row in pred_rows:
        key = _header(row)
        if key and key in seen:
            duplicated += 1
        seen.add(key)
    return len(gold), len(gold - seen), len(pred_rows), duplicated


def _split(path: Path, ids: set[str], out: Path) -> Path:
    lines = [line for line in path.read_text(encoding="utf-8").splitlines()
             if line.strip() and json.loads(line).get("id") in ids]
    out.write_text("\n".join(lines) + ("\n" if lines else ""), encoding="utf-8")
    return out


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.2f}"


def _with_ci(docs: list[dict], kind: str) -> str:
    """The mean of the tables' exact F1 of ``kind`` (``cell``, ``row_header``) with its 95% bootstrap interval."""
    scores = [d["wu"]["exact"][kind][2] for d in docs if d["wu"]["exact"] and d["wu"]["exact"][kind]]
    if not scores:
        return "-"
    ci = bootstrap_ci(scores)
    return f"{100 * ci.mean:.2f} [{100 * ci.low:.2f}, {100 * ci.high:.2f}]"


def rotowire_lines(name: str, label: str, gold: Path, pred: Path) -> list[str]:
    """The table's rows for one system: one per table kind (player, team)."""
    records = list(read_gold(gold))
    seconds: dict[str, float] = defaultdict(float)
    for line in pred.read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            seconds[record.get("id")] += float((record.get("diagnostics") or {}).get("seconds") or 0.0)
    games: dict[str, float] = defaultdict(float)
    for record in records:
        games[str(record.metadata.get("group") or record.id)] += seconds.get(record.id, 0.0)
    per_summary = sum(games.values()) / len(games) if games else 0.0
    lines = []
    for kind in KINDS:
        ids = {r.id for r in records if r.metadata.get("table_hint") == kind}
        if not ids:
            continue
        stem = pred.name.replace(".pred.jsonl", "")
        g = _split(gold, ids, pred.with_name(f"{stem}.{kind}.gold.jsonl"))
        p = _split(pred, ids, pred.with_name(f"{stem}.{kind}.pred.jsonl"))
        metrics, docs = evaluate_files(g, p)
        cell, rows = _with_ci(docs, "cell"), _with_ci(docs, "row_header")
        totals = [0, 0, 0, 0]
        for d in docs:
            for i, v in enumerate(row_counts(d["gold_rows"] or [], d["pred_rows"] or [])):
                totals[i] += v
        missing = totals[1] / totals[0] if totals[0] else None
        duplicated = totals[3] / totals[2] if totals[2] else 0.0
        lines.append(f"| {name}-{kind} | {label} | {metrics['n_documents']} | {cell} | "
                     f"{rows} | {_pct(metrics.get('wu.exact.col_header_f1'))} | "
                     f"{_pct(metrics.get('wu.chrf.cell_f1'))} | {_pct(metrics.get('aligned_cell_f1'))} | "
                     f"{_pct(missing)} | {_pct(duplicated)} | {_pct(metrics.get('json_valid_rate'))} | "
                     f"{per_summary:.1f} |")
    return lines
