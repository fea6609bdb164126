"""Benchmark: pi2 reward and Text-to-Table metric calls per second on Rotowire-sized tables (8 rows x 6 fields),
against straightforward reference implementations of the same definitions, measured in the same run.

Run: ``.venv/bin/python bench/bench_rewards.py [--seconds 1.0]``. Prints a table with the ratio
(ours / reference). The reference implementations compute the same numbers (checked before timing):
the pi2 reference parses each line with ``json.loads``, fills the full row-similarity matrix cell by cell
and always runs the Hungarian algorithm, and tokenises the whole document for every grounding check; the
Text-to-Table reference is the paper's loop (sacrebleu ``sentence_score`` for every pair of tuple parts).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
from sacrebleu.metrics import CHRF  # noqa: E402
from scipy.optimize import linear_sum_assignment  # noqa: E402

from tests.reward_cases import NAMES, box_score, hacks, honest_partial  # noqa: E402
from text2table.metrics.aligned import keyed_cells  # noqa: E402
from text2table.text.normalise import BOOLEAN_WORDS, canonical_tokens, fold  # noqa: E402
from text2table.metrics.wu import document_scores, table_items  # noqa: E402
from text2table.decoding.prompts import PI1_POLICY, PI2_POLICY  # noqa: E402
from text2table.rewards import RewardWeights, pi2_score  # noqa: E402
from text2table.core.table import dump_rows  # noqa: E402

POLICY = " " + " ".join(canonical_tokens(PI1_POLICY + "\n" + PI2_POLICY)) + " "
RECAP = ("The Cleveland Cavaliers visited Philips Arena on Wednesday night and left with a narrow win after a "
         "fourth quarter in which the lead changed hands several times. Cleveland shot well from the field in the "
         "first half, while Atlanta answered with a strong third quarter behind its bench. Both teams struggled "
         "from the free throw line late, and the final possession came down to a contested jumper at the buzzer. "
         "The Cavaliers move to a winning record on the road trip, while the Hawks drop their third straight home "
         "game. Next up, Cleveland hosts Detroit on Friday, and Atlanta travels to Orlando for a Saturday matinee. ")


def calibration_ms() -> float:
    """Milliseconds for ``sum(range(10**6))``: about 10 on an idle modern core; more means a loaded machine."""
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        sum(range(10**6))
        best = min(best, time.perf_counter() - start)
    return best * 1000


def reference_pi2(text: str, truth, document: str, w: RewardWeights = RewardWeights()) -> float:
    """The pi2 reward written the obvious way (same definition as text2table.rewards.pi2_score)."""
    names = truth.schema.names
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    rows, objects = [], 0
    for line in lines:
        try:
            pairs = json.loads(line, object_pairs_hook=list, parse_constant=lambda t: 1 / 0)
        except (ValueError, ZeroDivisionError, RecursionError):
            continue
        if not isinstance(pairs, list) or (pairs and not isinstance(pairs[0], tuple)):
            continue
        if len({k for k, _ in pairs}) != len(pairs):
            continue
        objects += 1
        if [k for k, _ in pairs] == names and not any(isinstance(v, list) for _, v in pairs):
            rows.append(dict(pairs))
    gold = keyed_cells(truth.rows, missing=truth.missing, lowercase=True)
    n_gold = sum(len(r) for r in gold)
    if not lines:
        return 1.0 if n_gold == 0 else w.empty_score
    if not rows:
        return w.invalid_score
    pred = keyed_cells(rows, missing=truth.missing, lowercase=True)
    n_pred = sum(len(r) for r in pred)
    if n_pred == 0:
        return 1.0 if n_gold == 0 else w.empty_score
    sim = np.zeros((len(pred), len(gold)))
    for i, p in enumerate(pred):
        for j, g in enumerate(gold):
            sim[i, j] = sum(1 for k, v in p.items() if g.get(k) == v)
    r, c = linear_sum_assignment(sim, maximize=True)
    tp = sim[r, c].sum()
    f1 = 2 * tp / (n_pred + n_gold) if tp else 0.0
    seen, dups = [], 0
    for p in pred:
        dups += p in seen
        seen.append(p)
    doc_tokens = " " + " ".join(canonical_tokens(document)) + " "
    vocab = set(doc_tokens.split())
    folded_doc = fold(document)
    echo = set(names) | {n.replace("_", " ") for n in names}
    grounded = copied = 0
    for p in pred:
        for name, value in p.items():
            tokens = canonical_tokens(value)
            if value in BOOLEAN_WORDS:
                ok = any(t in vocab for t in name.split("_") if len(t) > 2)
            elif tokens:
                ok = " " + " ".join(tokens) + " " in doc_tokens
            else:
                ok = value.strip() in folded_doc
            grounded += ok
            copied += (value in echo or (len(value) >= 40 and 2 * len(value) >= len(folded_doc))
                       or (not ok and tokens and " " + " ".join(tokens) + " " in POLICY))
    score = (len(rows) / len(lines) * f1 - w.ungrounded_penalty * (1 - grounded / n_pred)
             - w.duplicate_penalty * dups / len(pred) - w.copy_penalty * copied / n_pred)
    return max(-1.0, min(1.0, score))


def reference_wu(pred_items, gold_items, metric: str):
    """The paper's loop: a similarity for every (predicted, gold) tuple pair, part by part, no cache."""
    chrf = CHRF()

    def sim(a: str, b: str) -> float:
        if metric == "exact" or a == b:
            return float(a == b)
        return chrf.sentence_score(a, [b]).score / 100

    out = {}
    for kind in ("row_header", "col_header", "cell"):
        pred, gold = list(getattr(pred_items, kind)), list(getattr(gold_items, kind))
        if not gold:
            out[kind] = None
            continue
        matrix = np.array([[np.prod([sim(p, g)]) if not isinstance(p, tuple) else
                            np.prod([sim(x, y) for x, y in zip(p, g)]) for g in gold] for p in pred])
        prec, rec = matrix.max(axis=1).mean(), matrix.max(axis=0).mean()
        out[kind] = (prec, rec, 2 * prec * rec / (prec + rec) if prec + rec else 0.0)
    return out


def rate(fn, seconds: float) -> float:
    """Calls per second: the best of three timed batches of about ``seconds / 3`` each."""
    fn()
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds / 6:
        fn()
        n += 1
    best = 0.0
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(n):
            fn()
        best = max(best, n / (time.perf_counter() - start))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=1.5, help="time per measurement")
    args = parser.parse_args()
    truth, document = box_score()
    document = RECAP + document + " " + RECAP  # a Rotowire-sized report (about 2,000 characters)
    outputs = {"perfect": dump_rows(truth.rows, NAMES), "honest partial": honest_partial(truth),
               "one row repeated": hacks(truth, document)["one row repeated"],
               "values not in doc": hacks(truth, document)["values not in the document"]}
    for name, text in outputs.items():  # same numbers before timing
        ours, ref = pi2_score(text, truth, document).score, reference_pi2(text, truth, document)
        assert abs(ours - ref) < 1e-9, (name, ours, ref)
    noisy = [dict(r, points=str(int(r["points"]) + 1)) if i % 3 == 0 else r for i, r in enumerate(truth.rows)]
    gold_items = table_items("flat_single_row", NAMES, truth.rows)
    pred_items = table_items("flat_single_row", NAMES, noisy)
    for metric in ("exact", "chrf"):
        ours, ref = document_scores(pred_items, gold_items, metric), reference_wu(pred_items, gold_items, metric)
        assert all(abs(a - b) < 1e-9 for k in ours if ours[k] for a, b in zip(ours[k], ref[k])), metric
    rows = []
    for name, text in outputs.items():
        ours = rate(lambda t=text: pi2_score(t, truth, document), args.seconds)
        ref = rate(lambda t=text: reference_pi2(t, truth, document), args.seconds)
        rows.append((f"pi2 reward ({name})", ours, ref))
    for metric in ("exact", "chrf"):
        ours = rate(lambda m=metric: document_scores(pred_items, gold_items, m), args.seconds)
        ref = rate(lambda m=metric: reference_wu(pred_items, gold_items, m), args.seconds)
        rows.append((f"Text-to-Table metric ({metric}), one document", ours, ref))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"8 rows x 6 fields, document of {len(document)} characters; one process, one thread; calls/s")
    print(f"machine: {os.cpu_count()} cores, load average {load:.1f}; calibration sum(range(10**6)) ="
          f" {calibration_ms():.1f} ms (about 10 ms on an idle core)\n")
    print(f"| {'benchmark':46s} | {'ours':>10s} | {'reference':>10s} | {'ratio':>6s} |")
    print(f"|{'-' * 48}|{'-' * 12}|{'-' * 12}|{'-' * 8}|")
    for name, ours, ref in rows:
        print(f"| {name:46s} | {ours:10.0f} | {ref:10.1f} | {ours / ref:5.1f}x |")
    worst = min(ours for name, ours, _ in rows if name.startswith("pi2"))
    print(f"\npi2 reward target: >= 5000 calls/s; slowest case here: {worst:.0f} calls/s"
          f" ({'met' if worst >= 5000 else 'NOT met on this run'})")


if __name__ == "__main__":
    main()
