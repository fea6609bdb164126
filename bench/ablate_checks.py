"""bench/ablate_checks: what each post-decoding check is worth, on predictions already decoded.

Takes the unverified predictions ``bench/quality.py`` caches (``<dataset>.trained.pred.jsonl``: the model's
rows, no check run) and re-checks them as the pipeline would, with every check on, with each check of
:class:`text2table.checks.config.CheckConfig` off in turn, and with the whole chain off. For each variant it
prints exact and chrF cell F1 and schema F1, and the paired difference against all checks on with its 95%
bootstrap interval over documents (:mod:`bench.compare`'s pairing). A check whose removal costs nothing
beyond its interval is not paying for itself on that data. No decoding: a run takes seconds per hundred
documents.

    python bench/ablate_checks.py data/gold/wu/e2e-dev-heldout.jsonl runs/quality-compact-e2e/e2e.trained.pred.jsonl
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import tempfile
from pathlib import Path

from text2table.checks.config import CheckConfig
from text2table.checks.verify import verify_record
from text2table.core.jsonio import write_jsonl
from text2table.core.records import read_gold
from text2table.metrics.bootstrap import bootstrap_ci
from text2table.metrics.evaluate import evaluate_files

from compare import SCORES, paired

SWITCHES = ("support", "function_words", "polarity", "repeats", "drop_invented_columns")


def variants() -> dict[str, CheckConfig | None]:
    """Name -> check configuration (``None``: the chain off, the model's rows as decoded)."""
    out: dict[str, CheckConfig | None] = {"all checks": CheckConfig()}
    for name in SWITCHES:
        out[f"without {name}"] = dataclasses.replace(CheckConfig(), **{name: False})
    out["no checks"] = None
    return out


def checked(gold: Path, pred: Path, config: CheckConfig | None, out: Path) -> Path:
    """The predictions re-checked with ``config`` (as bench/quality's verified rows), written to ``out``."""
    records = {r.id: r for r in read_gold(gold)}
    lines = []
    for line in pred.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        doc = records.get(record.get("id"))
        if doc is not None and config is not None:
            record = verify_record(record, doc.document, metadata=doc.metadata,
                                   missing=doc.metadata.get("missing_value_tokens", ()), config=config)
        lines.append(record)
    write_jsonl(out, lines)
    return out


def ablate(gold: Path, pred: Path) -> list[str]:
    lines = ["| variant | n | " + " | ".join(SCORES) + " | " + " | ".join(f"{s} vs all [95% CI]" for s in SCORES) + " |",
             "|---|---|" + "---|" * (2 * len(SCORES))]
    with tempfile.TemporaryDirectory() as tmp:
        docs = {}
        for name, config in variants().items():
            _, docs[name] = evaluate_files(gold, checked(gold, pred, config, Path(tmp) / f"{len(docs)}.jsonl"))
        base = docs["all checks"]
        for name, scored in docs.items():
            means, diffs = [], []
            for score in SCORES.values():
                a, b = paired(base, scored, score)
                means.append(f"{100 * sum(b) / len(b):.2f}" if b else "-")
                if not b or name == "all checks":
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
