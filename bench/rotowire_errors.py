"""Where the cells of Rotowire-class tables are lost: rows found, missed and extra, and per column the gold cells
of found rows written right, left empty, or written wrong.

    python bench/rotowire_errors.py GOLD PRED [--against EARLIER_PRED]

``GOLD`` and ``PRED`` are one table kind's files, as ``bench/quality.py --rotowire`` writes them next to its
predictions (``<system>.verified.player.gold.jsonl`` and ``<system>.verified.player.pred.jsonl``), or any gold
JSONL and ``extract`` output of the same documents. Rows are matched by header (first cell, case and spaces
folded; the first predicted row with a header counts, as in the paper's metric a repeated header adds nothing).
Extra rows are split into those whose header names a team (``rotowire_names.teams_of``: a team written into a
player table) and the rest (a player the gold has no statistic for, or a name written another way), and counted
apart when they hold no value beside the header (a name the text mentions without a statistic). Gold rows
found and missed are also split by how many other gold rows' names share a sentence with theirs (last name
matched, the most in any one sentence): a model that reads one entity per sentence misses the others.
``--against`` adds, per column, the cells written right by another system's predictions of the same documents
(an earlier stage), marking a column that lost half or more of them: a stage can stop writing a column while
its total and its loss barely move.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from quality_rotowire import _header, _key  # noqa: E402  (the bench's own header and value folding)
from text2table.core.records import read_gold  # noqa: E402
from text2table.data.formats.rotowire_names import teams_of  # noqa: E402
from text2table.layout.sentence_lists import sentences  # noqa: E402
from text2table.metrics.evaluate import evaluate_files  # noqa: E402


def _by_header(rows: list) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for row in rows or []:
        if isinstance(row, dict) and _header(row):
            out.setdefault(_header(row), row)
    return out


def table_errors(gold_rows: list, pred_rows: list) -> Counter:
    """Counts for one table: ``rows_found``, ``rows_missed``, ``extra_team``, ``extra_other`` and, for each gold
    column ``c`` of a found row with a value, ``(c, "right" | "empty" | "wrong")``.

    >>> c = table_errors([{"P": "Al Horford", "Pts": "15", "Ast": "4"}, {"P": "Bo", "Pts": "2"}],
    ...                  [{"P": "al horford", "Pts": "15", "Ast": None}, {"P": "Hawks", "Pts": "99"}])
    >>> c["rows_found"], c["rows_missed"], c["extra_team"], c[("Pts", "right")], c[("Ast", "empty")]
    (1, 1, 1, 1, 1)
    """
    gold, pred = _by_header(gold_rows), _by_header(pred_rows)
    out: Counter = Counter()
    for header, row in gold.items():
        if header not in pred:
            out["rows_missed"] += 1
            continue
        out["rows_found"] += 1
        for column, value in list(row.items())[1:]:
            if _key(value):
                got = _key(pred[header].get(column))
                out[(column, "right" if got == _key(value) else "empty" if not got else "wrong")] += 1
    for header, row in pred.items():
        if header not in gold:
            out["extra_team" if teams_of(header.title()) else "extra_other"] += 1
            out["extra_empty"] += not any(_key(v) for v in list(row.values())[1:])
    return out


def _last_name(header: str) -> str:
    return header.split()[-1] if header.split() else ""


def sentence_company(document: str, headers: list[str]) -> dict[str, int]:
    """For each header, the most other headers whose last word shares one sentence of ``document`` with its own.

    >>> sentence_company("Al Horford had 15. Bo Smith and Cy Young added 4 each.",
    ...                  ["Al Horford", "Bo Smith", "Cy Young"])
    {'Al Horford': 0, 'Bo Smith': 1, 'Cy Young': 1}
    """
    bags = [set(re.findall(r"[^\W_][\w'-]*", s.text)) for s in sentences(document)]
    out = {}
    for header in headers:
        last = _last_name(header)
        out[header] = max((sum(1 for other in headers if other != header and _last_name(other) in words)
                           for words in bags if last in words), default=0)
    return out


def column_drift(before: Counter, after: Counter) -> list[tuple[str, int, int, bool]]:
    """Per column of either count: ``(column, right before, right after, lost)``; ``lost`` when the right cells
    fell by half or more (and by at least 5).

    >>> column_drift(Counter({("3pm", "right"): 59, ("pts", "right"): 940}),
    ...              Counter({("3pm", "right"): 9, ("pts", "right"): 967, ("pts", "wrong"): 3}))
    [('3pm', 59, 9, True), ('pts', 940, 967, False)]
    """
    columns = dict.fromkeys(k[0] for c in (before, after) for k in c if isinstance(k, tuple))
    return [(c, before[(c, "right")], after[(c, "right")],
             after[(c, "right")] * 2 <= before[(c, "right")] and before[(c, "right")] - after[(c, "right")] >= 5)
            for c in columns]


def _totals(gold: str, pred: str) -> tuple[list[dict], Counter]:
    _, docs = evaluate_files(Path(gold), Path(pred))
    total: Counter = Counter()
    for doc in docs:
        total += table_errors(doc["gold_rows"], doc["pred_rows"])
    return docs, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("gold")
    parser.add_argument("pred")
    parser.add_argument("--against", help="another system's predictions of the same documents (an earlier stage)")
    args = parser.parse_args()
    docs, total = _totals(args.gold, args.pred)
    company: Counter = Counter()
    documents = {r.id: r.document for r in read_gold(args.gold)}
    for doc in docs:
        gold = [r for r in doc["gold_rows"] or [] if isinstance(r, dict) and _header(r)]
        names = [str(next(iter(r.values()))) for r in gold]  # the header cell as written
        found = set(_by_header(doc["pred_rows"]))
        shared = sentence_company(documents.get(str(doc["id"]), ""), names)
        for name, row in zip(names, gold):
            company[(min(shared[name], 2), _header(row) in found)] += 1
    print(f"{len(docs)} tables: rows found {total['rows_found']}, missed {total['rows_missed']}, extra "
          f"{total['extra_team'] + total['extra_other']} ({total['extra_team']} naming a team, "
          f"{total['extra_empty']} with no value beside the header)")
    print()
    print("| other gold rows named in its sentence | gold rows | found | missed | missed % |")
    print("|---|---|---|---|---|")
    for others in (0, 1, 2):
        found, missed = company[(others, True)], company[(others, False)]
        share = 100 * missed / (found + missed) if found + missed else 0.0
        print(f"| {others if others < 2 else '2 or more'} | {found + missed} | {found} | {missed} | {share:.1f} |")
    print()
    print("| column | gold cells in found rows | right | empty | wrong |")
    print("|---|---|---|---|---|")
    columns = dict.fromkeys(k[0] for k in total if isinstance(k, tuple))
    for column in columns:
        right, empty, wrong = (total[(column, s)] for s in ("right", "empty", "wrong"))
        print(f"| {column} | {right + empty + wrong} | {right} | {empty} | {wrong} |")
    if args.against:
        print()
        print("| column | right, against | right | lost half or more |")
        print("|---|---|---|---|")
        for column, before, after, lost in column_drift(_totals(args.gold, args.against)[1], total):
            print(f"| {column} | {before} | {after} | {'LOST' if lost else ''} |")


if __name__ == "__main__":
    main()
