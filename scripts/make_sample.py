"""Generate the bundled sample gold set ``examples/data/{train,dev,test}.jsonl`` and its README.

Deterministic: a seeded ``random.Random`` per domain, no network, no model; running it twice gives
byte-identical files. Every generated record is checked before it is written: each non-null gold cell occurs
verbatim in its document, row counts fit the structure, documents are 300..2600 characters.

    python scripts/make_sample.py                 # (re)write examples/data/
    python scripts/make_sample.py --out /tmp/x    # write elsewhere
    python scripts/make_sample.py --check         # exit 1 if the committed files differ from a fresh run
    python scripts/make_sample.py --seed extra-1 --out data/generated/extra-1   # more training documents
    python scripts/make_sample.py --seed probe-1 --per-kind 6 --out data/generated/probe-1   # a 54-document probe

With ``--seed`` other than the bundled set's, every record goes to ``train.jsonl`` (ids prefixed by the seed):
more documents of the same kinds for training, never a replacement for the bundled dev and test splits (which
come from the same templates, so a model trained on them is measured in its own distribution there).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sample_domains import (biographies, invoices, matches, products, quarterly, real_estate,  # noqa: E402
                            recipes, trials, weather)
from sample_domains.common import FLAT, KV, Sample  # noqa: E402
from sample_domains.readme import readme  # noqa: E402

SEED = "text2table-sample-v1"
DOMAINS = [products, matches, quarterly, recipes, biographies, trials, invoices, real_estate, weather]
SPLITS = (("train", 0.70), ("dev", 0.15), ("test", 0.15))
MIN_CHARS, MAX_CHARS, MAX_ROWS = 300, 2600, 20
MISSING_TOKENS = ["", "-", "—", "N/A", "n/a"]
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "examples" / "data"


class SampleError(ValueError):
    """A generated sample breaks the gold-set rules (a generator bug: fix the domain module)."""


def problems(sample: Sample) -> list[str]:
    """Rule violations of one sample; a wrong length is reported as 'length' (the caller retries)."""
    out = []
    if not MIN_CHARS <= len(sample.document) <= MAX_CHARS:
        out.append(f"length {len(sample.document)}")
    rows, headers = sample.rows, sample.headers
    if sample.structure == KV and len(rows) != 1:
        out.append(f"kv_single with {len(rows)} rows")
    if sample.structure == FLAT and not 2 <= len(rows) <= MAX_ROWS:
        out.append(f"flat_single_row with {len(rows)} rows")
    if len(set(headers)) != len(headers) or not all(h.strip() == h and h for h in headers):
        out.append(f"bad headers {headers}")
    for row in rows:
        if len(row) != len(headers):
            out.append(f"row of {len(row)} cells for {len(headers)} headers")
        for cell in row:
            if cell is None:
                continue
            if cell != cell.strip() or cell in MISSING_TOKENS:
                out.append(f"cell {cell!r} is blank, padded or a missing-value token")
            elif cell not in sample.document:
                out.append(f"cell {cell!r} does not occur in the document")
    return out


def generate_domain(module, seed: str = SEED) -> list[tuple[str, Sample]]:  # type: ignore[no-untyped-def]
    """(group key, sample) pairs of one domain; samples of a wrong length are drawn again."""
    rng = random.Random(f"{seed}:{module.DOMAIN}")
    out = []
    for index in range(module.GROUPS):
        group = f"{module.DOMAIN}-g{index:03d}"
        for _attempt in range(40):
            samples = module.make_group(rng, index)
            issues = [p for s in samples for p in problems(s)]
            if not issues:
                break
            if any(not p.startswith("length") for p in issues):
                raise SampleError(f"{group}: {issues[:3]}")
        else:
            raise SampleError(f"{group}: no sample of the right length after 40 attempts ({issues[:3]})")
        out += [(group, s) for s in samples]
    return out


def assign_splits(groups: list[str]) -> dict[str, str]:
    """Order a domain's groups by the sha256 of their key and cut 70/15/15; with 3 or more groups every split
    gets at least one (dev and test take their share, rounded, and at least 1; train the rest)."""
    ordered = sorted(set(groups), key=lambda g: hashlib.sha256(g.encode()).hexdigest())
    n = len(ordered)
    held = [max(1, round(share * n)) if n >= 3 else 0 for _, share in SPLITS[1:]]
    sizes = [n - sum(held)] + held
    out, start = {}, 0
    for (split, _), size in zip(SPLITS, sizes):
        for g in ordered[start:start + size]:
            out[g] = split
        start += size
    return out


def build(seed: str = SEED) -> dict[str, list[dict]]:  # type: ignore[type-arg]
    """All records by split, each split ordered by id; with another seed than the bundled set's, all in train."""
    by_split: dict[str, list[dict]] = {name: [] for name, _ in SPLITS}  # type: ignore[type-arg]
    prefix = "" if seed == SEED else f"{seed}-"
    for module in DOMAINS:
        pairs = generate_domain(module, seed)
        split_of = assign_splits([g for g, _ in pairs]) if seed == SEED else {g: "train" for g, _ in pairs}
        for n, (group, s) in enumerate(pairs, start=1):
            metadata = {"language": s.language, "locale": s.locale, "table_hint": s.table_hint,
                        "missing_value_tokens": MISSING_TOKENS, "domain": module.DOMAIN, "group": prefix + group}
            table = {"name": s.name, "structure": s.structure, "headers": s.headers, "rows": s.rows}
            by_split[split_of[group]].append({"id": f"{prefix}{module.DOMAIN}-{n:03d}", "document": s.document,
                                              "metadata": metadata, "table": table})
    for records in by_split.values():
        records.sort(key=lambda r: r["id"])
    return by_split


def render(by_split: dict[str, list[dict]]) -> dict[str, bytes]:  # type: ignore[type-arg]
    files = {f"{split}.jsonl": "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode()
             for split, records in by_split.items()}
    files["README.md"] = readme(by_split, [m.DOMAIN for m in DOMAINS]).encode()
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default examples/data)")
    parser.add_argument("--check", action="store_true", help="compare with the files in --out, write nothing")
    parser.add_argument("--seed", default=SEED, help="another seed: more training documents, all in train.jsonl")
    parser.add_argument("--per-kind", type=int, default=0, help="with --seed: keep the first N documents of each"
                        " kind (e.g. a small probe set from a seed no training run used)")
    args = parser.parse_args(argv)
    if args.seed != SEED and args.out.resolve() == DEFAULT_OUT.resolve():
        parser.error(f"--seed {args.seed} would overwrite the bundled set: give --out another folder")
    if args.per_kind and args.seed == SEED:
        parser.error("--per-kind applies to another --seed only: the bundled set keeps every document")
    by_split = build(args.seed)
    if args.per_kind:  # ids end in the document's number within its kind, from 001
        by_split["train"] = [r for r in by_split["train"] if int(r["id"].rsplit("-", 1)[1]) <= args.per_kind]
    files = render(by_split)
    if args.seed != SEED:
        files = {"train.jsonl": files["train.jsonl"]}
    for split, records in by_split.items():
        kinds = Counter(r["table"]["structure"] for r in records)
        print(f"{split}: {len(records)} records ({kinds[KV]} {KV}, {kinds[FLAT]} {FLAT})")
    if args.check:
        stale = [n for n, data in files.items() if not (args.out / n).is_file() or (args.out / n).read_bytes() != data]
        print("up to date" if not stale else f"differ from a fresh run: {', '.join(stale)}")
        return 1 if stale else 0
    args.out.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (args.out / name).write_bytes(data)
    print(f"wrote {', '.join(files)} to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
