"""The bundled sample gold set (examples/data) and its generator (scripts/make_sample.py)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from text2table.core.records import GoldRecord, gold_rows, gold_schema, read_gold

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "examples" / "data"
SCRIPT = ROOT / "scripts" / "make_sample.py"
SPLITS = ("train", "dev", "test")
FILES = [f"{s}.jsonl" for s in SPLITS] + ["README.md"]


@pytest.fixture(scope="module")
def by_split() -> dict[str, list[GoldRecord]]:
    return {s: list(read_gold(DATA / f"{s}.jsonl")) for s in SPLITS}


@pytest.fixture(scope="module")
def records(by_split: dict[str, list[GoldRecord]]) -> list[GoldRecord]:
    return [r for s in SPLITS for r in by_split[s]]


@pytest.fixture(scope="module")
def generator():  # type: ignore[no-untyped-def]
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        import make_sample  # type: ignore[import-not-found]
        yield make_sample
    finally:
        sys.path.remove(str(SCRIPT.parent))


def test_counts_domains_and_structures(by_split: dict[str, list[GoldRecord]], records: list[GoldRecord]) -> None:
    assert len(records) >= 180
    domains = {r.metadata["domain"] for r in records}
    assert len(domains) >= 7
    for split in SPLITS:
        assert {r.metadata["domain"] for r in by_split[split]} == domains, f"a domain is missing from {split}"
    structures = Counter(r.table.structure for r in records)  # type: ignore[union-attr]
    assert set(structures) == {"kv_single", "flat_single_row"}
    assert min(structures.values()) >= 0.25 * len(records)


def test_split_proportions(by_split: dict[str, list[GoldRecord]], records: list[GoldRecord]) -> None:
    share = {s: len(by_split[s]) / len(records) for s in SPLITS}
    assert 0.6 <= share["train"] <= 0.8
    assert 0.1 <= share["dev"] <= 0.2 and 0.1 <= share["test"] <= 0.2


def test_row_counts_fit_the_structure(records: list[GoldRecord]) -> None:
    long_tables = 0
    for r in records:
        n = len(r.table.rows)  # type: ignore[union-attr]
        if r.table.structure == "kv_single":  # type: ignore[union-attr]
            assert n == 1, r.id
            assert None not in r.table.rows[0], f"{r.id}: a kv_single attribute that is absent must not be a column"
        else:
            assert 2 <= n <= 20, r.id
        long_tables += n >= 8
    assert long_tables >= 0.25 * len(records), "long tables (8-20 rows) must be well represented"
    assert max(len(r.table.rows) for r in records) == 20  # type: ignore[union-attr]


def test_every_gold_cell_occurs_in_its_document(records: list[GoldRecord]) -> None:
    missing = [(r.id, cell) for r in records for row in r.table.rows for cell in row  # type: ignore[union-attr]
               if cell is not None and cell not in r.document]
    assert missing == []


def test_cells_are_clean_and_columns_never_empty(records: list[GoldRecord]) -> None:
    for r in records:
        tokens = set(r.metadata["missing_value_tokens"])
        table = r.table
        assert table is not None and len(set(table.headers)) == len(table.headers), r.id
        for j, header in enumerate(table.headers):
            column = [row[j] for row in table.rows]
            assert any(c is not None for c in column), f"{r.id}: column {header!r} is null in every row"
            for c in column:
                assert c is None or (c == c.strip() and c not in tokens), f"{r.id}: cell {c!r}"
    assert any(None in row for r in records for row in r.table.rows), "some flat rows must miss a value"  # type: ignore[union-attr]


def test_documents_are_realistic_length_and_varied(records: list[GoldRecord]) -> None:
    lengths = [len(r.document) for r in records]
    assert min(lengths) >= 300 and max(lengths) <= 2600
    assert len({r.document for r in records}) == len(records)
    layouts = {"pipe table": r"^\|.*\|$", "key: value lines": r"^[^\n|,]{2,30}: \S", "bullets": r"^(- |\* |• )"}
    for name, pattern in layouts.items():
        assert any(re.search(pattern, r.document, re.M) for r in records), f"no document with {name}"
    assert sum("\n" not in r.document.strip().split("\n\n")[1] for r in records if "\n\n" in r.document) > 20


def test_languages_and_metadata(records: list[GoldRecord]) -> None:
    langs = Counter(r.metadata["language"] for r in records)
    assert langs["en"] >= 0.8 * len(records) and langs["fr"] >= 3 and langs["de"] >= 3
    for r in records:
        assert r.metadata["locale"] and r.metadata["locale"].split("-")[0] == r.metadata["language"], r.id
        assert r.metadata["group"].startswith(r.metadata["domain"] + "-g"), r.id


def test_schemas_vary_within_a_domain(records: list[GoldRecord]) -> None:
    by_domain: dict[str, list[GoldRecord]] = defaultdict(list)
    for r in records:
        by_domain[r.metadata["domain"]].append(r)
    for domain, recs in by_domain.items():
        header_sets = {tuple(r.table.headers) for r in recs}  # type: ignore[union-attr]
        assert len(header_sets) >= 0.6 * len(recs), f"{domain}: too many identical schemas"
    prices = {h for r in by_domain["product_specs"] for h in r.table.headers  # type: ignore[union-attr]
              if h in ("Price", "Unit price", "Cost", "MSRP", "Retail price", "List price")}
    assert len(prices) >= 3, "one concept must be worded in several ways across documents"


def test_records_feed_the_schema_contract(records: list[GoldRecord]) -> None:
    for r in records:
        schema = gold_schema(r)
        assert schema.structure == r.table.structure  # type: ignore[union-attr]
        rows = gold_rows(r, schema)
        assert len(rows) == len(r.table.rows) and all(list(row) == schema.names for row in rows)  # type: ignore[union-attr]


def test_ids_unique_and_groups_within_one_split(by_split: dict[str, list[GoldRecord]]) -> None:
    ids = [r.id for s in SPLITS for r in by_split[s]]
    assert len(ids) == len(set(ids))
    for r in (r for s in SPLITS for r in by_split[s]):
        assert re.fullmatch(re.escape(r.metadata["domain"]) + r"-\d{3}", r.id), r.id
    split_of_group: dict[str, set[str]] = defaultdict(set)
    for s in SPLITS:
        for r in by_split[s]:
            split_of_group[r.metadata["group"]].add(s)
    assert all(len(v) == 1 for v in split_of_group.values())
    sizes = Counter(r.metadata["group"] for s in SPLITS for r in by_split[s])
    assert max(sizes.values()) >= 2, "near-duplicate groups must exist for the split rule to matter"


def test_generator_is_deterministic_and_matches_committed_files(tmp_path: Path) -> None:
    for out in (tmp_path / "a", tmp_path / "b"):
        subprocess.run([sys.executable, str(SCRIPT), "--out", str(out)], check=True, capture_output=True)
    for name in FILES:
        fresh = (tmp_path / "a" / name).read_bytes()
        assert fresh == (tmp_path / "b" / name).read_bytes(), f"{name} differs between two runs"
        assert fresh == (DATA / name).read_bytes(), f"{name} is stale: run python scripts/make_sample.py"


def test_check_flag_reports_stale_files(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(SCRIPT), "--out", str(tmp_path)], check=True, capture_output=True)
    ok = subprocess.run([sys.executable, str(SCRIPT), "--out", str(tmp_path), "--check"], capture_output=True)
    assert ok.returncode == 0
    (tmp_path / "dev.jsonl").write_text("{}\n", encoding="utf-8")
    stale = subprocess.run([sys.executable, str(SCRIPT), "--out", str(tmp_path), "--check"], capture_output=True,
                           text=True)
    assert stale.returncode == 1 and "dev.jsonl" in stale.stdout


def test_generator_rejects_invented_values(generator) -> None:  # type: ignore[no-untyped-def]
    from sample_domains.common import flat_sample, kv_sample  # type: ignore[import-not-found]

    doc = "Orla Strand scored 12 points. " * 12
    good = kv_sample(doc, [("Player", "Orla Strand"), ("Pts", "12")], "stats")
    assert generator.problems(good) == []
    invented = kv_sample(doc, [("Player", "Orla Strand"), ("Reb", "7")], "stats")
    assert any("'7' does not occur" in p for p in generator.problems(invented))
    one_row_flat = flat_sample(doc, ["Player"], [["Orla Strand"]], "stats")
    assert any("flat_single_row with 1 rows" in p for p in generator.problems(one_row_flat))
    assert generator.problems(kv_sample("Orla Strand", [("Player", "Orla Strand")], "x")) == ["length 11"]
    dropped = flat_sample(doc, ["Player", "Ast"], [["Orla Strand", None], ["Orla Strand", None]], "stats")
    assert dropped.headers == ["Player"], "an all-null column is dropped, never filled in"


def test_splits_are_cut_per_domain_by_hash(generator) -> None:  # type: ignore[no-untyped-def]
    groups = [f"d-g{i:03d}" for i in range(20)]
    split = generator.assign_splits(groups)
    assert Counter(split.values()) == {"train": 14, "dev": 3, "test": 3}
    assert generator.assign_splits(list(reversed(groups))) == split, "order of arrival must not matter"
    assert set(generator.assign_splits(groups[:3]).values()) == {"train", "dev", "test"}


def test_another_seed_writes_new_training_documents_only(tmp_path: Path, by_split) -> None:  # type: ignore[no-untyped-def]
    subprocess.run([sys.executable, str(SCRIPT), "--seed", "extra-t", "--out", str(tmp_path)], check=True,
                   capture_output=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["train.jsonl"]
    rows = [json.loads(line) for line in (tmp_path / "train.jsonl").read_text(encoding="utf-8").splitlines()]
    bundled = {r.document for s in SPLITS for r in by_split[s]}
    assert len(rows) > 150 and all(r["id"].startswith("extra-t-") for r in rows)
    assert all(r["metadata"]["group"].startswith("extra-t-") for r in rows)
    assert not any(r["document"] in bundled for r in rows), "a new seed must not repeat a bundled document"
    refused = subprocess.run([sys.executable, str(SCRIPT), "--seed", "extra-t"], capture_output=True, text=True)
    assert refused.returncode == 2 and "overwrite the bundled set" in refused.stderr


def test_per_kind_keeps_the_first_documents_of_each_kind(tmp_path: Path) -> None:
    full, few = tmp_path / "full", tmp_path / "few"
    for out, extra in ((full, []), (few, ["--per-kind", "2"])):
        subprocess.run([sys.executable, str(SCRIPT), "--seed", "probe-t", "--out", str(out), *extra], check=True,
                       capture_output=True)
    rows = [json.loads(line) for line in (full / "train.jsonl").read_text(encoding="utf-8").splitlines()]
    kept = [json.loads(line) for line in (few / "train.jsonl").read_text(encoding="utf-8").splitlines()]
    kinds = Counter(r["metadata"]["domain"] for r in kept)
    assert len(kinds) == 9 and set(kinds.values()) == {2}
    assert kept == [r for r in rows if r["id"].endswith(("-001", "-002"))]  # the same documents, not new ones
    refused = subprocess.run([sys.executable, str(SCRIPT), "--per-kind", "2", "--out", str(tmp_path / "x")],
                             capture_output=True, text=True)
    assert refused.returncode == 2 and "--per-kind applies to another --seed only" in refused.stderr
