"""Rotowire -> one team and one player ``flat_single_row`` record per game summary, from one of three inputs.

* the released files (``train.json`` / ``valid.json``: JSON lists of games with ``box_score``): the
  Text-to-Table paper's preprocessing by default (option ``filter`` ``"wu"``: only the cells the summary
  states; ``"none"``: every cell), see :mod:`.rotowire_raw`;
* the four ``nba_data`` sentence-record files of one split (``x_type``/``x_value``/``x_associated``/``y_aux``
  ``.<split>.txt``): games rebuilt from sentences, see :mod:`.rotowire_sentences`;
* documents JSONL + gold JSON, described below (two files, in any order; told apart by their first object's
  keys)::

    documents.jsonl   {"id": "g1", "document": "The Atlanta Hawks defeated ..."}            (one per line)
    gold.json         [{"id": "g1", "teams": [{"Team": "Hawks", "Wins": "46"}, ...],
                        "players": [{"Player": "Al Horford", "Points": "17"}, ...]}, ...]

The gold file may also be JSON Lines (one such object a line). Each document with a gold entry yields
``<id>-team`` and ``<id>-player`` (``metadata.table_hint`` ``team`` / ``player``, ``metadata.group`` the id).
Headers follow the key order of the first object, then any new keys in order of first appearance; a key an
object lacks and an empty string are ``null``. An empty ``teams`` / ``players`` list yields no record (counted
as ``empty_tables``). A document without gold, or gold without a document, is an error naming the id.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from text2table.errors import ConfigError, InputError
from text2table.core.jsonio import iter_jsonl, read_text
from text2table.core.records import GoldRecord
from text2table.data.formats._common import Context, FormatSpec, iter_json_lines, make_record, require_file
from text2table.data.formats.rotowire_raw import open_raw
from text2table.data.formats.rotowire_sentences import open_sentences, parts_of

TABLES = (("teams", "team"), ("players", "player"))
_GOLD_HINT = 'gold entries look like {"id": "...", "teams": [{...}], "players": [{...}]}'


def is_raw(path: Path) -> bool:
    """True for a released Rotowire file (a JSON list of games with box scores), by a look at its start."""
    with path.open("rb") as handle:
        head = handle.read(1 << 16).decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    return head.startswith("[") and '"box_score"' in head and '"summary"' in head


def _first_object(path: Path) -> tuple[str, dict[str, Any] | None]:
    """``("list" | "lines", first object)`` of a JSON list or JSON Lines file, by a cheap look at its start."""
    with path.open("rb") as handle:
        head = handle.read(1 << 16).decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    if head.startswith("["):
        return "list", None
    for _, obj in iter_jsonl(path):
        return "lines", obj if isinstance(obj, dict) else None
    return "lines", None


def classify(inputs: list[Path]) -> tuple[Path, Path]:
    """``(documents, gold)`` among exactly two input files."""
    if len(inputs) != 2:
        raise InputError(f"rotowire needs 2 files (documents JSONL and gold JSON), got {len(inputs)}",
                         source=", ".join(map(str, inputs)) or "<no input>",
                         hint="pass documents.jsonl and gold.json")
    docs: list[Path] = []
    gold: list[Path] = []
    for path in inputs:
        require_file(path, "the rotowire file")
        kind, first = _first_object(path)
        is_doc = kind == "lines" and first is not None and "document" in first
        (docs if is_doc else gold).append(path)
    if len(docs) != 1:
        found = "both look like documents" if docs else "neither has 'document' objects"
        raise InputError(f"cannot tell the documents file from the gold file: {found}",
                         source=", ".join(map(str, inputs)),
                         hint='documents are JSON Lines of {"id", "document"}; gold has "teams"/"players"')
    return docs[0], gold[0]


def _load_gold(path: Path, ctx: Context) -> dict[str, tuple[int | None, dict[str, Any]]]:
    """Gold entries by id with their line (JSON Lines) or ``None`` (a JSON list)."""
    kind, _ = _first_object(path)
    if kind == "list":
        try:
            items = json.loads(read_text(path))
        except json.JSONDecodeError as exc:
            raise InputError(f"invalid JSON: {exc.msg}", source=str(path), line=exc.lineno,
                             hint="the gold file must be one JSON list (or JSON Lines)") from None
        entries: list[tuple[int | None, Any, str]] = [(None, obj, f"item [{i}]") for i, obj in enumerate(items)]
    else:
        entries = [(line, obj, "entry") for line, obj in iter_json_lines(path, ctx)]
    gold: dict[str, tuple[int | None, dict[str, Any]]] = {}
    for line, obj, where in entries:
        try:
            gid = _check_gold(obj, where)
            if gid in gold:
                raise ValueError(f"{where}: duplicate id {gid!r}")
        except ValueError as exc:
            ctx.fail(InputError(str(exc), source=str(path), line=line, hint=_GOLD_HINT))
            continue
        gold[gid] = (line, obj)
    return gold


def _check_gold(obj: Any, where: str) -> str:
    if not isinstance(obj, dict):
        raise ValueError(f"{where} is a {type(obj).__name__}, expected an object")
    gid = obj.get("id")
    if not isinstance(gid, (str, int)) or str(gid) == "":
        raise ValueError(f"{where} has no 'id'")
    for key, _ in TABLES:
        table = obj.get(key, [])
        if not isinstance(table, list) or not all(isinstance(x, dict) for x in table):
            raise ValueError(f"{where} (id {gid!r}): {key!r} must be a list of objects")
        for i, row in enumerate(table):
            for k, v in row.items():
                if isinstance(v, bool) or not isinstance(v, (str, int, float, type(None))):
                    raise ValueError(f"{where} (id {gid!r}): {key}[{i}][{k!r}] is {type(v).__name__},"
                                     " expected a string or number")
    return str(gid)


def table_of(objects: list[dict[str, Any]]) -> tuple[list[str], list[list[str | None]]]:
    """Headers (union of keys in order of first appearance) and rows; missing or empty values are ``None``.

    >>> table_of([{"Team": "Hawks", "Wins": "46"}, {"Team": "Magic", "Losses": 12, "Wins": ""}])
    (['Team', 'Wins', 'Losses'], [['Hawks', '46', None], ['Magic', None, '12']])
    """
    headers: list[str] = []
    for obj in objects:
        headers.extend(k for k in obj if k not in headers)
    rows = []
    for obj in objects:
        row = [None if obj.get(h) is None else str(obj[h]).strip() for h in headers]
        rows.append([v or None for v in row])
    return headers, rows


def _records(docs: Path, gold_path: Path, ctx: Context) -> Iterator[GoldRecord]:
    gold = _load_gold(gold_path, ctx)
    seen: set[str] = set()
    for line, obj in iter_json_lines(docs, ctx):
        gid = obj.get("id") if isinstance(obj, dict) else None
        document = obj.get("document") if isinstance(obj, dict) else None
        if not isinstance(gid, (str, int)) or not isinstance(document, str) or not document.strip():
            ctx.fail(InputError("expected an object with an 'id' and a non-empty 'document'", source=str(docs),
                                line=line))
            continue
        gid = str(gid)
        if gid in seen or gid not in gold:
            why = "duplicate document id" if gid in seen else "no gold entry for id"
            ctx.fail(InputError(f"{why} {gid!r}", source=str(docs), line=line,
                                hint=f"every document needs exactly one gold entry in {gold_path.name}"))
            continue
        seen.add(gid)
        entry = gold[gid][1]
        for key, hint in TABLES:
            headers, rows = table_of(entry.get(key) or [])
            if not rows or not headers:
                ctx.count("empty_tables")
                continue
            yield make_record(f"{gid}-{hint}", document.strip(), headers, rows, structure="flat_single_row",
                              metadata={"dataset": "rotowire", "group": gid, "table_hint": hint})
    for gid in [g for g in gold if g not in seen]:
        ctx.fail(InputError(f"gold id {gid!r} has no document", source=str(gold_path), line=gold[gid][0],
                            hint=f"add it to {docs.name} or remove the gold entry"))


def open_rotowire(inputs: list[Path], ctx: Context) -> Iterator[GoldRecord]:
    """Check the inputs now; return the lazy record iterator."""
    for path in inputs:
        require_file(path, "the rotowire file")
    sentence_files = parts_of(inputs)
    mode = ctx.options["filter"]
    if sentence_files is not None:
        if mode != "wu":
            raise ConfigError(f"rotowire filter {mode!r} does not apply to sentence records (only stated cells)")
        return open_sentences(sentence_files, ctx)
    if inputs and all(is_raw(p) for p in inputs):
        return open_raw(inputs, ctx)
    if mode != "wu":
        raise ConfigError(f"rotowire filter {mode!r} applies to the released train/valid.json only")
    docs, gold = classify(inputs)

    def generate() -> Iterator[GoldRecord]:
        yield from _records(docs, gold, ctx)
        if ctx.report.counters.get("empty_tables"):
            ctx.note(f"{ctx.report.counters['empty_tables']} empty team/player tables left out")

    return generate()


SPEC = FormatSpec(name="rotowire", summary="Rotowire (released train/valid.json with the paper's filter, nba_data"
                  " sentence records, or documents JSONL + gold JSON) -> team and player tables",
                  options={"filter": "wu"}, open=open_rotowire)
