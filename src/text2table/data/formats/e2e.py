"""The E2E NLG challenge CSV (``mr,ref``; tuetschek/e2e-dataset) -> one ``kv_single`` gold record per line.

Input shape::

    mr,ref
    "name[The Vaults], eatType[pub], priceRange[more than £30]","The Vaults is a pub with prices over £30."

Each (mr, ref) line becomes record ``e2e-<file stem>-<line>`` (``line`` is the 1-based line where the CSV
record starts; option ``id_prefix`` replaces ``e2e-<stem>``): the document is the reference, the table has
the slot names as written (``eatType``, ``customer rating``) as headers and one row of the values as written.
``metadata.mr`` is the MR string and ``metadata.group`` a stable short hash of it (``mr-<12 hex>``), so that
splits can keep every reference of one MR together.

Option ``filter`` chooses which slots stay: ``"wu"`` (default) reproduces the Text-to-Table paper's
preprocessing (Wu et al., 2022; :mod:`.e2e_wu`: ``eatType`` always dropped, the other slots kept by keyword
tests), ``"evidence"`` is our own evidence rule (:mod:`.e2e_filter`), ``"none"`` keeps the full MR. The
report counts ``slots_total``, ``slots_dropped`` and ``dropped.<slot>``; a line whose every slot is dropped
yields no record (counted as ``empty_tables``; never with ``"wu"``, which keeps ``name``).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path

from text2table.errors import ConfigError, InputError
from text2table.core.records import GoldRecord
from text2table.data.formats._common import (Context, FormatSpec, cell, make_record, note_dropped, require_files,
                                             short_hash)
from text2table.data.formats.e2e_filter import filter_slots
from text2table.data.formats.e2e_wu import filter_slots_wu

_SLOT = re.compile(r"\s*([^\[\],]+?)\s*\[([^\[\]]*)\]\s*(,|$)")
_MR_HINT = "write the MR as 'slot[value], slot[value], ...'"
FILTERS = {"wu": filter_slots_wu, "evidence": filter_slots}  #: and "none": every slot kept


def parse_mr(mr: str) -> list[tuple[str, str]]:
    """``[(slot, value), ...]`` of an E2E meaning representation; a malformed MR raises ``ValueError``.

    >>> parse_mr("name[The Vaults], eatType[pub], priceRange[more than £30]")
    [('name', 'The Vaults'), ('eatType', 'pub'), ('priceRange', 'more than £30')]
    """
    slots: list[tuple[str, str]] = []
    pos, text = 0, mr.strip()
    if not text:
        raise ValueError("empty MR")
    while pos < len(text):
        match = _SLOT.match(text, pos)
        if match is None or (match.group(3) == "," and match.end() == len(text)):
            rest = text[pos:].lstrip()
            raise ValueError(f"cannot read a 'slot[value]' at column {len(text) - len(rest) + 1}: {rest[:40]!r}")
        slot, value = match.group(1), match.group(2).strip()
        if any(slot == s for s, _ in slots):
            raise ValueError(f"slot {slot!r} appears twice")
        slots.append((slot, value))
        pos = match.end()
    return slots


def mr_group(mr: str) -> str:
    """The grouping key of an MR: ``mr-`` + a short hash of its whitespace-normalised text.

    >>> mr_group("name[Aromi],  area[riverside]") == mr_group("name[Aromi], area[riverside]")
    True
    """
    return "mr-" + short_hash(" ".join(mr.split()))


def _columns(header: list[str], path: Path) -> tuple[int, int]:
    names = [h.strip().lower() for h in header]
    if "mr" not in names or "ref" not in names:
        raise InputError(f"the header row is {header!r}; expected the columns 'mr' and 'ref'", source=str(path),
                         line=1, hint="use an E2E file with references (trainset.csv, devset.csv,"
                                      " testset_w_refs.csv)")
    return names.index("mr"), names.index("ref")


def _record(rid: str, mr: str, ref: str, ctx: Context) -> GoldRecord | None:
    slots = parse_mr(mr)
    if not ref.strip():
        raise ValueError("empty reference text (column 'ref')")
    rule = FILTERS.get(ctx.options["filter"])
    if rule is not None:
        slots, dropped = rule(slots, ref)
        ctx.count("slots_total", len(slots) + len(dropped))
        ctx.count("slots_dropped", len(dropped))
        for slot, _ in dropped:
            ctx.count(f"dropped.{slot}")
        if not slots:
            ctx.count("empty_tables")
            return None
    headers = [s for s, _ in slots]
    metadata = {"dataset": "e2e", "group": mr_group(mr), "mr": mr.strip()}
    return make_record(rid, ref.strip(), headers, [[cell(v) for _, v in slots]], structure="kv_single",
                       metadata=metadata)


def _records(path: Path, ctx: Context) -> Iterator[GoldRecord]:
    prefix = ctx.options["id_prefix"] or f"e2e-{path.stem}"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        try:
            header = next(reader, None)
            if header is None:
                raise InputError("empty file; expected the header row 'mr,ref'", source=str(path))
            mr_col, ref_col = _columns(header, path)
            start = reader.line_num + 1
            for row in reader:
                line, start = start, reader.line_num + 1
                if not any(c.strip() for c in row):
                    continue
                try:
                    if len(row) <= max(mr_col, ref_col):
                        raise ValueError(f"{len(row)} columns, expected {len(header)} ({','.join(header)})")
                    record = _record(f"{prefix}-{line}", row[mr_col], row[ref_col], ctx)
                except ValueError as exc:
                    ctx.fail(InputError(str(exc), source=str(path), line=line, hint=_MR_HINT))
                    continue
                if record is not None:
                    yield record
        except UnicodeDecodeError as exc:
            raise InputError(f"not valid UTF-8 near line {reader.line_num + 1}: {exc.reason}", source=str(path),
                             hint="re-encode the file as UTF-8") from None
        except csv.Error as exc:
            raise InputError(f"broken CSV: {exc}", source=str(path), line=reader.line_num,
                             hint="check the quoting of that line") from None


def open_e2e(inputs: list[Path], ctx: Context) -> Iterator[GoldRecord]:
    """Check the inputs now; return the lazy record iterator over every CSV file."""
    known = (*FILTERS, "none")
    if ctx.options["filter"] not in known:
        raise ConfigError(f"e2e: option 'filter' must be one of {', '.join(known)}, got {ctx.options['filter']!r}")
    paths = require_files(inputs, "the E2E CSV file", ctx)

    def generate() -> Iterator[GoldRecord]:
        for path in paths:
            yield from _records(path, ctx)
        counters = ctx.report.counters
        if ctx.options["filter"] != "none":
            note_dropped(ctx, f"e2e filter {ctx.options['filter']}", "slot")
        if counters.get("empty_tables"):
            ctx.note(f"{counters['empty_tables']} lines left out: no slot supported by the text")

    return generate()


SPEC = FormatSpec(name="e2e", summary="E2E NLG challenge CSV (mr,ref) -> key/value tables",
                  options={"filter": "wu", "id_prefix": None}, open=open_e2e)
