"""bench/ablate_checks: what each post-decoding check is worth, on predictions already decoded.

Takes the unverified predictions ``bench/quality.py`` caches (``<dataset>.trained.pred.jsonl``: the model's
rows, no check run) and re-checks them as the pipeline would, with the default checks, with each switch of
:class:`text2table.checks.config.CheckConfig` flipped in turn (a check on by default off, one off by default
on), and with the whole chain off. For each variant it prints exact and chrF cell F1 and schema F1, and the
paired difference against the default checks with its 95%
bootstrap interval over documents (:mod:`bench.compare`'s pairing). A check whose removal costs nothing
beyond its interval is not paying for itself on that data. No decoding: a run takes seconds per hundred
documents.

    python bench/ablate_checks.py data/gold/wu/e2e-dev-heldout.jsonl runs/quality-compact-e2e/e2e.trained.pred.jsonl
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
from pathlib import Path

from text2table.checks.config import CheckConfig
from text2table.metrics.bootstrap import bootstrap_ci
from text2table.metrics.evaluate import evaluate_files

from compare import SCORES, paired
from quality import verified

SWITCHES = ("support", "function_words", "polarity", "repeats", "family_names", "drop_invented_columns")


def variants() -> dict[str, CheckConfig | None]:
    """Name -> check configuration (``None``: the chain off, the model's rows as decoded)."""
    default = CheckConfig()
    out: dict[str, CheckConfig | None] = {"default checks": default}
    for name in SWITCHES:  # each switch flipped: a check on by default is turned off, one off is turned on
        on = getattr(default, name)
        out[f"{'without' if on else 'with'} {name}"] = dataclasses.replace(default, **{name: not on})
    out["no checks"] = None
    return out


def checked(gold: Path, pred: Path, config: CheckConfig | None, out: Path) -> Path:
    """The predictions re-checked with ``config`` as bench/quality does (``None``: as decoded)."""
    return pred if config is None else verified(pred, gold, config=config, out=out)


def ablate(gold: Path, pred: Path) -> list[str]:
    lines = ["| variant | n | " + " | ".join(SCORES) + " | " + " | ".join(f"{s} vs default [95% CI]" for s in SCORES) + " |",
             "|---|---|" + "---|" * (2 * len(SCORES))]
    with tempfile.TemporaryDirectory() as tmp:
        docs = {}
        for name, config in variants().items():
            _, docs[name] = evaluate_files(gold, checked(gold, pred, config, Path(tmp) / f"{len(docs)}.jsonl"))
        base = docs["default checks"]
        for name, scored in docs.items():
            means, diffs = [], []
            for score in SCORES.values():
                a, b = paired(base, scored, score)
                means.append(f"{100 * sum(b) / len(b):.2f}" if b else "-")
                if not b or name == "default checks":
                    diffs.append("-")
                    continue
                ci = bootstrap_ci([y - x for x, y in zip(a, b)])
                diffs.append(f"{100 * ci.mean:+.2f} [{100 * ci.low:+.2f}, {100 * ci.high:+.2f}]")
            lines.append(f"| {name} | {len(scored)} | " + " | ".join(means) + " | " + " | ".join(diffs) + " |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("gold", type=Path, help="gold JSONL the predictions answer")
    parser.add_argument("pred", type=Path, help="unverified predictions (bench/quality's <dataset>.trained.pred.jsonl)")
    args = parser.parse_args()
    print(f"{args.pred} on {args.gold}")
    print("\n".join(ablate(args.gold, args.pred)))


if __name__ == "__main__":
    main()
