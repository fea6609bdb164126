"""Which table structure pi1 chooses, against the gold's, for one or more pi1 adapters on the same documents.

    python bench/bench_pi1_structure.py [GOLD.jsonl] [--adapter A.gguf --adapter B.gguf ...] [--limit N]

GOLD defaults to the generated probe (``data/generated/probe-1/train.jsonl``; skipped with a note where
``make quality-probe`` has not written it, as on a fresh clone under ``make bench``), ``--adapter`` to
``shipped``.

pi1 alone (``text2table.pipeline.run.induce_schemas``, the pipeline's default settings; pi2 does not run), so
an adapter's structure choice is read in minutes: on the 54 documents of the generated probe
(``data/generated/probe-1/train.jsonl``, ``make quality-probe``) about 2.5 minutes an adapter on one core,
against 10-15 for the probe's full rows in ``bench/quality.py``. Why it exists: a pi1 stage continued on
Rotowire game summaries (every table flat) answered one-entity documents (a biography, a product sheet) with
``flat_single_row``, which spreads their cells over rows; the structure is the first thing pi1 decides and the
cheapest to watch while a stage trains (export a checkpoint with ``text2table export-gguf`` and copy the
adapter's ``text2table.json`` card next to it).

For each adapter: documents, the share whose structure agrees with the gold, and per gold structure how many
documents pi1 answered with it (``kv_single 17/20``). ``shipped`` names the shipped pi1 adapter.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from text2table.backends.choose import open_backend  # noqa: E402
from text2table.pipeline.run import induce_schemas  # noqa: E402

PROBE = ROOT / "data" / "generated" / "probe-1" / "train.jsonl"


def agreement(gold: list[str], chosen: list[str | None]) -> dict[str, tuple[int, int]]:
    """Per gold structure (and ``all``): (documents pi1 answered with it, documents).

    >>> agreement(["kv_single", "kv_single", "flat_single_row"], ["kv_single", "flat_single_row", None])
    {'all': (1, 3), 'flat_single_row': (0, 1), 'kv_single': (1, 2)}
    """
    out: dict[str, tuple[int, int]] = {"all": (sum(g == c for g, c in zip(gold, chosen)), len(gold))}
    for structure in sorted(set(gold)):
        pairs = [(g, c) for g, c in zip(gold, chosen) if g == structure]
        out[structure] = (sum(g == c for g, c in pairs), len(pairs))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("gold", nargs="?", default=None, help=f"gold JSONL (default {PROBE.relative_to(ROOT)})")
    parser.add_argument("--adapter", action="append", default=None,
                        help="a pi1 llama.cpp LoRA (.gguf) or 'shipped' (the default); repeat to compare")
    parser.add_argument("--limit", type=int, default=0, help="only the first N documents")
    args = parser.parse_args()
    gold_path = Path(args.gold) if args.gold else PROBE
    if not gold_path.exists():
        if args.gold:
            raise SystemExit(f"{gold_path}: not found")
        print(f"skip bench_pi1_structure: {gold_path} not found; `make quality-probe` writes it")
        return
    args.adapter = args.adapter or ["shipped"]
    records = [json.loads(line) for line in gold_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    records = records[:args.limit] if args.limit else records
    gold = [r["table"]["structure"] for r in records]
    structures = sorted(set(gold))
    print(f"{len(records)} documents of {gold_path}: "
          + ", ".join(f"{s} {n}" for s, n in sorted(Counter(gold).items())) + "\n")
    print("| pi1 adapter | agrees | " + " | ".join(f"gold {s}" for s in structures) + " | other answers | s/document |")
    print("|---" * (len(structures) + 4) + "|")
    for adapter in args.adapter:
        backend = open_backend("llamacpp", adapter=None if adapter == "shipped" else adapter, pi2_adapter="none")
        began = time.perf_counter()
        chosen: list[str | None] = []
        for start in range(0, len(records), 8):
            batch = records[start:start + 8]
            schemas = induce_schemas([r["document"] for r in batch], backend,
                                     metadatas=[r.get("metadata") for r in batch])
            chosen.extend(s.structure if s is not None else None for s in schemas)
        seconds = (time.perf_counter() - began) / max(1, len(records))
        backend.close()
        agree = agreement(gold, chosen)
        done, total = agree["all"]
        other = Counter(c for g, c in zip(gold, chosen) if c != g)
        print(f"| {adapter} | {done}/{total} ({100 * done / total:.0f}%) | "
              + " | ".join(f"{agree[s][0]}/{agree[s][1]}" for s in structures)
              + f" | {', '.join(f'{c} {n}' for c, n in other.most_common()) or '-'} | {seconds:.1f} |", flush=True)


if __name__ == "__main__":
    main()
