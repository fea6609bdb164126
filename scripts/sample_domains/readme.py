"""The README of the sample gold set, written by the generator from the records it made (so the counts in
it can never drift from the data)."""

from __future__ import annotations

from collections import Counter
from typing import Any

BUCKETS = ((1, 1), (2, 3), (4, 7), (8, 12), (13, 20))

INTRO = """# Sample gold set (`examples/data/`)

A small, realistic gold set in text2table's native format, bundled for demos, tests and smoke-training.
Every document is invented prose (product pages, match reports, earnings releases, recipes, profiles,
trial summaries, invoices, property listings, weather reports) with the table a careful annotator would
extract from it. No part of it is copied from a public dataset; all people, companies, teams, drugs and
products are fictional.

## How it was made

    python scripts/make_sample.py            # rewrites train.jsonl, dev.jsonl, test.jsonl and this README
    python scripts/make_sample.py --check    # exits 1 if these files differ from a fresh run

The generator is deterministic (one seeded `random.Random` per domain, no network, no model): two runs give
byte-identical files, and `tests/test_sample_data.py` checks that the committed files match a fresh run.
Edit the generator (`scripts/sample_domains/`), never these files by hand.

## Format

One JSON object per line, read with `text2table.core.records.read_gold`:

    {"id": "invoice-007", "document": "...",
     "metadata": {"language": "en", "locale": "en-GB", "table_hint": null,
                  "missing_value_tokens": ["", "-", "—", "N/A", "n/a"], "domain": "invoice", "group": "invoice-g004"},
     "table": {"name": "line_items", "structure": "flat_single_row", "headers": [...], "rows": [[...], ...]}}

- `kv_single`: one entity described by attributes, stored as one row whose headers are the keys.
  An attribute the document does not give is not a column.
- `flat_single_row`: a header row and 2 to 20 data rows. A cell the document does not give is `null`
  (documents show such cells as blank, `-`, `—` or `n/a`, or simply do not mention them).
- Every non-null cell occurs verbatim in its document (values keep the document's wording: `twelve`,
  `$1,299.00`, `1.234,50`, `12 juin 1958`). Headers are human headers and vary in wording across documents
  of one domain (`Price`, `Unit price`, `Cost`, ...), as do the columns present.
- `metadata.group` ties near-duplicates together (two write-ups of the same product or the same quarter).
  Splits are made per domain: groups are ordered by the SHA-256 of their key and cut 70/15/15, so a group
  never straddles two splits and every domain appears in every split.
"""

LICENCE = """## Licence

Apache-2.0, like the rest of text2table. The data was written for this project by its generator; it
contains no third-party text.
"""


def _bucket(n: int) -> str:
    for lo, hi in BUCKETS:
        if lo <= n <= hi:
            return str(lo) if lo == hi else f"{lo}-{hi}"
    return f">{BUCKETS[-1][1]}"


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" if i == 0 else "---:" for i in range(len(headers))) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def readme(by_split: dict[str, list[dict[str, Any]]], domains: list[str]) -> str:
    splits = list(by_split)
    every = [r for s in splits for r in by_split[s]]
    per_domain = [[d] + [sum(r["metadata"]["domain"] == d for r in by_split[s]) for s in splits] +
                  [sum(r["metadata"]["domain"] == d for r in every),
                   sum(r["metadata"]["domain"] == d and r["table"]["structure"] == "kv_single" for r in every),
                   sum(r["metadata"]["domain"] == d and r["table"]["structure"] == "flat_single_row" for r in every)]
                  for d in domains]
    totals = ["**total**"] + [len(by_split[s]) for s in splits] + [len(every)] + \
        [sum(r["table"]["structure"] == k for r in every) for k in ("kv_single", "flat_single_row")]
    buckets = [_bucket(lo) for lo, _ in BUCKETS]
    hist = [[b] + [sum(_bucket(len(r["table"]["rows"])) == b for r in by_split[s]) for s in splits] +
            [sum(_bucket(len(r["table"]["rows"])) == b for r in every)] for b in buckets]
    langs = Counter(r["metadata"]["language"] for r in every)
    lengths = sorted(len(r["document"]) for r in every)
    cols = sorted(len(r["table"]["headers"]) for r in every)
    parts = [INTRO, "## Contents\n",
             "Records per domain and split, and per structure:\n",
             _table(["domain"] + splits + ["total", "kv_single", "flat_single_row"], per_domain + [totals]),
             "\nTable size (data rows) per split:\n",
             _table(["rows"] + splits + ["total"], hist),
             f"\nLanguages: {', '.join(f'{k} {v}' for k, v in sorted(langs.items()))}. "
             f"Document length: {lengths[0]} to {lengths[-1]} characters (median {lengths[len(lengths) // 2]}). "
             f"Columns per table: {cols[0]} to {cols[-1]}.\n", LICENCE]
    return "\n".join(parts)
